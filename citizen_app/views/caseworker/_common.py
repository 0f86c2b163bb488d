"""What the caseworker views share: the citizen being worked on, the citizen page with its panels."""

from __future__ import annotations

import uuid

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
    CaseUpdateForm,
    DeclineGoalForm,
    MarkSeenForm,
    RegisterRepresentativeForm,
    SignSeenForm,
    StaffReplyForm,
)
from ...forms.common import PortalForm, item_form
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


def _render_citizen(reading, status: int = 200, submitted: PortalForm | None = None, **shown):  # type: ignore[no-untyped-def]
    """The citizen page. `submitted` is the form just sent (one item's form, or the register form), shown
    again with what was typed and its errors; every other item gets a fresh form of its own."""
    items = review.review_items(reading.plan)
    return render_template(
        "caseworker/citizen.html",
        reading=reading,
        items=items,
        patient_id=current_citizen_ref().split("/", 1)[1],
        item_forms=_item_forms(reading.plan, items, submitted),
        submitted=submitted,
        conflict=shown.get("conflict"),
        seen_conflict=shown.get("seen_conflict"),
        case_conflict=shown.get("case_conflict"),
        code=shown.get("code"),
        invitation=shown.get("invitation"),
        representative_form=(
            submitted
            if isinstance(submitted, RegisterRepresentativeForm)
            else RegisterRepresentativeForm(formdata=None)
        ),
        representatives=_representatives(),
    ), status


def _item_forms(plan, items, submitted: PortalForm | None) -> dict[tuple[str, str], PortalForm]:  # type: ignore[no-untyped-def]
    """One form per item and per action, keyed (kind, id) and prefixed "<kind>-<id>-" (WTForms prefix=)."""
    forms: dict[tuple[str, str], PortalForm] = {}

    def add(form_class, kind: str, item_id: str, **data) -> None:  # type: ignore[no-untyped-def]
        forms[(kind, item_id)] = item_form(form_class, kind, item_id, submitted, **data)

    for item in items:
        if item.kind == "goal":
            words = item.goal.citizen_wording.text if item.goal.citizen_wording else ""
            add(AcceptGoalForm, "accept", item.goal.id, wording=words)
            add(DeclineGoalForm, "decline", item.goal.id)
        elif item.kind == "feedback":
            add(MarkSeenForm, "seen", item.feedback.id)
        elif item.kind == "sign":
            add(SignSeenForm, "seen", item.sign.id)
        elif item.kind == "preparation":
            add(MarkSeenForm, "seen", item.preparation.id)
        else:
            add(StaffReplyForm, "answer", item.conversation.id, message_id=str(uuid.uuid4()))
    for case in plan.cases:
        if case.open:
            add(CaseUpdateForm, "case", case.id, step=case.step, due=case.due)
    return forms


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


def _seen_version(form: MarkSeenForm) -> str:
    """The version of the item the caseworker saw, carried in the form: never re-read before the update."""
    version = form.version.data or ""
    if not version.isdigit():
        abort(400)
    return version
