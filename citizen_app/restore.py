"""Nothing typed is lost when a session ends mid-form.

When a POST arrives without a valid session or form token, errors.py keeps its fields in the new session
under "draft:pending" and sends the person to sign in; `identity.sign_in` carries "draft:" keys across. Back on
the same page, `restore_pending` puts the words back into the form.
"""

from __future__ import annotations

from typing import Any

from flask import request, session

PENDING = "draft:pending"
FIELDS_LIMIT = 50
VALUE_LIMIT = 10_000


def keep_pending(path: str, fields: list[tuple[str, str]]) -> None:
    session[PENDING] = {
        "path": path,
        "fields": {k: v[:VALUE_LIMIT] for k, v in fields[:FIELDS_LIMIT] if k != "csrf_token"},
    }


def restore_pending(form: Any) -> bool:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("path") != request.path:
        return False
    session.pop(PENDING, None)
    fields = pending.get("fields") or {}
    for name, value in fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "data") and name != "csrf_token":
            field.data = value
    return True
