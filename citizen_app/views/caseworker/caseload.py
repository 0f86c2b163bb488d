"""My caseload (most urgent first, 50 a page) and handing it over to a colleague."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import (
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from ... import audit, db
from ...authz import Action
from ...data import accounts as account_data
from ...forms.caseworker import (
    HandOverForm,
)
from ...identity import current_account, current_actor
from ...models import utcnow
from ...plan_api import PlanAPIError
from ...services import caseload as caseload_service
from ...services import caseload_model
from ...services.plan_reading import plan_client
from .._guard import guarded
from .._memo import render_memo
from . import bp
from ._common import _notify


@bp.get("/")
@guarded(Action.CASELOAD_READ, "Caseload")
def caseload() -> str:
    """My citizens, the most urgent first, 50 a page, with what waits: the same cost for 5 or 1,000."""
    actor = current_actor()
    view = caseload_model.caseload_page(
        db.session(),
        plan_client(),
        list(actor.grants),
        g.get("staff_unit"),
        page=request.args.get("page", 1, type=int) or 1,
        only_waiting=request.args.get("waiting") == "1",
        now=utcnow(),
    )
    # Every citizen whose name this page shows gets an event in their "who has looked" list.
    listed = {row.citizen_ref: row.role for row in view.rows}
    roles = {grant.citizen_ref: grant.role.value for grant in actor.grants}
    listed |= {
        d.citizen_ref: roles[d.citizen_ref] for d in view.evaluations_due if d.citizen_ref in roles
    }
    audit.record_listed(actor, audit.LISTED_IN_CASELOAD, "Caseload", listed)
    return render_memo(
        "caseworker/caseload.html",
        held=(view,),  # the same object while my citizens' rows are unchanged (caseload_model)
        view=view,
        unit=g.get("staff_unit"),
        timeliness={"me": view.me, "team": view.team},
    )


@bp.route("/hand-over", methods=["GET", "POST"])
@guarded(Action.CASELOAD_HAND_OVER, "CareTeam")
def hand_over() -> str | FlaskResponse | tuple[str, int]:
    """My whole caseload to a colleague from a date; each citizen is told (opt-in, no content)."""
    me = current_account()
    colleagues = [a for a in account_data.caseworkers(db.session()) if a.id != me.id]
    form = HandOverForm()
    form.colleague.choices = [("", _("Choose a colleague"))] + [
        (a.fhir_ref, a.display_name) for a in colleagues
    ]
    if form.validate_on_submit():
        try:
            result = caseload_service.hand_over(
                plan_client(), me.fhir_ref, form.colleague.data, form.start.data
            )
        except PlanAPIError:
            form.start.errors = [_("The plan system cannot be reached. Try again soon.")]
            return render_template("caseworker/hand_over.html", form=form), 503
        moved = result.moved
        for citizen_ref in moved:
            _notify(citizen_ref, "caseworker-changed", "/plan")
        if not result.complete:
            # Exactly which did not go, and the same form again to finish it (moved ones are skipped).
            names = account_data.names_by_fhir_ref(
                db.session(), [*result.not_moved, *result.cases_not_moved]
            )
            return render_template(
                "caseworker/hand_over.html", form=form, result=result, names=names
            ), 409
        flash(
            ngettext(
                "%(num)d citizen is handed over.", "%(num)d citizens are handed over.", len(moved)
            )
        )
        return redirect(url_for("caseworker.caseload"), code=303)
    return render_template("caseworker/hand_over.html", form=form), 400 if form.errors else 200
