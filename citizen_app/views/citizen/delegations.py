"""The citizen's overview of who may act for them: invite, change, renew, revoke."""

from __future__ import annotations

import uuid

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import db
from ...authz import Action
from ...data import delegations as delegation_data
from ...forms.common import PlainForm
from ...forms.delegations import ChangeForm, InviteForm
from ...identity import current_account
from ...models import Delegation
from ...services import delegations
from .._guard import current_resource, delegation, guarded
from . import bp


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
@guarded(Action.DELEGATION_MANAGE, "Delegation", resource=delegation)
def change(delegation_id: uuid.UUID) -> str | FlaskResponse | tuple[str, int]:
    """Only a relative the citizen invited: the policy refuses a guardian's, a parent's or someone else's."""
    found: Delegation = current_resource()
    form = ChangeForm()
    if request.method == "GET":
        form.scopes.data = sorted(found.scope_set)
        form.ends_on.data = found.ends_on
    if form.validate_on_submit():
        delegations.change(
            db.session(), found, scopes=set(form.scopes.data or []), ends_on=form.ends_on.data
        )
        flash(_("The change works from %(name)s's next visit.", name=found.name))
        return redirect(url_for("citizen.delegations_overview"), code=303)
    return render_template("citizen/delegation_form.html", form=form, delegation=found), (
        400 if form.errors else 200
    )


@bp.post("/delegations/<uuid:delegation_id>/revoke")
@guarded(Action.DELEGATION_MANAGE, "Delegation", resource=delegation)
def revoke(delegation_id: uuid.UUID) -> FlaskResponse:
    """A relative the citizen invited; a guardian's or a parent's is refused by the policy (a caseworker's)."""
    found: Delegation = current_resource()
    if not PlainForm().validate_on_submit():
        abort(400)
    delegations.revoke(db.session(), found, by=current_account())
    flash(_("%(name)s can no longer act for you.", name=found.name))
    return redirect(url_for("citizen.delegations_overview"), code=303)
