"""Opt-in e-mail when a caseworker answers: found by polling the plan API, sent through the notifier.

One search per turn, whatever the number of citizens: every message changed since the oldest cursor of the
people who opted in. The e-mail carries no personal content (notify/messages.py); the person signs in to read.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import standalone_session
from ..models import Account, AccountKind, utcnow
from ..notify import EXTENSION_KEY, Notifier
from ..notify.backends import NotifyError
from ..notify.digitalpost import DigitalPostNotifier
from ..plan_api import PlanAPIError, PlanClient, communications, patients
from .plan_reading import CLIENT_KEY

log = logging.getLogger(__name__)


def opt_in(db_session: Session, account: Account, email: str | None) -> None:
    account.notify_email = email or None
    # Only answers from now on: opting in never sends a burst about old ones.
    account.answers_notified_until = utcnow() if email else None
    db_session.flush()


def notify_new_answers(
    db_session: Session, client: PlanClient, notifier: Notifier, link: str
) -> int:
    accounts = {
        a.fhir_ref: a
        for a in db_session.scalars(
            select(Account).where(
                Account.kind == AccountKind.CITIZEN,
                Account.notify_email.is_not(None),
                Account.disabled_at.is_(None),
            )
        )
    }
    if not accounts:
        return 0
    since = min(a.answers_notified_until or utcnow() for a in accounts.values())
    try:
        found = communications.answers_since(client, since)
    except PlanAPIError as exc:
        log.info("answer notifications: plan API not reachable (%s); next turn", exc)
        return 0
    newest: dict[str, datetime] = {}
    for item in found:
        subject, sent = item.citizen_ref, item.sent
        account = accounts.get(subject)
        if account is None or sent is None or not item.from_staff:
            continue
        if sent > (account.answers_notified_until or sent) and sent > newest.get(
            subject, sent.min.replace(tzinfo=UTC)
        ):
            newest[subject] = sent
    sent_count = 0
    for subject, when in newest.items():
        account = accounts[subject]
        try:
            notifier.send(addressee(notifier, client, account), "answer", link)
        except (NotifyError, ValueError, PlanAPIError):
            log.warning("answer notification for account %s failed; will try again", account.id)
            continue
        account.answers_notified_until = when
        sent_count += 1
    db_session.flush()
    return sent_count


def addressee(notifier: Notifier, client: PlanClient, account: Account) -> str:
    """The opted-in e-mail address; for Digital Post the CPR number, read from the Patient in the plan API at
    send time (the portal keeps only a keyed hash of it)."""
    if not isinstance(notifier, DigitalPostNotifier):
        return account.notify_email or ""
    return patients.cpr_of(client, account.fhir_ref)


def poll_answers(app: Flask) -> int:
    """One turn, with its own session: for the embedded thread and the worker command."""
    base = app.config.get("PUBLIC_URL") or "http://localhost:5000"
    with standalone_session(app) as db_session:
        sent = notify_new_answers(
            db_session,
            app.extensions[CLIENT_KEY],
            app.extensions[EXTENSION_KEY],
            base.rstrip("/") + "/messages",
        )
        db_session.commit()  # background work: its own boundary
        return sent


def notify_citizen(
    db_session: Session, notifier: Notifier, citizen_ref: str, kind: str, link: str
) -> bool:
    """Tell one citizen who opted in that something changed (no content); a failure is logged, never raised:
    the change itself is in the plan, and the person sees it when they sign in."""
    account = db_session.scalar(
        select(Account).where(
            Account.fhir_ref == citizen_ref,
            Account.kind == AccountKind.CITIZEN,
            Account.notify_email.is_not(None),
            Account.disabled_at.is_(None),
        )
    )
    if account is None:
        return False
    try:
        notifier.send(account.notify_email or "", kind, link)
    except (NotifyError, ValueError):
        log.warning("%s notification for account %s failed", kind, account.id)
        return False
    return True
