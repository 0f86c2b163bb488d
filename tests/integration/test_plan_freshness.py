"""The plan page asks the plan API nothing while the change feed says the plan is unchanged
(services/plan_freshness.py), and shows a change made in the case system after the next feed read; the
citizen's own writes show at once, also in another process; and an outage trusts nothing.

Every other test runs with the feed off (PLAN_FEED_SECONDS = 0: each view asks). Here it is on, with a clock
the test moves, so "a second later" needs no sleep."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from typing import Any

import pytest

from citizen_app import db
from citizen_app.demo_data import load
from citizen_app.models import Account, utcnow
from citizen_app.outbox import Dispatcher
from citizen_app.plan_api import communications
from citizen_app.services.plan_freshness import plan_freshness
from citizen_app.services.plan_reading import plan_client, read_plan
from tests.conftest import sign_in_as
from tests.helpers import api, post_form, search_at_api


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _feed_app(make_app, clock: Clock, **extra: Any):  # type: ignore[no-untyped-def]
    app = make_app(PLAN_FEED_SECONDS=1, PLAN_TRUST_SECONDS=60, **extra)
    with app.app_context():
        plan_freshness()._clock = clock
    return app


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def feed_app(make_app, clock):  # type: ignore[no-untyped-def]
    app = _feed_app(make_app, clock)
    with app.app_context():
        load(db.session(), plan_client(), secret_key=app.config["SECRET_KEY"])
    return app


@pytest.fixture
def people(feed_app) -> dict[str, Account]:  # type: ignore[no-untyped-def]
    with feed_app.app_context():
        return {a.username: a for a in db.session().query(Account).all()}


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


def _signed_in(app, person: Account):  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in_as(client, person)
    return client


def _calls(app) -> int:  # type: ignore[no-untyped-def]
    return app.extensions["citizen_app.plan_client"].calls  # type: ignore[no-any-return]


def _rewrite_goal(plan_service, patient_ref: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """A caseworker rewrites the first goal in the case system, not through the portal."""
    goal = search_at_api(plan_service.fhir_url, "Goal", patient=patient_ref)[0]
    goal.pop("extension", None)
    goal["description"] = {"text": text}
    response = api.put(
        f"{plan_service.fhir_url}/Goal/{goal['id']}",
        json=goal,
        headers={"If-Match": f'W/"{goal["meta"]["versionId"]}"'},
    )
    assert response.status_code == 200, response.text


def _deliver(app) -> None:  # type: ignore[no-untyped-def]
    dispatcher = Dispatcher(app, app.extensions["citizen_app.plan_client"])
    while dispatcher.dispatch_due().attempted:
        pass


def _trusted_view(client, app) -> str:  # type: ignore[no-untyped-def]
    """Views until one is answered from what the process holds (the first reads, the second starts the
    feed), and that one asks the plan API nothing."""
    client.get("/plan")
    client.get("/plan")
    before = _calls(app)
    page = _text(client.get("/plan"))
    assert _calls(app) == before, "a view of an unchanged plan asked the plan API"
    return page


def test_an_unchanged_plan_is_shown_without_a_call_and_a_change_after_the_next_feed_read(
    feed_app, people, plan_service, clock
) -> None:
    sara = _signed_in(feed_app, people["sara"])
    page = _trusted_view(sara, feed_app)
    assert "Mine mål" in page
    _rewrite_goal(plan_service, people["sara"].fhir_ref, "Et mål skrevet om i sagssystemet")
    # Within the second the feed was read, the page is the one before (the bounded delay) ...
    assert "Et mål skrevet om i sagssystemet" not in _text(sara.get("/plan"))
    # ... and after it, one feed read shows the change and the plan is asked for: two calls.
    clock.now += 1.5
    before = _calls(feed_app)
    assert "Et mål skrevet om i sagssystemet" in _text(sara.get("/plan"))
    assert _calls(feed_app) - before == 2
    # Then trusted again.
    before = _calls(feed_app)
    assert "Et mål skrevet om i sagssystemet" in _text(sara.get("/plan"))
    assert _calls(feed_app) == before


def test_another_citizens_change_costs_one_feed_read_and_a_staff_change_a_read_of_every_plan(
    feed_app, people, plan_service, clock
) -> None:
    sara = _signed_in(feed_app, people["sara"])
    _trusted_view(sara, feed_app)
    created = api.post(
        f"{plan_service.fhir_url}/Patient",
        json={"resourceType": "Patient", "name": [{"text": "En anden borger"}]},
    )
    assert created.status_code == 201
    clock.now += 1.5
    before = _calls(feed_app)
    _text(sara.get("/plan"))
    assert _calls(feed_app) - before == 1  # the feed only: Sara's plan did not change
    # A PractitionerRole (names, phones, absences) reaches every plan: every plan is asked for again.
    role = search_at_api(plan_service.fhir_url, "PractitionerRole")[0]
    role["telecom"] = [{"system": "phone", "value": "33 66 00 00"}]
    response = api.put(
        f"{plan_service.fhir_url}/PractitionerRole/{role['id']}",
        json=role,
        headers={"If-Match": f'W/"{role["meta"]["versionId"]}"'},
    )
    assert response.status_code == 200, response.text
    clock.now += 1.5
    before = _calls(feed_app)
    _text(sara.get("/plan"))
    assert _calls(feed_app) - before == 2


def test_the_citizens_own_write_shows_at_once_in_another_process(
    make_app, feed_app, people, clock
) -> None:
    other = _feed_app(make_app, clock)  # a second process: its own memory, the same database
    seen_there = _signed_in(other, people["sara"])
    _trusted_view(seen_there, other)
    writer = _signed_in(feed_app, people["sara"])
    with feed_app.app_context():
        goal = read_plan(db.session(), people["sara"].fhir_ref).plan.goals[2]
    sent = post_form(
        writer,
        f"/plan/goals/{goal.id}/progress",
        {"value": "much-closer", "note": "Vi spiste sammen", "when": date.today().isoformat()},
    )
    assert sent.status_code == 303
    _deliver(feed_app)
    # No clock moved, no feed read: the delivered row in the outbox tells the other process, which asks
    # for the plan: the sign is in the plan (the newest sign of the goal), no longer a row "sent".
    page = _text(seen_there.get("/plan"))
    assert "Meget tættere på" in page
    assert "Det har du sendt" not in page


def test_an_outage_trusts_nothing_once_the_feed_cannot_be_read(
    feed_app, people, plan_service, clock
) -> None:
    sara = _signed_in(feed_app, people["sara"])
    _trusted_view(sara, feed_app)
    plan_service.stop()
    try:
        clock.now += 1.5
        page = _text(sara.get("/plan"))
        assert "Vi kan ikke nå plansystemet lige nu" in page
    finally:
        plan_service.start()


def test_what_this_process_writes_to_a_plan_shows_there_at_once(feed_app, people) -> None:
    sara = _signed_in(feed_app, people["sara"])
    sent = post_form(sara, "/messages/new", {"subject": "Medicin", "text": "Kan vi tale om det?"})
    assert sent.status_code == 303
    _deliver(feed_app)
    _trusted_view(sara, feed_app)
    before = _calls(feed_app)
    assert "Læst af din sagsbehandler" not in _text(sara.get("/messages"))
    assert _calls(feed_app) == before  # the messages page reads the plan the same way
    jonas = _signed_in(feed_app, people["jonas"])
    # Opening Sara's page marks her message read by staff: a write to the plan API, not through the outbox.
    patient_id = people["sara"].fhir_ref.split("/")[1]
    assert jonas.get(f"/caseworker/citizens/{patient_id}").status_code == 200
    # No clock moved, no feed read: the plan client told this process what it wrote.
    assert "Læst af din sagsbehandler" in _text(sara.get("/messages"))


def _waiting_for_sara(jonas) -> int:  # type: ignore[no-untyped-def]
    page = _text(jonas.get("/caseworker/"))
    found = re.search(r"Sara Jensen</a></th> <td[^>]*>[^<]+</td> <td[^>]*>(\d+)</td>", page)
    assert found, page
    return int(found.group(1))


def test_the_caseload_row_is_refreshed_from_the_plan_not_from_this_processs_copy(
    feed_app, people, plan_service
) -> None:
    sara = _signed_in(feed_app, people["sara"])
    _trusted_view(sara, feed_app)  # this process trusts its copy of Sara's plan for a second
    jonas = _signed_in(feed_app, people["jonas"])
    before = _waiting_for_sara(jonas)
    message = communications.message(
        patient_ref=people["sara"].fhir_ref,
        sender_ref=people["sara"].fhir_ref,
        recipient_ref=people["jonas"].fhir_ref,
        text="Kan vi flytte mødet?",
        subject="Mødet",
        sent=utcnow(),
    )
    created = api.post(f"{plan_service.fhir_url}/Communication", json=message)
    assert created.status_code == 201, created.text
    # The caseload's own feed read (every caseworker request) sees the message and reads Sara's plan again:
    # from the plan API, not from the copy the plan page's feed (not read again yet) still trusts.
    assert _waiting_for_sara(jonas) == before + 1


def test_who_wrote_what_makes_no_plan_be_asked_for_again(feed_app, people, clock) -> None:
    mads = _signed_in(feed_app, people["mads"])
    _trusted_view(mads, feed_app)
    sara = _signed_in(feed_app, people["sara"])
    sent = post_form(sara, "/messages/new", {"subject": "Medicin", "text": "Kan vi tale om det?"})
    assert sent.status_code == 303
    _deliver(feed_app)  # Sara's message and its Provenance (who wrote it) are in the feed
    clock.now += 1.5
    before = _calls(feed_app)
    _text(mads.get("/plan"))
    assert _calls(feed_app) - before == 1  # the feed only: neither is Mads's
