"""Appointments: the follow-up meetings, with who takes part, where, and the citizen's preparations."""

from __future__ import annotations

from datetime import UTC, datetime

from . import fhir
from .domain import Meeting, Preparation
from .elements import Index, ext, parse_datetime, ref


def meetings(
    index: Index, patient_ref: str, preparations: dict[str, list[Preparation]]
) -> tuple[Meeting, ...]:
    epoch = datetime.min.replace(tzinfo=UTC)
    found = []
    for appointment in index.by_type.get("Appointment", []):
        participants, place = [], None
        for participant in appointment.get("participant", []) or []:
            actor = participant.get("actor") or {}
            reference = ref(actor)
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
        found.append(
            Meeting(
                id=appointment["id"],
                status=str(appointment.get("status") or "booked"),
                start=parse_datetime(appointment.get("start")),
                end=parse_datetime(appointment.get("end")),
                mode=next(
                    (e.get("valueCode") for e in ext(appointment, fhir.EXT_CONTACT_MODE)), None
                ),
                place=place,
                description=appointment.get("description"),
                participants=tuple(participants),
                preparations=tuple(own),
            )
        )
    found.sort(key=lambda m: (m.start or epoch, m.id))
    return tuple(found)
