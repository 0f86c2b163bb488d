""" "Insert if missing" without a race: INSERT … ON CONFLICT on SQLite and PostgreSQL.

Two requests that both find a row missing (two first reads of the same plan, a double-clicked form)
would both INSERT, and the second would fail on the unique key with a 500. These statements let the
database decide: the loser's insert does nothing, or updates the row the winner made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(db_session: Session, model: type) -> Any:
    dialect = db_session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"No upsert for the {dialect} dialect")


def insert_missing(
    db_session: Session, model: type, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Insert the rows whose `keys` are not taken yet; leave the others as they are."""
    if not rows:
        return
    db_session.execute(
        _insert(db_session, model)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=list(keys))
    )


def upsert(db_session: Session, model: type, row: dict[str, Any], keys: Sequence[str]) -> None:
    """Insert the row, or, when its `keys` are taken, set the row's other columns to these values."""
    statement = _insert(db_session, model).values(row)
    changed = {name: statement.excluded[name] for name in row if name not in keys}
    db_session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changed))
