from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class PlainForm(FlaskForm):
    """A form with nothing but its CSRF token: for buttons such as "sign out"."""


class LanguageForm(FlaskForm):
    language = HiddenField()
    next = HiddenField()


__all__ = ["LanguageForm", "PlainForm"]
