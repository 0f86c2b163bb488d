"""The citizen page and the review queue: accept or decline a goal, answer, mark as seen."""

from __future__ import annotations

import contextlib
import uuid

from flask import Response as FlaskResponse
from flask import (
    abort,
    flash,
    redirect,
    url_for,
)
from flask_babel import gettext as _

from ... import db
from ...authz import Action
from ...forms.caseworker import (
    AcceptGoalForm,
    DeclineGoalForm,
    MarkSeenForm,
    SignSeenForm,
    StaffReplyForm,
)
from ...forms.common import item_prefix
from ...identity import current_actor
from ...plan_api import PlanAPIConflict, PlanAPIError, PlanAPINotFound
from ...plan_api.domain import GoalConflict, SeenState, StaffConflict
from ...services import review
from ...services.plan_reading import plan_client, read_plan
from .._guard import current_citizen_ref, guarded
from . import bp
from ._common import _practitioner_ref, _reading, _render_citizen, _seen_version


@bp.get("/citizens/<uuid:patient_id>")
@guarded(Action.CASE_PLAN_READ, "CarePlan")
def citizen(patient_id: uuid.UUID) -> tuple[str, int]:
    reading = _reading()
    for item in review.review_items(reading.plan):
        if item.conversation is not None:
            with contextlib.suppress(PlanAPIError):  # "read" is a courtesy; the page still works
                review.mark_read(plan_client(), item.conversation)
    return _render_citizen(reading)


def _own_goal(goal_id: str) -> None:
    """404 unless the goal is this page's citizen's."""
    try:
        citizen = review.goal_citizen(plan_client(), goal_id)
    except PlanAPINotFound:
        abort(404)
    if citizen is None or citizen != current_citizen_ref():
        abort(404)


def _decide(goal_id: str, form, text_field, change, done: str):  # type: ignore[no-untyped-def]
    """Accept or decline: based on the version the caseworker saw; a conflict or an outage keeps the text."""
    reading = _reading()
    if not form.validate_on_submit():
        return _render_citizen(reading, 400, submitted=form)
    _own_goal(goal_id)
    version = _version(form.version.data)
    try:
        change(version, text_field.data or "")
    except PlanAPINotFound:
        abort(404)
    except PlanAPIConflict:
        conflict = _conflict(goal_id, form.version.data, text_field.data)
        return _render_citizen(reading, 409, submitted=form, conflict=conflict)
    except PlanAPIError:
        text_field.errors = [
            _("The plan system cannot be reached. Your text is kept: try again soon.")
        ]
        return _render_citizen(reading, 503, submitted=form)
    flash(done)
    return redirect(
        url_for("caseworker.citizen", patient_id=current_citizen_ref().split("/", 1)[1]), code=303
    )


@bp.post("/citizens/<uuid:patient_id>/goals/<uuid:goal_id>/accept")
@guarded(Action.CASE_REVIEW, "Goal")
def accept(patient_id: uuid.UUID, goal_id: uuid.UUID) -> FlaskResponse | tuple[str, int]:
    form = AcceptGoalForm(prefix=item_prefix("accept", goal_id))
    return _decide(
        str(goal_id),
        form,
        form.wording,
        lambda version, text: review.accept_goal(
            plan_client(),
            str(goal_id),
            version=version,
            wording=text,
            author_ref=_practitioner_ref(),
        ),
        _("The goal is in the plan, with the citizen's words and yours."),
    )


@bp.post("/citizens/<uuid:patient_id>/goals/<uuid:goal_id>/decline")
@guarded(Action.CASE_REVIEW, "Goal")
def decline(patient_id: uuid.UUID, goal_id: uuid.UUID) -> FlaskResponse | tuple[str, int]:
    form = DeclineGoalForm(prefix=item_prefix("decline", goal_id))
    return _decide(
        str(goal_id),
        form,
        form.reason,
        lambda version, text: review.decline_goal(
            plan_client(), str(goal_id), version=version, reason=text
        ),
        _("The goal is declined. The citizen sees your reason."),
    )


def _version(version: str | None) -> str:
    """The version the caseworker looked at: an update based on it is refused if the goal changed since."""
    if not version or not version.isdigit():
        abort(400)
    return version


def _conflict(goal_id: str, version: str | None, typed: str | None) -> GoalConflict:
    return review.goal_conflict(plan_client(), goal_id, _version(version), typed)


@bp.post("/citizens/<uuid:patient_id>/messages/<uuid:conversation_id>/reply")
@guarded(Action.CASE_REVIEW, "Communication")
def answer(patient_id: uuid.UUID, conversation_id: uuid.UUID) -> FlaskResponse | tuple[str, int]:
    reading = _reading()
    conversation = reading.plan.conversation(str(conversation_id))
    if conversation is None:
        abort(404)
    form = StaffReplyForm(prefix=item_prefix("answer", conversation_id))
    if not form.validate_on_submit():
        return _render_citizen(reading, 400, submitted=form)
    message_id = form.message_uuid()
    try:
        review.reply(
            plan_client(),
            plan=reading.plan,
            conversation=conversation,
            text=form.text.data or "",
            sender_ref=current_actor().fhir_ref or "",
            message_id=message_id,
        )
    except PlanAPIError:
        form.text.errors = [
            _("The plan system cannot be reached. Your text is kept: try again soon.")
        ]
        return _render_citizen(reading, 503, submitted=form)
    flash(_("Your answer is sent."))
    return redirect(url_for("caseworker.citizen", patient_id=patient_id), code=303)


def _mark_seen(reading, form, kind: str, resource_type: str, resource_id: str, typed, update):  # type: ignore[no-untyped-def]
    """One "mark as seen": a 412 shows both versions and the unsaved words; an outage keeps the words."""
    version = _seen_version(form)
    try:
        update(version)
    except PlanAPIConflict:
        try:
            conflict = review.staff_conflict(
                plan_client(), kind, resource_type, resource_id, version, typed
            )
        except PlanAPIError:
            unknown = SeenState("", None, None, None)
            conflict = StaffConflict(kind, resource_id, unknown, unknown, typed)
        fresh = read_plan(db.session(), current_citizen_ref())
        return _render_citizen(
            fresh if fresh.plan else reading, 409, submitted=form, seen_conflict=conflict
        )
    except PlanAPINotFound:
        abort(404)
    except PlanAPIError:
        flash(_("The plan system cannot be reached. Your text is kept: try again soon."))
        return _render_citizen(reading, 503, submitted=form)
    flash(_("Marked as seen."))
    return redirect(
        url_for("caseworker.citizen", patient_id=current_citizen_ref().split("/", 1)[1]), code=303
    )


@bp.post("/citizens/<uuid:patient_id>/signs/<uuid:sign_id>/seen")
@guarded(Action.CASE_REVIEW, "Observation")
def sign_seen(patient_id: uuid.UUID, sign_id: uuid.UUID) -> FlaskResponse | tuple[str, int]:
    reading = _reading()
    known = {s.id for goal in reading.plan.goals for s in goal.signs}
    if str(sign_id) not in known:
        abort(404)
    form = SignSeenForm(prefix=item_prefix("seen", sign_id))
    if not form.validate_on_submit():
        return _render_citizen(reading, 400, submitted=form)
    comment = form.comment.data or ""
    return _mark_seen(
        reading,
        form,
        "sign",
        "Observation",
        str(sign_id),
        comment if comment.strip() else None,
        lambda version: review.mark_sign_seen(
            plan_client(),
            str(sign_id),
            version=version,
            by_ref=current_actor().fhir_ref or "",
            comment=comment if comment.strip() else None,
        ),
    )


@bp.post("/citizens/<uuid:patient_id>/feedback/<uuid:feedback_id>/seen")
@guarded(Action.CASE_REVIEW, "Communication")
def feedback_seen(patient_id: uuid.UUID, feedback_id: uuid.UUID) -> FlaskResponse | tuple[str, int]:
    reading = _reading()
    known = {f.id for goal in reading.plan.goals for f in goal.feedback}
    form = MarkSeenForm(prefix=item_prefix("seen", feedback_id))
    if str(feedback_id) not in known or not form.validate_on_submit():
        abort(404)
    return _mark_seen(
        reading,
        form,
        "feedback",
        "Communication",
        str(feedback_id),
        None,
        lambda version: review.mark_feedback_seen(plan_client(), str(feedback_id), version=version),
    )


@bp.post("/citizens/<uuid:patient_id>/preparations/<uuid:response_id>/seen")
@guarded(Action.CASE_REVIEW, "QuestionnaireResponse")
def preparation_seen(
    patient_id: uuid.UUID, response_id: uuid.UUID
) -> FlaskResponse | tuple[str, int]:
    reading = _reading()
    known = {p.id for m in reading.plan.meetings for p in m.preparations}
    form = MarkSeenForm(prefix=item_prefix("seen", response_id))
    if str(response_id) not in known or not form.validate_on_submit():
        abort(404)
    return _mark_seen(
        reading,
        form,
        "preparation",
        "QuestionnaireResponse",
        str(response_id),
        None,
        lambda version: review.mark_preparation_seen(
            plan_client(), str(response_id), version=version, by_ref=current_actor().fhir_ref or ""
        ),
    )
