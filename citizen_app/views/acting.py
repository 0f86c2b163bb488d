"""For a person who acts for others: choose whose plan, explicitly (one at a time), and end one's own access.

Ending: a relative ends the delegation he acts through himself (the policy allows it for a relative's own
delegation only, `Action.OWN_ACCOUNT_MANAGE` on its facts). A page says what happens, a form confirms, a page
says it is done. The citizen gets a receipt (and the content-free notice when they opted in); the access log
gets an event for the citizen, so "Who has looked" shows it.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask import Response as FlaskResponse

from .. import db
from ..audit import record
from ..authz import Action, Decision, Role
from ..data.delegations import citizen_names
from ..forms.common import PlainForm
from ..identity import current_account, current_actor
from ..models import Delegation, utcnow
from ..services import delegations
from ._guard import ACTING_FOR, current_resource, delegation, guarded
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


def _name_of(found: Delegation) -> str:
    return citizen_names(db.session(), [found.citizen_ref]).get(found.citizen_ref, "")


@bp.get("/acting-for/<uuid:delegation_id>/end")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Delegation", resource=delegation)
def end_access(delegation_id: uuid.UUID) -> str | FlaskResponse:
    """What ending one's own access means, and the button. Already ended: the page that says so."""
    found: Delegation = current_resource()
    if not found.active_on(utcnow().date()):
        return redirect(url_for("acting.access_ended", delegation_id=delegation_id), code=303)
    others = [g for g in current_actor().grants if g.delegation_id != found.id]
    return render_template(
        "acting/end.html", delegation=found, name=_name_of(found), others=others, form=PlainForm()
    )


@bp.post("/acting-for/<uuid:delegation_id>/end")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Delegation", resource=delegation)
def end_access_post(delegation_id: uuid.UUID) -> FlaskResponse:
    found: Delegation = current_resource()
    if not PlainForm().validate_on_submit():
        abort(400)
    actor = current_actor()
    if delegations.end_own(db.session(), found, relative=current_account()):
        # For the citizen's access log: who ended it, as what, for whom (the guard's own event is about the
        # relative's account, with no citizen). A second press ends nothing and writes no second event.
        record(
            actor,
            "delegation:ended-by-relative",  # worded in labels.AUDIT_ACTION
            "Delegation",
            found.citizen_ref,
            Decision(True, Role.RELATIVE.value),
        )
    if session.get(ACTING_FOR) == str(found.id):
        session.pop(ACTING_FOR)
    return redirect(url_for("acting.access_ended", delegation_id=delegation_id), code=303)


@bp.get("/acting-for/<uuid:delegation_id>/ended")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Delegation", resource=delegation)
def access_ended(delegation_id: uuid.UUID) -> str | FlaskResponse:
    """Done: the access has ended; the delegations the account still holds go on as before."""
    found: Delegation = current_resource()
    if found.active_on(utcnow().date()):
        return redirect(url_for("acting.end_access", delegation_id=delegation_id), code=303)
    others = list(current_actor().grants)
    names = citizen_names(db.session(), [found.citizen_ref, *(g.citizen_ref for g in others)])
    return render_template(
        "acting/end_done.html",
        name=names.get(found.citizen_ref, ""),
        by_self=found.revoked_by == found.relative_account_id,
        others=others,
        names=names,
    )
