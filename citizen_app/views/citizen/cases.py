"""My cases (where an application stands and by when a decision is due), my meetings and preparing the next
one, the optional "how was your contact with us?" question, and complaints with a receipt."""

from __future__ import annotations

import json
import uuid

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import db
from ...authz import Action
from ...data import drafts
from ...data import outbox as outbox_data
from ...forms.citizen import (
    MESSAGE_MAX,
    NOTE_MAX,
    AnswerForm,
    ComplaintForm,
    ContactFeedbackForm,
    preparation_goals_form,
)
from ...forms.common import PlainForm
from ...identity import current_actor
from ...models import utcnow
from ...plan_api import payloads
from ...restore import restore_pending
from ...services import contact, meetings
from ...services.plan_reading import PlanReading, read_plan
from .._guard import current_author_ref, current_citizen_ref, guarded
from . import bp, keeping, kept


def _reading() -> PlanReading:
    reading = read_plan(db.session(), current_citizen_ref())
    if reading.plan is None:
        abort(404)
    return reading


@bp.get("/cases")
@guarded(Action.CASE_READ, "Task")
def cases() -> str:
    return render_template("citizen/cases.html", reading=_reading())


# -- meetings --------------------------------------------------------------------------------------


@bp.get("/meetings")
@guarded(Action.PLAN_READ, "Appointment")
def meetings_page() -> str:
    reading = _reading()
    now = utcnow()
    plan = reading.plan
    upcoming = [m for m in plan.meetings if m.upcoming(now)]
    earlier = [m for m in reversed(plan.meetings) if not m.upcoming(now)]
    return render_template(
        "citizen/meetings.html",
        reading=reading,
        upcoming=upcoming,
        earlier=earlier,
        draft=_draft(),
        waiting=[
            item
            for item in reading.outbox
            if item.purpose == "meeting-preparation" and item.result_ref is None
        ],
    )


def _draft():  # type: ignore[no-untyped-def]
    return drafts.find(
        db.session(), current_actor().account_id, current_citizen_ref(), meetings.KIND
    )


def _meeting(meeting_id: uuid.UUID):  # type: ignore[no-untyped-def]
    reading = _reading()
    meeting = reading.plan.meeting(str(meeting_id))
    if meeting is None or not meeting.upcoming(utcnow()):
        abort(404)
    return reading, meeting


def _goals(reading: PlanReading) -> list:  # type: ignore[type-arg]
    return [g for g in reading.plan.goals if g.in_plan]


def _save(meeting_id: str, step: str, updates: dict[str, str]) -> None:
    draft = _draft()
    if draft is not None and meetings.appointment_of(draft) not in (None, meeting_id):
        # A draft for another meeting (one that has passed): this meeting starts afresh.
        drafts.delete(db.session(), draft)
    drafts.save(
        db.session(),
        account_id=current_actor().account_id,
        citizen_ref=current_citizen_ref(),
        kind=meetings.KIND,
        step=step,
        updates={"appointment": meeting_id, **updates},
    )


def _answers(meeting_id: str) -> dict[str, str]:
    draft = _draft()
    return drafts.answers(draft) if meetings.appointment_of(draft) == meeting_id else {}


@bp.route("/meetings/<uuid:meeting_id>/prepare/<step>", methods=["GET", "POST"])
@guarded(Action.MEETING_PREPARE, "QuestionnaireResponse")
def prepare(meeting_id: uuid.UUID, step: str) -> str | FlaskResponse | tuple[str, int]:
    if step not in meetings.STEPS:
        abort(404)
    reading, meeting = _meeting(meeting_id)
    goals = _goals(reading)
    if step == "goals":
        form = preparation_goals_form(goals)
    else:
        form = AnswerForm().configure(
            label=_("What do you want to talk about?")
            if step == "topics"
            else _("Do you want to bring someone? Who?"),
            required=False,
            max_length=meetings.TEXT_MAX,
        )
    if request.method == "POST":
        if step == "goals":
            typed = {
                key: request.form.get(key, "")
                for goal in goals
                for key in (f"progress-{goal.id}", f"note-{goal.id}")
            }
        else:
            typed = {step: request.form.get("answer", "")}
        _save(meeting.id, step, typed)  # before any check: what was typed is kept
        if request.form.get("go") == "keep":  # static/js/keep.js as the person types
            return kept()
        if request.form.get("go") == "later":
            flash(
                _(
                    "What you have written is saved. You can come back to it later, also on another device."
                )
            )
            return redirect(url_for("citizen.meetings_page"), code=303)
        if request.form.get("go") == "back":
            previous = meetings.preceding(step)
            back = (
                url_for("citizen.prepare", meeting_id=meeting_id, step=previous)
                if previous
                else url_for("citizen.meetings_page")
            )
            return redirect(back, code=303)
        if form.validate_on_submit():
            after = meetings.following(step)
            if after == meetings.CHECK:
                return redirect(url_for("citizen.prepare_check", meeting_id=meeting_id), code=303)
            return redirect(url_for("citizen.prepare", meeting_id=meeting_id, step=after), code=303)
    else:
        saved = _answers(meeting.id)
        if step == "goals":
            for goal in goals:
                form[f"progress-{goal.id}"].data = saved.get(f"progress-{goal.id}") or None
                form[f"note-{goal.id}"].data = saved.get(f"note-{goal.id}", "")
        else:
            form.answer.data = saved.get(step, "")
        restore_pending(form)
    return render_template(
        "citizen/prepare_step.html",
        form=form,
        step=step,
        meeting=meeting,
        goals=goals,
        number=meetings.STEPS.index(step) + 1,
        total=len(meetings.STEPS),
        max_length=meetings.TEXT_MAX if step != "goals" else NOTE_MAX,
    ), 400 if form.errors else 200


@bp.route("/meetings/<uuid:meeting_id>/prepare/check", methods=["GET", "POST"])
@guarded(Action.MEETING_PREPARE, "QuestionnaireResponse")
def prepare_check(meeting_id: uuid.UUID) -> str | FlaskResponse | tuple[str, int]:
    reading, meeting = _meeting(meeting_id)
    draft = _draft()
    answers = _answers(meeting.id)
    if draft is None or not answers:
        return redirect(url_for("citizen.prepare", meeting_id=meeting_id, step="goals"), code=303)
    goals = _goals(reading)
    form = PlainForm()
    empty = meetings.is_empty(answers)
    if request.method == "POST" and not empty and form.validate_on_submit():
        meetings.send(
            db.session(),
            draft=draft,
            patient_ref=current_citizen_ref(),
            author_ref=current_author_ref(),
            appointment_id=meeting.id,
            goals=goals,
            account_id=current_actor().account_id,
        )
        flash(_("Thank you. Your caseworker gets your answers before the meeting."))
        return redirect(url_for("citizen.meetings_page"), code=303)
    return render_template(
        "citizen/prepare_check.html",
        meeting=meeting,
        answers=answers,
        goal_answers=meetings.goal_answers(answers, goals),
        form=form,
        empty=empty,
    ), 400 if request.method == "POST" else 200


# -- "how was your contact with us?" and complaints --------------------------------------------------

ABOUT = {"conversation": "Communication", "meeting": "Appointment"}
# Kept as typed until sent (keeping.py): contact feedback, each conversation's or meeting's apart; a complaint.
FEEDBACK = "contact-feedback"
COMPLAINT = "complaint"


def _about(reading: PlanReading, kind: str, about_id: str) -> str:
    """Only an answered conversation or a meeting that has taken place can be rated."""
    plan = reading.plan
    if kind == "conversation":
        thread = plan.conversation(about_id)
        if thread is None or not thread.answered:
            abort(404)
    elif kind == "meeting":
        meeting = plan.meeting(about_id)
        if meeting is None or meeting.upcoming(utcnow()) or meeting.status == "cancelled":
            abort(404)
    else:
        abort(404)
    return f"{ABOUT[kind]}/{about_id}"


@bp.route("/feedback/<kind>/<uuid:about_id>", methods=["GET", "POST"])
@guarded(Action.CONTACT_FEEDBACK_WRITE, "QuestionnaireResponse")
def contact_feedback(kind: str, about_id: uuid.UUID) -> str | FlaskResponse | tuple[str, int]:
    reading = _reading()
    about = _about(reading, kind, str(about_id))
    form = ContactFeedbackForm()
    if request.method == "GET":
        keeping.restore(form, FEEDBACK, about)
    back = (
        url_for("citizen.conversation", conversation_id=about_id)
        if kind == "conversation"
        else url_for("citizen.meetings_page")
    )
    answered = keeping.keep(form, FEEDBACK, about, later=back)
    if answered is not None:
        return answered
    if form.validate_on_submit():
        contact.send_feedback(
            db.session(),
            patient_ref=current_citizen_ref(),
            author_ref=current_author_ref(),
            about_ref=about,
            score=form.score.data,
            comment=form.comment.data if (form.comment.data or "").strip() else None,
            account_id=current_actor().account_id,
        )
        keeping.forget(form, FEEDBACK, about)
        flash(_("Thank you for telling us. It helps us do better."))
        return redirect(back, code=303)
    return render_template(
        "citizen/contact_feedback.html",
        form=form,
        kind=kind,
        about_id=about_id,
        note_max=NOTE_MAX,
        given=reading.plan.feedback_about(about),
    ), 400 if form.errors else 200


@bp.route("/complaints/new", methods=["GET", "POST"])
@guarded(Action.COMPLAINT_WRITE, "Communication")
def new_complaint() -> str | FlaskResponse | tuple[str, int]:
    reading = _reading()
    caseworker = reading.plan.caseworker
    form = ComplaintForm()
    if request.method == "GET":
        keeping.restore(form, COMPLAINT)
    answered = keeping.keep(form, COMPLAINT, later=url_for("citizen.conversations"))
    if answered is not None:
        return answered
    if caseworker is not None and form.validate_on_submit():
        sent = contact.send_complaint(
            db.session(),
            patient_ref=current_citizen_ref(),
            sender_ref=current_author_ref(),
            recipient_ref=caseworker.covering.reference,
            text=form.text.data or "",
            account_id=current_actor().account_id,
        )
        keeping.forget(form, COMPLAINT)
        return redirect(
            url_for("citizen.complaint_receipt", receipt=str(sent.message_id)), code=303
        )
    return render_template(
        "citizen/complaint_new.html",
        form=form,
        text_max=MESSAGE_MAX,
        due=contact.complaint_due(),
        phone=current_app.config["CASEWORKER_PHONE"],
    ), 400 if form.errors else 200


@bp.get("/complaints/<uuid:receipt>")
@guarded(Action.COMPLAINT_WRITE, "Communication")
def complaint_receipt(receipt: uuid.UUID) -> str:
    found = outbox_data.by_message_id(
        db.session(), receipt, plan_key=current_citizen_ref(), purpose="complaint"
    )
    if found is None:
        abort(404)
    body = json.loads(found.body_json)
    return render_template(
        "citizen/complaint_receipt.html",
        receipt=str(found.message_id)[:8].upper(),
        text=payloads.first_text(body),
        received=found.created_at,
        due=contact.complaint_due(found.created_at),
    )
