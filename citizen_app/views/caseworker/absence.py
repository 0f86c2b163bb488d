"""My absence and substitute."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ... import db
from ...authz import Action
from ...data import accounts as account_data
from ...forms.caseworker import (
    AbsenceForm,
)
from ...identity import current_account
from ...plan_api import PlanAPIConflict, PlanAPIError
from ...services import absence as absence_service
from ...services import review
from ...services.plan_reading import plan_client
from .._guard import guarded, own_absence
from . import bp


@bp.route("/absence", methods=["GET", "POST"])
@guarded(Action.ABSENCE_MANAGE, "PractitionerRole", resource=own_absence)
def absence() -> str | FlaskResponse | tuple[str, int]:
    me = current_account()
    colleagues = [a for a in account_data.caseworkers(db.session()) if a.id != me.id]
    form = AbsenceForm()
    form.substitute.choices = [("", _("Nobody"))] + [
        (a.fhir_ref, a.display_name) for a in colleagues
    ]
    names = {a.fhir_ref: a.display_name for a in colleagues}
    if form.validate_on_submit():
        version = form.version.data or ""
        if not version.isdigit():
            abort(400)
        chosen = (
            form.substitute.data
            if form.substitute.data in {a.fhir_ref for a in colleagues}
            else None
        )
        try:
            review.set_absence(
                plan_client(),
                me.fhir_ref,
                version=version,
                start=form.start.data,
                end=form.end.data,
                substitute_ref=chosen,
            )
        except PlanAPIConflict:
            role_id = me.fhir_ref.partition("/")[2]
            try:
                conflict = absence_service.conflict(plan_client(), role_id, version)
            except PlanAPIError:
                conflict = None
            if conflict is not None:
                form.version.data = conflict.version
            return render_template(
                "caseworker/absence.html", form=form, conflict=conflict, names=names
            ), 409
        except PlanAPIError:
            form.start.errors = [_("The plan system cannot be reached. Try again soon.")]
            return render_template("caseworker/absence.html", form=form, names=names), 503
        flash(_("Your absence is saved."))
        return redirect(url_for("caseworker.caseload"), code=303)
    if request.method == "GET":
        try:
            now = absence_service.current(plan_client(), me.fhir_ref)
        except PlanAPIError:
            form.start.errors = [_("The plan system cannot be reached. Try again soon.")]
            return render_template("caseworker/absence.html", form=form, names=names), 503
        form.version.data = now.version
        form.start.data, form.end.data = now.start, now.end
        form.substitute.data = now.substitute_ref or ""
    return render_template("caseworker/absence.html", form=form, names=names), (
        400 if form.errors else 200
    )
