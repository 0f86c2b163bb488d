"""What the reference service checks of a goal's evaluation and decision (docs/plan-api.md, "Evaluation and
decision"): on a Goal the next evaluation date and the achievement code; on an evaluation Observation the goal
it is about, the decision, the reason and the next date. Everything else about these resources is as before."""

from __future__ import annotations

from datetime import date
from typing import Any

from plan_service.errors import Issue

NS = "https://borgerensplan.dk/fhir/"
NEXT_EVALUATION = NS + "StructureDefinition/next-evaluation"
OBSERVATION_KIND = NS + "CodeSystem/observation-kind"
DECISION = NS + "CodeSystem/evaluation-decision"
PART = NS + "CodeSystem/evaluation-part"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
ACHIEVEMENT_CODES = frozenset(
    [
        "in-progress",
        "improving",
        "worsening",
        "no-change",
        "achieved",
        "sustaining",
        "not-achieved",
        "no-progress",
        "not-attainable",
    ]
)
DECISIONS = frozenset({"keep-going", "change-goal", "change-support", "sustaining", "ended"})
PARTS = frozenset({"citizen-view", "caseworker-view", "reason", "next-evaluation", "was-due"})
DATE_PARTS = frozenset({"next-evaluation", "was-due"})


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _codes(concept: Any, system: str) -> list[Any]:
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    return [
        c.get("code")
        for c in concept["coding"]
        if isinstance(c, dict) and c.get("system") == system
    ]


def check(resource: dict[str, Any], resource_type: str) -> list[Issue]:
    if resource_type == "Goal":
        return _goal(resource)
    if resource_type == "Observation" and "goal-evaluation" in _codes(
        resource.get("code"), OBSERVATION_KIND
    ):
        return _evaluation(resource)
    return []


def _goal(goal: dict[str, Any]) -> list[Issue]:
    issues = []
    extensions = goal.get("extension", [])
    nexts = [
        e
        for e in (extensions if isinstance(extensions, list) else [])
        if isinstance(e, dict) and e.get("url") == NEXT_EVALUATION
    ]
    if len(nexts) > 1:
        issues.append(Issue("structure", "next-evaluation may appear once.", "Goal.extension"))
    for extension in nexts:
        if not _is_date(extension.get("valueDate")):
            issues.append(
                Issue("value", "next-evaluation needs a valueDate (YYYY-MM-DD).", "Goal.extension")
            )
    for code in _codes(goal.get("achievementStatus"), GOAL_ACHIEVEMENT):
        if code not in ACHIEVEMENT_CODES:
            issues.append(
                Issue(
                    "code-invalid",
                    f"achievementStatus {code!r} is not a goal-achievement code.",
                    "Goal.achievementStatus",
                )
            )
    if "statusDate" in goal and not _is_date(goal["statusDate"]):
        issues.append(Issue("value", "statusDate must be a date (YYYY-MM-DD).", "Goal.statusDate"))
    if "statusReason" in goal and not isinstance(goal["statusReason"], str):
        issues.append(Issue("value", "statusReason must be a string.", "Goal.statusReason"))
    return issues


def _evaluation(observation: dict[str, Any]) -> list[Issue]:
    issues = []
    focus = observation.get("focus")
    goals = [
        f
        for f in (focus if isinstance(focus, list) else [])
        if isinstance(f, dict) and str(f.get("reference", "")).startswith("Goal/")
    ]
    if not goals:
        issues.append(
            Issue("required", "An evaluation's focus must name a Goal.", "Observation.focus")
        )
    decisions = _codes(observation.get("valueCodeableConcept"), DECISION)
    decision = decisions[0] if len(decisions) == 1 else None
    if decision not in DECISIONS:
        issues.append(
            Issue(
                "code-invalid",
                "An evaluation needs one decision: " + ", ".join(sorted(DECISIONS)) + ".",
                "Observation.valueCodeableConcept",
            )
        )
    parts: dict[str, Any] = {}
    components = observation.get("component", [])
    for component in components if isinstance(components, list) else []:
        codes = _codes((component or {}).get("code"), PART) if isinstance(component, dict) else []
        for code in codes:
            if code not in PARTS:
                issues.append(
                    Issue(
                        "code-invalid",
                        f"{code!r} is not an evaluation part.",
                        "Observation.component",
                    )
                )
                continue
            value = component.get("valueDateTime" if code in DATE_PARTS else "valueString")
            parts[code] = value
            if code in DATE_PARTS and not _is_date(value):
                issues.append(
                    Issue(
                        "value",
                        f"{code} needs a valueDateTime date (YYYY-MM-DD).",
                        "Observation.component",
                    )
                )
            if code not in DATE_PARTS and not isinstance(value, str):
                issues.append(
                    Issue("value", f"{code} needs a valueString.", "Observation.component")
                )
    reason = parts.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        issues.append(Issue("required", "An evaluation needs a reason.", "Observation.component"))
    if decision is not None and decision != "ended" and "next-evaluation" not in parts:
        issues.append(
            Issue(
                "required", "An evaluation needs the next evaluation date.", "Observation.component"
            )
        )
    return issues
