from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectMultipleField, StringField, ValidationError
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..services.delegations import MAX_DAYS
from .common import PortalForm, at_most

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _scope_field() -> CheckboxesField:
    return CheckboxesField(
        _l("What may they do for you?"),
        choices=[SelectChoice(code) for code in ("read", "write", "message")],
        validators=[InputRequired(message=_l("Choose at least one thing they may do."))],
    )


def _ends_field() -> DateField:
    return DateField(
        _l("Until which date?"),
        validators=[InputRequired(message=_l("Write the last day, for example 31-12-2026."))],
        format=DATE_FORMATS,
    )


class _Ends:
    def validate_ends_on(self, field: DateField) -> None:
        if field.data and field.data < date.today():
            raise ValidationError(_l("The date cannot be in the past."))
        if field.data and field.data > date.today() + timedelta(days=MAX_DAYS):
            raise ValidationError(
                _l("The date can be at most one year from today. You can renew it later.")
            )


class InviteForm(_Ends, PortalForm):
    name = StringField(
        _l("Their name"),
        validators=[
            InputRequired(message=_l("Write their name.")),
            at_most(120),
        ],
    )
    contact = StringField(
        _l("Their phone number or e-mail (you can skip this)"),
        validators=[
            Optional(),
            at_most(254),
        ],
    )
    scopes = _scope_field()
    ends_on = _ends_field()


class ChangeForm(_Ends, PortalForm):
    scopes = _scope_field()
    ends_on = _ends_field()


class InvitationCodeForm(PortalForm):
    code = StringField(
        _l("The code you got"),
        validators=[
            InputRequired(message=_l("Write the code you got.")),
            Length(max=40, message=_l("That is too long. The code has 12 letters and numbers.")),
        ],
    )
