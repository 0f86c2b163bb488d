"""The caseworker area: my caseload, a citizen's review queue with deadlines, answers, goals accepted or
declined, my absence and substitute, activation codes. Desktop first, as accessible as the rest."""

from __future__ import annotations

import contextlib
import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import db
from ..auth import activation
from ..authz import Action, current_citizen_ref, guarded
from ..charts import satisfaction_chart
from ..data import accounts as account_data
from ..data import delegations as delegation_data
from ..data import outbox as outbox_data
from ..forms.caseworker import (
    AbsenceForm,
    AcceptGoalForm,
    CaseUpdateForm,
    DeclineGoalForm,
    HandOverForm,
    RegisterRepresentativeForm,
    StaffReplyForm,
)
from ..forms.common import PlainForm
from ..identity import current_account, current_actor
from ..models import DelegationKind, utcnow
from ..plan_api import PlanAPIConflict, PlanAPIError, PlanAPINotFound
from ..services import caseload as caseload_service
from ..services import cases as case_service
from ..services import delegations as delegation_service
from ..services import review
from ..services import team as team_figures
from ..services.notifications import notify_citizen
from ..services.plan_reading import plan_client, read_plan

bp = Blueprint("caseworker", __name__, url_prefix="/caseworker")


@bp.get("/")
@guarded(Action.CASELOAD_READ, "Caseload")
def caseload() -> str:
    actor = current_actor()
    rows = []
    for grant in actor.grants:
        reading = read_plan(db.session(), grant.citizen_ref)
        items = review.review_items(reading.plan) if reading.plan else []
        rows.append((grant, reading, items))
    rows.sort(key=lambda row: row[2][0].due if row[2] else review.date.max)
    mine = [reading.plan for _grant, reading, _items in rows if reading.plan]
    now = utcnow()
    team = [
        reading.plan
        for ref in caseload_service.team_patients(plan_client(), g.get("staff_unit"))
        if (reading := read_plan(db.session(), ref)).plan
    ]
    timeliness = {"me": review.timeliness(mine, now), "team": review.timeliness(team, now)}
    return render_template(
        "caseworker/caseload.html", rows=rows, unit=g.get("staff_unit"), timeliness=timeliness
    )


def _reading():
    reading = read_plan(db.session(), current_citizen_ref())
    if reading.plan is None:
        abort(404)
    return reading


def _render_citizen(reading, status: int = 200, **forms):  # type: ignore[no-untyped-def]
    items = review.review_items(reading.plan)
    return render_template(
        "caseworker/citizen.html",
        reading=reading,
        items=items,
        patient_id=current_citizen_ref().split("/", 1)[1],
        accept_form=forms.get("accept_form") or AcceptGoalForm(),
        decline_form=forms.get("decline_form") or DeclineGoalForm(),
        reply_form=forms.get("reply_form") or StaffReplyForm(),
        conflict=forms.get("conflict"),
        case_form=forms.get("case_form"),
        case_form_id=forms.get("case_form_id"),
        case_conflict=forms.get("case_conflict"),
        code=forms.get("code"),
        invitation=forms.get("invitation"),
        representative_form=forms.get("representative_form") or RegisterRepresentativeForm(),
        representatives=_representatives(),
        plain=PlainForm(),
    ), status


def _representatives():  # type: ignore[no-untyped-def]
    citizen = account_data.by_fhir_ref(db.session(), current_citizen_ref())
    if citizen is None:
        return []
    return [
        d
        for d in delegation_data.of_citizen(db.session(), citizen.id)
        if d.kind is not DelegationKind.RELATIVE
    ]


@bp.get("/citizens/<patient_id>")
@guarded(Action.CASE_PLAN_READ, "CarePlan")
def citizen(patient_id: str) -> tuple[str, int]:
    reading = _reading()
    for item in review.review_items(reading.plan):
        if item.conversation is not None:
            with contextlib.suppress(PlanAPIError):  # "read" is a courtesy; the page still works
                review.mark_read(plan_client(), item.conversation)
    return _render_citizen(reading)


def _goal_resource(goal_id: str) -> tuple[dict, str]:
    fetched = plan_client().read("Goal", goal_id)
    if (
        fetched.resource is None
        or fetched.resource.get("subject", {}).get("reference") != current_citizen_ref()
    ):
        abort(404)
    return fetched.resource, fetched.etag or ""


def _decide(goal_id: str, form, form_name: str, text_field, change, done: str):  # type: ignore[no-untyped-def]
    """Accept or decline: based on the version the caseworker saw; a conflict or an outage keeps the text."""
    reading = _reading()
    if not form.validate_on_submit():
        return _render_citizen(reading, 400, **{form_name: form})
    _goal_resource(goal_id)
    try:
        change(_seen(goal_id, form.version.data), f'W/"{form.version.data}"', text_field.data or "")
    except PlanAPIConflict:
        conflict = _conflict(goal_id, form.version.data, text_field.data)
        return _render_citizen(reading, 409, conflict=conflict, **{form_name: form})
    except PlanAPIError:
        text_field.errors = [
            _("The plan system cannot be reached. Your text is kept: try again soon.")
        ]
        return _render_citizen(reading, 503, **{form_name: form})
    flash(done)
    return redirect(
        url_for("caseworker.citizen", patient_id=current_citizen_ref().split("/", 1)[1]), code=303
    )


@bp.post("/citizens/<patient_id>/goals/<goal_id>/accept")
@guarded(Action.CASE_REVIEW, "Goal")
def accept(patient_id: str, goal_id: str) -> FlaskResponse | tuple[str, int]:
    form = AcceptGoalForm()
    return _decide(
        goal_id,
        form,
        "accept_form",
        form.wording,
        lambda seen, if_match, text: review.accept_goal(
            plan_client(), seen, if_match=if_match, wording=text, author_ref=_practitioner_ref()
        ),
        _("The goal is in the plan, with the citizen's words and yours."),
    )


@bp.post("/citizens/<patient_id>/goals/<goal_id>/decline")
@guarded(Action.CASE_REVIEW, "Goal")
def decline(patient_id: str, goal_id: str) -> FlaskResponse | tuple[str, int]:
    form = DeclineGoalForm()
    return _decide(
        goal_id,
        form,
        "decline_form",
        form.reason,
        lambda seen, if_match, text: review.decline_goal(
            plan_client(), seen, if_match=if_match, reason=text
        ),
        _("The goal is declined. The citizen sees your reason."),
    )


def _seen(goal_id: str, version: str | None) -> dict:
    """The version the caseworker looked at: an update based on it is refused if the goal changed since."""
    if not version or not version.isdigit():
        abort(400)
    try:
        return plan_client().vread("Goal", goal_id, version)
    except PlanAPINotFound:
        abort(404)


def _conflict(goal_id: str, version: str | None, typed: str | None) -> dict:
    """What changed since the caseworker looked: both versions, and their own unsaved words, to decide."""
    client = plan_client()
    current = client.read("Goal", goal_id).resource or {}
    return {
        "current": current,
        "base": _seen(goal_id, version),
        "version": current["meta"]["versionId"],
        "typed": typed,
    }


def _practitioner_ref() -> str:
    role_ref = current_actor().fhir_ref or ""
    _, _, role_id = role_ref.partition("/")
    role = plan_client().read("PractitionerRole", role_id).resource or {}
    return (role.get("practitioner") or {}).get("reference") or role_ref


@bp.post("/citizens/<patient_id>/messages/<conversation_id>/reply")
@guarded(Action.CASE_REVIEW, "Communication")
def answer(patient_id: str, conversation_id: str) -> FlaskResponse | tuple[str, int]:
    reading = _reading()
    conversation = reading.plan.conversation(conversation_id)
    if conversation is None:
        abort(404)
    form = StaffReplyForm()
    if not form.validate_on_submit():
        return _render_citizen(reading, 400, reply_form=form)
    try:
        message_id = uuid.UUID(form.message_id.data or "")
    except ValueError:
        message_id = uuid.uuid4()
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
        return _render_citizen(reading, 503, reply_form=form)
    flash(_("Your answer is sent."))
    return redirect(url_for("caseworker.citizen", patient_id=patient_id), code=303)


@bp.post("/citizens/<patient_id>/signs/<sign_id>/seen")
@guarded(Action.CASE_REVIEW, "Observation")
def sign_seen(patient_id: str, sign_id: str) -> FlaskResponse | tuple[str, int]:
    reading = _reading()
    known = {s.id for goal in reading.plan.goals for s in goal.signs}
    if sign_id not in known or not PlainForm().validate_on_submit():
        abort(404)
    comment = (request.form.get("comment") or "")[:1000]
    try:
        review.mark_sign_seen(
            plan_client(),
            sign_id,
            by_ref=current_actor().fhir_ref or "",
            comment=comment if comment.strip() else None,
        )
    except PlanAPIError:
        flash(_("The plan system cannot be reached. Try again soon."))
        return _render_citizen(reading, 503)
    flash(_("Marked as seen."))
    return redirect(url_for("caseworker.citizen", patient_id=patient_id), code=303)


@bp.post("/citizens/<patient_id>/feedback/<feedback_id>/seen")
@guarded(Action.CASE_REVIEW, "Communication")
def feedback_seen(patient_id: str, feedback_id: str) -> FlaskResponse | tuple[str, int]:
    reading = _reading()
    known = {f.id for goal in reading.plan.goals for f in goal.feedback}
    if feedback_id not in known or not PlainForm().validate_on_submit():
        abort(404)
    try:
        review.mark_feedback_seen(plan_client(), feedback_id)
    except PlanAPIError:
        flash(_("The plan system cannot be reached. Try again soon."))
        return _render_citizen(reading, 503)
    flash(_("Marked as seen."))
    return redirect(url_for("caseworker.citizen", patient_id=patient_id), code=303)


@bp.post("/citizens/<patient_id>/representatives")
@guarded(Action.CASE_REVIEW, "Delegation")
def register_representative(patient_id: str) -> tuple[str, int]:
    """A guardian or a parent with custody: all scopes, registered here, ended only here."""
    reading = _reading()
    form = RegisterRepresentativeForm()
    citizen = account_data.by_fhir_ref(db.session(), current_citizen_ref())
    if citizen is None:
        abort(404)
    if not form.validate_on_submit():
        return _render_citizen(reading, 400, representative_form=form)
    _delegation, code = delegation_service.invite(
        db.session(),
        citizen=citizen,
        name=form.name.data or "",
        contact="",
        scopes={"read", "write", "message"},
        ends_on=form.ends_on.data,
        secret_key=current_app.config["SECRET_KEY"],
        kind=DelegationKind(form.kind.data),
        created_by=current_actor().account_id,
        decision_note=form.decision.data or "",
    )
    return _render_citizen(reading, invitation=(form.name.data, code))


@bp.post("/citizens/<patient_id>/representatives/<delegation_id>/end")
@guarded(Action.CASE_REVIEW, "Delegation")
def end_representative(patient_id: str, delegation_id: str) -> FlaskResponse:
    citizen = account_data.by_fhir_ref(db.session(), current_citizen_ref())
    try:
        found = (
            delegation_data.one_of_citizen(db.session(), citizen.id, uuid.UUID(delegation_id))
            if citizen
            else None
        )
    except ValueError:
        found = None
    if (
        found is None
        or found.kind is DelegationKind.RELATIVE
        or not PlainForm().validate_on_submit()
    ):
        abort(404)
    delegation_service.revoke(db.session(), found, by=current_account())
    flash(_("%(name)s can no longer act for the citizen.", name=found.name))
    return redirect(url_for("caseworker.citizen", patient_id=patient_id), code=303)


@bp.post("/citizens/<patient_id>/activation-code")
@guarded(Action.CASE_REVIEW, "ActivationCode")
def activation_code(patient_id: str) -> tuple[str, int]:
    reading = _reading()
    if not PlainForm().validate_on_submit():
        abort(400)
    citizen = account_data.by_fhir_ref(db.session(), current_citizen_ref())
    if citizen is None:
        abort(404)
    code, expires = activation.issue(
        db.session(),
        citizen,
        secret_key=current_app.config["SECRET_KEY"],
        days=current_app.config["ACTIVATION_CODE_DAYS"],
        issued_by=current_actor().account_id,
    )
    return _render_citizen(reading, code=(code, expires))


@bp.route("/absence", methods=["GET", "POST"])
@guarded(Action.ABSENCE_MANAGE, "PractitionerRole")
def absence() -> str | FlaskResponse | tuple[str, int]:
    me = current_account()
    colleagues = [a for a in account_data.caseworkers(db.session()) if a.id != me.id]
    form = AbsenceForm()
    form.substitute.choices = [("", _("Nobody"))] + [
        (a.fhir_ref, a.display_name) for a in colleagues
    ]
    if form.validate_on_submit():
        chosen = (
            form.substitute.data
            if form.substitute.data in {a.fhir_ref for a in colleagues}
            else None
        )
        try:
            review.set_absence(
                plan_client(),
                me.fhir_ref,
                start=form.start.data,
                end=form.end.data,
                substitute_ref=chosen,
            )
        except PlanAPIError:
            form.start.errors = [_("The plan system cannot be reached. Try again soon.")]
            return render_template("caseworker/absence.html", form=form), 503
        flash(_("Your absence is saved."))
        return redirect(url_for("caseworker.caseload"), code=303)
    return render_template("caseworker/absence.html", form=form), 400 if form.errors else 200


def _notify(citizen_ref: str, kind: str, path: str) -> None:
    from ..notify import notifier

    base = current_app.config.get("PUBLIC_URL") or request.host_url
    notify_citizen(db.session(), notifier(), citizen_ref, kind, base.rstrip("/") + path)


@bp.post("/citizens/<patient_id>/cases/<task_id>")
@guarded(Action.CASE_UPDATE, "Task")
def update_case(patient_id: str, task_id: str) -> FlaskResponse | tuple[str, int]:
    """Step and decision date, based on the version the caseworker saw; a new date needs a reason."""
    reading = _reading()
    case = reading.plan.case(task_id)
    if case is None:
        abort(404)
    form = CaseUpdateForm()
    again = {"case_form": form, "case_form_id": case.id}
    if not form.validate_on_submit():
        return _render_citizen(reading, 400, **again)
    reason = form.reason.data if (form.reason.data or "").strip() else None
    if form.due.data != case.due and reason is None:
        form.reason.errors = [_("Write why the date changes. The citizen sees it.")]
        return _render_citizen(reading, 400, **again)
    version = form.version.data or ""
    if not version.isdigit():
        abort(400)
    try:
        case_service.update_case(
            plan_client(),
            task_id,
            version=version,
            step=form.step.data,
            due=form.due.data,
            reason=reason,
            author_ref=_practitioner_ref(),
        )
    except PlanAPIConflict:
        current = read_plan(db.session(), current_citizen_ref()).plan
        now_case = current.case(task_id) if current else None
        conflict = {"current": now_case, "typed": form.reason.data} if now_case else None
        return _render_citizen(reading, 409, case_conflict=conflict, **again)
    except PlanAPINotFound:
        abort(404)
    except PlanAPIError:
        form.reason.errors = [
            _("The plan system cannot be reached. Your text is kept: try again soon.")
        ]
        return _render_citizen(reading, 503, **again)
    _notify(current_citizen_ref(), "case-update", "/cases")
    flash(_("The case is saved. The citizen sees the step, the date and your reason."))
    return redirect(url_for("caseworker.citizen", patient_id=patient_id), code=303)


@bp.post("/citizens/<patient_id>/preparations/<response_id>/seen")
@guarded(Action.CASE_REVIEW, "QuestionnaireResponse")
def preparation_seen(patient_id: str, response_id: str) -> FlaskResponse | tuple[str, int]:
    reading = _reading()
    known = {p.id for m in reading.plan.meetings for p in m.preparations}
    if response_id not in known or not PlainForm().validate_on_submit():
        abort(404)
    try:
        review.mark_preparation_seen(
            plan_client(), response_id, by_ref=current_actor().fhir_ref or ""
        )
    except PlanAPIError:
        flash(_("The plan system cannot be reached. Try again soon."))
        return _render_citizen(reading, 503)
    flash(_("Marked as seen."))
    return redirect(url_for("caseworker.citizen", patient_id=patient_id), code=303)


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
            moved = caseload_service.hand_over(
                plan_client(), me.fhir_ref, form.colleague.data, form.start.data
            )
        except PlanAPIError:
            form.start.errors = [_("The plan system cannot be reached. Try again soon.")]
            return render_template("caseworker/hand_over.html", form=form), 503
        for citizen_ref in moved:
            _notify(citizen_ref, "caseworker-changed", "/plan")
        flash(
            ngettext(
                "%(num)d citizen is handed over.", "%(num)d citizens are handed over.", len(moved)
            )
        )
        return redirect(url_for("caseworker.caseload"), code=303)
    return render_template("caseworker/hand_over.html", form=form), 400 if form.errors else 200


@bp.get("/team")
@guarded(Action.TEAM_READ, "Team")
def team() -> str:
    """The team's satisfaction over time and the open complaints: names only for my own citizens."""
    actor = current_actor()
    mine = {grant.citizen_ref for grant in actor.grants}
    plans = [
        reading.plan
        for ref in caseload_service.team_patients(plan_client(), g.get("staff_unit"))
        if (reading := read_plan(db.session(), ref)).plan
    ]
    months = team_figures.satisfaction_by_month(plans, utcnow(), months=12)
    return render_template(
        "caseworker/team.html",
        undelivered=outbox_data.dead_count_for(db.session(), [p.patient_ref for p in plans]),
        unit=g.get("staff_unit"),
        months=months,
        complaints=team_figures.open_complaints(plans, mine),
        chart=satisfaction_chart(months),
    )
