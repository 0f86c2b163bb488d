"""Nothing typed is lost when a session ends mid-form.

When a signed-in person's POST arrives after their session timed out, or with an expired form token, errors.py
keeps its fields under "draft:pending" for that account alone (never for an anonymous POST, never for one from
another site) and sends the person to sign in; `identity.sign_in` carries "draft:" keys across. Back on
the same page, `restore_pending` puts the words back into the form.
"""

from __future__ import annotations

from typing import Any

from flask import request, session

PENDING = "draft:pending"
FIELDS_LIMIT = 50
VALUE_LIMIT = 10_000


def keep_pending(path: str, fields: list[tuple[str, str]], owner: str) -> None:
    """Keep the words for `owner` (an account id) alone: only that account's session gets them back."""
    session[PENDING] = {
        "path": path,
        "owner": owner,
        "fields": {k: v[:VALUE_LIMIT] for k, v in fields[:FIELDS_LIMIT] if k != "csrf_token"},
    }


def restore_pending(form: Any) -> bool:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("path") != request.path:
        return False
    if pending.get("owner") != session.get("account_id"):
        session.pop(PENDING, None)  # kept for someone else: never shown to this person
        return False
    session.pop(PENDING, None)
    fields = pending.get("fields") or {}
    for name, value in fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "data") and name != "csrf_token":
            # As if typed: a date or choice field parses the text the way it does a POST.
            try:
                field.process_formdata([value])
            except ValueError:
                field.data = None
            field.raw_data = [value]
    return True
