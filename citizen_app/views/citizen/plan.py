"""The plan page, and noting a progress sign on a goal."""

from __future__ import annotations

import uuid

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import db
from ...authz import Action, can
from ...data import outbox as outbox_data
from ...forms.citizen import NOTE_MAX, ProgressSignForm
from ...forms.common import PlainForm
from ...identity import current_actor
from ...models import utcnow
from ...outbox.enqueue import wake_after_commit
from ...services import meetings, receipts
from ...services.plan_page import plan_page
from ...services.plan_reading import read_plan
from ...services.progress_signs import note_progress_sign
from .._guard import current_author_ref, current_citizen_ref, guarded, may
from .._memo import render_memo
from . import bp, keeping

SIGN = "progress-sign"  # the sign being noted, each goal's apart (keeping.py)


@bp.get("/plan")
@guarded(Action.PLAN_READ, "CarePlan")
def plan() -> str:
    actor = current_actor()
    citizen = current_citizen_ref()
    # The plan, and beside it in one query: the citizen's writes not yet in it, what someone acting for
    # the citizen did (only the citizen themself sees these), a goal or a meeting preparation begun and
    # not sent, the answers not yet opened.
    reading, beside = plan_page(
        db.session(),
        actor.account_id,
        citizen,
        receipts=g.acting_role == "citizen",
        draft_kinds=("goal", meetings.KIND),
    )
    if may("citizen:message:read"):
        # What the menu and the page show (templating.unread_messages asks no more).
        g.unread_messages = beside.unread
    # What matters now leads the page: the next meeting (and whether it is prepared), a goal or a meeting
    # preparation begun and not sent; each goal's details are on the goal's own page.
    next_meeting = reading.plan.next_meeting(utcnow()) if reading.plan else None
    preparing = any(
        item.purpose == "meeting-preparation" and item.result_ref is None for item in reading.outbox
    )
    return render_memo(
        "citizen/plan.html",
        held=(reading.plan,),
        reading=reading,
        next_meeting=next_meeting,
        prepared=bool(next_meeting and (next_meeting.preparation or preparing)),
        goal_begun="goal" in beside.drafts_begun,
        preparation_begun=meetings.KIND in beside.drafts_begun,
        phone=current_app.config["CASEWORKER_PHONE"],
        receipts=[
            (receipt, delegation, receipts.text(receipt.purpose, delegation.name))
            for receipt, delegation in beside.receipts
        ],
    )


@bp.post("/plan/receipts/<uuid:receipt>")
@guarded(Action.DELEGATION_MANAGE, "DelegatedActReceipt")
def receipt_seen(receipt: uuid.UUID) -> FlaskResponse:
    """The citizen dismissed a receipt ("OK, I know"), or opened the item it is about ("See it")."""
    if not PlainForm().validate_on_submit():
        abort(400)
    seen = receipts.mark_seen(db.session(), current_actor().account_id, receipt)
    if seen is None:
        abort(404)
    if request.form.get("go") == "open":
        return redirect(url_for(receipts.item_endpoint(seen.purpose)), code=303)
    return redirect(url_for("citizen.plan") + "#receipts-title", code=303)


@bp.route("/plan/goals/<uuid:goal_id>/progress", methods=["GET", "POST"])
@guarded(Action.PROGRESS_SIGN_WRITE, "Observation")
def progress_sign(goal_id: uuid.UUID) -> str | FlaskResponse | tuple[str, int]:
    reading = read_plan(db.session(), current_citizen_ref())
    goal = reading.plan.goal(str(goal_id)) if reading.plan else None
    if goal is None or not goal.in_plan:
        abort(404)
    form = ProgressSignForm()
    if request.method == "GET":
        keeping.restore(form, SIGN, goal.id)
    answered = keeping.keep(form, SIGN, goal.id, later=url_for("citizen.goal", goal_id=goal.id))
    if answered is not None:
        return answered
    if form.validate_on_submit():
        actor = current_actor()
        note_progress_sign(
            db.session(),
            patient_ref=current_citizen_ref(),
            goal_id=goal.id,
            value=form.value.data,
            when=form.when.data,
            note=form.note.data,
            author_ref=current_author_ref(),
            account_id=actor.account_id,
        )
        keeping.forget(form, SIGN, goal.id)
        flash(_("Thank you. Your progress sign is saved and will be sent to your plan."))
        return redirect(url_for("citizen.plan") + f"#goal-{goal.id}", code=303)
    status = 400 if form.errors else 200
    return render_template(
        "citizen/progress_sign.html", form=form, goal=goal, note_max=NOTE_MAX
    ), status


# Which permission sending an item again needs: the one its first sending needed.
SEND_AGAIN_ACTION = {
    "progress-sign": Action.PROGRESS_SIGN_WRITE,
    "goal": Action.GOAL_PROPOSE,
    "goal-feedback": Action.GOAL_FEEDBACK_WRITE,
    "message": Action.MESSAGE_WRITE,
    "meeting-preparation": Action.MEETING_PREPARE,
    "contact-feedback": Action.CONTACT_FEEDBACK_WRITE,
    "complaint": Action.COMPLAINT_WRITE,
    # Not "gas-levels": a refused update of a goal is a conflict, and the same update would be refused again.
    "gas-rating": Action.GAS_RATING_WRITE,
}


@bp.post("/plan/sent/<uuid:receipt>/send-again")
@guarded(Action.PLAN_READ, "CarePlan")
def send_again(receipt: uuid.UUID) -> FlaskResponse:
    """An item the plan system refused: back in line, as it was written (the person's text is kept)."""
    row = outbox_data.dead_by_message_id(db.session(), receipt, plan_key=current_citizen_ref())
    action = SEND_AGAIN_ACTION.get(row.purpose) if row is not None else None
    if row is None or action is None:
        abort(404)
    if not can(current_actor(), action, current_citizen_ref()).allowed:
        abort(403)
    outbox_data.send_again(db.session(), ids=[row.id])
    wake_after_commit(db.session())
    flash(_("We are sending it again. You can follow it here."))
    if request.form.get("back") == "messages":
        return redirect(url_for("citizen.messages"), code=303)
    return redirect(url_for("citizen.plan") + "#outbox-title", code=303)
