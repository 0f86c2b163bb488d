"""For a person who acts for several citizens: choose whose plan, explicitly. One at a time."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask import Response as FlaskResponse

from .. import db
from ..authz import Action
from ..data.delegations import citizen_names
from ..forms.common import PlainForm
from ..identity import current_actor
from ._guard import ACTING_FOR, guarded
from .safety import safe_next

bp = Blueprint("acting", __name__)


@bp.get("/acting-for")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Delegation")
def choose() -> str:
    actor = current_actor()
    names = citizen_names(db.session(), [g.citizen_ref for g in actor.grants])
    return render_template(
        "acting/choose.html",
        grants=[g for g in actor.grants if g.delegation_id],
        names=names,
        chosen=session.get(ACTING_FOR),
        next=safe_next(request.args.get("next"), url_for("citizen.plan")),
        form=PlainForm(),
    )


@bp.post("/acting-for")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Delegation")
def choose_post() -> FlaskResponse:
    actor = current_actor()
    wanted = request.form.get("delegation", "")
    if not PlainForm().validate_on_submit():
        abort(400)
    if not any(str(g.delegation_id) == wanted for g in actor.grants):
        abort(404)
    session[ACTING_FOR] = wanted
    return redirect(safe_next(request.form.get("next"), url_for("citizen.plan")), code=303)
