"""What the caseworker views share: the citizen being worked on, the citizen page with its panels."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    render_template,
    request,
)

from ... import db
from ...authz import Action
from ...data import accounts as account_data
from ...data import delegations as delegation_data
from ...forms.caseworker import (
    AcceptGoalForm,
    DeclineGoalForm,
    RegisterRepresentativeForm,
    StaffReplyForm,
)
from ...forms.common import PlainForm
from ...identity import current_actor
from ...notify import notifier
from ...services import review
from ...services.notifications import notify_citizen
from ...services.plan_reading import plan_client, read_plan
from .._guard import current_citizen_ref, may


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
        seen_conflict=forms.get("seen_conflict"),
        kept=forms.get("kept"),
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
    """The delegations staff look after (guardians, parents, powers of attorney): the policy says which."""
    citizen = account_data.by_fhir_ref(db.session(), current_citizen_ref())
    if citizen is None:
        return []
    return [
        d
        for d in delegation_data.of_citizen(db.session(), citizen.id)
        if may(Action.CASE_REVIEW.value, d)
    ]


def _notify(citizen_ref: str, kind: str, path: str) -> None:
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    notify_citizen(db.session(), notifier(), citizen_ref, kind, base.rstrip("/") + path)


def _practitioner_ref() -> str:
    return review.practitioner_ref(plan_client(), current_actor().fhir_ref or "")


def _seen_version() -> str:
    """The version of the item the caseworker saw, carried in the form: never re-read before the update."""
    version = request.form.get("version") or ""
    if not version.isdigit():
        abort(400)
    return version
