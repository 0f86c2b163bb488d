"""A question page of a journey (citizen_app/journeys: the goal conversation, a goal's levels), for both: the
form it asks with, and what its buttons do once the typed answer is in the draft. Each view keeps its own draft
(what is saved where) and URLs; this is the part that was the same in both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request

from ...forms.citizen import AnswerForm
from ...journeys import CHECK, Journey, Step
from . import kept


def question_form(journey: Journey, code: str) -> tuple[Step, Any]:
    """The step (404 when the journey has none of that code) and its one-answer form."""
    step = journey.step(code)
    if step is None:
        abort(404)
    form = AnswerForm().configure(
        label=str(step.question), required=step.required, max_length=journey.answer_max
    )
    return step, form


def page(template: str, journey: Journey, step: Step, form: Any, **context: Any) -> tuple[str, int]:
    """The question page (a page extending citizen/_question_step.html), a 400 while its answer is refused."""
    return render_template(
        template,
        form=form,
        step=step,
        number=journey.number(step.code),
        total=len(journey.steps),
        max_length=journey.answer_max,
        **context,
    ), 400 if form.errors else 200


def answered(
    journey: Journey,
    code: str,
    form: Any,
    *,
    step_url: Callable[[str], str],
    check_url: str,
    leave_url: str,
    later: str,
) -> FlaskResponse | None:
    """After a POST's answer is saved (before anything is checked: an invalid answer is still the person's
    words): "keep" (static/js/keep.js as the person types) is answered at once; "later" flashes `later` and
    leaves; "back" goes to the question before, or leaves from the first; "next" goes on when the answer is
    valid. None: the answer is not valid, the page is shown again with its errors."""
    go = request.form.get("go")
    if go == "keep":
        return kept()
    if go == "later":
        flash(later)
        return redirect(leave_url, code=303)
    if go == "back":
        previous = journey.preceding(code)
        return redirect(step_url(previous) if previous else leave_url, code=303)
    if form.validate_on_submit():
        after = journey.following(code)
        return redirect(check_url if after == CHECK else step_url(after), code=303)
    return None
