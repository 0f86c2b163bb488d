from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Optional, StopValidation

from ..labels import PROGRESS_SIGNS, SATISFACTION
from .common import PortalForm, at_most

NOTE_MAX = 1000


class ProgressSignForm(PortalForm):
    value = RadioField(
        _l("How is it going?"),
        choices=[SelectChoice(code) for code in PROGRESS_SIGNS],
        validators=[InputRequired(message=_l("Choose how it is going."))],
    )
    note = TextAreaField(
        _l("What happened? (you can skip this)"),
        validators=[
            Optional(),
            at_most(NOTE_MAX),
        ],
    )
    when = DateField(
        _l("When?"),
        default=date.today,
        validators=[InputRequired(message=_l("Write the date, for example 24-12-2026."))],
        format=["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"],
    )

    def validate_when(self, field: DateField) -> None:
        if field.data and field.data > date.today():
            raise ValidationError(_l("The date cannot be in the future."))
        if field.data and field.data < date.today() - timedelta(days=366):
            raise ValidationError(_l("The date must be within the last year."))


class NotBlank:
    """Like InputRequired, but spaces alone are no answer either."""

    def __init__(self, message: object) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: object) -> None:
        data = getattr(field, "data", None)
        if not isinstance(data, str) or not data.strip():
            raise StopValidation(str(self.message))


class AnswerForm(PortalForm):
    """One question of a guided conversation; the label is set per step by the view."""

    answer = TextAreaField()

    def configure(self, *, label: str, required: bool, max_length: int) -> AnswerForm:
        self.answer.label.text = label
        self.answer.validators = [
            NotBlank(_l("Please write an answer. A few words are enough."))
            if required
            else Optional(),
            at_most(max_length),
        ]
        return self


FEEDBACK_MAX = 500


class GoalFeedbackForm(PortalForm):
    wording = TextAreaField(
        _l("Your own words for this goal (you can skip this)"),
        validators=[
            Optional(),
            at_most(FEEDBACK_MAX),
        ],
    )
    agreement = RadioField(
        _l("Do you agree with the goal as your caseworker wrote it?"),
        choices=[SelectChoice(code) for code in ("agree", "partly", "disagree")],
        validate_choice=False,  # optional: checked in validate() below
    )
    comment = TextAreaField(
        _l("Anything you want to add? (you can skip this)"),
        validators=[
            Optional(),
            at_most(FEEDBACK_MAX),
        ],
    )

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        if not super().validate(extra_validators):
            return False
        if self.agreement.data not in (None, "", "agree", "partly", "disagree"):
            self.agreement.errors = [_l("Choose one of the answers.")]
            return False
        if (
            not (self.wording.data or "").strip()
            and not self.agreement.data
            and not (self.comment.data or "").strip()
        ):
            self.wording.errors = [
                _l("Write your own words, or say if you agree. Then press Send.")
            ]
            return False
        return True


SUBJECT_MAX = 120
MESSAGE_MAX = 2000


class MessageForm(PortalForm):
    subject = StringField(
        _l("Subject (you can skip this)"),
        validators=[
            Optional(),
            at_most(SUBJECT_MAX),
        ],
    )
    text = TextAreaField(
        _l("Your message"),
        validators=[
            NotBlank(_l("Write your message.")),
            at_most(MESSAGE_MAX),
        ],
    )


class ReplyForm(PortalForm):
    text = TextAreaField(
        _l("Your answer"),
        validators=[
            NotBlank(_l("Write your message.")),
            at_most(MESSAGE_MAX),
        ],
    )


class ContactFeedbackForm(PortalForm):
    score = RadioField(
        _l("How was your contact with us?"),
        choices=[SelectChoice(code) for code in SATISFACTION],
        validators=[InputRequired(message=_l("Choose one of the answers, or leave the page."))],
    )
    comment = TextAreaField(
        _l("Anything you want to tell us? (you can skip this)"),
        validators=[
            Optional(),
            at_most(NOTE_MAX),
        ],
    )


class ComplaintForm(PortalForm):
    text = TextAreaField(
        _l("What do you want to complain about?"),
        validators=[
            NotBlank(_l("Write what you want to complain about.")),
            at_most(MESSAGE_MAX),
        ],
    )


class EmptyOr:
    """An optional choice: nothing chosen, or one of `codes`."""

    def __init__(self, codes: tuple[str, ...]) -> None:
        self.codes = codes

    def __call__(self, form: FlaskForm, field: object) -> None:
        data = getattr(field, "data", None)
        if data not in (None, "", *self.codes):
            raise StopValidation(str(_l("Choose one of the answers.")))


def preparation_goals_form(goals: list) -> FlaskForm:  # type: ignore[type-arg]
    """One optional progress question and one optional note per goal in the plan."""

    class PreparationGoalsForm(PortalForm):
        pass

    for goal in goals:
        setattr(
            PreparationGoalsForm,
            f"progress-{goal.id}",
            RadioField(
                _l("How has it gone?"),
                choices=[SelectChoice(code) for code in PROGRESS_SIGNS],
                validate_choice=False,  # optional: an empty answer is fine, anything else is checked
                validators=[EmptyOr(tuple(PROGRESS_SIGNS))],
            ),
        )
        setattr(
            PreparationGoalsForm,
            f"note-{goal.id}",
            TextAreaField(
                _l("Anything to add? (you can skip this)"),
                validators=[
                    Optional(),
                    at_most(NOTE_MAX),
                ],
            ),
        )
    return PreparationGoalsForm()


class GasRatingForm(PortalForm):
    """Where the goal stands now, on the goal's five levels, and an optional short note."""

    level = RadioField(
        _l("Where does the goal stand now?"),
        choices=[
            SelectChoice(code)
            for code in ("much-less", "less", "expected", "better", "much-better")
        ],
        validators=[InputRequired(message=_l("Choose the level that fits best."))],
    )
    note = TextAreaField(
        _l("A short note (you can skip this)"),
        validators=[Optional(), at_most(500)],
    )
