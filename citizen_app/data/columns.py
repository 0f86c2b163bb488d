"""A database row as the values of its loaded columns: what the page memo (views/_memo.py) keys a row by, so a
view need not know SQLAlchemy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable


def column_values(value: object) -> tuple[tuple[str, Any], ...] | None:
    """(column, value) for each column of a mapped row; None when `value` is not a mapped row, or when a
    column is not loaded (expired, deferred): such a row is not keyed by a part of it."""
    try:
        state = inspect(value)
    except NoInspectionAvailable:
        return None
    mapper = getattr(state, "mapper", None)
    if mapper is None or not hasattr(state, "unloaded"):
        return None
    if state.unloaded & {c.key for c in mapper.column_attrs}:
        return None  # expired or deferred: its values are not known without a query
    loaded = state.dict
    return tuple((c.key, loaded.get(c.key)) for c in mapper.column_attrs)
