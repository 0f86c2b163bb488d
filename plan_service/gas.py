"""Goal Attainment Scaling, as HL7's Person-Centered Outcomes guide carries it (docs/plan-api.md): the checks the
reference service makes on the levels of a Goal and on a GAS rating Observation before it stores them.

- Goal: every `pco-goal-attainment-scaling` (and the portal's `gas-level-professional`) has exactly one `level`,
  a LOINC answer of http://loinc.org/vs/LL6900-6, and one non-empty `text`; no level twice.
- Observation coded with one of the guide's four GAS LOINC codes: a `valueCodeableConcept` from the same five
  answers, an `effectiveDateTime`, and a `focus` that is a Goal of the same `subject`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from plan_service import store
from plan_service.errors import FhirError, Issue

LOINC = "http://loinc.org"
EXT_GAS = "http://hl7.org/fhir/us/pco/StructureDefinition/pco-goal-attainment-scaling"
EXT_PROFESSIONAL = "https://borgerensplan.dk/fhir/StructureDefinition/gas-level-professional"
# LL6900-6, as in the guide's examples: much less, less, expected, better, much better than expected.
ANSWERS = frozenset({"LA34484-8", "LA34483-0", "LA34481-4", "LA34480-6", "LA34479-8"})
# The guide's value set goal-attainment-scaling-score: reported, patient, caregiver, practitioner.
SCORE_CODES = frozenset({"107332-9", "107334-5", "107331-1", "107333-7"})


def _loinc(concept: Any) -> str | None:
    if not isinstance(concept, dict):
        return None
    for coding in concept.get("coding", []) or []:
        if isinstance(coding, dict) and coding.get("system") == LOINC:
            return coding.get("code")
    return None


def _answer(coding: Any) -> bool:
    return (
        isinstance(coding, dict) and coding.get("system") == LOINC and coding.get("code") in ANSWERS
    )


def _goal_issues(resource: dict[str, Any]) -> list[Issue]:
    issues: list[Issue] = []
    extensions = resource.get("extension", [])
    if not isinstance(extensions, list):
        return issues
    seen: dict[str, set[str]] = {EXT_GAS: set(), EXT_PROFESSIONAL: set()}
    for position, extension in enumerate(extensions):
        if not isinstance(extension, dict) or extension.get("url") not in seen:
            continue
        where = f"Goal.extension[{position}]"
        parts = extension.get("extension")
        parts = parts if isinstance(parts, list) else []
        levels = [p for p in parts if isinstance(p, dict) and p.get("url") == "level"]
        texts = [p for p in parts if isinstance(p, dict) and p.get("url") == "text"]
        if len(levels) != 1 or not _answer(levels[0].get("valueCoding")):
            issues.append(
                Issue(
                    "code-invalid",
                    "A GAS level needs one level, a LOINC answer from http://loinc.org/vs/LL6900-6.",
                    f"{where}.extension('level')",
                )
            )
        else:
            code = levels[0]["valueCoding"]["code"]
            if code in seen[extension["url"]]:
                issues.append(Issue("business-rule", "The same GAS level is given twice.", where))
            seen[extension["url"]].add(code)
        text = texts[0].get("valueString") if len(texts) == 1 else None
        if not isinstance(text, str) or not text.strip():
            issues.append(
                Issue("required", "A GAS level needs one text.", f"{where}.extension('text')")
            )
    return issues


def _observation_issues(session: Session, resource: dict[str, Any]) -> list[Issue]:
    if _loinc(resource.get("code")) not in SCORE_CODES:
        return []
    issues: list[Issue] = []
    concept = resource.get("valueCodeableConcept")
    codings = concept.get("coding") if isinstance(concept, dict) else None
    if not isinstance(codings, list) or not any(_answer(c) for c in codings):
        issues.append(
            Issue(
                "code-invalid",
                "A GAS score must be a LOINC answer from http://loinc.org/vs/LL6900-6.",
                "Observation.valueCodeableConcept",
            )
        )
    if not isinstance(resource.get("effectiveDateTime"), str):
        issues.append(
            Issue("required", "A GAS score needs effectiveDateTime.", "Observation.effective")
        )
    focus = resource.get("focus")
    goal_ref = None
    if isinstance(focus, list) and len(focus) == 1 and isinstance(focus[0], dict):
        goal_ref = focus[0].get("reference")
    subject = resource.get("subject")
    subject_ref = subject.get("reference") if isinstance(subject, dict) else None
    goal = None
    if isinstance(goal_ref, str) and goal_ref.startswith("Goal/"):
        goal = store.read(session, "Goal", goal_ref.split("/", 1)[1])
    goal_subject = (goal.content.get("subject") or {}).get("reference") if goal else None
    if goal is None or goal.deleted or not subject_ref or goal_subject != subject_ref:
        issues.append(
            Issue(
                "business-rule",
                "A GAS score's focus must be one Goal of the same patient.",
                "Observation.focus",
            )
        )
    return issues


def check(session: Session, resource: dict[str, Any]) -> None:
    """Raise a 400 OperationOutcome when a Goal's GAS levels or a GAS score are malformed."""
    kind = resource.get("resourceType")
    if kind == "Goal":
        issues = _goal_issues(resource)
    elif kind == "Observation":
        issues = _observation_issues(session, resource)
    else:
        return
    if issues:
        raise FhirError.from_issues(400, issues)
