"""The access log: one append-only event per access to a citizen's data. Content never goes in it.

An event is kept on the request's session (`Session.info`) and INSERTed when that session commits, in the same
transaction as the request's own writes (one transaction per request, citizen_app/db.py). When the request is
refused or fails, its writes roll back and its events alone are written in a short transaction of their own
(`write_alone`): a refused or failed request leaves exactly its audit events. Nothing is INSERTed before the
commit, so a request holds no write lock for its audit event while it works (SQLite locks the whole file).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from flask import g
from sqlalchemy import Insert, String, Text, bindparam, cast, event, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from .. import db
from ..authz.policy import Actor, Decision
from ..models import Account, AccountKind, AuditEvent, utcnow

if TYPE_CHECKING:
    from ..authz.policy import Actor, Decision

PENDING = "citizen_app.audit.pending"
_WRITTEN = "citizen_app.audit.written"


def _add(session: Session, rows: list[dict[str, Any]]) -> None:
    session.info.setdefault(PENDING, []).extend(rows)


def pending(session: Session) -> list[dict[str, Any]]:
    """The events of this session not yet committed."""
    return list(session.info.get(PENDING, ()))


def take_pending(session: Session) -> list[dict[str, Any]]:
    """The events not yet committed, taken off the session (for `write_alone` after a rollback)."""
    session.info.pop(_WRITTEN, None)
    return session.info.pop(PENDING, [])


def write_alone(session: Session, rows: list[dict[str, Any]]) -> None:
    """A refused or failed request's events, in a transaction of their own (the caller's fresh session)."""
    if rows:
        _insert(session, rows)
        session.commit()


def record(
    actor: Actor,
    action: str,
    resource_type: str,
    citizen_ref: str | None,
    decision: Decision,
) -> None:
    """The event goes with the request's transaction: committed with its writes, or alone when it fails."""
    _add(
        db.session(),
        [
            {
                "at": utcnow(),
                "actor_account_id": actor.account_id,
                "actor_role": decision.role,
                "actor_unit": g.get("staff_unit"),
                "citizen_ref": citizen_ref,
                "action": action,
                "resource_type": resource_type,
                "outcome": "allowed" if decision.allowed else "denied",
            }
        ],
    )


# A list page showed the citizen's name (and what waits) to a caseworker: one event per citizen named.
LISTED_IN_CASELOAD = "caseworker:caseload:listed"
NAMED_ON_TEAM_PAGE = "caseworker:team:named"


def record_listed(actor: Actor, action: str, resource_type: str, roles: dict[str, str]) -> None:
    """One event per citizen a list page names, `roles` = {citizen_ref: the actor's role for them}, written
    in one INSERT with the request's other events: the page's query count does not grow with the number of
    citizens it lists."""
    now = utcnow()
    _add(
        db.session(),
        [
            {
                "at": now,
                "actor_account_id": actor.account_id,
                "actor_role": role,
                "actor_unit": g.get("staff_unit"),
                "citizen_ref": citizen_ref,
                "action": action,
                "resource_type": resource_type,
                "outcome": "allowed",
            }
            for citizen_ref, role in roles.items()
        ],
    )


def record_account_event(
    account: Account | None, action: str, resource_type: str, outcome: str
) -> None:
    """Sign-in events: who (if known), the action, allowed or refused. Never the code or the credential."""
    is_citizen = account is not None and account.kind is AccountKind.CITIZEN
    _add(
        db.session(),
        [
            {
                "at": utcnow(),
                "actor_account_id": account.id if account else None,
                "actor_role": account.kind.value if account else "anonymous",
                "actor_unit": None,
                "citizen_ref": account.fhir_ref if is_citizen else None,
                "action": action,
                "resource_type": resource_type,
                "outcome": outcome,
            }
        ],
    )


_COLUMNS = (
    "at",
    "actor_account_id",
    "actor_role",
    "actor_unit",
    "citizen_ref",
    "action",
    "resource_type",
    "outcome",
)


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """One statement whatever the number of rows. On PostgreSQL several rows go as one array per column
    (`INSERT … SELECT FROM unnest(…)`): a list page's 50 events are one statement to plan and run, where
    `executemany` sent 50 (it cost the portal and the database about twice as much). Elsewhere, and for one
    row, a plain (Core) INSERT."""
    known = set(_COLUMNS)
    if (
        len(rows) > 1
        and session.get_bind().dialect.name == "postgresql"
        and all(row.keys() <= known for row in rows)
    ):
        defaults = {"outcome": "allowed"}
        session.execute(
            _unnest_insert(),
            {name: [row.get(name, defaults.get(name)) for row in rows] for name in _COLUMNS},
        )
        return
    session.execute(insert(AuditEvent.__table__), rows)


@functools.cache
def _unnest_insert() -> Insert:
    table = AuditEvent.__table__
    # Text columns go as text[]: a cast to varchar(n)[] would cut a long value without a word, where the
    # INSERT's own conversion refuses it, as the one-row INSERT does.
    arrays = [
        cast(
            bindparam(name),
            ARRAY(Text if isinstance(table.c[name].type, String) else table.c[name].type),
        )
        for name in _COLUMNS
    ]
    source = func.unnest(*arrays).table_valued(*_COLUMNS).render_derived(name="events")
    return insert(table).from_select(list(_COLUMNS), select(*(source.c[n] for n in _COLUMNS)))


@event.listens_for(Session, "before_commit")
def _insert_pending(session: Session) -> None:
    rows = session.info.get(PENDING)
    if rows:
        # One INSERT for all of the request's events, in the transaction being committed.
        _insert(session, rows)
        session.info[_WRITTEN] = len(rows)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    written = session.info.pop(_WRITTEN, 0)
    if written:
        del session.info[PENDING][:written]


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(
        _WRITTEN, None
    )  # the INSERT went with the rollback: the events are still pending


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context: object, _instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError("the access log is append-only")
