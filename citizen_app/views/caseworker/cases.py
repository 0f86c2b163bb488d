"""A citizen's case (FHIR Task): the step and the decision date."""

from __future__ import annotations

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
    CaseUpdateForm,
)
from ...forms.common import item_prefix
from ...plan_api import PlanAPIConflict, PlanAPIError, PlanAPINotFound
from ...services import cases as case_service
from ...services.plan_reading import plan_client, read_plan
from .._guard import current_citizen_ref, guarded
from . import bp
from ._common import _notify, _practitioner_ref, _reading, _render_citizen


@bp.post("/citizens/<uuid:patient_id>/cases/<uuid:task_id>")
@guarded(Action.CASE_UPDATE, "Task")
def update_case(patient_id: uuid.UUID, task_id: uuid.UUID) -> FlaskResponse | tuple[str, int]:
    """Step and decision date, based on the version the caseworker saw; a new date needs a reason."""
    reading = _reading()
    case = reading.plan.case(str(task_id))
    if case is None:
        abort(404)
    form = CaseUpdateForm(prefix=item_prefix("case", case.id))
    again = {"submitted": form}
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
            case.id,
            version=version,
            step=form.step.data,
            due=form.due.data,
            reason=reason,
            author_ref=_practitioner_ref(),
        )
    except PlanAPIConflict:
        current = read_plan(db.session(), current_citizen_ref()).plan
        now_case = current.case(case.id) if current else None
        try:
            base = case_service.seen_version(plan_client(), case.id, version)
        except PlanAPIError:
            base = None
        conflict = (
            {"current": now_case, "base": base, "typed": form.reason.data} if now_case else None
        )
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
