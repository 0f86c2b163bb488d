from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length

# C0 control characters but tab, newline and carriage return, and DEL: PostgreSQL text cannot hold NUL, and
# none of them is anything a person means to write.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = _l(
    "The text had invisible characters that cannot be saved. We took them out. "
    "Check the text and send it again."
)


class PortalForm(FlaskForm):
    """Every form of the portal: free text with control characters is refused with a clear message, and the
    rest of the text comes back in the field (the same on SQLite and PostgreSQL)."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field, StringField) and isinstance(field.data, str):
                cleaned = CONTROL_CHARACTERS.sub("", field.data)
                if cleaned != field.data:
                    field.data = cleaned
                    field.raw_data = [cleaned]
                    field.errors = [*field.errors, str(CONTROL_MESSAGE)]
                    valid = False
        return valid


class PlainForm(PortalForm):
    """A form with nothing but its CSRF token: for buttons such as "sign out"."""


class LanguageForm(PortalForm):
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


__all__ = ["CONTROL_CHARACTERS", "LanguageForm", "PlainForm", "PortalForm", "at_most"]
