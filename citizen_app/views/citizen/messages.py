"""Writing to the fixed caseworker: conversations, a new message, replies; states and the answer date."""

from __future__ import annotations

import uuid

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import db
from ...authz import Action
from ...data import drafts
from ...forms.citizen import MESSAGE_MAX, SUBJECT_MAX, MessageForm, ReplyForm
from ...identity import current_actor
from ...restore import restore_pending
from ...services import messages
from ...services.plan_reading import PlanReading, mark_read, read_plan
from .._guard import current_author_ref, current_citizen_ref, guarded
from . import bp, keeping, kept

# The message being written is kept as a server draft (as it is typed, and by "Save and come back later"), so
# it waits on any device the person signs in on; sending it removes the draft.
KIND = "message"
KEEP_MAX = 10_000
REPLY = "reply"  # one draft for all replies, each conversation's words apart (keeping.py)


def _reading() -> PlanReading:
    return read_plan(db.session(), current_citizen_ref())


def _waiting(reading: PlanReading) -> list[tuple[object, tuple[str | None, str, str | None]]]:
    return [
        (item, messages.waiting_text(item))
        for item in reading.outbox
        if item.purpose == "message" and item.result_ref is None
    ]


@bp.get("/messages")
@guarded(Action.MESSAGE_READ, "Communication")
def conversations() -> str:
    reading = _reading()
    return render_template("citizen/messages.html", reading=reading, waiting=_waiting(reading))


@bp.route("/messages/new", methods=["GET", "POST"])
@guarded(Action.MESSAGE_WRITE, "Communication")
def new_message() -> str | FlaskResponse | tuple[str, int]:
    reading = _reading()
    caseworker = reading.plan.caseworker if reading.plan else None
    form = MessageForm()
    actor = current_actor()
    if request.method == "GET" and not restore_pending(form):
        saved = drafts.answers(
            drafts.find(db.session(), actor.account_id, current_citizen_ref(), KIND)
        )
        form.subject.data, form.text.data = saved.get("subject", ""), saved.get("text", "")
    go = request.form.get("go")
    if request.method == "POST" and go in ("keep", "later"):  # CSRF checked already
        drafts.save(
            db.session(),
            account_id=actor.account_id,
            citizen_ref=current_citizen_ref(),
            kind=KIND,
            step="message",
            updates={
                "subject": (form.subject.data or "")[:KEEP_MAX],
                "text": (form.text.data or "")[:KEEP_MAX],
            },
        )
        if go == "keep":  # static/js/keep.js, as the person types
            return kept()
        flash(_("Your message is saved. Choose “Write to your caseworker” to go on."))
        return redirect(url_for("citizen.conversations"), code=303)
    if caseworker is not None and form.validate_on_submit():
        actor = current_actor()
        messages.send(
            db.session(),
            patient_ref=current_citizen_ref(),
            sender_ref=current_author_ref(),
            recipient_ref=caseworker.covering.reference,
            text=form.text.data or "",
            subject=form.subject.data if form.subject.data and form.subject.data.strip() else None,
            account_id=actor.account_id,
        )
        drafts.discard(db.session(), actor.account_id, current_citizen_ref(), KIND)
        flash(
            _("Your message is saved and will be sent to %(name)s.", name=caseworker.covering.name)
        )
        return redirect(url_for("citizen.conversations"), code=303)
    return render_template(
        "citizen/message_new.html",
        form=form,
        caseworker=caseworker,
        answer_by=messages.expected_answer_date(),
        phone=current_app.config["CASEWORKER_PHONE"],
        subject_max=SUBJECT_MAX,
        text_max=MESSAGE_MAX,
    ), 400 if form.errors else 200


def _thread(reading: PlanReading, conversation_id: uuid.UUID):  # type: ignore[no-untyped-def]
    thread = reading.plan.conversation(str(conversation_id)) if reading.plan else None
    if thread is None:
        abort(404)  # another citizen's conversation answers exactly like one that does not exist
    return thread


def _render_conversation(reading: PlanReading, thread, form: ReplyForm, status: int = 200):  # type: ignore[no-untyped-def]
    mark_read(
        db.session(), current_actor().account_id, [m.id for m in thread.messages if m.from_staff]
    )
    waiting = [w for w in _waiting(reading) if w[1][2] == thread.id]
    return render_template(
        "citizen/conversation.html",
        reading=reading,
        thread=thread,
        waiting=waiting,
        form=form,
        answer_by=messages.expected_answer_date(),
        text_max=MESSAGE_MAX,
    ), status


@bp.get("/messages/<uuid:conversation_id>")
@guarded(Action.MESSAGE_READ, "Communication")
def conversation(conversation_id: uuid.UUID) -> tuple[str, int]:
    reading = _reading()
    thread = _thread(reading, conversation_id)
    form = ReplyForm()
    keeping.restore(form, REPLY, thread.id)
    return _render_conversation(reading, thread, form)


@bp.post("/messages/<uuid:conversation_id>/reply")
@guarded(Action.MESSAGE_WRITE, "Communication")
def reply(conversation_id: uuid.UUID) -> FlaskResponse | tuple[str, int]:
    reading = _reading()
    thread = _thread(reading, conversation_id)
    form = ReplyForm()
    answered = keeping.keep(form, REPLY, thread.id, later=url_for("citizen.conversations"))
    if answered is not None:
        return answered
    caseworker = reading.plan.caseworker if reading.plan else None
    if caseworker is not None and form.validate_on_submit():
        actor = current_actor()
        messages.send(
            db.session(),
            patient_ref=current_citizen_ref(),
            sender_ref=current_author_ref(),
            recipient_ref=caseworker.covering.reference,
            text=form.text.data or "",
            subject=None,
            account_id=actor.account_id,
            conversation=thread,
        )
        keeping.forget(form, REPLY, thread.id)
        flash(_("Your answer is saved and will be sent."))
        return redirect(url_for("citizen.conversation", conversation_id=thread.id), code=303)
    return _render_conversation(reading, thread, form, 400)
