"""A database row as the values of its loaded columns: what the page memo (views/_memo.py) keys a row by, so a
view need not know SQLAlchemy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable


def column_values(value: object) -> tuple[tuple[str, Any], ...] | None:
    """(column, value) for each loaded column of a mapped row; None when `value` is not a mapped row."""
    try:
        state = inspect(value)
    except NoInspectionAvailable:
        return None
    mapper = getattr(state, "mapper", None)
    if mapper is None or not hasattr(state, "unloaded"):
        return None
    loaded = state.dict
    unloaded = state.unloaded
    return tuple((c.key, loaded.get(c.key)) for c in mapper.column_attrs if c.key not in unloaded)
