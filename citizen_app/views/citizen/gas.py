"""Goal Attainment Scaling for the citizen (or a relative with a writing scope, visibly for them): the levels of
a goal in their own words, one question per page with a draft at every step, and rating where the goal stands
now. Both go through the outbox (services/gas.py)."""

from __future__ import annotations

import uuid

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import db
from ...authz import Action
from ...data import drafts
from ...forms.citizen import GasRatingForm
from ...forms.common import PlainForm
from ...identity import current_actor
from ...journeys.gas_levels import JOURNEY as LEVELS
from ...restore import restore_pending
from ...services import gas as gas_service
from ...services.plan_reading import read_plan
from .._guard import current_author_ref, current_citizen_ref, guarded
from . import bp, journey, keeping


def _goal(goal_id: str):  # type: ignore[no-untyped-def]
    reading = read_plan(db.session(), current_citizen_ref())
    goal = reading.plan.goal(goal_id) if reading.plan else None
    if goal is None or not goal.in_plan:
        abort(404)
    return reading, goal


def _draft():  # type: ignore[no-untyped-def]
    return drafts.find(
        db.session(), current_actor().account_id, current_citizen_ref(), gas_service.KIND
    )


def _answers(reading, goal_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What is typed so far: the draft, else the levels already in the plan (to change them)."""
    kept_answers = gas_service.draft_answers(_draft(), goal_id)
    return kept_answers or gas_service.starting_answers(reading.plan, goal_id)


@bp.get("/plan/goals/<uuid:goal_id>/levels")
@guarded(Action.GAS_LEVELS_WRITE, "Goal")
def gas_levels(goal_id: uuid.UUID) -> FlaskResponse:
    goal_id = str(goal_id)  # type: ignore[assignment]  # the plan's ids are strings
    _goal(goal_id)
    return redirect(url_for("citizen.gas_level_step", goal_id=goal_id, code=LEVELS.first), code=303)


@bp.route("/plan/goals/<uuid:goal_id>/levels/<code>", methods=["GET", "POST"])
@guarded(Action.GAS_LEVELS_WRITE, "Goal")
def gas_level_step(goal_id: uuid.UUID, code: str) -> str | FlaskResponse | tuple[str, int]:
    goal_id = str(goal_id)  # type: ignore[assignment]  # the plan's ids are strings
    step, form = journey.question_form(LEVELS, code)
    reading, goal = _goal(goal_id)
    if request.method == "POST":
        # The first answer typed: the levels already in the plan join the draft, so none is lost.
        start = (
            gas_service.starting_answers(reading.plan, goal_id)
            if not gas_service.draft_answers(_draft(), goal_id)
            else {}
        )
        # Saved before anything is checked: an invalid answer is still the person's words.
        typed = request.form.get("answer", "")
        drafts.save(
            db.session(),
            account_id=current_actor().account_id,
            citizen_ref=current_citizen_ref(),
            kind=gas_service.KIND,
            step=code,
            updates={**{f"{goal_id}:{k}": v for k, v in start.items()}, f"{goal_id}:{code}": typed},
        )
        answer = journey.answered(
            LEVELS,
            code,
            form,
            step_url=lambda to: url_for("citizen.gas_level_step", goal_id=goal_id, code=to),
            check_url=url_for("citizen.gas_level_check", goal_id=goal_id),
            leave_url=url_for("citizen.goal", goal_id=goal_id),
            later=_("Your answers are saved. You can go on from the goal's page."),
        )
        if answer is not None:
            return answer
    else:
        form.answer.data = _answers(reading, goal_id).get(code, "")
        restore_pending(form)
    return journey.page("citizen/gas_step.html", LEVELS, step, form, goal=goal)


@bp.route("/plan/goals/<uuid:goal_id>/levels/check", methods=["GET", "POST"])
@guarded(Action.GAS_LEVELS_WRITE, "Goal")
def gas_level_check(goal_id: uuid.UUID) -> str | FlaskResponse:
    goal_id = str(goal_id)  # type: ignore[assignment]  # the plan's ids are strings
    reading, goal = _goal(goal_id)
    answers = _answers(reading, goal_id)
    missing = LEVELS.missing(answers)
    if missing:
        return redirect(url_for("citizen.gas_level_step", goal_id=goal_id, code=missing), code=303)
    form = PlainForm()
    if form.validate_on_submit():
        try:
            gas_service.send_levels(
                db.session(),
                patient_ref=current_citizen_ref(),
                goal_id=goal_id,
                levels=answers,
                author_ref=current_author_ref(),
                account_id=current_actor().account_id,
                draft=_draft(),
            )
        except LookupError:
            abort(404)
        flash(_("Thank you. Your levels are saved and will be sent to your plan."))
        return redirect(url_for("citizen.goal", goal_id=goal_id), code=303)
    return render_template(
        "citizen/gas_check.html",
        goal=goal,
        steps=LEVELS.steps,
        answers=answers,
        form=form,
    )


@bp.post("/plan/sent/<uuid:receipt>/levels-again")
@guarded(Action.GAS_LEVELS_WRITE, "Goal")
def gas_levels_again(receipt: uuid.UUID) -> FlaskResponse:
    """Levels the plan system refused because the goal changed at the same moment: back in the person's
    draft, to look over and send on the goal as it is now (the refused item stays until then)."""
    if not PlainForm().validate_on_submit():
        abort(400)
    goal_id = gas_service.write_again(
        db.session(),
        patient_ref=current_citizen_ref(),
        account_id=current_actor().account_id,
        message_id=receipt,
    )
    if goal_id is None:
        abort(404)
    flash(
        _(
            "Your levels are back. The goal was changed while you wrote them: look them over and send them."
        )
    )
    return redirect(url_for("citizen.gas_level_check", goal_id=goal_id), code=303)


@bp.route("/plan/goals/<uuid:goal_id>/rate", methods=["GET", "POST"])
@guarded(Action.GAS_RATING_WRITE, "Observation")
def gas_rate(goal_id: uuid.UUID) -> str | FlaskResponse | tuple[str, int]:
    goal_id = str(goal_id)  # type: ignore[assignment]  # the plan's ids are strings
    reading, goal = _goal(goal_id)
    scale = reading.plan.scale(goal_id)
    if scale is None or not scale.has_levels:
        return redirect(url_for("citizen.gas_levels", goal_id=goal_id), code=303)
    form = GasRatingForm()
    if request.method == "GET":
        keeping.restore(form, gas_service.RATING, goal_id)
    answered = keeping.keep(
        form, gas_service.RATING, goal_id, later=url_for("citizen.goal", goal_id=goal_id)
    )
    if answered is not None:
        return answered
    if form.validate_on_submit():
        note = form.note.data if form.note.data and form.note.data.strip() else None
        gas_service.send_rating(
            db.session(),
            patient_ref=current_citizen_ref(),
            goal_id=goal_id,
            voice="citizen" if current_author_ref() == current_citizen_ref() else "relative",
            level=form.level.data,
            note=note,
            author_ref=current_author_ref(),
            account_id=current_actor().account_id,
        )
        keeping.forget(form, gas_service.RATING, goal_id)
        flash(_("Thank you. Your rating is saved and will be sent to your plan."))
        return redirect(url_for("citizen.goal", goal_id=goal_id), code=303)
    return render_template(
        "citizen/gas_rate.html", form=form, goal=goal, scale=scale, note_max=gas_service.NOTE_MAX
    ), 400 if form.errors else 200
