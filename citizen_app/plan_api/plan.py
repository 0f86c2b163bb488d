"""The whole plan of one citizen: one `$everything` bundle, mapped family by family into a domain Plan; and
the change feed, as the citizens each changed resource belongs to.

Tolerant by design: a field the portal does not understand is skipped, never a reason to fail the whole page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import (
    appointments,
    care_plan,
    care_team,
    communications,
    evaluations,
    gas,
    observations,
    practitioner_role,
    questionnaire_responses,
    tasks,
)
from . import goals as goal_family
from .client import Fetched, PlanClient
from .domain import Change, Plan
from .elements import Index, Resource, human_name, ref


def plan_from_bundle(bundle: Resource, patient_ref: str, now: datetime | None = None) -> Plan:
    now = now or datetime.now(UTC)
    index = Index(bundle)
    patient = index.by_ref.get(patient_ref, {})
    careplan = next(
        (c for c in index.by_type.get("CarePlan", []) if c.get("status") == "active"), {}
    )
    signs = observations.signs_by_goal(index)
    feedback = communications.feedback_by_goal(index)
    goals = {
        f"Goal/{g['id']}": goal_family.goal_from(
            index, g, signs.get(f"Goal/{g['id']}", []), feedback.get(f"Goal/{g['id']}")
        )
        for g in index.by_type.get("Goal", [])
    }
    # Goals in the plan in the plan's own order first, then the ones still on their way (proposed etc).
    ordered = [goals.pop(r) for r in care_plan.goal_order(careplan) if r in goals]
    ordered += sorted(goals.values(), key=lambda g: g.id)
    agreements, services = care_plan.activities(careplan)
    current, upcoming = care_team.fixed_caseworkers(index.by_type.get("CareTeam", []), now.date())
    preparations = questionnaire_responses.preparations_by_appointment(index)
    return Plan(
        patient_ref=patient_ref,
        citizen_name=human_name(patient),
        goals=tuple(ordered),
        agreements=tuple(agreements),
        services=tuple(services),
        next_follow_up=care_plan.next_follow_up(careplan),
        caseworker=practitioner_role.caseworker_from(index, current[0] if current else None, now),
        conversations=communications.conversations(index, patient_ref),
        cases=tasks.cases(index),
        meetings=appointments.meetings(index, patient_ref, preparations),
        contact_feedback=questionnaire_responses.contact_feedback_from(index),
        caseworker_since=current[1] if current else None,
        next_caseworker=practitioner_role.caseworker_from(index, upcoming[0], now)
        if upcoming
        else None,
        next_caseworker_from=upcoming[1] if upcoming else None,
        people=index.people,
        scales=gas.scales(index),
        evaluations=evaluations.from_resources(
            index.by_type.get("Goal", []), index.by_type.get("Observation", [])
        ),
    )


def time_boundaries(bundle: Resource) -> list[datetime]:
    """The instants at which the mapping of this bundle changes by itself: the starts and ends of the
    caseworkers' absences (the dates of CareTeam periods change at midnight, which a cache keeps anyway)."""
    found: list[datetime] = []
    for entry in bundle.get("entry", []) or []:
        resource = entry.get("resource") or {}
        if resource.get("resourceType") == "PractitionerRole":
            found += practitioner_role.absence_edges(resource)
    return found


def everything(client: PlanClient, patient_ref: str, etag: str | None = None) -> Fetched:
    """The whole plan of one citizen in one conditional request (a 304 when `etag` is still current)."""
    return client.everything(patient_ref, etag)


# Written beside a plan's resources but never part of a plan ($everything): who wrote what (X-Provenance).
NOT_IN_A_PLAN = ("Provenance/",)


def citizens_of(resource: Resource) -> frozenset[str]:
    """The citizens a changed resource belongs to (a versioned reference counts as the resource's)."""
    if resource.get("resourceType") == "Patient" and resource.get("id"):
        return frozenset({f"Patient/{resource['id']}"})
    refs = set()
    for key in ("subject", "patient", "for"):
        found = _unversioned(ref(resource.get(key)))
        if found and found.startswith("Patient/"):
            refs.add(found)
    for participant in resource.get("participant", []) or []:
        for key in ("actor", "member"):
            found = _unversioned(ref(participant.get(key))) or ""
            if found.startswith("Patient/"):
                refs.add(found)
    return frozenset(refs)


def _unversioned(reference: str | None) -> str | None:
    """`Patient/1/_history/2` is Patient/1; a full URL ends in Type/id."""
    if not reference:
        return reference
    reference = reference.split("/_history/", 1)[0]
    parts = reference.rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else reference


def change_of(resource: Resource) -> Change:
    """A resource just written, as a change-feed entry would give it."""
    rtype, rid = resource.get("resourceType"), resource.get("id")
    return Change(f"{rtype}/{rid}" if rtype and rid else "", citizens_of(resource))


def changes(client: PlanClient, params: dict[str, str]) -> tuple[list[Change], str | None]:
    """The change feed (`GET /_history`, every page): what changed, for whom, and the `_since` of the next
    read."""
    entries, since = client.history(params)
    found = []
    for entry in entries:
        resource: dict[str, Any] = entry.get("resource") or {}
        rtype, rid = resource.get("resourceType"), resource.get("id")
        if not resource:  # a deletion has no resource: its type and id are in the entry's fullUrl
            rtype, _, rid = (entry.get("fullUrl") or "").rpartition("/")
            rtype = rtype.rpartition("/")[2]
        unit = None
        if rtype == "PractitionerRole":
            unit = (resource.get("organization") or {}).get("display")
        version = (entry.get("response") or {}).get("etag") or (resource.get("meta") or {}).get(
            "versionId"
        )
        found.append(
            Change(
                f"{rtype}/{rid}" if rtype and rid else "",
                citizens_of(resource),
                unit,
                str(version) if version else None,
            )
        )
    return found, since
