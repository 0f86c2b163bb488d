from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, ValidationError
from wtforms.validators import InputRequired, Length

from ..auth.service import NAME_MAX
from ..notify.messages import check_recipient
from .common import PortalForm, at_most


class ActivationForm(PortalForm):
    code = StringField(
        _l("Your activation code"),
        validators=[
            InputRequired(message=_l("Write the code from your letter or from your caseworker.")),
            Length(max=40, message=_l("That is too long. The code has 12 letters and numbers.")),
        ],
    )


class PasskeyNameForm(PortalForm):
    name = StringField(
        _l("Name for this passkey (you can skip this)"),
        validators=[at_most(NAME_MAX)],
    )


class RenameForm(PortalForm):
    name = StringField(
        _l("New name"),
        validators=[
            InputRequired(message=_l("Write a name.")),
            at_most(NAME_MAX),
        ],
    )


class NotificationForm(PortalForm):
    email = StringField(
        _l("Your e-mail address"),
        validators=[at_most(254)],
    )

    def validate_email(self, field: StringField) -> None:
        value = (field.data or "").strip()
        if not value:
            return
        try:
            check_recipient(value)
        except ValueError as exc:
            raise ValidationError(_l("Write an e-mail address like name@example.dk.")) from exc
        if "@" not in value or "." not in value.rsplit("@", 1)[-1]:
            raise ValidationError(_l("Write an e-mail address like name@example.dk."))
