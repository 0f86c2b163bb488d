"""Counting what happened to every write: delivered (exactly once at the plan API), duplicated, lost."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import select

from citizen_app import db
from citizen_app.models import OutboxMessage, OutboxState
from citizen_app.outbox import enqueue
from citizen_app.plan_api import observations
from citizen_app.plan_api.client import CLIENT_ID_SYSTEM
from citizen_app.services.plan_reading import read_plan
from tests.helpers import search_at_api


@dataclass
class Tally:
    written: int
    delivered: int
    duplicated: int
    dead: int
    pending: int
    lost: int

    def __str__(self) -> str:
        return (
            f"written {self.written}: delivered {self.delivered}, dead (kept) {self.dead}, "
            f"pending {self.pending}, duplicated {self.duplicated}, lost {self.lost}"
        )


def goals(app: Flask, demo: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    with app.app_context():
        session = db.session()
        return {
            demo[n].fhir_ref: read_plan(session, demo[n].fhir_ref).plan.goals[0].id for n in names
        }


def write_signs(app: Flask, goal_of: dict[str, str], per_plan: int, tag: str) -> list[str]:
    """`per_plan` progress signs per citizen, interleaved across plans; returns their notes."""
    notes = []
    with app.app_context():
        session = db.session()
        for i in range(per_plan):
            for ref, goal_id in goal_of.items():
                note = f"{tag}-{ref.rsplit('/', 1)[1][:8]}-{i:03d}"
                enqueue(
                    session,
                    plan_key=ref,
                    purpose="progress-sign",
                    resource=observations.progress_sign(
                        patient_ref=ref,
                        goal_ref=f"Goal/{goal_id}",
                        value="same",
                        when=date.today(),
                        note=note,
                        performer_ref=ref,
                    ),
                    account_id=None,
                )
                notes.append(note)
        session.commit()
    return notes


def tally(app: Flask, fhir_url: str, goal_of: dict[str, str], tag: str) -> Tally:
    """Asks the plan API itself (not the proxy) what arrived, and the outbox what is kept."""
    with app.app_context():
        rows = list(db.session().scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    ours = {f"urn:uuid:{r.message_id}": r for r in rows}
    seen: Counter[str] = Counter()
    for goal_id in goal_of.values():
        for found in search_at_api(fhir_url, "Observation", focus=f"Goal/{goal_id}"):
            for ident in found.get("identifier", []):
                if ident.get("system") == CLIENT_ID_SYSTEM and ident.get("value") in ours:
                    seen[ident["value"]] += 1
    delivered = sum(1 for key in ours if seen[key] >= 1)
    duplicated = sum(count - 1 for count in seen.values() if count > 1)
    dead = sum(
        1 for r in rows if r.state is OutboxState.DEAD and not seen[f"urn:uuid:{r.message_id}"]
    )
    pending = sum(1 for r in rows if r.state is OutboxState.PENDING)
    # Lost: not at the plan API, and not kept in the outbox either (the citizen's words gone).
    lost = sum(1 for key, r in ours.items() if not seen[key] and r.state is OutboxState.DELIVERED)
    return Tally(len(rows), delivered, duplicated, dead, pending, lost)


def rows(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session().scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def notes_in_order(fhir_url: str, goal_id: str, tag: str) -> list[str]:
    found = search_at_api(fhir_url, "Observation", focus=f"Goal/{goal_id}", _sort="_lastUpdated")
    return [
        o["note"][0]["text"]
        for o in found
        if o.get("note") and o["note"][0].get("text", "").startswith(tag)
    ]
