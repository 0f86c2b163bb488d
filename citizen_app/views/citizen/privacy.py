"""Who has looked at my plan, and my data to download."""

from __future__ import annotations

import json

from flask import Response as FlaskResponse
from flask import render_template

from ... import db
from ...authz import Action
from ...data import audit as audit_data
from ...identity import current_account
from ...services.my_data import export
from .._guard import current_citizen_ref, guarded
from . import bp


@bp.get("/who-has-looked")
@guarded(Action.ACCESS_LOG_READ, "AuditEvent")
def access_log() -> str:
    account = current_account()
    events = audit_data.for_citizen(db.session(), current_citizen_ref())
    # Others' looks are what this page is for: first. The person's own visits are folded away below.
    others = [(event, name) for event, name in events if event.actor_account_id != account.id]
    own = [(event, name) for event, name in events if event.actor_account_id == account.id]
    return render_template("citizen/access_log.html", others=others, own=own)


@bp.get("/my-data")
@guarded(Action.MY_DATA_EXPORT, "Export")
def my_data() -> str:
    data = export(db.session(), current_account())
    return render_template("citizen/my_data.html", data=data)


@bp.get("/my-data.json")
@guarded(Action.MY_DATA_EXPORT, "Export")
def my_data_json() -> FlaskResponse:
    data = export(db.session(), current_account())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return FlaskResponse(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="borgerens-plan-my-data.json"'},
    )
