"""Receipts for delegated acts: when a relative, guardian or fuldmagt holder writes, sends or changes something
for a citizen, the citizen is told THAT it happened and by whom, never what was written.

`note_delegated_act` runs inside outbox.enqueue, the one door every write to the plan goes through, and adds
the receipt to the same session: it commits, or rolls back, with the write itself. A parent of a child is
exempt: the child does not read their own plan (from 15 they have their own account and their own access).
The citizen who opted in to notifications gets one content-free notice per batch: none while an earlier
receipt is still unseen.
"""

from __future__ import annotations

import logging
import uuid

from flask import current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ..authz.policy import Role
from ..models import Account, AccountKind, DelegatedActReceipt, Delegation, utcnow
from ..notify import notifier
from ..notify.backends import NotifyError

log = logging.getLogger(__name__)

# Roles that leave a receipt. A parent of a child does not: the child cannot read their own plan.
RECEIPT_ROLES = frozenset({Role.RELATIVE, Role.GUARDIAN, Role.FULDMAGT})
NOTIFY_KIND = "helper-acted"
ACCESS_ENDED = "access-ended"
SHOWN = 5  # the plan page lists the newest unseen receipts, at most this many

# What the person did, without what they wrote.
TEXT = {
    "message": _l("%(name)s sent a message for you."),
    "progress-sign": _l("%(name)s noted a progress sign for you."),
    "goal": _l("%(name)s wrote a new goal for you."),
    "goal-feedback": _l("%(name)s wrote about a goal for you."),
    "meeting-preparation": _l("%(name)s prepared a meeting for you."),
    "contact-feedback": _l("%(name)s told us how a contact went for you."),
    "complaint": _l("%(name)s sent a complaint for you."),
    "gas-levels": _l("%(name)s wrote the levels of a goal for you."),
    "gas-rating": _l("%(name)s rated where a goal stands, as a relative."),
    # Not a write to the plan: the relative ended their own access (services/delegations.end_own).
    ACCESS_ENDED: _l("%(name)s ended their own access to your plan."),
}
FALLBACK = _l("%(name)s did something in your plan for you.")

# Where the citizen sees the item (by its kind: the receipt holds no reference to its content).
ITEM_ENDPOINT = {
    "message": "citizen.conversations",
    "complaint": "citizen.conversations",
    "meeting-preparation": "citizen.meetings",
    "contact-feedback": "citizen.meetings",
    ACCESS_ENDED: "citizen.delegations_overview",
}


def text(purpose: str, name: str) -> str:
    return str(TEXT.get(purpose, FALLBACK)) % {"name": name}


def item_endpoint(purpose: str) -> str:
    return ITEM_ENDPOINT.get(purpose, "citizen.plan")


def note_delegated_act(db_session: Session, purpose: str) -> DelegatedActReceipt | None:
    """Called by outbox.enqueue: a receipt when the current request acts for someone else."""
    if not has_request_context():
        return None
    grant = g.get("acting_grant")
    if grant is None or grant.delegation_id is None or grant.role not in RECEIPT_ROLES:
        return None
    citizen = db_session.scalar(
        select(Account).where(
            Account.fhir_ref == grant.citizen_ref, Account.kind == AccountKind.CITIZEN
        )
    )
    return _receipt(db_session, citizen, grant.delegation_id, purpose)


def note_access_ended(db_session: Session, delegation: Delegation) -> DelegatedActReceipt | None:
    """The relative ended their own access: the citizen is told like of any act done for them (a receipt
    on the plan page, and the content-free notice when they opted in)."""
    return _receipt(
        db_session,
        db_session.get(Account, delegation.citizen_account_id),
        delegation.id,
        ACCESS_ENDED,
    )


def _receipt(
    db_session: Session, citizen: Account | None, delegation_id: uuid.UUID, purpose: str
) -> DelegatedActReceipt | None:
    if citizen is None or citizen.kind is not AccountKind.CITIZEN:
        return None  # no account of their own: nowhere to show it
    already_waiting = db_session.scalar(
        select(DelegatedActReceipt.id)
        .where(
            DelegatedActReceipt.citizen_account_id == citizen.id,
            DelegatedActReceipt.seen_at.is_(None),
        )
        .limit(1)
    )
    receipt = DelegatedActReceipt(
        citizen_account_id=citizen.id, delegation_id=delegation_id, purpose=purpose
    )
    db_session.add(receipt)
    if citizen.notify_email and citizen.disabled_at is None and already_waiting is None:
        _notify_after_commit(db_session, citizen.notify_email, citizen.id)
    return receipt


def _notify_after_commit(db_session: Session, address: str, account_id: uuid.UUID) -> None:
    """The notice leaves only once the write and its receipt are committed; a failure is logged, never
    raised (the receipt is on the plan page either way)."""
    app_notifier = notifier()
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    link = base.rstrip("/") + "/plan"

    def send(_session: Session) -> None:
        try:
            app_notifier.send(address, NOTIFY_KIND, link)
        except (NotifyError, ValueError):
            log.warning("helper-acted notification for account %s failed", account_id)

    event.listen(db_session, "after_commit", send, once=True)


def unseen(
    db_session: Session, citizen_account_id: uuid.UUID
) -> list[tuple[DelegatedActReceipt, Delegation]]:
    return [
        (receipt, delegation)
        for receipt, delegation in db_session.execute(
            select(DelegatedActReceipt, Delegation)
            .join(Delegation, Delegation.id == DelegatedActReceipt.delegation_id)
            .where(
                DelegatedActReceipt.citizen_account_id == citizen_account_id,
                DelegatedActReceipt.seen_at.is_(None),
            )
            .order_by(DelegatedActReceipt.created_at.desc())
            .limit(SHOWN)
        )
    ]


def mark_seen(
    db_session: Session, citizen_account_id: uuid.UUID, receipt_id: uuid.UUID
) -> DelegatedActReceipt | None:
    """The citizen dismissed it or opened the item. Another citizen's receipt is simply not found."""
    receipt = db_session.scalar(
        select(DelegatedActReceipt).where(
            DelegatedActReceipt.id == receipt_id,
            DelegatedActReceipt.citizen_account_id == citizen_account_id,
        )
    )
    if receipt is None:
        return None
    if receipt.seen_at is None:
        db_session.execute(
            update(DelegatedActReceipt)
            .where(DelegatedActReceipt.id == receipt.id)
            .values(seen_at=utcnow())
        )
    db_session.flush()
    return receipt
