from __future__ import annotations

import re
from typing import Any, TypeVar

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
    rest of the text comes back in the field (the same on SQLite and PostgreSQL).

    A form repeated per item on one page (one per goal, message, case) is built with prefix="<kind>-<id>": its
    fields' names and ids are its own, but its CSRF token keeps the one name "csrf_token", so that the form
    macros (templates/components/form.html, form_open) and the page that offers to send again write it alike."""

    class Meta:
        def bind_field(self, form, unbound_field, options):  # type: ignore[no-untyped-def]
            if options.get("name") == self.csrf_field_name:
                options = {**options, "prefix": ""}
            return super().bind_field(form, unbound_field, options)

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


F = TypeVar("F", bound=PortalForm)


def item_prefix(kind: str, item_id: object) -> str:
    """The prefix of the form of one item among many on a page: "accept-<goal id>-"."""
    return f"{kind}-{item_id}-"


def item_form(
    form_class: type[F],
    kind: str,
    item_id: object,
    submitted: PortalForm | None = None,
    **data: Any,
) -> F:
    """The form of one item on a page that repeats it per item: the form just submitted for this item (with
    what was typed and its errors), or a fresh one holding `data`, not bound to the request."""
    prefix = item_prefix(kind, item_id)
    if isinstance(submitted, form_class) and submitted._prefix == prefix:
        return submitted
    return form_class(formdata=None, prefix=prefix, data=data)


def at_most(limit: int) -> Length:
    """A length limit whose message counts in the reader's language ("1 bogstav", Arabic's six forms)."""
    return Length(
        max=limit,
        message=lazy_ngettext(
            "Write at most %(num)d character.", "Write at most %(num)d characters.", limit
        ),
    )


__all__ = [
    "CONTROL_CHARACTERS",
    "LanguageForm",
    "PlainForm",
    "PortalForm",
    "at_most",
    "item_form",
    "item_prefix",
]
