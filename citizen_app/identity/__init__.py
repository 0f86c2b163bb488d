"""Who is asking. The sign-in mechanism sits behind this one function (passkeys, later national eID)."""

from __future__ import annotations

import uuid

from flask import g, session

from .. import db
from ..authz.policy import ANONYMOUS, Actor
from ..models import Account

SESSION_KEY = "account_id"


def current_actor() -> Actor:
    if "actor" in g:
        return g.actor
    actor = ANONYMOUS
    raw = session.get(SESSION_KEY)
    if raw:
        try:
            account = db.session().get(Account, uuid.UUID(raw))
        except ValueError:
            account = None
        if account is not None and account.disabled_at is None:
            actor = Actor(account.id, account.kind, account.fhir_ref, account.display_name)
    g.actor = actor
    return actor


def current_account() -> Account | None:
    actor = current_actor()
    return None if actor.anonymous else db.session().get(Account, actor.account_id)


def sign_in(account: Account) -> None:
    session.clear()
    session[SESSION_KEY] = str(account.id)
    g.pop("actor", None)


def sign_out() -> None:
    session.clear()
    g.pop("actor", None)
