"""Observations: the citizen's progress signs (Observation with a goal as focus) and a caseworker's "seen"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from . import fhir
from .client import PlanClient, Stored
from .domain import ProgressSign, SeenState
from .elements import (
    Index,
    Resource,
    code,
    concept,
    ext,
    if_match,
    parse_date,
    parse_datetime,
    ref,
    reference,
    sub,
    version_of,
    without_ext,
)


def progress_sign(
    *,
    patient_ref: str,
    goal_ref: str,
    value: str,
    when: date,
    note: str | None,
    performer_ref: str,
) -> dict[str, Any]:
    if value not in fhir.PROGRESS_SCALE:
        raise ValueError(f"not a progress sign: {value!r}")
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": concept(fhir.CS_OBSERVATION_KIND, "progress-sign"),
        "subject": reference(patient_ref),
        "focus": [reference(goal_ref)],
        "effectiveDateTime": when.isoformat(),
        "valueCodeableConcept": concept(fhir.CS_PROGRESS_SIGN, value),
        "performer": [reference(performer_ref)],
    }
    if note:
        resource["note"] = [{"text": note}]
    return resource


def seen_extension(by_ref: str, when: datetime, comment: str | None) -> dict[str, Any]:
    """On a progress sign (or a preparation): a caseworker has seen it, with an optional comment the
    citizen sees."""
    parts: list[dict[str, Any]] = [
        {"url": "by", "valueReference": reference(by_ref)},
        {"url": "date", "valueDateTime": when.isoformat()},
    ]
    if comment:
        parts.append({"url": "comment", "valueString": comment})
    return {"url": fhir.EXT_SEEN_BY_STAFF, "extension": parts}


def signs_by_goal(index: Index) -> dict[str, list[ProgressSign]]:
    signs: dict[str, list[ProgressSign]] = {}
    for obs in index.by_type.get("Observation", []):
        if code(obs.get("code"), fhir.CS_OBSERVATION_KIND) != "progress-sign":
            continue
        value = code(obs.get("valueCodeableConcept"), fhir.CS_PROGRESS_SIGN)
        when = parse_date(obs.get("effectiveDateTime"))
        focus = next((ref(f) for f in obs.get("focus", []) or [] if ref(f)), None)
        if value not in fhir.PROGRESS_SCALE or when is None or not focus:
            continue
        note = next((n.get("text") for n in obs.get("note", []) or [] if n.get("text")), None)
        performer = next((ref(p) for p in obs.get("performer", []) or []), None)
        seen = next(iter(ext(obs, fhir.EXT_SEEN_BY_STAFF)), None)
        sign = ProgressSign(
            obs["id"],
            value,
            when,
            note,
            index.person(performer),
            seen_at=parse_datetime(sub(seen, "date").get("valueDateTime")) if seen else None,
            staff_comment=sub(seen, "comment").get("valueString") if seen else None,
            version=version_of(obs),
        )
        signs.setdefault(focus, []).append(sign)
    for goal_signs in signs.values():
        goal_signs.sort(key=lambda s: (s.when, s.id))
    return signs


def seen_state(resource: Resource) -> SeenState:
    """Who marked this version as seen, when, with what comment (a Communication: when it was received)."""
    version = str(version_of(resource) or "")
    if resource.get("resourceType") == "Communication":
        return SeenState(version, parse_datetime(resource.get("received")), None, None)
    for extension in ext(resource, fhir.EXT_SEEN_BY_STAFF):
        return SeenState(
            version,
            parse_datetime(sub(extension, "date").get("valueDateTime")),
            ref(sub(extension, "by").get("valueReference")),
            sub(extension, "comment").get("valueString"),
        )
    return SeenState(version, None, None, None)


def mark_seen_by_staff(
    client: PlanClient,
    resource_type: str,
    resource_id: str,
    version: str,
    by_ref: str,
    comment: str | None,
    when: datetime,
) -> Stored:
    """Mark the version the caseworker SAW as seen, with If-Match on that version: never re-read first, so a
    colleague's change in between is a 412 for this person to see, not something silently replaced."""
    seen = dict(client.vread(resource_type, resource_id, version))
    others = without_ext(seen, fhir.EXT_SEEN_BY_STAFF)
    seen["extension"] = [*others, seen_extension(by_ref, when, comment)]
    return client.update(seen, if_match(version))


def mark_seen(
    client: PlanClient,
    sign_id: str,
    version: str,
    *,
    by_ref: str,
    comment: str | None,
    when: datetime,
) -> Stored:
    """A caseworker has seen a progress sign (the version they saw), with an optional comment."""
    return mark_seen_by_staff(client, "Observation", sign_id, version, by_ref, comment, when)


def seen_versions(
    client: PlanClient, resource_type: str, resource_id: str, version: str
) -> tuple[SeenState, SeenState]:
    """(as the caseworker saw it, as it is now): for the page that shows a 412 on "mark as seen"."""
    current = client.read(resource_type, resource_id).resource or {}
    base = client.vread(resource_type, resource_id, version)
    return seen_state(base), seen_state(current)
