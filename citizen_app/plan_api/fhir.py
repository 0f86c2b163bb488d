"""Names of the extensions and code systems in docs/plan-api.md, and builders for what the portal writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

NS = "https://borgerensplan.dk/fhir/"
SD = NS + "StructureDefinition/"
CS = NS + "CodeSystem/"

EXT_GOAL_WORDING = SD + "goal-wording"
EXT_NEXT_FOLLOW_UP = SD + "next-follow-up"
EXT_SUBSTITUTE = SD + "substitute"

CS_ACTIVITY_KIND = CS + "activity-kind"
CS_CARE_ROLE = CS + "care-role"
CS_OBSERVATION_KIND = CS + "observation-kind"
CS_PROGRESS_SIGN = CS + "progress-sign"
CS_GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

# The progress scale, from furthest to closest; the order is the chart's vertical axis.
PROGRESS_SCALE = ("further-away", "same", "bit-closer", "much-closer", "reached", "keeping-up")


def progress_sign(
    *,
    patient_ref: str,
    goal_ref: str,
    value: str,
    when: date,
    note: str | None,
    performer_ref: str,
) -> dict[str, Any]:
    if value not in PROGRESS_SCALE:
        raise ValueError(f"not a progress sign: {value!r}")
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": CS_OBSERVATION_KIND, "code": "progress-sign"}]},
        "subject": {"reference": patient_ref},
        "focus": [{"reference": goal_ref}],
        "effectiveDateTime": when.isoformat(),
        "valueCodeableConcept": {"coding": [{"system": CS_PROGRESS_SIGN, "code": value}]},
        "performer": [{"reference": performer_ref}],
    }
    if note:
        resource["note"] = [{"text": note}]
    return resource


def wording_extension(kind: str, text: str, author_ref: str, written: datetime) -> dict[str, Any]:
    return {
        "url": EXT_GOAL_WORDING,
        "extension": [
            {"url": "kind", "valueCode": kind},
            {"url": "text", "valueString": text},
            {"url": "author", "valueReference": {"reference": author_ref}},
            {"url": "date", "valueDateTime": written.isoformat()},
        ],
    }
