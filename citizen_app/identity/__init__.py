"""Who is asking. Every sign-in method ends in `sign_in(account)`; everything else asks `current_actor()`.

A caseworker's grants (whom they cover, as fixed caseworker or substitute) are read from the plan API by a
service above this floor; the app registers it where it is assembled (`load_staff_coverage_with`), so identity
imports no service.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Protocol

from flask import Flask, current_app, g, session

from .. import db
from ..auth.sessions import end_session
from ..authz.policy import ANONYMOUS, Actor, Grant, Role
from ..data.delegations import active_for_relative
from ..models import Account, AccountKind, utcnow
from ..plan_api import PlanAPIError

SESSION_KEY = "account_id"
AUTHENTICATED_AT = "authenticated_at"
AUTH_METHOD = "auth_method"
AUTH_LEVEL = "auth_level"
# NSIS levels of assurance in order; sign-in methods without an NSIS notification have none.
LEVELS = ("Low", "Substantial", "High")
STAFF_COVERAGE_KEY = "citizen_app.identity.staff_coverage"


class StaffCoverage(Protocol):
    """Whom a caseworker covers now (services/caseload.Coverage)."""

    @property
    def grants(self) -> tuple[Grant, ...]: ...

    @property
    def unit(self) -> str | None: ...

    @property
    def covering_for(self) -> dict[str, str]: ...


def load_staff_coverage_with(app: Flask, loader: Callable[[str], StaffCoverage]) -> None:
    """`loader(role_ref)`: whom the caseworker with this PractitionerRole covers now; raises PlanAPIError
    when the plan API cannot say."""
    app.extensions[STAFF_COVERAGE_KEY] = loader


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
            g.current_account = (
                account  # held for current_account(): the identity map's hold is weak
            )
            actor = Actor(
                account.id,
                account.kind,
                account.fhir_ref,
                account.display_name,
                grants=_grants(account),
            )
    g.actor = actor
    return actor


def _grants(account: Account) -> tuple[Grant, ...]:
    """The relations in force today, as of this request: a revocation works on the next one."""
    if account.kind is AccountKind.CASEWORKER:
        loader = current_app.extensions.get(STAFF_COVERAGE_KEY)
        if loader is None:
            return ()  # no way to know whom they cover: deny
        try:
            found = loader(account.fhir_ref)
        except PlanAPIError:
            return ()  # without the plan API nobody can be shown to cover anyone: deny
        g.staff_unit = found.unit
        g.covering_for = found.covering_for
        return found.grants
    if account.kind is not AccountKind.RELATIVE:
        return ()
    return tuple(
        Grant(
            citizen_ref=d.citizen_ref,
            role=Role(d.kind.value),
            scopes=frozenset(d.scopes.split()),
            author_ref=d.related_person_ref,
            delegation_id=d.id,
        )
        for d in active_for_relative(db.session(), account.id, date.today())
    )


def current_account() -> Account | None:
    actor = current_actor()
    if actor.anonymous:
        return None
    held = g.get("current_account")
    if held is not None and held.id == actor.account_id:
        return held
    return db.session().get(Account, actor.account_id)


def session_id() -> uuid.UUID | None:
    return getattr(session, "row_id", None)


def sign_in(account: Account, method: str = "passkey", level: str | None = None) -> None:
    """A new session id at every sign-in: whatever an attacker planted before is worth nothing after.

    The session records how it was established and at what NSIS level (kept on its row, see auth.sessions)."""
    drafts = {k: v for k, v in session.items() if k.startswith("draft:")}
    pending = drafts.get("draft:pending")
    if isinstance(pending, dict) and pending.get("owner") != str(account.id):
        drafts.pop("draft:pending")  # words kept for another account never reach this one
    session.clear()
    session.update(drafts)
    session[SESSION_KEY] = str(account.id)
    session[AUTHENTICATED_AT] = utcnow().isoformat()
    session[AUTH_METHOD] = method
    if level:
        session[AUTH_LEVEL] = level
    session.rotate = True  # type: ignore[attr-defined]
    g.pop("actor", None)
    g.pop("current_account", None)


def session_level() -> str | None:
    """The NSIS level this session was established at, if any."""
    level = session.get(AUTH_LEVEL)
    return level if level in LEVELS else None


def meets_level(required: str | None) -> bool:
    """Whether this session's level is at least `required` (None: any sign-in will do)."""
    if not required:
        return True
    level = session_level()
    return level is not None and LEVELS.index(level) >= LEVELS.index(required)


def confirm_presence() -> None:
    """The person just proved it is them again (a passkey ceremony): sensitive changes are allowed a while."""
    session[AUTHENTICATED_AT] = utcnow().isoformat()


def recently_authenticated() -> bool:
    raw = session.get(AUTHENTICATED_AT)
    try:
        when = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        when = None
    window = timedelta(minutes=current_app.config["RECENT_SIGN_IN_MINUTES"])
    return when is not None and utcnow() - when < window


def sign_out() -> None:
    row_id = session_id()
    if row_id is not None:
        db_session = db.session()
        end_session(db_session, row_id, "sign-out")
        db_session.flush()
    session.clear()
    session.row_id = None  # type: ignore[attr-defined]
    g.pop("actor", None)
    g.pop("current_account", None)
