"""Communications: messages and complaints in conversations, the citizen's feedback on a goal, "read" and
"seen" by the caseworker, and the new answers the notifier looks for."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import fhir
from .client import PlanClient, Stored
from .domain import Conversation, GoalFeedback, Message, StaffAnswer, Waiting
from .elements import (
    STAFF_TYPES,
    Index,
    Resource,
    code,
    concept,
    ext,
    if_match,
    parse_datetime,
    ref,
    reference,
    version_of,
)


def _kind(value: str) -> dict[str, Any]:
    return concept(fhir.CS_COMMUNICATION_KIND, value)


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
        "subject": reference(patient_ref),
        "sender": reference(sender_ref),
        "recipient": [reference(recipient_ref)],
        "sent": sent.isoformat(),
        "payload": [{"contentString": text}],
    }
    if subject:
        resource["topic"] = {"text": subject}
    if reply_to:
        resource["inResponseTo"] = [reference(reply_to)]
    if conversation:
        resource["partOf"] = [reference(conversation)]
    return resource


def reply(
    conversation: Conversation, *, patient_ref: str, sender_ref: str, text: str, sent: datetime
) -> dict[str, Any]:
    """An answer in `conversation`, to its latest message, addressed to the citizen."""
    return message(
        patient_ref=patient_ref,
        sender_ref=sender_ref,
        recipient_ref=patient_ref,
        text=text,
        subject=None,
        sent=sent,
        reply_to=f"Communication/{conversation.latest.id}",
        conversation=f"Communication/{conversation.id}",
    )


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
        {"extension": [{"url": fhir.EXT_PAYLOAD_KIND, "valueCode": kind}], "contentString": text}
        for kind, text in (("wording", wording), ("comment", comment))
        if text
    ]
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "status": "completed",
        "category": [_kind("goal-feedback")],
        "subject": reference(patient_ref),
        "about": [reference(goal_ref)],
        "sender": reference(sender_ref),
        "sent": sent.isoformat(),
        "payload": payload,
    }
    if agreement:
        resource["extension"] = [{"url": fhir.EXT_GOAL_AGREEMENT, "valueCode": agreement}]
    return resource


# -- FHIR -> domain ----------------------------------------------------------------------------------


def kind_of(communication: Resource) -> str | None:
    return next(
        (
            found
            for item in communication.get("category", []) or []
            if (found := code(item, fhir.CS_COMMUNICATION_KIND))
        ),
        None,
    )


def payload_text(communication: Resource, kind: str | None = None) -> str | None:
    for part in communication.get("payload", []) or []:
        part_kind = next((e.get("valueCode") for e in ext(part, fhir.EXT_PAYLOAD_KIND)), None)
        if (kind is None or part_kind == kind) and isinstance(part.get("contentString"), str):
            return part["contentString"]
    return None


def feedback_by_goal(index: Index) -> dict[str, list[GoalFeedback]]:
    found: dict[str, list[GoalFeedback]] = {}
    for item in index.by_type.get("Communication", []):
        if kind_of(item) != "goal-feedback":
            continue
        goal_ref = next((ref(a) for a in item.get("about", []) or [] if ref(a)), None)
        if not goal_ref:
            continue
        agreement = next((e.get("valueCode") for e in ext(item, fhir.EXT_GOAL_AGREEMENT)), None)
        found.setdefault(goal_ref, []).append(
            GoalFeedback(
                id=item["id"],
                wording=payload_text(item, "wording"),
                agreement=agreement,
                comment=payload_text(item, "comment"),
                sent=parse_datetime(item.get("sent")),
                sender=index.person(ref(item.get("sender"))),
                received=parse_datetime(item.get("received")),
                version=version_of(item),
            )
        )
    epoch = datetime.min.replace(tzinfo=UTC)
    for items in found.values():
        items.sort(key=lambda f: (f.sent or epoch, f.id))
    return found


def conversations(index: Index, patient_ref: str) -> tuple[Conversation, ...]:
    epoch = datetime.min.replace(tzinfo=UTC)
    threads: dict[str, list[Message]] = {}
    for item in index.by_type.get("Communication", []):
        if kind_of(item) not in (None, "message", "complaint"):
            continue
        text = payload_text(item)
        if text is None:
            continue
        root = next((ref(p) for p in item.get("partOf", []) or [] if ref(p)), None)
        conversation_id = root.split("/", 1)[1] if root else item["id"]
        sender_ref = ref(item.get("sender"))
        threads.setdefault(conversation_id, []).append(
            Message(
                id=item["id"],
                conversation_id=conversation_id,
                subject=(item.get("topic") or {}).get("text"),
                text=text,
                sender=index.person(sender_ref),
                sent=parse_datetime(item.get("sent")),
                received=parse_datetime(item.get("received")),
                from_staff=bool(sender_ref) and sender_ref.split("/")[0] in STAFF_TYPES,
            )
        )
    found = []
    for conversation_id, messages in threads.items():
        messages.sort(key=lambda m: (m.sent or epoch, m.id))
        subject = next((m.subject for m in messages if m.subject), None)
        root = index.by_ref.get(f"Communication/{conversation_id}", {})
        kind = "complaint" if kind_of(root) == "complaint" else "message"
        found.append(Conversation(conversation_id, subject, tuple(messages), kind))
    found.sort(key=lambda c: c.latest.sent or epoch, reverse=True)
    return tuple(found)


def waiting(body: Resource) -> Waiting:
    """A message staged in the outbox (its FHIR body), for showing it as waiting."""
    text = (body.get("payload") or [{}])[0].get("contentString", "")
    root = (body.get("partOf") or [{}])[0].get("reference", "")
    return Waiting(
        (body.get("topic") or {}).get("text"), text, root.split("/", 1)[1] if root else None
    )


# -- operations --------------------------------------------------------------------------------------


def mark_read(client: PlanClient, conversation: Conversation, when: datetime) -> None:
    """The citizen sees "read by your caseworker" once the caseworker has opened the conversation."""
    for item in conversation.messages:
        if item.from_staff or item.received:
            continue
        fetched = client.read("Communication", item.id)
        if fetched.resource is None or fetched.resource.get("received"):
            continue
        client.update(dict(fetched.resource, received=when.isoformat()), fetched.etag or "")


def mark_feedback_seen(
    client: PlanClient, communication_id: str, version: str, when: datetime
) -> Stored:
    """The caseworker has seen the citizen's feedback on a goal (the version they saw)."""
    seen = client.vread("Communication", communication_id, version)
    return client.update(dict(seen, received=when.isoformat()), if_match(version))


def answers_since(client: PlanClient, since: datetime) -> list[StaffAnswer]:
    """Communications changed since `since`: for whom, whether from staff, when sent."""
    found = client.search_all(
        "Communication",
        {"_lastUpdated": f"gt{since.astimezone(UTC).isoformat()}", "_count": "500"},
    )
    answers = []
    for item in found:
        sender = ref(item.get("sender")) or ""
        answers.append(
            StaffAnswer(
                citizen_ref=ref(item.get("subject")) or "",
                from_staff=sender.split("/", 1)[0] in STAFF_TYPES,
                sent=parse_datetime(item.get("sent")),
            )
        )
    return answers


def send_reply(
    client: PlanClient,
    conversation: Conversation,
    *,
    patient_ref: str,
    sender_ref: str,
    text: str,
    sent: datetime,
    message_id: Any,
) -> Stored:
    """A caseworker's answer, written now (not through the outbox: a failure is shown to them at once);
    idempotent per `message_id`."""
    resource = reply(
        conversation, patient_ref=patient_ref, sender_ref=sender_ref, text=text, sent=sent
    )
    return client.create(resource, message_id)
