"""The portal's own database: one engine per app, one session per request or per worker loop."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

EXTENSION_KEY = "citizen_app.db"


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
