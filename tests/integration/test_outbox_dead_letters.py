"""A dead letter is not an end: the citizen reads it plainly with the text kept and can send it again; staff
see a count (team page, /healthz) and have `outbox status` and `outbox retry`."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, update

from citizen_app import db
from citizen_app.models import OutboxMessage, OutboxState
from citizen_app.services.plan_reading import read_plan
from tests.conftest import sign_in_as
from tests.helpers import count_at_api, post_form
from tests.integration.test_citizen_journeys import deliver

WORDS = "Jeg har selv ringet til lægen"


def _dead_sign(app, as_sara, demo) -> str:
    with app.app_context():
        goal_id = read_plan(db.session(), demo["sara"].fhir_ref).plan.goals[0].id
    url = f"/plan/goals/{goal_id}/progress"
    response = post_form(
        as_sara, url, {"value": "bit-closer", "note": WORDS, "when": date.today().isoformat()}
    )
    assert response.status_code == 303
    with app.app_context():  # as the dispatcher leaves a write the plan API refused
        session = db.session()
        session.execute(
            update(OutboxMessage).values(
                state=OutboxState.DEAD, last_error="refused: plan API answered 422 (invariant)"
            )
        )
        session.commit()
    return goal_id


def test_the_citizen_reads_it_plainly_and_sends_it_again(app, as_sara, demo, plan_service) -> None:
    goal_id = _dead_sign(app, as_sara, demo)
    page = as_sara.get("/plan").get_data(as_text=True)
    assert "Vi kunne ikke sende det videre" in page
    assert "Din sagsbehandlers team ved det. Din tekst er gemt her." in page
    assert "Send det igen" in page
    action = re.search(r'action="(/plan/sent/[^"]+/send-again)"', page).group(1)

    response = post_form(as_sara, action, {"back": "plan"}, page="/plan")
    assert response.status_code == 303
    deliver(app)
    signs = count_at_api(plan_service.fhir_url, "Observation", focus=f"Goal/{goal_id}")
    with app.app_context():
        (row,) = db.session().scalars(select(OutboxMessage))
        assert row.state is OutboxState.DELIVERED and row.waiting_since is not None
    assert signs >= 1
    # Sending the same receipt again is refused: it is no longer dead.
    assert post_form(as_sara, action, {}, page="/plan").status_code == 404


def test_a_relative_who_may_only_read_gets_no_button(app, as_sara, demo) -> None:
    from datetime import timedelta

    from tests.delegation_helpers import delegate

    _dead_sign(app, as_sara, demo)
    _, reader = delegate(
        app, demo["sara"], "Peter Læser", {"read"}, ends_on=date.today() + timedelta(days=9)
    )
    client = app.test_client()
    sign_in_as(client, reader)
    page = client.get("/plan").get_data(as_text=True)
    assert "Vi kunne ikke sende det videre" in page and "Send det igen" not in page


def test_staff_get_a_count_and_the_commands(app, as_sara, demo, plan_service) -> None:
    _dead_sign(app, as_sara, demo)
    health = app.test_client().get("/healthz").get_json()["checks"]["outbox"]
    assert health == {"pending": 0, "dead": 1, "status": "dead-letters"}

    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    team = jonas.get("/caseworker/team").get_data(as_text=True)
    assert "1 ting, som teamets borgere har skrevet, kunne ikke sendes" in team

    runner = app.test_cli_runner()
    status = runner.invoke(args=["outbox", "status"])
    assert status.exit_code == 0
    assert (
        "dead: 1" in status.output
        and "422 (invariant)" in status.output
        and " age " in status.output
    )
    assert WORDS not in status.output  # never the content
    assert runner.invoke(args=["outbox", "retry"]).exit_code != 0  # says what to give
    retry = runner.invoke(args=["outbox", "retry", "--all-dead"])
    assert retry.exit_code == 0 and "sent again: 1" in retry.output
    deliver(app)
    with app.app_context():
        (row,) = db.session().scalars(select(OutboxMessage))
        assert row.state is OutboxState.DELIVERED
    missing = runner.invoke(args=["outbox", "retry", "--id", "999"])
    assert "sent again: 0" in missing.output
