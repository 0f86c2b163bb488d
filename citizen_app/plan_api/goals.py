"""Goals: the citizen's words and the caseworker's wording (an extension each), proposing, accepting and
declining a goal, and the two versions a caseworker sees when someone changed the goal in between."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import fhir
from .client import PlanClient, Stored
from .domain import Goal, GoalConflict, GoalFeedback, GoalVersion, ProgressSign, Wording
from .elements import (
    Index,
    Resource,
    code,
    concept,
    ext,
    if_match,
    parse_datetime,
    ref,
    reference,
    sub,
    version_of,
)


def wording_extension(kind: str, text: str, author_ref: str, written: datetime) -> dict[str, Any]:
    return {
        "url": fhir.EXT_GOAL_WORDING,
        "extension": [
            {"url": "kind", "valueCode": kind},
            {"url": "text", "valueString": text},
            {"url": "author", "valueReference": reference(author_ref)},
            {"url": "date", "valueDateTime": written.isoformat()},
        ],
    }


def proposed_goal(
    *, patient_ref: str, author_ref: str, own_words: str, notes: dict[str, str], written: datetime
) -> dict[str, Any]:
    """A goal the citizen (or someone for them) proposes: their words, and the other answers of the
    conversation as notes, each tagged with the question it answers."""
    annotations = [
        {
            "extension": [{"url": fhir.EXT_CONVERSATION_QUESTION, "valueCode": question}],
            "authorReference": reference(author_ref),
            "time": written.isoformat(),
            "text": text,
        }
        for question, text in notes.items()
        if text
    ]
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "lifecycleStatus": "proposed",
        "description": {"text": own_words},
        "subject": reference(patient_ref),
        "expressedBy": reference(author_ref),
        "extension": [wording_extension("citizen", own_words, author_ref, written)],
    }
    if annotations:
        resource["note"] = annotations
    return resource


# -- FHIR -> domain ----------------------------------------------------------------------------------


def _wording(index: Index, extension: Resource) -> Wording | None:
    kind = sub(extension, "kind").get("valueCode")
    text = sub(extension, "text").get("valueString")
    if kind not in {"citizen", "professional"} or text is None:
        return None
    author = index.person(ref(sub(extension, "author").get("valueReference")))
    return Wording(kind, text, author, parse_datetime(sub(extension, "date").get("valueDateTime")))


def _latest(wordings: list[Wording], kind: str) -> Wording | None:
    matching = [w for w in wordings if w.kind == kind]
    epoch = datetime.min.replace(tzinfo=UTC)
    return max(matching, key=lambda w: w.written or epoch) if matching else None


def _notes(resource: Resource) -> tuple[tuple[str, str], ...]:
    notes = []
    for note in resource.get("note", []) or []:
        question = next(
            (e.get("valueCode") for e in ext(note, fhir.EXT_CONVERSATION_QUESTION)), None
        )
        if question and isinstance(note.get("text"), str):
            notes.append((question, note["text"]))
    return tuple(notes)


def goal_from(
    index: Index,
    resource: Resource,
    signs: list[ProgressSign],
    feedback: list[GoalFeedback] | None = None,
) -> Goal:
    wordings = [
        w for e in ext(resource, fhir.EXT_GOAL_WORDING) if (w := _wording(index, e)) is not None
    ]
    professional = _latest(wordings, "professional")
    citizen = _latest(wordings, "citizen")
    if professional is None and citizen is None:
        # A goal from a system that knows nothing of our extension: its description is staff wording.
        text = (resource.get("description") or {}).get("text")
        if text:
            professional = Wording("professional", text, None, None)
    return Goal(
        id=resource["id"],
        version=version_of(resource),
        lifecycle_status=resource.get("lifecycleStatus", "proposed"),
        achievement=code(resource.get("achievementStatus"), fhir.CS_GOAL_ACHIEVEMENT),
        citizen_wording=citizen,
        professional_wording=professional,
        expressed_by=index.person(ref(resource.get("expressedBy"))),
        status_reason=resource.get("statusReason"),
        signs=tuple(signs),
        notes=_notes(resource),
        feedback=tuple(feedback or ()),
    )


def _version(resource: Resource) -> GoalVersion:
    return GoalVersion(
        version=str(version_of(resource) or ""),
        lifecycle_status=str(resource.get("lifecycleStatus") or ""),
        description=str((resource.get("description") or {}).get("text") or ""),
    )


# -- operations --------------------------------------------------------------------------------------


def citizen_of(client: PlanClient, goal_id: str) -> str | None:
    """Whose goal this is (the Patient reference), or None if there is no such goal."""
    fetched = client.read("Goal", goal_id)
    return ref((fetched.resource or {}).get("subject"))


def _is_professional(extension: Resource) -> bool:
    if extension.get("url") != fhir.EXT_GOAL_WORDING:
        return False
    return any(
        e.get("url") == "kind" and e.get("valueCode") == "professional"
        for e in extension.get("extension", [])
    )


def accept(
    client: PlanClient, goal_id: str, version: str, *, wording: str, author_ref: str, when: datetime
) -> Stored:
    """The citizen's words stay; the caseworker's wording is added beside them; the goal becomes active.
    Based on the version the caseworker saw: a 412 (PlanAPIConflict) if it changed since."""
    goal = dict(client.vread("Goal", goal_id, version))
    extensions = [e for e in goal.get("extension", []) if not _is_professional(e)]
    goal["extension"] = [*extensions, wording_extension("professional", wording, author_ref, when)]
    goal["description"] = {"text": wording}
    goal["lifecycleStatus"] = "active"
    goal["achievementStatus"] = concept(fhir.CS_GOAL_ACHIEVEMENT, "in-progress")
    return client.update(goal, if_match(version))


def decline(client: PlanClient, goal_id: str, version: str, *, reason: str) -> Stored:
    goal = dict(client.vread("Goal", goal_id, version))
    goal["lifecycleStatus"] = "rejected"
    goal["statusReason"] = reason
    return client.update(goal, if_match(version))


def conflict(client: PlanClient, goal_id: str, version: str, typed: str | None) -> GoalConflict:
    """What changed since the caseworker looked: both versions, and their own unsaved words, to decide."""
    current = client.read("Goal", goal_id).resource or {}
    base = client.vread("Goal", goal_id, version)
    return GoalConflict(_version(base), _version(current), typed)
