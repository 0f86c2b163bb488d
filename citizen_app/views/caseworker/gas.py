"""Goal Attainment Scaling on the caseworker's side: a goal's levels in both voices, the three voices' ratings
side by side, the professional wording beside each level (If-Match on the version seen; a 412 shows the
levels as they are now and keeps what was typed), and the caseworker's own rating."""

from __future__ import annotations

import uuid

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...authz import Action
from ...forms.caseworker import GasWordingForm, StaffGasRatingForm
from ...identity import current_actor
from ...plan_api import PlanAPIConflict, PlanAPIError, PlanAPINotFound
from ...services import gas as gas_service
from ...services.plan_reading import plan_client
from .._guard import current_citizen_ref, guarded
from . import bp
from ._common import _reading


def _page(goal_id: str, status: int = 200, **forms):  # type: ignore[no-untyped-def]
    reading = forms.pop("reading", None) or _reading()
    goal = reading.plan.goal(goal_id)
    if goal is None or not goal.in_plan:
        abort(404)
    scale = reading.plan.scale(goal_id)
    wording_form = forms.get("wording_form")
    if wording_form is None:
        wording_form = GasWordingForm()
        wording_form.version.data = goal.version
        for level, field in (
            ("much-less", wording_form.much_less),
            ("less", wording_form.less),
            ("expected", wording_form.expected),
            ("better", wording_form.better),
            ("much-better", wording_form.much_better),
        ):
            text = scale.professional_text(level) if scale else None
            field.data = text.text if text else ""
    rating_form = forms.get("rating_form") or StaffGasRatingForm()
    if not rating_form.message_id.data:
        rating_form.message_id.data = str(uuid.uuid4())
    return render_template(
        "caseworker/gas.html",
        reading=reading,
        plan=reading.plan,
        goal=goal,
        scale=scale,
        patient_id=current_citizen_ref().split("/", 1)[1],
        wording_form=wording_form,
        rating_form=rating_form,
        conflict=forms.get("conflict"),
    ), status


def _back(patient_id: str, goal_id: str) -> FlaskResponse:
    return redirect(
        url_for("caseworker.gas_goal", patient_id=patient_id, goal_id=goal_id), code=303
    )


@bp.get("/citizens/<uuid:patient_id>/goals/<uuid:goal_id>/levels")
@guarded(Action.CASE_PLAN_READ, "Goal")
def gas_goal(patient_id: uuid.UUID, goal_id: uuid.UUID) -> tuple[str, int]:
    goal_id = str(goal_id)  # type: ignore[assignment]  # the plan's ids are strings
    return _page(goal_id)


@bp.post("/citizens/<uuid:patient_id>/goals/<uuid:goal_id>/levels/wording")
@guarded(Action.CASE_REVIEW, "Goal")
def gas_wording(patient_id: uuid.UUID, goal_id: uuid.UUID) -> FlaskResponse | tuple[str, int]:
    goal_id = str(goal_id)  # type: ignore[assignment]  # the plan's ids are strings
    form = GasWordingForm()
    if not form.validate_on_submit():
        return _page(goal_id, 400, wording_form=form)
    version = form.version.data or ""
    if not version.isdigit():
        abort(400)
    try:
        gas_service.staff_wording(
            plan_client(),
            goal_id=goal_id,
            version=version,
            wording=form.wording(),
            author_ref=current_actor().fhir_ref or "",
        )
    except PlanAPIConflict:
        fresh = _reading()
        goal = fresh.plan.goal(goal_id)
        conflict = gas_service.WordingConflict(
            goal.version if goal else "", fresh.plan.scale(goal_id), form.wording()
        )
        form.version.data = conflict.version  # a second save is based on what they have now seen
        return _page(goal_id, 409, reading=fresh, wording_form=form, conflict=conflict)
    except PlanAPINotFound:
        abort(404)
    except PlanAPIError:
        form.expected.errors = [
            _("The plan system cannot be reached. Your text is kept: try again soon.")
        ]
        return _page(goal_id, 503, wording_form=form)
    flash(_("Your wording is saved beside the citizen's levels."))
    return _back(patient_id, goal_id)


@bp.post("/citizens/<uuid:patient_id>/goals/<uuid:goal_id>/levels/rate")
@guarded(Action.CASE_REVIEW, "Observation")
def gas_staff_rate(patient_id: uuid.UUID, goal_id: uuid.UUID) -> FlaskResponse | tuple[str, int]:
    goal_id = str(goal_id)  # type: ignore[assignment]  # the plan's ids are strings
    reading = _reading()
    goal = reading.plan.goal(goal_id)
    if goal is None or not goal.in_plan:
        abort(404)
    form = StaffGasRatingForm()
    if not form.validate_on_submit():
        return _page(goal_id, 400, reading=reading, rating_form=form)
    message_id = form.rating_uuid()
    note = form.note.data if form.note.data and form.note.data.strip() else None
    try:
        gas_service.staff_rating(
            plan_client(),
            patient_ref=current_citizen_ref(),
            goal_id=goal_id,
            level=form.level.data,
            note=note,
            author_ref=current_actor().fhir_ref or "",
            message_id=message_id,
        )
    except PlanAPIError:
        form.note.errors = [
            _("The plan system cannot be reached. Your text is kept: try again soon.")
        ]
        return _page(goal_id, 503, reading=reading, rating_form=form)
    flash(_("Your rating is saved."))
    return _back(patient_id, goal_id)
