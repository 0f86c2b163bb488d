"""NUL and other control characters in free text (issue #14, item 7): a clear translated message, the rest of
the text kept in the field, nothing stored; the same on SQLite and PostgreSQL (run this file on both)."""

from __future__ import annotations

import inspect
from html import unescape

from flask_wtf import FlaskForm

from citizen_app import forms
from citizen_app.forms import auth, caseworker, citizen, common, delegations
from citizen_app.forms.common import PortalForm
from tests.helpers import count_at_api, post_form

MESSAGE = "Teksten havde noget usynligt, som ikke kan gemmes."


def test_a_message_with_control_characters_is_refused_and_the_rest_kept(
    as_sara, plan_service
) -> None:
    before = count_at_api(plan_service.fhir_url, "Communication")
    for control in ("\x00", "\x07", "\x1b", "\x7f"):
        text = f"Kan vi tale{control} om min medicin?"
        response = post_form(as_sara, "/messages/new", {"subject": "Medicin", "text": text})
        assert response.status_code == 400
        page = unescape(response.get_data(as_text=True))
        assert MESSAGE in page
        assert "Kan vi tale om min medicin?" in page and control not in page
    assert count_at_api(plan_service.fhir_url, "Communication") == before


def test_tabs_and_new_lines_are_ordinary_text(as_sara) -> None:
    response = post_form(
        as_sara, "/messages/new", {"subject": "Medicin", "text": "Linje 1\r\nLinje 2\tslut"}
    )
    assert response.status_code == 303


def test_a_name_with_a_nul_byte_is_refused_with_the_rest_kept(as_sara) -> None:
    response = post_form(
        as_sara, "/delegations/new", {"name": "Pe\x00ter", "scopes": "read", "ends_on": ""}
    )
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    assert MESSAGE in page and 'value="Peter"' in page


def test_every_form_of_the_portal_checks_for_control_characters() -> None:
    for module in (auth, caseworker, citizen, common, delegations, forms):
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, FlaskForm) and value is not FlaskForm:
                assert issubclass(value, PortalForm), f"{module.__name__}.{name}"
