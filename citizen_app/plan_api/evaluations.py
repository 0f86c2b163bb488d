"""A goal's evaluation and decision in FHIR (docs/plan-api.md, "Evaluation and decision").

Two writes per evaluation: the Goal updated on the version the caseworker saw (lifecycle, achievement, status
date and reason, the next evaluation date; a new wording is added, never replacing one), and one new
Observation holding the evaluation itself (both voices, the decision, the reason, the next date). The only
place that knows this FHIR; services and views get the dataclasses below.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from . import fhir
from . import goals as goal_family
from .client import PlanClient, Stored

EXT_NEXT_EVALUATION = fhir.SD + "next-evaluation"
CS_EVALUATION_DECISION = fhir.CS + "evaluation-decision"
CS_EVALUATION_PART = fhir.CS + "evaluation-part"
KIND = "goal-evaluation"  # in CS/observation-kind

# KL Terminologi, value set http://fhir.kl.dk/term/ValueSet/KLFollowUpCodesFFB, FFB code system.
FFB_SYSTEM = "urn:oid:1.2.208.176.2.22"
FFB_CONTINUE = "1e971d84-10a4-4ef8-a8b3-0daa4c7d088a"  # Træf afgørelse om fortsættelse af indsats
FFB_END = "d7d03656-4c87-4e67-9146-aa5990460f16"  # Træf afgørelse om afslutning af indsats
FFB_END_AND_REFER = (
    "b4c01aa8-82fd-44e4-83ff-ca19ec02c779"  # ... afslutning af indsats og visiter til ny
)

DECISIONS = ("keep-going", "change-goal", "change-support", "sustaining", "ended")
FFB_BY_DECISION = {
    "keep-going": FFB_CONTINUE,
    "change-goal": FFB_CONTINUE,
    "change-support": FFB_END_AND_REFER,
    "sustaining": FFB_CONTINUE,
    "ended": FFB_END,
}
# What the decision does to Goal.achievementStatus (None: left as it was).
ACHIEVEMENT_BY_DECISION = {"change-goal": "in-progress", "sustaining": "sustaining"}
PARTS = ("citizen-view", "caseworker-view", "reason", "next-evaluation", "was-due")
# Goals that are evaluated: in the plan and still being worked on.
EVALUATED_STATUSES = frozenset({"accepted", "active", "on-hold"})

Resource = dict[str, Any]


@dataclass(frozen=True)
class Evaluation:
    """One evaluation of one goal, as recorded by the caseworker."""

    id: str
    goal_id: str
    held: date
    decision: str  # DECISIONS
    reason: str
    citizen_view: str | None
    caseworker_view: str | None
    next_evaluation: date | None
    was_due: date | None
    by_ref: str | None

    @property
    def on_time(self) -> bool:
        return self.was_due is None or self.held <= self.was_due


@dataclass(frozen=True)
class GoalEvaluations:
    """A goal's evaluations, oldest first, and when it is evaluated next."""

    goal_id: str
    next_evaluation: date | None
    history: tuple[Evaluation, ...] = ()

    @property
    def latest(self) -> Evaluation | None:
        return self.history[-1] if self.history else None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _code(concept: Any, system: str) -> str | None:
    if not isinstance(concept, dict):
        return None
    for coding in concept.get("coding", []) or []:
        if isinstance(coding, dict) and coding.get("system") == system:
            return coding.get("code")
    return None


def _ref(value: Any) -> str | None:
    return value.get("reference") if isinstance(value, dict) else None


def next_evaluation_of(goal: Resource) -> date | None:
    for extension in goal.get("extension", []) or []:
        if isinstance(extension, dict) and extension.get("url") == EXT_NEXT_EVALUATION:
            return _date(extension.get("valueDate"))
    return None


def is_evaluation(resource: Resource) -> bool:
    return (
        resource.get("resourceType") == "Observation"
        and _code(resource.get("code"), fhir.CS_OBSERVATION_KIND) == KIND
    )


def _evaluation(resource: Resource) -> Evaluation | None:
    decision = _code(resource.get("valueCodeableConcept"), CS_EVALUATION_DECISION)
    held = _date(resource.get("effectiveDateTime"))
    goal_ref = next((_ref(f) for f in resource.get("focus", []) or [] if _ref(f)), None)
    if decision not in DECISIONS or held is None or not goal_ref or "/" not in goal_ref:
        return None
    parts: dict[str, Any] = {}
    for component in resource.get("component", []) or []:
        part = _code((component or {}).get("code"), CS_EVALUATION_PART)
        if part in PARTS:
            parts[part] = component.get("valueString", component.get("valueDateTime"))
    return Evaluation(
        id=str(resource.get("id") or ""),
        goal_id=goal_ref.split("/", 1)[1],
        held=held,
        decision=decision,
        reason=parts["reason"] if isinstance(parts.get("reason"), str) else "",
        citizen_view=parts.get("citizen-view")
        if isinstance(parts.get("citizen-view"), str)
        else None,
        caseworker_view=(
            parts.get("caseworker-view") if isinstance(parts.get("caseworker-view"), str) else None
        ),
        next_evaluation=_date(parts.get("next-evaluation")),
        was_due=_date(parts.get("was-due")),
        by_ref=next((_ref(p) for p in resource.get("performer", []) or [] if _ref(p)), None),
    )


def from_resources(
    goals: list[Resource], observations: list[Resource]
) -> dict[str, GoalEvaluations]:
    """Per goal id: its evaluations (oldest first) and its next evaluation date, from `$everything`."""
    history: dict[str, list[Evaluation]] = {}
    for resource in observations:
        if is_evaluation(resource) and (found := _evaluation(resource)) is not None:
            history.setdefault(found.goal_id, []).append(found)
    result = {}
    for goal in goals:
        goal_id = str(goal.get("id") or "")
        items = sorted(history.get(goal_id, []), key=lambda e: (e.held, e.id))
        result[goal_id] = GoalEvaluations(goal_id, next_evaluation_of(goal), tuple(items))
    return result


# -- writing ------------------------------------------------------------------------------------------


def _part(code: str, key: str, value: str) -> Resource:
    return {"code": {"coding": [{"system": CS_EVALUATION_PART, "code": code}]}, key: value}


def evaluation(
    *,
    patient_ref: str,
    goal_id: str,
    decision: str,
    reason: str,
    citizen_view: str | None,
    caseworker_view: str | None,
    next_evaluation: date | None,
    was_due: date | None,
    held: date,
    performer_ref: str,
    preparation_id: str | None = None,
    meeting_id: str | None = None,
) -> Resource:
    """The evaluation as one new Observation with `focus` = the Goal."""
    if decision not in DECISIONS:
        raise ValueError(f"not a decision: {decision!r}")
    components = []
    for code, text in (("citizen-view", citizen_view), ("caseworker-view", caseworker_view)):
        if text:
            components.append(_part(code, "valueString", text))
    components.append(_part("reason", "valueString", reason))
    if next_evaluation is not None and decision != "ended":
        components.append(_part("next-evaluation", "valueDateTime", next_evaluation.isoformat()))
    if was_due is not None:
        components.append(_part("was-due", "valueDateTime", was_due.isoformat()))
    resource: Resource = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": fhir.CS_OBSERVATION_KIND, "code": KIND}]},
        "subject": {"reference": patient_ref},
        "focus": [{"reference": f"Goal/{goal_id}"}],
        "effectiveDateTime": held.isoformat(),
        "performer": [{"reference": performer_ref}],
        "valueCodeableConcept": {
            "coding": [
                {"system": CS_EVALUATION_DECISION, "code": decision},
                {"system": FFB_SYSTEM, "code": FFB_BY_DECISION[decision]},
            ]
        },
        "component": components,
    }
    if preparation_id:
        resource["derivedFrom"] = [{"reference": f"QuestionnaireResponse/{preparation_id}"}]
    if meeting_id:
        resource["extension"] = [
            {"url": fhir.EXT_ABOUT, "valueReference": {"reference": f"Appointment/{meeting_id}"}}
        ]
    return resource


def goal_after(
    seen: Resource,
    *,
    decision: str,
    reason: str,
    next_evaluation: date | None,
    held: date,
    new_wording: str | None,
    author_ref: str,
    written: datetime | None = None,
) -> Resource:
    """The Goal as the caseworker saw it, with the decision applied. Nothing is taken away: a new wording is
    one more wording beside the earlier ones, and every earlier version stays in the Goal's history."""
    if decision not in DECISIONS:
        raise ValueError(f"not a decision: {decision!r}")
    goal = copy.deepcopy(seen)
    goal["lifecycleStatus"] = "completed" if decision == "ended" else "active"
    achievement = ACHIEVEMENT_BY_DECISION.get(decision)
    if achievement is None and not goal.get("achievementStatus") and decision != "ended":
        achievement = "in-progress"
    if achievement is not None:
        goal["achievementStatus"] = {
            "coding": [{"system": fhir.CS_GOAL_ACHIEVEMENT, "code": achievement}]
        }
    goal["statusDate"] = held.isoformat()
    goal["statusReason"] = reason
    extensions = [e for e in goal.get("extension", []) or [] if e.get("url") != EXT_NEXT_EVALUATION]
    if decision == "change-goal" and new_wording:
        extensions.append(
            goal_family.wording_extension(
                "professional", new_wording, author_ref, written or datetime.now(UTC)
            )
        )
        goal["description"] = {"text": new_wording}
    if next_evaluation is not None and decision != "ended":
        extensions.append({"url": EXT_NEXT_EVALUATION, "valueDate": next_evaluation.isoformat()})
    goal["extension"] = extensions
    return goal


def with_next_evaluation(goal: Resource, when: date) -> Resource:
    """A goal given its next evaluation date (the demo data; a case system would do the same)."""
    changed = copy.deepcopy(goal)
    others = [e for e in changed.get("extension", []) or [] if e.get("url") != EXT_NEXT_EVALUATION]
    changed["extension"] = [*others, {"url": EXT_NEXT_EVALUATION, "valueDate": when.isoformat()}]
    return changed


@dataclass(frozen=True)
class GoalVersion:
    """One version of a goal, as the conflict page shows it ("when you opened it" and "now")."""

    version: str
    lifecycle_status: str
    achievement: str | None
    description: str
    status_date: date | None
    status_reason: str | None
    next_evaluation: date | None


def goal_version(resource: Resource) -> GoalVersion:
    return GoalVersion(
        version=str((resource.get("meta") or {}).get("versionId") or ""),
        lifecycle_status=str(resource.get("lifecycleStatus") or ""),
        achievement=_code(resource.get("achievementStatus"), fhir.CS_GOAL_ACHIEVEMENT),
        description=str((resource.get("description") or {}).get("text") or ""),
        status_date=_date(resource.get("statusDate")),
        status_reason=resource.get("statusReason")
        if isinstance(resource.get("statusReason"), str)
        else None,
        next_evaluation=next_evaluation_of(resource),
    )


# -- typed operations (services call these, never the client's generic methods) ----------------------------


@dataclass(frozen=True)
class NewEvaluation:
    """An evaluation as the caseworker records it: the goal and the version they saw, both voices, the
    decision, the reason, the next date, a new wording (with "change-goal"), who wrote it, and the id that makes
    sending the form twice one evaluation. What the plan adds (when it was due, the preparation) comes apart."""

    goal_id: str
    version: str
    decision: str  # DECISIONS
    reason: str
    citizen_view: str | None
    caseworker_view: str | None
    next_evaluation: date | None
    new_wording: str | None
    author_ref: str
    performer_ref: str
    evaluation_id: uuid.UUID


def record(
    client: PlanClient,
    new: NewEvaluation,
    *,
    patient_ref: str,
    was_due: date | None,
    held: date,
    preparation_id: str | None,
    meeting_id: str | None,
) -> Stored:
    """The Goal updated on the version the caseworker saw (PlanAPIConflict when it changed since), then the
    evaluation created (idempotent by `new.evaluation_id`: sending the form twice makes one)."""
    seen = client.vread("Goal", new.goal_id, new.version)
    client.update(
        goal_after(
            seen,
            decision=new.decision,
            reason=new.reason,
            next_evaluation=new.next_evaluation,
            held=held,
            new_wording=new.new_wording,
            author_ref=new.author_ref,
        ),
        f'W/"{new.version}"',
    )
    return client.create(
        evaluation(
            patient_ref=patient_ref,
            goal_id=new.goal_id,
            decision=new.decision,
            reason=new.reason,
            citizen_view=new.citizen_view,
            caseworker_view=new.caseworker_view,
            next_evaluation=new.next_evaluation,
            was_due=was_due,
            held=held,
            performer_ref=new.performer_ref,
            preparation_id=preparation_id,
            meeting_id=meeting_id,
        ),
        new.evaluation_id,
    )


def versions(client: PlanClient, goal_id: str, version: str) -> tuple[GoalVersion, GoalVersion]:
    """The goal as it was at `version` and as it is now (for the conflict page)."""
    current = client.read("Goal", goal_id).resource or {}
    base = client.vread("Goal", goal_id, version)
    return goal_version(base), goal_version(current)
