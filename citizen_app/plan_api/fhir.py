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
CS_COMMUNICATION_KIND = CS + "communication-kind"
CS_CONVERSATION_QUESTION = CS + "goal-conversation-question"
EXT_GOAL_AGREEMENT = SD + "goal-agreement"
EXT_PAYLOAD_KIND = SD + "payload-kind"
EXT_CONVERSATION_QUESTION = SD + "conversation-question"
EXT_SEEN_BY_STAFF = SD + "seen-by-staff"
CS_GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

# Cases (Task): the step in businessStatus, from this code system; Task.status follows the step.
CS_CASE_STEP = CS + "case-step"
CASE_STEPS = ("received", "assessing", "awaiting-information", "decided")
TASK_STATUS_BY_STEP = {
    "received": "received",
    "assessing": "in-progress",
    "awaiting-information": "on-hold",
    "decided": "completed",
}
# On a Task: the decision date first promised (restriction.period.end holds the date in force).
EXT_ORIGINAL_DEADLINE = SD + "original-deadline"
# On a Task's note: what the note explains ("deadline" or "step").
EXT_CASE_CHANGE = SD + "case-change"
# On an Appointment: "in-person", "phone" or "video".
EXT_CONTACT_MODE = SD + "contact-mode"
CONTACT_MODES = ("in-person", "phone", "video")
# On a QuestionnaireResponse: the Appointment or Communication it is about.
EXT_ABOUT = SD + "about"
Q_MEETING_PREPARATION = NS + "Questionnaire/meeting-preparation"
Q_CONTACT_FEEDBACK = NS + "Questionnaire/contact-feedback"
CS_CONTACT_SATISFACTION = CS + "contact-satisfaction"
# From worst to best; the order is the satisfaction chart's vertical axis.
SATISFACTION = ("very-bad", "bad", "neutral", "good", "very-good")

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


def proposed_goal(
    *, patient_ref: str, author_ref: str, own_words: str, notes: dict[str, str], written: datetime
) -> dict[str, Any]:
    """A goal the citizen (or someone for them) proposes: their words, and the other answers of the
    conversation as notes, each tagged with the question it answers."""
    annotations = [
        {
            "extension": [{"url": EXT_CONVERSATION_QUESTION, "valueCode": question}],
            "authorReference": {"reference": author_ref},
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
        "subject": {"reference": patient_ref},
        "expressedBy": {"reference": author_ref},
        "extension": [wording_extension("citizen", own_words, author_ref, written)],
    }
    if annotations:
        resource["note"] = annotations
    return resource


def _kind(code: str) -> dict[str, Any]:
    return {"coding": [{"system": CS_COMMUNICATION_KIND, "code": code}]}


def message(
    *,
    patient_ref: str,
    sender_ref: str,
    recipient_ref: str,
    text: str,
    subject: str | None,
    sent: datetime,
    reply_to: str | None = None,
    conversation: str | None = None,
    kind: str = "message",
) -> dict[str, Any]:
    """A message in a conversation; `kind` "complaint" starts a complaint (its own deadline)."""
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "status": "completed",
        "category": [_kind(kind)],
        "subject": {"reference": patient_ref},
        "sender": {"reference": sender_ref},
        "recipient": [{"reference": recipient_ref}],
        "sent": sent.isoformat(),
        "payload": [{"contentString": text}],
    }
    if subject:
        resource["topic"] = {"text": subject}
    if reply_to:
        resource["inResponseTo"] = [{"reference": reply_to}]
    if conversation:
        resource["partOf"] = [{"reference": conversation}]
    return resource


def goal_feedback(
    *,
    patient_ref: str,
    sender_ref: str,
    goal_ref: str,
    wording: str | None,
    agreement: str | None,
    comment: str | None,
    sent: datetime,
) -> dict[str, Any]:
    """The citizen's own wording for a goal already in the plan and whether they agree with it. A new
    resource, never an update of the Goal: the professional wording is never overwritten, and the
    caseworker takes the words in (or not) from the review queue."""
    payload = [
        {"extension": [{"url": EXT_PAYLOAD_KIND, "valueCode": kind}], "contentString": text}
        for kind, text in (("wording", wording), ("comment", comment))
        if text
    ]
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "status": "completed",
        "category": [_kind("goal-feedback")],
        "subject": {"reference": patient_ref},
        "about": [{"reference": goal_ref}],
        "sender": {"reference": sender_ref},
        "sent": sent.isoformat(),
        "payload": payload,
    }
    if agreement:
        resource["extension"] = [{"url": EXT_GOAL_AGREEMENT, "valueCode": agreement}]
    return resource


def seen_extension(by_ref: str, when: datetime, comment: str | None) -> dict[str, Any]:
    """On a progress sign: a caseworker has seen it, with an optional comment the citizen sees."""
    parts: list[dict[str, Any]] = [
        {"url": "by", "valueReference": {"reference": by_ref}},
        {"url": "date", "valueDateTime": when.isoformat()},
    ]
    if comment:
        parts.append({"url": "comment", "valueString": comment})
    return {"url": EXT_SEEN_BY_STAFF, "extension": parts}


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
        parts = [_answer("goal-ref", {"valueReference": {"reference": goal_ref}})]
        if value:
            parts.append(
                _answer("progress", {"valueCoding": {"system": CS_PROGRESS_SIGN, "code": value}})
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
        "questionnaire": Q_MEETING_PREPARATION,
        "subject": {"reference": patient_ref},
        "author": {"reference": author_ref},
        "authored": authored.isoformat(),
        "extension": [{"url": EXT_ABOUT, "valueReference": {"reference": appointment_ref}}],
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
    if score not in SATISFACTION:
        raise ValueError(f"not a satisfaction step: {score!r}")
    items = [
        _answer("satisfaction", {"valueCoding": {"system": CS_CONTACT_SATISFACTION, "code": score}})
    ]
    if comment:
        items.append(_answer("comment", {"valueString": comment}))
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": Q_CONTACT_FEEDBACK,
        "subject": {"reference": patient_ref},
        "author": {"reference": author_ref},
        "authored": authored.isoformat(),
        "extension": [{"url": EXT_ABOUT, "valueReference": {"reference": about_ref}}],
        "item": items,
    }
