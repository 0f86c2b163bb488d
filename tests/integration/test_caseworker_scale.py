"""The caseworker side at size: the caseload and the team page cost the same plan-API calls and SQL queries
for a unit of 5 and of 60 citizens; the caseload is sorted by urgency, 50 a page, filterable; a write made
straight in the case system shows; every citizen listed gets a "saw you in their caseload" event."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from citizen_app import db
from citizen_app.audit import LISTED_IN_CASELOAD
from citizen_app.demo_data import load_unit
from citizen_app.models import AuditEvent, OutboxMessage, OutboxState
from citizen_app.plan_api import communications
from tests.conftest import sign_in_as
from tests.helpers import api
from tests.integration.test_caseworker import text_of


def _counts(app, client, url: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Plan-API calls and SQL queries of one repeat visit (after one that lets the read model catch up)."""
    assert client.get(url).status_code == 200
    plan_client = app.extensions["citizen_app.plan_client"]
    queries = 0

    def count(*_args: Any) -> None:
        nonlocal queries
        queries += 1

    engine = db.engine(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        calls = plan_client.calls
        assert client.get(url).status_code == 200
        return plan_client.calls - calls, queries
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _names(html: str) -> list[str]:
    return re.findall(
        r'<th scope="row"><a href="/caseworker/citizens/[^"]+" dir="auto">([^<]+)</a>', html
    )


def test_caseload_and_team_page_cost_the_same_for_5_and_60_citizens_and_page_by_urgency(
    app, demo, plan_service
) -> None:
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    with app.app_context():
        load_unit(app.extensions["citizen_app.plan_client"], 5)
    small = {url: _counts(app, jonas, url) for url in ("/caseworker/", "/caseworker/team")}
    with app.app_context():
        load_unit(app.extensions["citizen_app.plan_client"], 60)
    large = {url: _counts(app, jonas, url) for url in ("/caseworker/", "/caseworker/team")}
    assert small == large, (small, large)

    # 60 from the unit and Sara and Mads: 62 citizens, 50 on the first page, the most urgent first.
    first = jonas.get("/caseworker/").get_data(as_text=True)
    assert "62 borgere" in text_of_html(first)
    assert len(_names(first)) == 50
    assert 'rel="next"' in first and "side 1 af 2" in text_of_html(first)
    second = jonas.get("/caseworker/?page=2").get_data(as_text=True)
    assert len(_names(second)) == 12
    assert not set(_names(first)) & set(_names(second))
    # Overdue first: once a row is not overdue, no later row on the page is.
    marks = [
        "Over fristen" in row
        for row in re.findall(
            r"<tr>\s*<th scope=\"row\"><a href=\"/caseworker/citizens/.*?</tr>", first, re.S
        )
    ]
    assert marks == sorted(marks, reverse=True)
    waiting = jonas.get("/caseworker/?waiting=1").get_data(as_text=True)
    assert "checked" in waiting and "af 62" in text_of_html(waiting)


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_message_written_straight_in_the_case_system_shows_in_the_caseload(
    app, demo, plan_service
) -> None:
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    waiting = int(
        re.search(
            r"Sara Jensen</a></th> <td[^>]*>[^<]+</td> <td[^>]*>(\d+)</td>", _html(jonas)
        ).group(1)
    )
    sara = demo["sara"].fhir_ref
    message = communications.message(
        patient_ref=sara,
        sender_ref=sara,
        recipient_ref=demo["jonas"].fhir_ref,
        text="Skrevet i fagsystemet",
        subject=None,
        sent=datetime.now(UTC) - timedelta(hours=1),
    )
    api.post(f"{plan_service.fhir_url}/Communication", json=message).raise_for_status()
    after = int(
        re.search(
            r"Sara Jensen</a></th> <td[^>]*>[^<]+</td> <td[^>]*>(\d+)</td>", _html(jonas)
        ).group(1)
    )
    assert after == waiting + 1


def _html(client) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", client.get("/caseworker/").get_data(as_text=True))


def test_every_citizen_listed_in_the_caseload_gets_an_event_they_can_see(app, demo) -> None:
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    assert jonas.get("/caseworker/").status_code == 200
    with app.app_context():
        events = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.action == LISTED_IN_CASELOAD))
            .all()
        )
    assert {e.citizen_ref for e in events} == {demo["sara"].fhir_ref, demo["mads"].fhir_ref}
    assert {e.actor_role for e in events} == {"fixed-caseworker"}
    sara = app.test_client()
    sign_in_as(sara, demo["sara"])
    assert "så dig i sin liste over borgere" in text_of(sara.get("/who-has-looked"))


def test_evaluations_due_and_held_on_time_cost_the_same_for_5_and_60_citizens(
    app, demo, plan_service
) -> None:
    """Issue #18: the queue of evaluations due and the team's "held on time" come from the read model: a unit
    whose plans were due for follow-up 9 days ago lists every one of my citizens as overdue, at the same
    plan-API calls and SQL queries for 5 and for 60."""
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    earlier = datetime.now(UTC).date() - timedelta(days=50)  # the demo's follow-up is 41 days on
    with app.app_context():
        load_unit(app.extensions["citizen_app.plan_client"], 5, today=earlier)
    small = {url: _counts(app, jonas, url) for url in ("/caseworker/", "/caseworker/team")}
    due_small = _evaluations_due(jonas)
    with app.app_context():
        load_unit(app.extensions["citizen_app.plan_client"], 60, today=earlier)
    large = {url: _counts(app, jonas, url) for url in ("/caseworker/", "/caseworker/team")}
    due_large = _evaluations_due(jonas)
    print(
        f"evaluations due 5 vs 60 citizens, (plan-API calls, SQL queries) per view: {small} {large}"
    )
    assert small == large, (small, large)
    assert len(due_small) == 5 and len(due_large) == 60, (len(due_small), len(due_large))
    assert all("Over fristen" in row for row in due_large)
    # Every citizen the due list names (some are not on the first page of citizens) sees the look.
    named = set(re.findall(r'href="/caseworker/citizens/([^"#]+)#goals"', "".join(due_large)))
    with app.app_context():
        events = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.action == LISTED_IN_CASELOAD))
            .all()
        )
    assert len(named) == 60
    assert {f"Patient/{n}" for n in named} <= {e.citizen_ref for e in events}
    team = text_of_html(jonas.get("/caseworker/team").get_data(as_text=True))
    assert "Over fristen nu" in team


def _evaluations_due(client) -> list[str]:  # type: ignore[no-untyped-def]
    html = client.get("/caseworker/").get_data(as_text=True)
    table = html[html.index('id="evaluations-due"') : html.index('id="citizens"')]
    return re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", table, re.S)


def test_the_team_page_counts_the_units_undelivered_writes_and_no_other_units(app, demo) -> None:
    """The count comes from one query joined with the caseload rows (services/caseload_model.py), not from a
    list of the unit's citizens: a dead item of a citizen in the unit is counted, one of a citizen elsewhere is
    not, and a delivered one is not."""
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    assert jonas.get("/caseworker/team").status_code == 200  # the rows exist
    with app.app_context():
        session = db.session()
        for plan_key, state in (
            (demo["sara"].fhir_ref, OutboxState.DEAD),
            (demo["mads"].fhir_ref, OutboxState.DEAD),
            (demo["sara"].fhir_ref, OutboxState.DELIVERED),
            ("Patient/in-another-unit", OutboxState.DEAD),
        ):
            session.add(
                OutboxMessage(
                    plan_key=plan_key,
                    purpose="message",
                    method="POST",
                    resource_type="Communication",
                    body_json="{}",
                    state=state,
                )
            )
        session.commit()
    page = text_of_html(jonas.get("/caseworker/team").get_data(as_text=True))
    assert "2 ting, som teamets borgere har skrevet, kunne ikke sendes til plansystemet" in page
