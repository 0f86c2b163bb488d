"""The progress-sign form: clear translated errors that keep what was typed; any Unicode round-trips exactly;
an expired form token loses nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from citizen_app import db
from citizen_app.outbox import Dispatcher
from citizen_app.services.plan_reading import read_plan
from tests import blns
from tests.helpers import csrf_token, post_form, search_at_api


@pytest.fixture
def goal_url(app, demo) -> str:
    with app.app_context():
        goal = read_plan(db.session(), demo["sara"].fhir_ref).plan.goals[0]
    return f"/plan/goals/{goal.id}/progress"


def test_missing_choice_and_future_date_are_explained_and_the_note_is_kept(
    as_sara, goal_url
) -> None:
    note = 'Jeg gik <b>selv</b> ned & købte "mælk"'
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = post_form(as_sara, goal_url, {"note": note, "when": tomorrow})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Det her skal du rette" in page  # the error summary
    assert page.count("Vælg, hvordan det går.") == 2  # in the summary and by the field
    assert page.count("Datoen kan ikke ligge i fremtiden.") == 2
    assert 'aria-invalid="true"' in page
    textarea = re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", page, re.S).group(1)
    assert unescape(textarea) == note  # kept exactly, and escaped on output
    assert "<b>selv</b>" not in page
    assert f'value="{tomorrow}"' in page


def test_english_errors(as_sara, goal_url) -> None:
    token = csrf_token(as_sara, goal_url)
    response = as_sara.post(
        goal_url,
        data={"csrf_token": token, "when": "not a date"},
        headers={"Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert "Choose how it is going." in page and "Please check this" in page
    assert 'value="not a date"' in page


def test_too_long_a_note_is_refused_with_the_limit_and_kept(as_sara, goal_url) -> None:
    note = "x" * 1001
    response = post_form(
        as_sara, goal_url, {"value": "same", "note": note, "when": date.today().isoformat()}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert note in page
    assert "Skriv højst 1000 bogstaver." in page  # the limit, counted in Danish (ngettext)


def test_an_expired_form_token_shows_the_text_ready_to_send_again(
    app, as_sara, goal_url, plan_service
) -> None:
    note = "Det her må ikke gå tabt ✓"
    response = as_sara.post(
        goal_url,
        data={
            "csrf_token": "expired",
            "value": "same",
            "note": note,
            "when": date.today().isoformat(),
        },
        headers={
            "Sec-Fetch-Site": "same-origin"
        },  # from the portal's own page, as the browser says
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert note in unescape(page)
    # No form with a fresh token around the sent fields (issue #14): the real form has the words again.
    assert 'type="hidden" name="note"' not in page
    form = as_sara.get(goal_url).get_data(as_text=True)
    assert note in unescape(form)
    assert re.search(r'value="same"[^>]*checked', form)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    resend = as_sara.post(
        goal_url,
        data={"csrf_token": token, "value": "same", "note": note, "when": date.today().isoformat()},
    )
    assert resend.status_code == 303
    Dispatcher(app, app.extensions["citizen_app.plan_client"]).dispatch_due()
    notes = [
        o.get("note", [{}])[0].get("text")
        for o in search_at_api(plan_service.fhir_url, "Observation")
    ]
    assert note in notes


@pytest.mark.blns
def test_every_hostile_string_round_trips_exactly_and_nothing_is_a_500(
    app, as_sara, goal_url, plan_service
) -> None:
    strings = [s[:1000] for s in blns.strings()]
    token = csrf_token(as_sara, goal_url)
    statuses = []
    for text in strings:
        response = as_sara.post(
            goal_url,
            data={
                "csrf_token": token,
                "value": "same",
                "note": text,
                "when": date.today().isoformat(),
            },
        )
        statuses.append(response.status_code)
    assert 500 not in statuses
    accepted = [t for t, s in zip(strings, statuses, strict=True) if s == 303]
    # WTForms strips nothing from a textarea but normalises line endings the way browsers send them.
    # Control characters (NUL and the other C0 but tab and newline) are refused with a message and the text
    # kept in the form (tests/integration/test_control_characters.py); every other string is accepted.
    from citizen_app.forms.common import CONTROL_CHARACTERS

    clean = [t for t in strings if not CONTROL_CHARACTERS.search(t)]
    assert accepted == clean
    refused = {
        repr(t[:20]): s
        for t, s in zip(strings, statuses, strict=True)
        if CONTROL_CHARACTERS.search(t)
    }
    assert set(refused.values()) == {400}, refused  # the form again, with the message
    dispatcher = Dispatcher(app, app.extensions["citizen_app.plan_client"])
    while dispatcher.dispatch_due().attempted:
        pass
    stored = [
        o.get("note", [{}])[0].get("text")
        for o in search_at_api(plan_service.fhir_url, "Observation", code="progress-sign")
    ]
    for text in accepted:
        assert text in stored, repr(text)
    # And back on the plan page, escaped: no markup from the corpus becomes markup.
    page = as_sara.get("/plan").get_data(as_text=True)
    assert "<script>alert(" not in page
