"""QuestionnaireResponses: the citizen's preparation for a meeting and their feedback on a contact."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import fhir
from .client import PlanClient, Stored
from .domain import ContactFeedback, GoalAnswer, Preparation
from .elements import Index, Resource, ext, parse_datetime, ref, reference, sub, version_of
from .observations import mark_seen_by_staff


def _answer(link_id: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"linkId": link_id, "answer": [value]}


def meeting_preparation(
    *,
    patient_ref: str,
    author_ref: str,
    appointment_ref: str,
    goals: list[tuple[str, str | None, str | None]],
    topics: str | None,
    bring: str | None,
    authored: datetime,
) -> dict[str, Any]:
    """The citizen's preparation for a meeting: per goal how it has gone (the progress scale) and a note,
    what they want to talk about, who they bring. One resource, linked to the Appointment."""
    items: list[dict[str, Any]] = []
    for goal_ref, value, note in goals:
        if not value and not note:
            continue
        parts = [_answer("goal-ref", {"valueReference": reference(goal_ref)})]
        if value:
            parts.append(
                _answer(
                    "progress", {"valueCoding": {"system": fhir.CS_PROGRESS_SIGN, "code": value}}
                )
            )
        if note:
            parts.append(_answer("note", {"valueString": note}))
        items.append({"linkId": "goal", "item": parts})
    for link_id, text in (("topics", topics), ("bring", bring)):
        if text:
            items.append(_answer(link_id, {"valueString": text}))
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": fhir.Q_MEETING_PREPARATION,
        "subject": reference(patient_ref),
        "author": reference(author_ref),
        "authored": authored.isoformat(),
        "extension": [{"url": fhir.EXT_ABOUT, "valueReference": reference(appointment_ref)}],
        "item": items,
    }


def contact_feedback(
    *,
    patient_ref: str,
    author_ref: str,
    about_ref: str,
    score: str,
    comment: str | None,
    authored: datetime,
) -> dict[str, Any]:
    """ "How was your contact with us?": one step of the five-step scale and an optional comment."""
    if score not in fhir.SATISFACTION:
        raise ValueError(f"not a satisfaction step: {score!r}")
    items = [
        _answer(
            "satisfaction", {"valueCoding": {"system": fhir.CS_CONTACT_SATISFACTION, "code": score}}
        )
    ]
    if comment:
        items.append(_answer("comment", {"valueString": comment}))
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": fhir.Q_CONTACT_FEEDBACK,
        "subject": reference(patient_ref),
        "author": reference(author_ref),
        "authored": authored.isoformat(),
        "extension": [{"url": fhir.EXT_ABOUT, "valueReference": reference(about_ref)}],
        "item": items,
    }


# -- FHIR -> domain ----------------------------------------------------------------------------------


def _items(resource: Resource) -> dict[str, list[Resource]]:
    found: dict[str, list[Resource]] = {}
    for item in resource.get("item", []) or []:
        if isinstance(item, dict) and isinstance(item.get("linkId"), str):
            found.setdefault(item["linkId"], []).append(item)
    return found


def _value(items: dict[str, list[Resource]], link_id: str) -> Any:
    for item in items.get(link_id, []):
        for answer in item.get("answer", []) or []:
            for key in ("valueString", "valueCoding", "valueReference"):
                if key in answer:
                    value = answer[key]
                    if key == "valueCoding":
                        return value.get("code") if isinstance(value, dict) else None
                    if key == "valueReference":
                        return ref(value)
                    return value if isinstance(value, str) else None
    return None


def about(resource: Resource) -> str | None:
    return next((ref(e.get("valueReference")) for e in ext(resource, fhir.EXT_ABOUT)), None)


def _seen_at(resource: Resource) -> datetime | None:
    for extension in ext(resource, fhir.EXT_SEEN_BY_STAFF):
        return parse_datetime(sub(extension, "date").get("valueDateTime"))
    return None


def _preparation(index: Index, response: Resource) -> Preparation:
    items = _items(response)
    goals = []
    for item in items.get("goal", []):
        parts = _items(item)
        goal_ref = _value(parts, "goal-ref") or ""
        goals.append(
            GoalAnswer(goal_ref.split("/", 1)[-1], _value(parts, "progress"), _value(parts, "note"))
        )
    return Preparation(
        id=response["id"],
        authored=parse_datetime(response.get("authored")),
        author=index.person(ref(response.get("author"))),
        goals=tuple(goals),
        topics=_value(items, "topics"),
        bring=_value(items, "bring"),
        seen_at=_seen_at(response),
        version=version_of(response),
    )


def _responses(index: Index, questionnaire: str) -> list[Resource]:
    return [
        r
        for r in index.by_type.get("QuestionnaireResponse", [])
        if r.get("questionnaire") == questionnaire and r.get("status") == "completed"
    ]


def preparations_by_appointment(index: Index) -> dict[str, list[Preparation]]:
    found: dict[str, list[Preparation]] = {}
    for response in _responses(index, fhir.Q_MEETING_PREPARATION):
        target = about(response)
        if target:
            found.setdefault(target, []).append(_preparation(index, response))
    return found


def contact_feedback_from(index: Index) -> tuple[ContactFeedback, ...]:
    found = []
    for response in _responses(index, fhir.Q_CONTACT_FEEDBACK):
        items = _items(response)
        score = _value(items, "satisfaction")
        if score not in fhir.SATISFACTION:
            continue
        found.append(
            ContactFeedback(
                id=response["id"],
                score=score,
                comment=_value(items, "comment"),
                about=about(response),
                authored=parse_datetime(response.get("authored")),
                author=index.person(ref(response.get("author"))),
            )
        )
    epoch = datetime.min.replace(tzinfo=UTC)
    found.sort(key=lambda f: (f.authored or epoch, f.id))
    return tuple(found)


# -- operations --------------------------------------------------------------------------------------


def mark_preparation_seen(
    client: PlanClient, response_id: str, version: str, *, by_ref: str, when: datetime
) -> Stored:
    return mark_seen_by_staff(
        client, "QuestionnaireResponse", response_id, version, by_ref, None, when
    )
