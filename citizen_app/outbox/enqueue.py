"""Adding a write to the outbox. The caller commits; nothing here talks to the plan API.

What must go with every write in the same transaction is added by a hook the app registers where it is
assembled (`on_enqueue`): today the receipt of a delegated act (services/receipts.note_delegated_act). The
outbox knows no service; a service is above it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import OutboxMessage
from ..plan_api import payloads

WAKE_KEY = "citizen_app.outbox.wake"
ON_ENQUEUE_KEY = "citizen_app.outbox.on_enqueue"
# Called with the caller's session and the purpose of the write, after the row is added.
EnqueueHook = Callable[[Session, str], object]


def on_enqueue(app: Flask, hook: EnqueueHook) -> None:
    """Run `hook(session, purpose)` on every enqueue, in the caller's transaction (so what it adds commits or
    rolls back with the write)."""
    app.extensions.setdefault(ON_ENQUEUE_KEY, []).append(hook)


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
    # Someone acting for the citizen: the citizen's receipt commits with the write (the hook the app
    # registers: services/receipts.note_delegated_act).
    for hook in current_app.extensions.get(ON_ENQUEUE_KEY, ()):
        hook(db_session, purpose)
    wake_after_commit(db_session)
    return message


def wake_after_commit(db_session: Session) -> None:
    """Deliver right after the commit in the embedded default; a rollback leaves nothing to wake for."""
    wake = current_app.extensions.get(WAKE_KEY)
    if wake is not None:
        event.listen(db_session, "after_commit", lambda _s: wake(), once=True)
