from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from ..labels import PROGRESS_SIGNS

NOTE_MAX = 1000


class ProgressSignForm(FlaskForm):
    value = RadioField(
        _l("How is it going?"),
        choices=[SelectChoice(code) for code in PROGRESS_SIGNS],
        validators=[InputRequired(message=_l("Choose how it is going."))],
    )
    note = TextAreaField(
        _l("What happened? (you can skip this)"),
        validators=[
            Optional(),
            Length(max=NOTE_MAX, message=_l("Write at most %(max)d characters.", max=NOTE_MAX)),
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
