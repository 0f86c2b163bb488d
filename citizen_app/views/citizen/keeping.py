"""Nothing typed is lost, for a form that is sent at once (a reply, my words on a goal, a progress sign, contact
feedback, a complaint): what is typed goes to the server draft (citizen_app/data/drafts.py) as it is typed
(static/js/keep.js posts the form with go=keep) or by the "Save and come back later" button (go=later, no
script needed), and is put back into the form on the next visit, on any device the same person signs in on.

One draft per kind of form and person (account) and plan; `scope` (a goal, a conversation) keeps the words for
one form apart from the words for another of the same kind. Sending the form takes its words out of the draft.
"""

from __future__ import annotations

from typing import Any

from flask import Response as FlaskResponse
from flask import flash, redirect, request
from flask_babel import gettext as _

from ... import db
from ...data import drafts
from ...identity import current_actor
from ...restore import VALUE_LIMIT, restore_pending
from .._guard import current_citizen_ref
from . import kept

NOT_KEPT = {"csrf_token", "go"}


def _names(form: Any) -> list[str]:
    return [field.name for field in form if field.name not in NOT_KEPT]


def _key(scope: str, name: str) -> str:
    return f"{scope}:{name}" if scope else name


def restore(form: Any, kind: str, scope: str = "") -> None:
    """On a GET: the words of a failed send (restore_pending) if any, else the words kept in the draft."""
    if restore_pending(form):
        return
    actor = current_actor()
    saved = drafts.answers(drafts.find(db.session(), actor.account_id, current_citizen_ref(), kind))
    for name in _names(form):
        value = saved.get(_key(scope, name), "")
        if not value:
            continue  # nothing kept: the field keeps its default (today's date, say)
        field = form[name]
        try:  # as if typed: a date or choice field parses the text the way it does a POST
            field.process_formdata([value])
        except ValueError:
            field.data = None
        field.raw_data = [value]


def keep(form: Any, kind: str, scope: str = "", *, later: str) -> FlaskResponse | None:
    """On a POST with go=keep or go=later (CSRF already checked): save what was typed, as typed, before any
    other check, and answer; `later` is where "Save and come back later" leads. None for any other POST."""
    go = request.form.get("go")
    if go not in ("keep", "later"):
        return None
    actor = current_actor()
    drafts.save(
        db.session(),
        account_id=actor.account_id,
        citizen_ref=current_citizen_ref(),
        kind=kind,
        step=kind,
        updates={
            _key(scope, name): request.form.get(name, "")[:VALUE_LIMIT] for name in _names(form)
        },
    )
    if go == "keep":
        return kept()
    flash(
        _("What you have written is saved. You can come back to it later, also on another device.")
    )
    return redirect(later, code=303)


def forget(form: Any, kind: str, scope: str = "") -> None:
    """After a send: these words are no longer a draft."""
    actor = current_actor()
    drafts.forget(
        db.session(),
        actor.account_id,
        current_citizen_ref(),
        kind,
        [_key(scope, name) for name in _names(form)],
    )
