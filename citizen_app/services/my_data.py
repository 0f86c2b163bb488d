"""Everything the portal and the plan API hold about one citizen, for the citizen (GDPR art. 15)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..data import audit as audit_data
from ..data import delegations as delegation_data
from ..models import Account, Draft, OutboxMessage, PlanSnapshot, utcnow


def export(db_session: Session, account: Account) -> dict[str, Any]:
    ref = account.fhir_ref
    snapshot = db_session.get(PlanSnapshot, ref)
    plan = json.loads(snapshot.bundle_json) if snapshot else None
    written = db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.plan_key == ref).order_by(OutboxMessage.id)
    )
    drafts = db_session.scalars(select(Draft).where(Draft.citizen_ref == ref))
    return {
        "generated_at": utcnow().isoformat(),
        "about": "Borgerens Plan: your data (GDPR article 15)",
        "account": {
            "username": account.username,
            "name": account.display_name,
            "plan_reference": ref,
            "created_at": account.created_at.isoformat(),
            "language": account.locale,
            "notification_email": account.notify_email,
        },
        "plan": {
            "read_at": snapshot.read_at.isoformat() if snapshot else None,
            "bundle": plan,
        },
        "written_by_you_and_for_you": [
            {
                "what": m.purpose,
                "written_at": m.created_at.isoformat(),
                "state": m.state.value,
                "delivered_as": m.result_ref,
                "content": json.loads(m.body_json),
            }
            for m in written
        ],
        "drafts": [
            {
                "kind": d.kind,
                "updated_at": d.updated_at.isoformat(),
                "answers": json.loads(d.answers_json or "{}"),
            }
            for d in drafts
        ],
        "people_who_help_you": [
            {
                "name": d.name,
                "as": d.kind.value,
                "may": sorted(d.scope_set),
                "until": d.ends_on.isoformat(),
                "accepted_at": d.accepted_at.isoformat() if d.accepted_at else None,
                "stopped_at": d.revoked_at.isoformat() if d.revoked_at else None,
            }
            for d in delegation_data.of_citizen(db_session, account.id)
        ],
        "access_log": [
            {
                "at": e.at.isoformat(),
                "who": "you"
                if e.actor_account_id == account.id
                else (name if e.actor_role in ("relative", "guardian", "parent") else None),
                "role": e.actor_role,
                "unit": e.actor_unit,
                "action": e.action,
                "resource": e.resource_type,
                "outcome": e.outcome,
            }
            for e, name in audit_data.for_citizen(db_session, ref, limit=100_000)
        ],
    }
