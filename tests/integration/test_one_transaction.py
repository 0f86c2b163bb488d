"""One transaction per request (issue #15, item 3): a successful request commits its writes and its audit event
together; a refused or failed one leaves exactly its audit event, and none of its writes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from citizen_app import db
from citizen_app.models import AuditEvent, OutboxMessage
from tests.helpers import post_form

WORDS = "Kan vi flytte mødet til fredag?"


def _state(app) -> tuple[int, list[tuple[str, str]]]:
    with app.app_context():
        session = db.session()
        rows = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
        events = [(e.action, e.outcome) for e in session.scalars(select(AuditEvent))]
        session.close()
    return rows, events


def test_a_successful_post_commits_its_write_and_its_audit_event_together(app, as_sara) -> None:
    rows_before, events_before = _state(app)
    response = post_form(as_sara, "/messages/new", {"text": WORDS})
    assert response.status_code == 303
    rows, events = _state(app)
    assert rows == rows_before + 1
    new = events[len(events_before) :]
    # The form page read for its token, and the POST: one event each, committed with the request.
    assert len(new) == 2 and all(outcome == "allowed" for _action, outcome in new)


def test_a_failed_request_leaves_its_audit_event_and_none_of_its_writes(
    app, as_sara, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citizen_app.views.citizen import messages as view

    token_page = as_sara.get("/messages/new")
    assert token_page.status_code == 200
    rows_before, events_before = _state(app)

    def broken(*_args, **_kwargs):  # fails after the message was staged in the outbox
        raise RuntimeError("a bug after the write")

    monkeypatch.setattr(view, "flash", broken)
    response = post_form(as_sara, "/messages/new", {"text": WORDS})
    assert response.status_code == 500
    rows, events = _state(app)
    assert rows == rows_before  # the staged message went with the rollback
    new = events[len(events_before) :]
    # Exactly the events of the two requests (the form page read for its token, and the failed POST),
    # the POST's written alone after the rollback.
    assert len(new) == 2 and all(outcome == "allowed" for _action, outcome in new)


def test_a_refused_request_leaves_exactly_its_denied_event(app, client, demo) -> None:
    from tests.conftest import sign_in_as

    sign_in_as(client, demo["jonas"])  # a caseworker: not Sara's own plan page
    _rows, events_before = _state(app)
    assert client.get("/plan").status_code == 404
    _rows, events = _state(app)
    assert [outcome for _action, outcome in events[len(events_before) :]] == ["denied"]
