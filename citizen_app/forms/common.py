from __future__ import annotations

from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import Length


class PlainForm(FlaskForm):
    """A form with nothing but its CSRF token: for buttons such as "sign out"."""


class LanguageForm(FlaskForm):
    language = HiddenField()
    next = HiddenField()


def at_most(limit: int) -> Length:
    """A length limit whose message counts in the reader's language ("1 bogstav", Arabic's six forms)."""
    return Length(
        max=limit,
        message=lazy_ngettext(
            "Write at most %(num)d character.", "Write at most %(num)d characters.", limit
        ),
    )


__all__ = ["LanguageForm", "PlainForm", "at_most"]
