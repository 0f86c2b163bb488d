"""The citizen's overview of who may act for them: invite, change, renew, revoke."""

from __future__ import annotations

import uuid

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import db
from ...authz import Action, guarded
from ...data import delegations as delegation_data
from ...forms.common import PlainForm
from ...forms.delegations import ChangeForm, InviteForm
from ...identity import current_account
from ...models import Delegation, DelegationKind
from ...services import delegations
from . import bp


def _own(delegation_id: uuid.UUID) -> Delegation:
    account = current_account()
    found = delegation_data.one_of_citizen(db.session(), account.id, delegation_id)
    if found is None:
        abort(404)
    return found


@bp.get("/delegations")
@guarded(Action.DELEGATION_MANAGE, "Delegation")
def delegations_overview() -> str:
    account = current_account()
    return render_template(
        "citizen/delegations.html",
        delegations=delegation_data.of_citizen(db.session(), account.id),
        form=PlainForm(),
    )


@bp.route("/delegations/new", methods=["GET", "POST"])
@guarded(Action.DELEGATION_MANAGE, "Delegation")
def invite() -> str | tuple[str, int]:
    form = InviteForm()
    if request.method == "GET":
        form.scopes.data = ["read"]
    if form.validate_on_submit():
        delegation, code = delegations.invite(
            db.session(),
            citizen=current_account(),
            name=form.name.data or "",
            contact=form.contact.data or "",
            scopes=set(form.scopes.data or []),
            ends_on=form.ends_on.data,
            secret_key=current_app.config["SECRET_KEY"],
        )
        return render_template("citizen/delegation_code.html", delegation=delegation, code=code)
    return render_template("citizen/delegation_form.html", form=form, delegation=None), (
        400 if form.errors else 200
    )


@bp.route("/delegations/<uuid:delegation_id>", methods=["GET", "POST"])
@guarded(Action.DELEGATION_MANAGE, "Delegation")
def change(delegation_id: uuid.UUID) -> str | FlaskResponse | tuple[str, int]:
    delegation = _own(delegation_id)
    if delegation.kind is not DelegationKind.RELATIVE:
        abort(404)
    form = ChangeForm()
    if request.method == "GET":
        form.scopes.data = sorted(delegation.scope_set)
        form.ends_on.data = delegation.ends_on
    if form.validate_on_submit():
        delegations.change(
            db.session(), delegation, scopes=set(form.scopes.data or []), ends_on=form.ends_on.data
        )
        flash(_("The change works from %(name)s's next visit.", name=delegation.name))
        return redirect(url_for("citizen.delegations_overview"), code=303)
    return render_template("citizen/delegation_form.html", form=form, delegation=delegation), (
        400 if form.errors else 200
    )


@bp.post("/delegations/<uuid:delegation_id>/revoke")
@guarded(Action.DELEGATION_MANAGE, "Delegation")
def revoke(delegation_id: uuid.UUID) -> FlaskResponse:
    delegation = _own(delegation_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        delegations.revoke(db.session(), delegation, by=current_account())
    except delegations.DelegationError:
        flash(_("Only your caseworker can end this. Call them if you want it to end."))
        return redirect(url_for("citizen.delegations_overview"), code=303)
    flash(_("%(name)s can no longer act for you.", name=delegation.name))
    return redirect(url_for("citizen.delegations_overview"), code=303)
