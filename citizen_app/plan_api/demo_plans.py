"""Demo plans: the resources of the demo people and of a demo unit, built for the plan API (used by
citizen_app/demo_data.py, which decides who the demo people are and what their plans say)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from . import evaluations, fhir, gas, observations, patients
from . import goals as goal_json
from .client import PlanClient
from .elements import reference

UNIT = "Borgercenter Voksne, Team Nord"


class DemoLoader:
    """Puts demo resources into the plan API, each under a fixed client identifier derived from its demo
    name (so loading again finds what is there)."""

    def __init__(self, client: PlanClient, today: date, namespace: uuid.UUID) -> None:
        self.client = client
        self.namespace = namespace
        self.today = today
        self.now = datetime.now(UTC)

    def put(self, name: str, resource: dict[str, Any]) -> str:
        return self.client.create(resource, uuid.uuid5(self.namespace, name)).reference

    def person(
        self,
        name: str,
        resource_type: str,
        given: str,
        family: str,
        *,
        cpr: str | None = None,
        birth_date: str | None = None,
    ) -> str:
        """A Patient or Practitioner; a citizen's CPR number in the DK Core identifier system."""
        body: dict[str, Any] = {
            "resourceType": resource_type,
            "name": [{"given": [given], "family": family}],
        }
        if birth_date:
            body["birthDate"] = birth_date
        if cpr:
            body["identifier"] = [{"system": patients.CPR_SYSTEM, "value": cpr}]
        return self.put(name, body)

    def relative(self, name: str, given: str, family: str, *, of: str, relationship: str) -> str:
        """A RelatedPerson of the citizen `of`."""
        body = {
            "resourceType": "RelatedPerson",
            "name": [{"given": [given], "family": family}],
            "patient": reference(of),
            "relationship": [{"text": relationship}],
        }
        return self.put(name, body)

    def role(self, name: str, practitioner: str, phone: str, substitute: str | None = None) -> str:
        body: dict[str, Any] = {
            "resourceType": "PractitionerRole",
            "active": True,
            "practitioner": {"reference": practitioner},
            "organization": {"display": UNIT},
            "telecom": [{"system": "phone", "value": phone, "use": "work"}],
        }
        if substitute:
            body["extension"] = [
                {"url": fhir.EXT_SUBSTITUTE, "valueReference": {"reference": substitute}}
            ]
        return self.put(name, body)

    def care_team(self, name: str, patient: str, caseworker_role: str) -> str:
        return self.put(
            name,
            {
                "resourceType": "CareTeam",
                "status": "active",
                "subject": {"reference": patient},
                "participant": [
                    {
                        "role": [
                            {"coding": [{"system": fhir.CS_CARE_ROLE, "code": "fixed-caseworker"}]}
                        ],
                        "member": {"reference": caseworker_role},
                        "period": {"start": (self.today - timedelta(days=200)).isoformat()},
                    }
                ],
            },
        )

    def goal(
        self,
        name: str,
        patient: str,
        own_words: str,
        professional: str,
        caseworker: str,
        status: str,
        achievement: str,
        levels: dict[str, str] | None = None,
    ) -> str:
        written = self.now - timedelta(days=120)
        resource: dict[str, Any] = {
            "resourceType": "Goal",
            "lifecycleStatus": status,
            "achievementStatus": {
                "coding": [{"system": fhir.CS_GOAL_ACHIEVEMENT, "code": achievement}]
            },
            "description": {"text": professional},
            "subject": {"reference": patient},
            "expressedBy": {"reference": patient},
            "startDate": (self.today - timedelta(days=120)).isoformat(),
            "extension": [
                goal_json.wording_extension("citizen", own_words, patient, written),
                goal_json.wording_extension(
                    "professional", professional, caseworker, written + timedelta(days=7)
                ),
            ],
        }
        if levels:  # Goal Attainment Scaling: the five levels in the citizen's own words
            resource = gas.goal_with_levels(resource, levels, patient, written + timedelta(days=8))
        return self.put(name, resource)

    def gas_rating(
        self, name: str, patient: str, goal: str, voice: str, level: str, days_ago: int, by: str
    ) -> str:
        """A Goal Attainment Scaling rating in one voice (issue #18)."""
        return self.put(
            name,
            gas.rating(
                patient_ref=patient,
                goal_ref=goal,
                voice=voice,
                level=level,
                note=None,
                performer_ref=by,
                when=self.now - timedelta(days=days_ago),
            ),
        )

    def sign(
        self,
        name: str,
        patient: str,
        goal: str,
        value: str,
        days_ago: int,
        note: str | None,
        seen_by: str | None = None,
    ) -> str:
        resource = observations.progress_sign(
            patient_ref=patient,
            goal_ref=goal,
            value=value,
            when=self.today - timedelta(days=days_ago),
            note=note,
            performer_ref=patient,
        )
        if seen_by:  # older signs the caseworker has already looked at
            seen = self.now - timedelta(days=days_ago - 1)
            resource["extension"] = [observations.seen_extension(seen_by, seen, None)]
        return self.put(name, resource)

    def care_plan(
        self,
        name: str,
        patient: str,
        goals: list[str],
        activities: list[dict[str, Any]],
        **extra: Any,
    ) -> str:
        return self.put(
            name,
            {
                "resourceType": "CarePlan",
                "status": "active",
                "intent": "plan",
                "title": "Borgerens Plan",
                "subject": {"reference": patient},
                "goal": [{"reference": g} for g in goals],
                "activity": activities,
                "extension": [
                    {
                        "url": fhir.EXT_NEXT_FOLLOW_UP,
                        "valueDate": (self.today + timedelta(days=41)).isoformat(),
                    }
                ],
                **extra,
            },
        )

    def case(
        self,
        name: str,
        patient: str,
        owner: str,
        plan: str,
        *,
        about: str,
        name_in_law: str | None = None,
        received_days_ago: int,
        step: str,
        weeks: int,
    ) -> str:
        received = self.today - timedelta(days=received_days_ago)
        due = (received + timedelta(weeks=weeks)).isoformat()
        return self.put(
            name,
            {
                "resourceType": "Task",
                "status": fhir.TASK_STATUS_BY_STEP[step],
                "intent": "order",
                "description": about,
                "code": {"text": name_in_law or about},
                "for": {"reference": patient},
                "focus": {"reference": plan},
                "owner": {"reference": owner},
                "authoredOn": received.isoformat(),
                "businessStatus": {"coding": [{"system": fhir.CS_CASE_STEP, "code": step}]},
                "restriction": {"period": {"end": due}},
                "extension": [{"url": fhir.EXT_ORIGINAL_DEADLINE, "valueDate": due}],
            },
        )

    def meeting(self, name: str, patient: str, caseworker: str, *, days: int, status: str) -> str:
        day = self.today + timedelta(days=days)
        start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
        return self.put(
            name,
            {
                "resourceType": "Appointment",
                "status": status,
                "description": "Opfølgning på planen",
                "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(),
                "extension": [{"url": fhir.EXT_CONTACT_MODE, "valueCode": "in-person"}],
                "participant": [
                    {"actor": {"reference": patient}, "status": "accepted"},
                    {"actor": {"reference": caseworker}, "status": "accepted"},
                    {
                        "actor": {"display": "Borgercenter Voksne, Rådhuspladsen 1, lokale 2"},
                        "type": [{"coding": [{"code": "LOC"}]}],
                        "status": "accepted",
                    },
                ],
            },
        )

    def activity(
        self,
        kind: str,
        description: str,
        performer: tuple[str, str],
        status: str,
        *,
        start: date | None = None,
        end: date | None = None,
    ) -> dict[str, Any]:
        """An agreement or service of a CarePlan; `performer` is (reference, display), where the reference
        may be "#provider-1" for an organisation contained in the plan (see `provider`)."""
        period = {"start": start.isoformat()} if start else {}
        if end:
            period["end"] = end.isoformat()
        return {
            "detail": {
                "code": {"coding": [{"system": fhir.CS_ACTIVITY_KIND, "code": kind}]},
                "status": status,
                "description": description,
                "performer": [{"reference": performer[0], "display": performer[1]}],
                "scheduledPeriod": period,
            }
        }

    @staticmethod
    def provider(local_id: str, name: str, phone: str) -> dict[str, Any]:
        """An organisation that provides a service, contained in the CarePlan."""
        return {
            "resourceType": "Organization",
            "id": local_id,
            "name": name,
            "telecom": [{"system": "phone", "value": phone}],
        }

    def past_evaluation(
        self,
        name: str,
        patient: str,
        goal_ref: str,
        performer: str,
        meeting_ref: str,
        *,
        decision: str,
        reason: str,
        citizen_view: str,
        caseworker_view: str,
        held_days_ago: int,
        next_in_days: int,
    ) -> None:
        """A goal evaluated at a past meeting (issue #18): the evaluation Observation, and the Goal's decision
        and next date, written once (the Goal keeps its version when the demo is loaded again)."""
        held = self.today - timedelta(days=held_days_ago)
        next_time = self.today + timedelta(days=next_in_days)
        goal_id = goal_ref.split("/", 1)[1]
        self.put(
            name,
            evaluations.evaluation(
                patient_ref=patient,
                goal_id=goal_id,
                decision=decision,
                reason=reason,
                citizen_view=citizen_view,
                caseworker_view=caseworker_view,
                next_evaluation=next_time,
                was_due=held,
                held=held,
                performer_ref=performer,
                meeting_id=meeting_ref.split("/", 1)[1],
            ),
        )
        self._decide_goal_once(
            goal_id,
            decision=decision,
            reason=reason,
            next_time=next_time,
            held=held,
            performer=performer,
        )

    def _decide_goal_once(
        self,
        goal_id: str,
        *,
        decision: str,
        reason: str,
        next_time: date,
        held: date,
        performer: str,
    ) -> None:
        """The evaluation's decision and next date on the Goal, unless it already has a next date (so the
        Goal keeps its version when the demo is loaded again)."""
        fetched = self.client.read("Goal", goal_id)
        goal = fetched.resource or {}
        if goal and evaluations.next_evaluation_of(goal) is None:
            self.client.update(
                evaluations.goal_after(
                    goal,
                    decision=decision,
                    reason=reason,
                    next_evaluation=next_time,
                    held=held,
                    new_wording=None,
                    author_ref=performer,
                ),
                fetched.etag or "",
            )
