from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.validators import InputRequired


class PlainForm(FlaskForm):
    """A form with nothing but its CSRF token: for buttons such as "sign out"."""


class LanguageForm(FlaskForm):
    language = HiddenField()
    next = HiddenField()


class DemoSignInForm(FlaskForm):
    account = RadioField(
        _l("Who do you want to be?"),
        validators=[InputRequired(message=_l("Choose a person."))],
    )


__all__ = ["DemoSignInForm", "LanguageForm", "PlainForm"]
