"""Engine and sessions of the plan service's own database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from plan_service.models import Base

SQLITE_BUSY_TIMEOUT_MS = 5000


def default_database_url() -> str:
    return f"sqlite:///{(Path.cwd() / 'instance' / 'plan_service.sqlite').resolve()}"


def _is_sqlite_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


def create_db_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if _is_sqlite_memory(url):
        # Each pooled connection would see its own empty database; the threaded server needs a
        # file that every thread shares.
        raise ValueError("The plan service needs a file-based SQLite database, not :memory:")
    Path(url.database or "").parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # WAL lets readers run while one thread writes; busy_timeout makes a second writer
            # wait for the lock instead of failing at once.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return engine


class Database:
    """The engine, a session factory, and the tables created on first use."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_db_engine(database_url)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine)
        Base.metadata.create_all(self.engine)

    def session(self) -> Session:
        return self.sessions()

    def dispose(self) -> None:
        self.engine.dispose()
