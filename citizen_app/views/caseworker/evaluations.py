"""Evaluating one goal with the citizen (issue #18): the caseworker records both voices, the decision, the reason
and the next evaluation date. The citizen's meeting preparation is shown beside the goal."""

from __future__ import annotations

import uuid

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...authz import Action
from ...forms.evaluations import REASON_MAX, VIEW_MAX, WORDING_MAX, EvaluationForm
from ...models import utcnow
from ...plan_api import PlanAPIConflict, PlanAPIError, PlanAPINotFound
from ...services import evaluations
from ...services.plan_reading import plan_client
from .._guard import current_citizen_ref, guarded
from . import bp
from ._common import _practitioner_ref, _reading


def _render(reading, goal, form, status: int = 200, conflict=None):  # type: ignore[no-untyped-def]
    plan = reading.plan
    return render_template(
        "caseworker/evaluation.html",
        reading=reading,
        plan=plan,
        goal=goal,
        form=form,
        evaluations=evaluations.of_goal(plan, goal.id),
        due=evaluations.due_on(plan, goal),
        prepared=evaluations.preparation_answer(plan, goal.id),
        conflict=conflict,
        patient_id=current_citizen_ref().split("/", 1)[1],
        limits={"view": VIEW_MAX, "reason": REASON_MAX, "wording": WORDING_MAX},
    ), status


@bp.route("/citizens/<uuid:patient_id>/goals/<uuid:goal_id>/evaluation", methods=["GET", "POST"])
@guarded(Action.CASE_REVIEW, "Goal")
def evaluate(patient_id: uuid.UUID, goal_id: uuid.UUID) -> FlaskResponse | tuple[str, int]:
    reading = _reading()
    goal = reading.plan.goal(str(goal_id))
    if goal is None or not evaluations.evaluated(goal):
        abort(404)
    form = EvaluationForm()
    if not form.is_submitted():
        form.version.data = goal.version
        form.evaluation_id.data = str(uuid.uuid4())
        return _render(reading, goal, form)
    today = utcnow().date()
    valid = form.validate()
    if not (form.check(today) and valid):
        return _render(reading, goal, form, 400)
    version = form.version.data or ""
    if not version.isdigit():
        abort(400)
    evaluation_id = form.evaluation_uuid()
    try:
        author_ref = _practitioner_ref()
        new = evaluations.NewEvaluation(
            goal_id=goal.id,
            version=version,
            decision=form.decision.data,
            reason=form.reason.data or "",
            citizen_view=(form.citizen_view.data or "").strip() and form.citizen_view.data,
            caseworker_view=(form.caseworker_view.data or "").strip() and form.caseworker_view.data,
            next_evaluation=form.next_evaluation.data,
            new_wording=(form.new_wording.data or "").strip() and form.new_wording.data,
            author_ref=author_ref,
            performer_ref=author_ref,
            evaluation_id=evaluation_id,
        )
        evaluations.record(plan_client(), new, plan=reading.plan, today=today)
    except PlanAPIConflict:
        typed = {
            str(field.label.text): field.data
            for field in (form.citizen_view, form.caseworker_view, form.reason, form.new_wording)
            if (field.data or "").strip()
        }
        try:
            conflict = evaluations.conflict(plan_client(), goal.id, version, typed)
        except PlanAPIError:
            conflict = None
        if conflict is not None:  # deciding again is based on the version now shown
            form.version.data = conflict.version
        return _render(reading, goal, form, 409, conflict=conflict or True)
    except PlanAPINotFound:
        abort(404)
    except PlanAPIError:
        form.reason.errors = [
            _("The plan system cannot be reached. Your text is kept: try again soon.")
        ]
        return _render(reading, goal, form, 503)
    flash(_("The evaluation is saved. The citizen sees the decision and the next date."))
    return redirect(url_for("caseworker.citizen", patient_id=patient_id) + f"#goal-{goal.id}", 303)
