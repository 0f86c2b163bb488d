"""Adding a write to the outbox. The caller commits; nothing here talks to the plan API."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import OutboxMessage
from ..plan_api import payloads
from ..services.receipts import note_delegated_act

WAKE_KEY = "citizen_app.outbox.wake"


def enqueue(
    db_session: Session,
    *,
    plan_key: str,
    purpose: str,
    resource: dict[str, Any],
    account_id: uuid.UUID | None,
    if_match: str | None = None,
) -> OutboxMessage:
    """Stage a create (no id in `resource`) or an update (id and if_match) of one plan API resource."""
    is_update = "id" in resource
    if is_update and not if_match:
        raise ValueError("an update needs the version it was based on (If-Match)")
    message = OutboxMessage(
        message_id=uuid.uuid4(),
        plan_key=plan_key,
        account_id=account_id,
        purpose=purpose,
        method="PUT" if is_update else "POST",
        resource_type=payloads.resource_type(resource),
        resource_id=resource.get("id"),
        if_match=if_match,
        # ensure_ascii keeps every code point (even NUL) safe in any database's text column.
        body_json=json.dumps(resource, ensure_ascii=True, separators=(",", ":")),
    )
    db_session.add(message)
    # Someone acting for the citizen: the citizen's receipt commits with the write (services/receipts.py).
    note_delegated_act(db_session, purpose)
    wake_after_commit(db_session)
    return message


def wake_after_commit(db_session: Session) -> None:
    """Deliver right after the commit in the embedded default; a rollback leaves nothing to wake for."""
    wake = current_app.extensions.get(WAKE_KEY)
    if wake is not None:
        event.listen(db_session, "after_commit", lambda _s: wake(), once=True)
