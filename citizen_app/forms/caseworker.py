from __future__ import annotations

import uuid
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, Optional

from .citizen import MESSAGE_MAX, NotBlank
from .common import PortalForm, at_most
from .delegations import DATE_FORMATS


class AcceptGoalForm(PortalForm):
    version = HiddenField()
    wording = TextAreaField(
        _l("The goal in professional wording"),
        validators=[NotBlank(_l("Write the professional wording.")), Length(max=1000)],
    )


class DeclineGoalForm(PortalForm):
    version = HiddenField()
    reason = TextAreaField(
        _l("Why is it not taken into the plan? The citizen sees this."),
        validators=[NotBlank(_l("Write the reason the citizen will see.")), Length(max=1000)],
    )


class StaffReplyForm(PortalForm):
    message_id = HiddenField()
    text = TextAreaField(
        _l("Your answer"),
        validators=[NotBlank(_l("Write your answer.")), Length(max=MESSAGE_MAX)],
    )

    def message_uuid(self) -> uuid.UUID:
        """The answer's own id, made when the page was shown: sending twice sends it once."""
        try:
            return uuid.UUID(self.message_id.data or "")
        except ValueError:
            return uuid.uuid4()


COMMENT_MAX = 1000  # a caseworker's comment on a sign


class MarkSeenForm(PortalForm):
    """Mark as seen, one per item on the citizen page (prefix "seen-<id>"): the version the caseworker saw."""

    version = HiddenField()


class SignSeenForm(MarkSeenForm):
    comment = TextAreaField(
        _l("A comment the citizen sees (you can skip this)"),
        validators=[Optional(), at_most(COMMENT_MAX)],
    )


class AbsenceForm(PortalForm):
    version = HiddenField()  # the PractitionerRole's version the caseworker saw
    start = DateField(_l("Away from"), validators=[Optional()], format=DATE_FORMATS)
    end = DateField(_l("Away until"), validators=[Optional()], format=DATE_FORMATS)
    substitute = SelectField(_l("Substitute while you are away"), validate_choice=False)

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        # Not a field validator: Optional() on an empty end date would stop it from running at all.
        if not super().validate(extra_validators):
            return False
        if bool(self.start.data) != bool(self.end.data):
            self.end.errors = [_l("Write both dates, or neither.")]
            return False
        if self.start.data and self.end.data and self.end.data < self.start.data:
            self.end.errors = [_l("The end cannot be before the start.")]
            return False
        return True


__all__ = [
    "AbsenceForm",
    "AcceptGoalForm",
    "DeclineGoalForm",
    "InputRequired",
    "MarkSeenForm",
    "SignSeenForm",
    "StaffReplyForm",
]


class RegisterRepresentativeForm(PortalForm):
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("guardian", _l("Guardian (court-appointed)")),
            SelectChoice("parent", _l("Parent with custody")),
        ],
    )
    name = StringField(
        _l("Full name"), validators=[NotBlank(_l("Write the name.")), Length(max=120)]
    )
    ends_on = DateField(
        _l("Until"),
        validators=[InputRequired(message=_l("Write the last day."))],
        format=DATE_FORMATS,
    )
    decision = TextAreaField(
        _l("The scope of the decision (for a guardian)"), validators=[Optional(), Length(max=1000)]
    )


class CaseUpdateForm(PortalForm):
    version = HiddenField()
    step = SelectField(
        _l("Step"),
        choices=[
            SelectChoice(code)
            for code in ("received", "assessing", "awaiting-information", "decided")
        ],
    )
    due = DateField(
        _l("Decision due by"),
        validators=[InputRequired(message=_l("Write the date, for example 24-12-2026."))],
        format=DATE_FORMATS,
    )
    reason = TextAreaField(
        _l("Reason (the citizen sees this; needed when the date changes)"),
        validators=[Optional(), Length(max=1000)],
    )


class HandOverForm(PortalForm):
    colleague = SelectField(_l("Hand over to"), validate_choice=False)
    start = DateField(
        _l("From"),
        validators=[InputRequired(message=_l("Write the date, for example 24-12-2026."))],
        format=DATE_FORMATS,
    )

    def validate_colleague(self, field: SelectField) -> None:
        if field.data not in {value for value, _label in field.choices} or not field.data:
            raise ValidationError(_l("Choose the colleague who takes over."))

    def validate_start(self, field: DateField) -> None:
        if field.data and field.data < date.today():
            raise ValidationError(_l("The date cannot be in the past."))


class GasWordingForm(PortalForm):
    """The caseworker's wording beside each of a goal's five levels (empty: no wording for that level)."""

    version = HiddenField()  # the Goal's version the caseworker saw
    expected = TextAreaField(
        _l("The goal reached, in professional wording"), validators=[Optional(), Length(max=500)]
    )
    less = TextAreaField(_l("Less than expected"), validators=[Optional(), Length(max=500)])
    much_less = TextAreaField(
        _l("Much less than expected"), validators=[Optional(), Length(max=500)]
    )
    better = TextAreaField(_l("Better than expected"), validators=[Optional(), Length(max=500)])
    much_better = TextAreaField(
        _l("Much better than expected"), validators=[Optional(), Length(max=500)]
    )

    def wording(self) -> dict[str, str]:
        return {
            "much-less": self.much_less.data or "",
            "less": self.less.data or "",
            "expected": self.expected.data or "",
            "better": self.better.data or "",
            "much-better": self.much_better.data or "",
        }

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        if not super().validate(extra_validators):
            return False
        if not any(text.strip() for text in self.wording().values()):
            self.expected.errors = [_l("Write the wording for at least one level.")]
            return False
        return True


class StaffGasRatingForm(PortalForm):
    message_id = HiddenField()  # one rating however often the form is sent (If-None-Exist)

    def rating_uuid(self) -> uuid.UUID:
        """The rating's own id, made when the page was shown: sending twice makes one."""
        try:
            return uuid.UUID(self.message_id.data or "")
        except ValueError:
            return uuid.uuid4()

    level = RadioField(
        _l("Where does the goal stand now, in your view?"),
        choices=[
            SelectChoice(code)
            for code in ("much-less", "less", "expected", "better", "much-better")
        ],
        validators=[InputRequired(message=_l("Choose the level that fits best."))],
    )
    note = TextAreaField(
        _l("A short note (you can skip this)"), validators=[Optional(), Length(max=500)]
    )
