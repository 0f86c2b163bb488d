"""Guardians and parents registered by the caseworker, and the citizen's activation code."""

from __future__ import annotations

import uuid

from flask import Response as FlaskResponse
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    url_for,
)
from flask_babel import gettext as _

from ... import db
from ...auth import activation
from ...authz import Action
from ...data import accounts as account_data
from ...forms.caseworker import (
    RegisterRepresentativeForm,
)
from ...forms.common import PlainForm
from ...identity import current_account, current_actor
from ...models import Delegation, DelegationKind
from ...services import delegations as delegation_service
from .._guard import current_citizen_ref, current_resource, delegation, guarded
from . import bp
from ._common import _reading, _render_citizen


@bp.post("/citizens/<uuid:patient_id>/representatives")
@guarded(Action.CASE_REVIEW, "Delegation")
def register_representative(patient_id: uuid.UUID) -> tuple[str, int]:
    """A guardian or a parent with custody: all scopes, registered here, ended only here."""
    reading = _reading()
    form = RegisterRepresentativeForm()
    citizen = account_data.by_fhir_ref(db.session(), current_citizen_ref())
    if citizen is None:
        abort(404)
    if not form.validate_on_submit():
        return _render_citizen(reading, 400, submitted=form)
    _delegation, code = delegation_service.invite(
        db.session(),
        citizen=citizen,
        name=form.name.data or "",
        contact="",
        scopes={"read", "write", "message"},
        ends_on=form.ends_on.data,
        secret_key=current_app.config["SECRET_KEY"],
        kind=DelegationKind(form.kind.data),
        created_by=current_actor().account_id,
        decision_note=form.decision.data or "",
    )
    return _render_citizen(reading, invitation=(form.name.data, code))


@bp.post("/citizens/<uuid:patient_id>/representatives/<uuid:delegation_id>/end")
@guarded(Action.CASE_REVIEW, "Delegation", resource=delegation)
def end_representative(patient_id: uuid.UUID, delegation_id: uuid.UUID) -> FlaskResponse:
    """A guardian's or a parent's, of this citizen: the policy refuses a relative's (the citizen's own)."""
    found: Delegation = current_resource()
    if not PlainForm().validate_on_submit():
        abort(404)
    delegation_service.revoke(db.session(), found, by=current_account())
    flash(_("%(name)s can no longer act for the citizen.", name=found.name))
    return redirect(url_for("caseworker.citizen", patient_id=patient_id), code=303)


@bp.post("/citizens/<uuid:patient_id>/activation-code")
@guarded(Action.CASE_REVIEW, "ActivationCode")
def activation_code(patient_id: uuid.UUID) -> tuple[str, int]:
    reading = _reading()
    if not PlainForm().validate_on_submit():
        abort(400)
    citizen = account_data.by_fhir_ref(db.session(), current_citizen_ref())
    if citizen is None:
        abort(404)
    code, expires = activation.issue(
        db.session(),
        citizen,
        secret_key=current_app.config["SECRET_KEY"],
        days=current_app.config["ACTIVATION_CODE_DAYS"],
        issued_by=current_actor().account_id,
    )
    return _render_citizen(reading, code=(code, expires))
