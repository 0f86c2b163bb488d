"""Jinja filters and globals shared by all templates."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime

from flask import Flask, g
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _

from . import labels
from .models import OutboxMessage, OutboxState
from .plan_api.domain import Person


def _date(value: date | None, style: str = "long") -> str:
    return format_date(value, style) if value else ""


def _datetime(value: datetime | None, style: str = "medium") -> str:
    return format_datetime(value, style) if value else ""


def written_by(author: Person | None) -> str:
    """Who wrote something, said from the reader's side: "You wrote it", "Peter Jensen wrote it for you"."""
    if author is None:
        return ""
    if author.reference == g.get("author_ref"):
        return _("You wrote it")
    reader_is_citizen = g.get("author_ref") == g.get("citizen_ref")
    if author.role == "relative":
        if reader_is_citizen:
            return _("%(name)s wrote it for you", name=author.name)
        return _("%(name)s wrote it", name=author.name)
    if author.role == "caseworker":
        return _("%(name)s, caseworker, wrote it", name=author.name)
    return _("%(name)s wrote it", name=author.name) if author.name else ""


def outbox_state(message: OutboxMessage) -> str:
    if message.state is OutboxState.PENDING:
        return _("Waiting to be sent")
    if message.state is OutboxState.DEAD:
        return _("We could not deliver this")
    return _("Sent")


def may_send_again(message: OutboxMessage) -> bool:
    """Whether this reader may send a refused item again: the permission its first sending needed."""
    from .views.citizen.plan import SEND_AGAIN_ACTION

    action = SEND_AGAIN_ACTION.get(message.purpose)
    return action is not None and may(action.value)


def outbox_summary(message: OutboxMessage) -> str:
    """What a waiting item says, in the person's own words where there are any: they recognise it."""
    try:
        body = json.loads(message.body_json)
    except ValueError:
        return ""
    if message.resource_type == "Goal":
        text = (body.get("description") or {}).get("text", "")
    elif message.resource_type == "Communication":
        text = next((p.get("contentString", "") for p in body.get("payload", []) if p), "")
    elif message.resource_type == "Observation":
        code = ((body.get("valueCodeableConcept") or {}).get("coding") or [{}])[0].get("code")
        return str(labels.PROGRESS_SIGNS.get(code, ("", ""))[0])
    else:
        text = ""
    return text if len(text) <= 80 else text[:79] + "…"


def may(action: str) -> bool:
    """Whether this request's actor may do `action` for this request's citizen: to hide controls. The guard
    of the route that the control leads to decides again, whatever the page showed."""
    from .authz import Action, can

    actor = g.get("actor")
    return actor is not None and bool(can(actor, Action(action), g.get("citizen_ref")))


def acting_for_name() -> str:
    from . import db
    from .data.delegations import citizen_names

    ref = g.get("citizen_ref")
    return citizen_names(db.session(), [ref]).get(ref, "") if ref else ""


def unread_messages() -> int:
    from . import db
    from .services.plan_reading import unread_count

    actor = g.get("actor")
    citizen_ref = g.get("citizen_ref")
    if actor is None or actor.anonymous or not citizen_ref or not may("citizen:message:read"):
        return 0
    return unread_count(db.session(), citizen_ref, actor.account_id)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["unread_messages"] = unread_messages
    app.jinja_env.globals["may"] = may
    app.jinja_env.globals["uuid4"] = uuid.uuid4
    app.jinja_env.globals["acting_for_name"] = acting_for_name
    app.jinja_env.filters["scope_label"] = lambda code: str(labels.SCOPES.get(code, code))

    @app.context_processor
    def _today() -> dict[str, date]:
        return {"today": date.today()}

    app.jinja_env.globals["outbox_summary"] = outbox_summary
    app.jinja_env.globals["written_by"] = written_by
    app.jinja_env.globals["outbox_state"] = outbox_state
    app.jinja_env.globals["may_send_again"] = may_send_again
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
    # One decimal in the reader's language: 4,5 in Danish, 4.5 in English.
    app.jinja_env.filters["decimal"] = lambda value: format_decimal(value, format="0.0")
    app.jinja_env.globals["labels"] = labels
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
