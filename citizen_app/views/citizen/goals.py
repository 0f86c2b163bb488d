"""The goal conversation (one question per page, a draft at every step), a goal's own page with its signs as
a chart and a table, and the citizen's own words and view on a goal already in the plan."""

from __future__ import annotations

import uuid

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import db
from ...authz import Action
from ...charts import progress_chart
from ...data import drafts
from ...forms.citizen import FEEDBACK_MAX, GoalFeedbackForm
from ...forms.common import PlainForm
from ...identity import current_actor
from ...journeys.goal_conversation import JOURNEY as CONVERSATION
from ...restore import restore_pending
from ...services.goals import propose_goal, send_feedback
from ...services.plan_reading import read_plan
from .._guard import current_author_ref, current_citizen_ref, guarded
from . import bp, journey, keeping

KIND = "goal"
FEEDBACK = "goal-feedback"  # my words on a goal in the plan, each goal's words apart (keeping.py)


def _draft():
    actor = current_actor()
    return drafts.find(db.session(), actor.account_id, current_citizen_ref(), KIND)


@bp.get("/goals/new")
@guarded(Action.GOAL_PROPOSE, "Goal")
def new_goal() -> str | FlaskResponse:
    draft = _draft()
    if draft is None:
        return redirect(url_for("citizen.goal_step", code=CONVERSATION.first), code=303)
    return render_template(
        "citizen/goal_resume.html", draft=draft, answers=drafts.answers(draft), form=PlainForm()
    )


@bp.post("/goals/new/start-over")
@guarded(Action.GOAL_PROPOSE, "Goal")
def start_over() -> FlaskResponse:
    if PlainForm().validate_on_submit():
        drafts.discard(db.session(), current_actor().account_id, current_citizen_ref(), KIND)
    return redirect(url_for("citizen.goal_step", code=CONVERSATION.first), code=303)


@bp.route("/goals/new/<code>", methods=["GET", "POST"])
@guarded(Action.GOAL_PROPOSE, "Goal")
def goal_step(code: str) -> str | FlaskResponse | tuple[str, int]:
    step, form = journey.question_form(CONVERSATION, code)
    if request.method == "POST":
        # Saved before anything is checked: an invalid answer is still the person's words.
        drafts.save(
            db.session(),
            account_id=current_actor().account_id,
            citizen_ref=current_citizen_ref(),
            kind=KIND,
            step=code,
            updates={code: request.form.get("answer", "")},
        )
        answer = journey.answered(
            CONVERSATION,
            code,
            form,
            step_url=lambda to: url_for("citizen.goal_step", code=to),
            check_url=url_for("citizen.goal_check"),
            leave_url=url_for("citizen.plan"),
            later=_(
                "Your answers are saved. To go on, choose “Write a new goal in your own words” on your plan."
            ),
        )
        if answer is not None:
            return answer
    else:
        form.answer.data = drafts.answers(_draft()).get(code, "")
        restore_pending(form)
    return journey.page("citizen/goal_step.html", CONVERSATION, step, form)


@bp.route("/goals/new/check", methods=["GET", "POST"])
@guarded(Action.GOAL_PROPOSE, "Goal")
def goal_check() -> str | FlaskResponse:
    draft = _draft()
    answers = drafts.answers(draft)
    missing = CONVERSATION.missing(answers)
    if draft is None or missing:
        return redirect(url_for("citizen.goal_step", code=missing or CONVERSATION.first), code=303)
    form = PlainForm()
    if form.validate_on_submit():
        actor = current_actor()
        propose_goal(
            db.session(),
            draft=draft,
            patient_ref=current_citizen_ref(),
            author_ref=current_author_ref(),
            account_id=actor.account_id,
        )
        flash(_("Thank you. Your goal is sent to your caseworker."))
        return redirect(url_for("citizen.plan"), code=303)
    return render_template(
        "citizen/goal_check.html", steps=CONVERSATION.steps, answers=answers, form=form
    )


def _text_or_none(value: str | None) -> str | None:
    """Exactly what was typed (spaces included), or None when nothing but spaces was typed."""
    return value if value and value.strip() else None


def _goal_in_plan(goal_id: uuid.UUID):  # type: ignore[no-untyped-def]
    reading = read_plan(db.session(), current_citizen_ref())
    goal = reading.plan.goal(str(goal_id)) if reading.plan else None
    if goal is None:
        abort(404)
    return reading, goal


@bp.get("/plan/goals/<uuid:goal_id>")
@guarded(Action.PLAN_READ, "Goal")
def goal(goal_id: uuid.UUID) -> str:
    reading, goal = _goal_in_plan(goal_id)
    return render_template(
        "citizen/goal.html", reading=reading, goal=goal, chart=progress_chart(goal.signs)
    )


@bp.route("/plan/goals/<uuid:goal_id>/my-words", methods=["GET", "POST"])
@guarded(Action.GOAL_FEEDBACK_WRITE, "Communication")
def goal_feedback(goal_id: uuid.UUID) -> str | FlaskResponse | tuple[str, int]:
    _reading, goal = _goal_in_plan(goal_id)
    if not goal.in_plan:
        abort(404)
    form = GoalFeedbackForm()
    if request.method == "GET":
        keeping.restore(form, FEEDBACK, goal.id)
    answered = keeping.keep(form, FEEDBACK, goal.id, later=url_for("citizen.goal", goal_id=goal.id))
    if answered is not None:
        return answered
    if form.validate_on_submit():
        actor = current_actor()
        send_feedback(
            db.session(),
            patient_ref=current_citizen_ref(),
            goal_id=goal.id,
            author_ref=current_author_ref(),
            account_id=actor.account_id,
            wording=_text_or_none(form.wording.data),
            agreement=form.agreement.data or None,
            comment=_text_or_none(form.comment.data),
        )
        keeping.forget(form, FEEDBACK, goal.id)
        flash(_("Thank you. Your caseworker will read what you wrote."))
        return redirect(url_for("citizen.goal", goal_id=goal.id), code=303)
    return render_template(
        "citizen/goal_feedback.html", form=form, goal=goal, max_length=FEEDBACK_MAX
    ), 400 if form.errors else 200
