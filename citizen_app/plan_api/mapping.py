"""FHIR R4 JSON (the `$everything` bundle) to the domain objects in domain.py.

Tolerant by design: a field the portal does not understand is skipped, never a reason to fail the whole page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from . import fhir, gas
from .domain import (
    Activity,
    Case,
    CaseChange,
    Caseworker,
    ContactFeedback,
    Conversation,
    Goal,
    GoalAnswer,
    GoalFeedback,
    Meeting,
    Message,
    Person,
    Plan,
    Preparation,
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
            version=(obs.get("meta") or {}).get("versionId"),
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
                version=(item.get("meta") or {}).get("versionId"),
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
        if _kind_of(item) not in (None, "message", "complaint"):
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
        root = index.by_ref.get(f"Communication/{conversation_id}", {})
        kind = "complaint" if _kind_of(root) == "complaint" else "message"
        conversations.append(Conversation(conversation_id, subject, tuple(messages), kind))
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


def time_boundaries(bundle: Resource) -> list[datetime]:
    """The instants at which the mapping of this bundle changes by itself: the starts and ends of the
    caseworkers' absences (the dates of CareTeam periods change at midnight, which a cache keeps anyway)."""
    found: list[datetime] = []
    for entry in bundle.get("entry", []) or []:
        resource = entry.get("resource") or {}
        if resource.get("resourceType") != "PractitionerRole":
            continue
        for absence in resource.get("notAvailable", []) or []:
            during = absence.get("during") or {}
            for edge in (parse_datetime(during.get("start")), parse_datetime(during.get("end"))):
                if edge is not None:
                    found.append(edge)
    return found


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


def fixed_caseworkers(
    care_teams: list[Resource], today: date
) -> tuple[tuple[str, date | None] | None, tuple[str, date | None] | None]:
    """(current, next): the fixed caseworker's role reference and the date they started (or start), from
    the active CareTeams' participants with the fixed-caseworker role and their periods. A hand-over ends
    one participant's period the day before the next one's starts."""
    current: tuple[str, date | None] | None = None
    upcoming: tuple[str, date | None] | None = None
    for team in care_teams:
        if team.get("status", "active") != "active":
            continue
        for participant in team.get("participant", []) or []:
            roles = [_code(r, fhir.CS_CARE_ROLE) for r in participant.get("role", []) or []]
            member = _ref(participant.get("member"))
            if "fixed-caseworker" not in roles or not member:
                continue
            period = participant.get("period") or {}
            start, end = parse_date(period.get("start")), parse_date(period.get("end"))
            if end is not None and end < today:
                continue
            if start is not None and start > today:
                if upcoming is None or (upcoming[1] or date.max) > start:
                    upcoming = (member, start)
            elif current is None or (current[1] or date.min) < (start or date.min):
                current = (member, start)
    return current, upcoming


def _case(index: _Index, task: Resource) -> Case:
    changes = []
    for note in task.get("note", []) or []:
        kind = next((e.get("valueCode") for e in _ext(note, fhir.EXT_CASE_CHANGE)), None)
        if kind and isinstance(note.get("text"), str):
            changes.append(
                CaseChange(
                    kind=kind,
                    text=note["text"],
                    when=parse_datetime(note.get("time")),
                    by=index.person(_ref(note.get("authorReference"))),
                )
            )
    restriction = (task.get("restriction") or {}).get("period") or {}
    return Case(
        id=task["id"],
        version=(task.get("meta") or {}).get("versionId"),
        about=task.get("description") or (task.get("code") or {}).get("text") or "",
        received=parse_date(task.get("authoredOn")),
        step=_code(task.get("businessStatus"), fhir.CS_CASE_STEP) or "received",
        due=parse_date(restriction.get("end")),
        original_due=next(
            (parse_date(e.get("valueDate")) for e in _ext(task, fhir.EXT_ORIGINAL_DEADLINE)), None
        ),
        status=str(task.get("status") or "received"),
        changes=tuple(changes),
    )


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
                        return _ref(value)
                    return value if isinstance(value, str) else None
    return None


def _about(resource: Resource) -> str | None:
    return next((_ref(e.get("valueReference")) for e in _ext(resource, fhir.EXT_ABOUT)), None)


def _seen_at(resource: Resource) -> datetime | None:
    for extension in _ext(resource, fhir.EXT_SEEN_BY_STAFF):
        return parse_datetime(_sub(extension, "date").get("valueDateTime"))
    return None


def _preparation(index: _Index, response: Resource) -> Preparation:
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
        author=index.person(_ref(response.get("author"))),
        goals=tuple(goals),
        topics=_value(items, "topics"),
        bring=_value(items, "bring"),
        seen_at=_seen_at(response),
        version=(response.get("meta") or {}).get("versionId"),
    )


def _responses(index: _Index, questionnaire: str) -> list[Resource]:
    return [
        r
        for r in index.by_type.get("QuestionnaireResponse", [])
        if r.get("questionnaire") == questionnaire and r.get("status") == "completed"
    ]


def _meetings(index: _Index, patient_ref: str) -> tuple[Meeting, ...]:
    preparations: dict[str, list[Preparation]] = {}
    for response in _responses(index, fhir.Q_MEETING_PREPARATION):
        about = _about(response)
        if about:
            preparations.setdefault(about, []).append(_preparation(index, response))
    epoch = datetime.min.replace(tzinfo=UTC)
    meetings = []
    for appointment in index.by_type.get("Appointment", []):
        participants, place = [], None
        for participant in appointment.get("participant", []) or []:
            actor = participant.get("actor") or {}
            reference = _ref(actor)
            if reference and reference != patient_ref:
                person = index.person(reference)
                if person and person.name:
                    participants.append(person)
            elif not reference and actor.get("display"):
                place = str(actor["display"])
        own = sorted(
            preparations.get(f"Appointment/{appointment['id']}", []),
            key=lambda p: (p.authored or epoch, p.id),
        )
        meetings.append(
            Meeting(
                id=appointment["id"],
                status=str(appointment.get("status") or "booked"),
                start=parse_datetime(appointment.get("start")),
                end=parse_datetime(appointment.get("end")),
                mode=next(
                    (e.get("valueCode") for e in _ext(appointment, fhir.EXT_CONTACT_MODE)), None
                ),
                place=place,
                description=appointment.get("description"),
                participants=tuple(participants),
                preparations=tuple(own),
            )
        )
    meetings.sort(key=lambda m: (m.start or epoch, m.id))
    return tuple(meetings)


def _contact_feedback(index: _Index) -> tuple[ContactFeedback, ...]:
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
                about=_about(response),
                authored=parse_datetime(response.get("authored")),
                author=index.person(_ref(response.get("author"))),
            )
        )
    epoch = datetime.min.replace(tzinfo=UTC)
    found.sort(key=lambda f: (f.authored or epoch, f.id))
    return tuple(found)


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
    current, upcoming = fixed_caseworkers(index.by_type.get("CareTeam", []), now.date())
    cases = sorted(
        (_case(index, t) for t in index.by_type.get("Task", [])),
        key=lambda c: (not c.open, c.received or date.min, c.id),
    )
    return Plan(
        patient_ref=patient_ref,
        citizen_name=human_name(patient),
        goals=tuple(ordered),
        agreements=tuple(agreements),
        services=tuple(services),
        next_follow_up=follow_up,
        caseworker=_caseworker(index, current[0] if current else None, now),
        conversations=_conversations(index, patient_ref),
        cases=tuple(cases),
        meetings=_meetings(index, patient_ref),
        contact_feedback=_contact_feedback(index),
        caseworker_since=current[1] if current else None,
        next_caseworker=_caseworker(index, upcoming[0], now) if upcoming else None,
        next_caseworker_from=upcoming[1] if upcoming else None,
        people=index.people,
        scales=gas.scales(index),
    )
