"""FHIR R4 JSON (the `$everything` bundle) to the domain objects in domain.py.

Tolerant by design: a field the portal does not understand is skipped, never a reason to fail the whole page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from . import fhir
from .domain import (
    Activity,
    Caseworker,
    Conversation,
    Goal,
    GoalFeedback,
    Message,
    Person,
    Plan,
    ProgressSign,
    Wording,
)

Resource = dict[str, Any]

_ROLE_BY_TYPE = {"Patient": "citizen", "RelatedPerson": "relative", "Practitioner": "caseworker"}


def parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def human_name(resource: Resource) -> str:
    for name in resource.get("name", []) or []:
        if name.get("text"):
            return str(name["text"])
        parts = [*name.get("given", []), name.get("family", "")]
        joined = " ".join(p for p in parts if p)
        if joined:
            return joined
    return ""


def initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[:1].isalpha()).upper()[:3]


def _ref(value: Any) -> str | None:
    return value.get("reference") if isinstance(value, dict) else None


def _sub(extension: Resource, url: str) -> Resource:
    return next((e for e in extension.get("extension", []) if e.get("url") == url), {})


def _ext(resource: Resource, url: str) -> list[Resource]:
    return [e for e in resource.get("extension", []) or [] if e.get("url") == url]


def _code(concept: Any, system: str | None = None) -> str | None:
    if not isinstance(concept, dict):
        return None
    for coding in concept.get("coding", []) or []:
        if system is None or coding.get("system") == system:
            return coding.get("code")
    return None


class _Index:
    def __init__(self, bundle: Resource) -> None:
        self.by_ref: dict[str, Resource] = {}
        self.by_type: dict[str, list[Resource]] = {}
        for entry in bundle.get("entry", []) or []:
            resource = entry.get("resource") or {}
            rtype, rid = resource.get("resourceType"), resource.get("id")
            if not rtype or not rid:
                continue
            self.by_ref[f"{rtype}/{rid}"] = resource
            self.by_type.setdefault(rtype, []).append(resource)
        self.people: dict[str, Person] = {}

    def person(self, reference: str | None) -> Person | None:
        if not reference:
            return None
        if reference in self.people:
            return self.people[reference]
        resource = self.by_ref.get(reference)
        rtype = reference.split("/", 1)[0]
        if rtype == "PractitionerRole" and resource:
            practitioner = self.by_ref.get(_ref(resource.get("practitioner")) or "")
            name = human_name(practitioner) if practitioner else ""
            person = Person(reference, name, "caseworker")
        else:
            name = human_name(resource) if resource else ""
            person = Person(reference, name, _ROLE_BY_TYPE.get(rtype, "unknown"))
        self.people[reference] = person
        return person


def _wording(index: _Index, extension: Resource) -> Wording | None:
    kind = _sub(extension, "kind").get("valueCode")
    text = _sub(extension, "text").get("valueString")
    if kind not in {"citizen", "professional"} or text is None:
        return None
    author = index.person(_ref(_sub(extension, "author").get("valueReference")))
    return Wording(kind, text, author, parse_datetime(_sub(extension, "date").get("valueDateTime")))


def _latest(wordings: list[Wording], kind: str) -> Wording | None:
    matching = [w for w in wordings if w.kind == kind]
    epoch = datetime.min.replace(tzinfo=UTC)
    return max(matching, key=lambda w: w.written or epoch) if matching else None


def _signs_by_goal(index: _Index) -> dict[str, list[ProgressSign]]:
    signs: dict[str, list[ProgressSign]] = {}
    for obs in index.by_type.get("Observation", []):
        if _code(obs.get("code"), fhir.CS_OBSERVATION_KIND) != "progress-sign":
            continue
        value = _code(obs.get("valueCodeableConcept"), fhir.CS_PROGRESS_SIGN)
        when = parse_date(obs.get("effectiveDateTime"))
        focus = next((_ref(f) for f in obs.get("focus", []) or [] if _ref(f)), None)
        if value not in fhir.PROGRESS_SCALE or when is None or not focus:
            continue
        note = next((n.get("text") for n in obs.get("note", []) or [] if n.get("text")), None)
        performer = next((_ref(p) for p in obs.get("performer", []) or []), None)
        seen = next(iter(_ext(obs, fhir.EXT_SEEN_BY_STAFF)), None)
        sign = ProgressSign(
            obs["id"],
            value,
            when,
            note,
            index.person(performer),
            seen_at=parse_datetime(_sub(seen, "date").get("valueDateTime")) if seen else None,
            staff_comment=_sub(seen, "comment").get("valueString") if seen else None,
        )
        signs.setdefault(focus, []).append(sign)
    for goal_signs in signs.values():
        goal_signs.sort(key=lambda s: (s.when, s.id))
    return signs


def _kind_of(communication: Resource) -> str | None:
    return next(
        (
            code
            for concept in communication.get("category", []) or []
            if (code := _code(concept, fhir.CS_COMMUNICATION_KIND))
        ),
        None,
    )


def _payload(communication: Resource, kind: str | None = None) -> str | None:
    for part in communication.get("payload", []) or []:
        part_kind = next((e.get("valueCode") for e in _ext(part, fhir.EXT_PAYLOAD_KIND)), None)
        if (kind is None or part_kind == kind) and isinstance(part.get("contentString"), str):
            return part["contentString"]
    return None


def _feedback_by_goal(index: _Index) -> dict[str, list[GoalFeedback]]:
    found: dict[str, list[GoalFeedback]] = {}
    for item in index.by_type.get("Communication", []):
        if _kind_of(item) != "goal-feedback":
            continue
        goal_ref = next((_ref(a) for a in item.get("about", []) or [] if _ref(a)), None)
        if not goal_ref:
            continue
        agreement = next((e.get("valueCode") for e in _ext(item, fhir.EXT_GOAL_AGREEMENT)), None)
        found.setdefault(goal_ref, []).append(
            GoalFeedback(
                id=item["id"],
                wording=_payload(item, "wording"),
                agreement=agreement,
                comment=_payload(item, "comment"),
                sent=parse_datetime(item.get("sent")),
                sender=index.person(_ref(item.get("sender"))),
                received=parse_datetime(item.get("received")),
            )
        )
    epoch = datetime.min.replace(tzinfo=UTC)
    for items in found.values():
        items.sort(key=lambda f: (f.sent or epoch, f.id))
    return found


def _conversations(index: _Index, patient_ref: str) -> tuple[Conversation, ...]:
    epoch = datetime.min.replace(tzinfo=UTC)
    threads: dict[str, list[Message]] = {}
    for item in index.by_type.get("Communication", []):
        if _kind_of(item) not in (None, "message"):
            continue
        text = _payload(item)
        if text is None:
            continue
        root = next((_ref(p) for p in item.get("partOf", []) or [] if _ref(p)), None)
        conversation_id = root.split("/", 1)[1] if root else item["id"]
        sender_ref = _ref(item.get("sender"))
        threads.setdefault(conversation_id, []).append(
            Message(
                id=item["id"],
                conversation_id=conversation_id,
                subject=(item.get("topic") or {}).get("text"),
                text=text,
                sender=index.person(sender_ref),
                sent=parse_datetime(item.get("sent")),
                received=parse_datetime(item.get("received")),
                from_staff=bool(sender_ref) and sender_ref.split("/")[0] in _STAFF_TYPES,
            )
        )
    conversations = []
    for conversation_id, messages in threads.items():
        messages.sort(key=lambda m: (m.sent or epoch, m.id))
        subject = next((m.subject for m in messages if m.subject), None)
        conversations.append(Conversation(conversation_id, subject, tuple(messages)))
    conversations.sort(key=lambda c: c.latest.sent or epoch, reverse=True)
    return tuple(conversations)


_STAFF_TYPES = frozenset({"Practitioner", "PractitionerRole"})


def _notes(resource: Resource) -> tuple[tuple[str, str], ...]:
    notes = []
    for note in resource.get("note", []) or []:
        question = next(
            (e.get("valueCode") for e in _ext(note, fhir.EXT_CONVERSATION_QUESTION)), None
        )
        if question and isinstance(note.get("text"), str):
            notes.append((question, note["text"]))
    return tuple(notes)


def _goal(
    index: _Index,
    resource: Resource,
    signs: list[ProgressSign],
    feedback: list[GoalFeedback] | None = None,
) -> Goal:
    wordings = [
        w for e in _ext(resource, fhir.EXT_GOAL_WORDING) if (w := _wording(index, e)) is not None
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
        version=(resource.get("meta") or {}).get("versionId"),
        lifecycle_status=resource.get("lifecycleStatus", "proposed"),
        achievement=_code(resource.get("achievementStatus"), fhir.CS_GOAL_ACHIEVEMENT),
        citizen_wording=citizen,
        professional_wording=professional,
        expressed_by=index.person(_ref(resource.get("expressedBy"))),
        status_reason=resource.get("statusReason"),
        signs=tuple(signs),
        notes=_notes(resource),
        feedback=tuple(feedback or ()),
    )


def _activities(careplan: Resource) -> tuple[list[Activity], list[Activity]]:
    contained = {f"#{c.get('id')}": c for c in careplan.get("contained", []) or []}
    agreements: list[Activity] = []
    services: list[Activity] = []
    for activity in careplan.get("activity", []) or []:
        detail = activity.get("detail") or {}
        kind = _code(detail.get("code"), fhir.CS_ACTIVITY_KIND)
        if kind not in {"agreement", "service"}:
            continue
        performer = (detail.get("performer") or [{}])[0]
        organisation = contained.get(performer.get("reference", ""), {})
        phone = next(
            (t.get("value") for t in organisation.get("telecom", []) or [] if t.get("value")), None
        )
        period = detail.get("scheduledPeriod") or {}
        item = Activity(
            kind=kind,
            description=detail.get("description", ""),
            performer=performer.get("display") or organisation.get("name"),
            contact=phone,
            starts=parse_date(period.get("start")),
            due=parse_date(period.get("end")),
            status=detail.get("status"),
        )
        (agreements if kind == "agreement" else services).append(item)
    return agreements, services


def _absent_until(role: Resource, now: datetime) -> date | None:
    for absence in role.get("notAvailable", []) or []:
        during = absence.get("during") or {}
        start, end = parse_datetime(during.get("start")), parse_datetime(during.get("end"))
        if start and start <= now and (end is None or now < end):
            return end.date() if end else date.max
    return None


def _caseworker(
    index: _Index, role_ref: str | None, now: datetime, depth: int = 0
) -> Caseworker | None:
    role = index.by_ref.get(role_ref or "")
    if role is None:
        return None
    person = index.person(role_ref)
    name = person.name if person else ""
    phone = next((t.get("value") for t in role.get("telecom", []) or [] if t.get("value")), None)
    absent_until = _absent_until(role, now)
    substitute = None
    if absent_until and depth == 0:
        sub_ref = next(
            (_ref(e.get("valueReference")) for e in _ext(role, fhir.EXT_SUBSTITUTE)), None
        )
        substitute = _caseworker(index, sub_ref, now, depth + 1)
    return Caseworker(
        reference=role_ref or "",
        name=name,
        initials=initials(name),
        unit=(role.get("organization") or {}).get("display"),
        phone=phone,
        absent_until=absent_until,
        substitute=substitute,
    )


def _fixed_caseworker_ref(index: _Index) -> str | None:
    for team in index.by_type.get("CareTeam", []):
        if team.get("status", "active") != "active":
            continue
        for participant in team.get("participant", []) or []:
            roles = [_code(r, fhir.CS_CARE_ROLE) for r in participant.get("role", []) or []]
            if "fixed-caseworker" in roles:
                return _ref(participant.get("member"))
    return None


def plan_from_bundle(bundle: Resource, patient_ref: str, now: datetime | None = None) -> Plan:
    now = now or datetime.now(UTC)
    index = _Index(bundle)
    patient = index.by_ref.get(patient_ref, {})
    careplan = next(
        (c for c in index.by_type.get("CarePlan", []) if c.get("status") == "active"), {}
    )
    signs = _signs_by_goal(index)
    feedback = _feedback_by_goal(index)
    goals = {
        f"Goal/{g['id']}": _goal(
            index, g, signs.get(f"Goal/{g['id']}", []), feedback.get(f"Goal/{g['id']}")
        )
        for g in index.by_type.get("Goal", [])
    }
    # Goals in the plan in the plan's own order first, then the ones still on their way (proposed etc).
    order = [_ref(r) for r in careplan.get("goal", []) or []]
    ordered = [goals.pop(r) for r in order if r in goals]
    ordered += sorted(goals.values(), key=lambda g: g.id)
    agreements, services = _activities(careplan)
    follow_up = next(
        (parse_date(e.get("valueDate")) for e in _ext(careplan, fhir.EXT_NEXT_FOLLOW_UP)), None
    )
    return Plan(
        patient_ref=patient_ref,
        citizen_name=human_name(patient),
        goals=tuple(ordered),
        agreements=tuple(agreements),
        services=tuple(services),
        next_follow_up=follow_up,
        caseworker=_caseworker(index, _fixed_caseworker_ref(index), now),
        people=index.people,
        conversations=_conversations(index, patient_ref),
    )
