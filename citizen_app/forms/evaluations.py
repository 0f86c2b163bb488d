"""The caseworker's evaluation of one goal (issue #18): both voices, the decision, the reason, the next date."""

from __future__ import annotations

import uuid
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Optional

from ..plan_api.evaluations import DECISIONS
from .citizen import NotBlank
from .common import PortalForm, at_most
from .delegations import DATE_FORMATS

VIEW_MAX = 2000
REASON_MAX = 1000
WORDING_MAX = 1000


class EvaluationForm(PortalForm):
    version = HiddenField()  # the Goal's version the caseworker saw
    evaluation_id = HiddenField()  # the idempotency key of the evaluation: sending twice makes one
    citizen_view = TextAreaField(
        _l("How the citizen sees it (in their words, as you heard them)"),
        validators=[Optional(), at_most(VIEW_MAX)],
    )
    caseworker_view = TextAreaField(
        _l("How you see it"), validators=[Optional(), at_most(VIEW_MAX)]
    )
    decision = RadioField(
        _l("What did you decide together?"),
        choices=[SelectChoice(code) for code in DECISIONS],
        validators=[InputRequired(message=_l("Choose what you decided."))],
    )
    new_wording = TextAreaField(
        _l("The goal in new professional wording (only when the goal changes)"),
        validators=[Optional(), at_most(WORDING_MAX)],
    )
    reason = TextAreaField(
        _l("Why? In plain words: the citizen sees this."),
        validators=[NotBlank(_l("Write the reason the citizen will see.")), at_most(REASON_MAX)],
    )
    next_evaluation = DateField(_l("Next evaluation"), validators=[Optional()], format=DATE_FORMATS)

    def evaluation_uuid(self) -> uuid.UUID:
        """The evaluation's own id, made when the page was shown: sending twice makes one."""
        try:
            return uuid.UUID(self.evaluation_id.data or "")
        except ValueError:
            return uuid.uuid4()

    def check(self, today: date) -> bool:
        """The checks that depend on more than one field; run after validate()."""
        ok = True
        if self.decision.data == "ended":
            return ok
        if self.next_evaluation.data is None:
            # Also instead of the date library's own words for a date it cannot read: ours are translated.
            self.next_evaluation.errors = [
                str(_l("Write the date of the next evaluation, for example 24-12-2026."))
            ]
            ok = False
        elif self.next_evaluation.data <= today:
            self.next_evaluation.errors = [str(_l("The next evaluation must be after today."))]
            ok = False
        if self.decision.data == "change-goal" and not (self.new_wording.data or "").strip():
            self.new_wording.errors = [str(_l("Write the goal as it is now."))]
            ok = False
        return ok
