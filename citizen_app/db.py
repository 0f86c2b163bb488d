"""The portal's own database: one engine per app, one session per request or per worker loop.

One transaction per request: services and data functions only add and flush; the request commits once, after
a successful response (any status below 400), and rolls back otherwise. Its audit events commit with it, or,
when it is refused or fails, alone in a short transaction of their own (citizen_app/audit). This floor knows
neither the access log nor the error pages: where the app is assembled (`create_app`), the access log registers
what outlives a rollback (`keep_through_rollback`) and the error pages how a failed commit is answered
(`answer_failed_commit_with`). Background work
(the outbox worker, CLI commands, `standalone_session`) commits at its own boundary. The few places that must
commit before the request ends call `commit_now` with the reason (listed in docs/transactions.md;
tests/meta/test_transactions.py knows them by name).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

EXTENSION_KEY = "citizen_app.db"
KEPT_KEY = "citizen_app.db.kept_through_rollback"
FAILED_COMMIT_KEY = "citizen_app.db.failed_commit"
# take(session) → what must be kept, taken off the request's session before its rollback;
# write(alone, taken) → written in a short transaction of its own (committed by `write`).
Take = Callable[[Session], list[Any]]
Write = Callable[[Session, list[Any]], None]


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets the request threads read while the dispatcher writes; busy_timeout waits instead of failing.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    engine = create_engine(url, pool_pre_ping=True, future=True)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    app.extensions[EXTENSION_KEY] = factory
    app.teardown_appcontext(_close_session)


def keep_through_rollback(app: Flask, take: Take, write: Write) -> None:
    """What a refused or failed request must still write though its transaction rolls back (its audit
    events): taken off the session before the rollback, written alone after it."""
    app.extensions.setdefault(KEPT_KEY, []).append((take, write))


def answer_failed_commit_with(app: Flask, respond: Callable[[SQLAlchemyError], Response]) -> None:
    """How a request whose commit fails is answered (the error pages: 503 when the database is down)."""
    app.extensions[FAILED_COMMIT_KEY] = respond


def session_factory(app: Flask | None = None) -> sessionmaker[Session]:
    return (app or current_app).extensions[EXTENSION_KEY]


def engine(app: Flask | None = None) -> Engine:
    bind = session_factory(app).kw["bind"]
    assert isinstance(bind, Engine)
    return bind


def session() -> Session:
    """The session of the current request (or CLI command); closed when the app context ends."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session


def commit_now(db_session: Session, why: str) -> None:
    """Commit the request's transaction before the request ends, on purpose: `why` says what must survive
    whatever the rest of the request does. Only the places listed in tests/meta/test_transactions.py."""
    del (
        why
    )  # the reason is for the reader (and the meta-test); the effect is the same for every caller
    db_session.commit()


def end_request_transaction(response: Response) -> Response:
    """after_request (registered last, so it runs before the security headers and compression): commit a
    successful request's writes and events at once; roll back a refused or failed one and write its audit
    events alone. A commit that fails is answered like any database error (503 when the database is down)."""
    db_session: Session | None = g.get("db_session")
    if db_session is None:
        return response
    if response.status_code < 400:
        try:
            db_session.commit()
            return response
        except SQLAlchemyError as error:
            _roll_back_and_keep(db_session)
            respond = current_app.extensions.get(FAILED_COMMIT_KEY)
            if respond is None:
                raise
            return respond(error)
    _roll_back_and_keep(db_session)
    return response


def _roll_back_and_keep(db_session: Session) -> None:
    kept = [(write, take(db_session)) for take, write in current_app.extensions.get(KEPT_KEY, ())]
    with contextlib.suppress(SQLAlchemyError):  # the connection is gone; closed at teardown
        db_session.rollback()
    for write, rows in kept:
        if not rows:
            continue
        try:
            with standalone_session(current_app) as alone:  # type: ignore[arg-type]
                write(alone, rows)
        except SQLAlchemyError as error:
            # The database went away: the request was refused or failed anyway. The type only, never values.
            log.error(
                "%s: what a failed request keeps was not written (%s)",
                getattr(write, "__module__", "?"),
                type(error).__name__,
            )


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


@contextmanager
def standalone_session(app: Flask) -> Iterator[Session]:
    """For background threads: a session of its own, committed by the caller, always closed."""
    db_session = session_factory(app)()
    try:
        yield db_session
    finally:
        db_session.close()
