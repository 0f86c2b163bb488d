"""Server-side sessions in the database, as Flask's session interface.

The cookie carries only a random token (256 bits); the database keeps its SHA-256, the session's data and its
times. A session ends on sign-out, after IDLE_TIMEOUT without a request, after ABSOLUTE_TIMEOUT in all, when the
person signs out everywhere else, or when the account is disabled. An ended session's cookie is useless.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, g
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.datastructures import CallbackDict

from .. import db
from ..db import standalone_session
from ..models import Account, UserSession, utcnow

log = logging.getLogger(__name__)

# Only write last_seen_at when it is this old (at most once a minute): idle timeouts are minutes, a write
# per request is waste.
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class ServerSession(CallbackDict[str, Any], SessionMixin):
    def __init__(
        self,
        data: dict[str, Any] | None = None,
        row_id: uuid.UUID | None = None,
        last_seen_at: datetime | None = None,
        ended_reason: str | None = None,
    ) -> None:
        def on_update(_self: Any) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.row_id = row_id
        self.last_seen_at = last_seen_at
        self.modified = False
        self.rotate = False
        # The portal database could not be reached when the request began: nothing is read or saved, and
        # errors.py answers 503 before any view runs.
        self.unavailable = False
        # Why the previous session of this browser ended, when it just did: "idle" or "absolute".
        self.ended_reason = ended_reason

    @property
    def new(self) -> bool:  # type: ignore[override]
        return self.row_id is None


class DatabaseSessionInterface(SessionInterface):
    def __init__(self, app: Flask) -> None:
        self.idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        self.absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])

    def get_cookie_name(self, app: Flask) -> str:
        return app.config["SESSION_COOKIE_NAME"]

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if not token or len(token) > 100:
            return ServerSession()
        try:
            return self._open(app, token)
        except SQLAlchemyError as exc:
            # Never raise here: Flask opens the session before its error handlers can help. Mark the request,
            # and let errors.py answer 503 (a POST's text kept) before any view runs.
            log.error("session: portal database unavailable (%s)", type(exc).__name__)
            stale = g.pop("db_session", None)
            if stale is not None:
                with contextlib.suppress(SQLAlchemyError):
                    stale.close()
            g.database_unavailable = True
            unavailable = ServerSession()
            unavailable.unavailable = True
            return unavailable

    def _open(self, app: Flask, token: str) -> ServerSession:
        """Read in the request's own session (one connection, one ping, one transaction per request), with
        the signed-in account in the same query: `current_actor()` then finds it without asking again."""
        db_session = db.session()
        found = db_session.execute(
            select(UserSession, Account)
            .outerjoin(Account, Account.id == UserSession.account_id)
            .where(UserSession.token_hash == token_hash(token))
        ).first()
        row, account = found if found is not None else (None, None)
        if row is None or row.ended_at is not None:
            return ServerSession()
        now = utcnow()
        expired = self._expiry_reason(row, now)
        if expired:
            # Ended at once in a transaction of its own, whatever the request then does.
            with standalone_session(app) as alone:
                _end(alone, row.id, expired, now)
                alone.commit()
            g.session_ended = {"reason": expired, "account_id": row.account_id}
            return ServerSession(ended_reason=expired)
        if account is not None:
            g.session_account = (
                account  # a strong reference: the identity map alone holds it weakly
            )
        try:
            data = json.loads(row.data_json)
        except ValueError:
            data = {}
        return ServerSession(data, row.id, row.last_seen_at)

    def _expiry_reason(self, row: UserSession, now: datetime) -> str | None:
        if now - row.created_at > self.absolute:
            return "absolute"
        if now - row.last_seen_at > self.idle:
            return "idle"
        return None

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        if session.unavailable:
            return
        try:
            self._save(app, session, response)
        except SQLAlchemyError as exc:
            # The database went away during the request: the session keeps its last saved state.
            log.error("session: could not be saved (%s)", type(exc).__name__)

    def _save(self, app: Flask, session: ServerSession, response: Response) -> None:
        name = self.get_cookie_name(app)
        if g.get("session_untouched"):
            return  # a refused cross-site or anonymous POST: no new session, no change to this one
        if session.new and not session:
            if session.ended_reason:
                response.delete_cookie(name, path="/")
            return
        now = utcnow()
        data = json.dumps(dict(session), ensure_ascii=True, separators=(",", ":"), default=str)
        account_id = _account_id(session)
        with standalone_session(app) as db_session:
            if session.new or session.rotate:
                token = secrets.token_urlsafe(32)
                if session.row_id is not None:
                    _end(db_session, session.row_id, "rotated", now)
                row = UserSession(
                    token_hash=token_hash(token),
                    account_id=account_id,
                    data_json=data,
                    created_at=now,
                    last_seen_at=now,
                    authenticated_at=now if account_id else None,
                    auth_method=str(session.get("auth_method") or "")[:20] or None,
                    auth_level=str(session.get("auth_level") or "")[:20] or None,
                )
                db_session.add(row)
                db_session.commit()
                session.row_id, session.rotate = row.id, False
                self._set_cookie(app, response, token)
            elif session.modified or now - (session.last_seen_at or now) > TOUCH_EVERY:
                values: dict[str, Any] = {"last_seen_at": now, "account_id": account_id}
                if session.modified:
                    values["data_json"] = data
                db_session.execute(
                    update(UserSession)
                    .where(UserSession.id == session.row_id, UserSession.ended_at.is_(None))
                    .values(**values)
                )
                db_session.commit()

    def _set_cookie(self, app: Flask, response: Response, token: str) -> None:
        response.set_cookie(
            self.get_cookie_name(app),
            token,
            httponly=True,
            secure=app.config["SESSION_COOKIE_SECURE"],
            samesite="Lax",
            path="/",
        )


def _account_id(session: ServerSession) -> uuid.UUID | None:
    raw = session.get("account_id")
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def _end(db_session: Session, row_id: uuid.UUID, reason: str, now: datetime) -> None:
    db_session.execute(
        update(UserSession)
        .where(UserSession.id == row_id, UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


def end_session(db_session: Session, row_id: uuid.UUID, reason: str) -> None:
    _end(db_session, row_id, reason, utcnow())


def end_sessions_of(
    db_session: Session, account_id: uuid.UUID, reason: str, keep: uuid.UUID | None = None
) -> int:
    """End every open session of an account (but `keep`); returns how many ended."""
    stmt = (
        update(UserSession)
        .where(UserSession.account_id == account_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep)
    return db_session.execute(stmt).rowcount or 0


def init_app(app: Flask) -> None:
    app.session_interface = DatabaseSessionInterface(app)
