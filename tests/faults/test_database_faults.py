"""The portal database taken away (PostgreSQL only: a TCP fault proxy stands in front of the server; SQLite is a
file in the process and cannot be taken away like this, so these tests skip there)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import make_url

from citizen_app import db
from citizen_app.models import OutboxState
from citizen_app.outbox import Dispatcher, InlineDispatch

from .ledger import goals, rows, tally, write_signs
from .proxies import HTTPFaultProxy, TCPFaultProxy


@pytest.fixture
def db_proxy(app: Flask) -> Iterator[TCPFaultProxy]:
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("the database can be taken away only from a server (PostgreSQL)")
    proxy = TCPFaultProxy(url.host or "127.0.0.1", url.port or 5432)
    yield proxy
    proxy.close()


@pytest.fixture
def cut_app(
    app: Flask, make_app: Any, db_proxy: TCPFaultProxy, fault_proxy: HTTPFaultProxy
) -> Flask:
    """A second portal process whose database connections go through the TCP fault proxy."""
    url = make_url(app.config["DATABASE_URL"]).set(host="127.0.0.1", port=db_proxy.port)
    return make_app(
        DATABASE_URL=url.render_as_string(hide_password=False),
        PLAN_API_URL=fault_proxy.url,
        OUTBOX_BASE_DELAY_SECONDS=2.0,
        OUTBOX_MAX_DELAY_SECONDS=600.0,
    )


def test_a_worker_outlives_its_database_being_taken_away_and_given_back(
    app, cut_app, demo, plan_service, db_proxy: TCPFaultProxy
) -> None:
    goal_of = goals(app, demo, ("sara", "mads", "emil"))
    write_signs(app, goal_of, per_plan=10, tag="dbcut")

    inline = InlineDispatch(
        cut_app, Dispatcher(cut_app, cut_app.extensions["citizen_app.plan_client"])
    )
    cut_app.extensions["citizen_app.outbox.inline"] = inline
    inline.start()
    # Take the database away while the worker is draining (some rows sent, their commit broken).
    deadline = time.monotonic() + 10
    while not any(r.state is OutboxState.DELIVERED for r in rows(app)):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    db_proxy.cut()
    write_signs(app, goal_of, per_plan=2, tag="dbcut-during")  # citizens go on writing meanwhile
    time.sleep(3)
    assert inline._thread.is_alive()
    assert inline.worker.database_failures >= 1

    db_proxy.restore()
    deadline = time.monotonic() + 30
    while any(r.state is OutboxState.PENDING for r in rows(app)):
        assert time.monotonic() < deadline, "the worker did not resume"
        time.sleep(0.1)
    counted = tally(app, plan_service.fhir_url, goal_of, "dbcut")
    print(f"\ndatabase taken away under a worker: {counted}")
    assert (counted.delivered, counted.dead, counted.lost, counted.duplicated) == (36, 0, 0, 0)
    with cut_app.app_context():
        db.session().close()


def test_a_citizens_post_while_the_database_refuses_connections_keeps_the_text(
    cut_app, demo, plan_service, db_proxy: TCPFaultProxy
) -> None:
    from datetime import date

    from sqlalchemy import select

    from citizen_app.models import OutboxMessage
    from tests.conftest import sign_in_as
    from tests.helpers import csrf_token

    client = cut_app.test_client()
    sign_in_as(client, demo["sara"])
    with cut_app.app_context():
        from citizen_app.services.plan_reading import read_plan

        goal_id = read_plan(db.session(), demo["sara"].fhir_ref).plan.goals[0].id
        db.session().close()
    url = f"/plan/goals/{goal_id}/progress"
    token = csrf_token(client, url)
    words = "Jeg gik selv til bussen i dag – første gang"
    form = {
        "csrf_token": token,
        "value": "bit-closer",
        "note": words,
        "when": date.today().isoformat(),
    }

    db_proxy.cut()
    db.engine(cut_app).dispose()  # as after a restart of the server: no connection left in the pool
    page = client.get("/plan")
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "Sara" not in page.get_data(as_text=True)  # nothing personal on it
    styles = re.search(r'href="(/static/[^"]+\.css)"', page.get_data(as_text=True)).group(1)
    assert client.get(styles).status_code == 200  # the page keeps its looks
    refused = client.post(url, data=form)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 503
    assert words in body and "Prøv igen om et minut" in body  # the text is kept, in plain Danish

    db_proxy.restore()
    # The person presses "Try again": the kept fields go out again, with the token they came with.
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))
    again = client.post(url, data={k: v.replace("&#34;", '"') for k, v in fields.items()})
    assert again.status_code == 303, again.get_data(as_text=True)[:500]
    with cut_app.app_context():
        rows = list(db.session().scalars(select(OutboxMessage)))
        db.session().close()
    kept = [r for r in rows if words in json.dumps(json.loads(r.body_json), ensure_ascii=False)]
    print(
        f"\ncitizen POST with the database away: delivered to the outbox {len(kept)}, lost {1 - len(kept)}"
    )
    assert len(kept) == 1  # 0 lost, 0 duplicated


def test_a_citizens_post_while_the_database_is_read_only_keeps_the_text(
    app, as_sara, demo, db_proxy: TCPFaultProxy
) -> None:
    from datetime import date

    from sqlalchemy import create_engine, select, text

    from citizen_app.models import OutboxMessage
    from citizen_app.services.plan_reading import read_plan
    from tests.helpers import csrf_token

    with app.app_context():
        goal_id = read_plan(db.session(), demo["sara"].fhir_ref).plan.goals[0].id
        db.session().close()
    url = f"/plan/goals/{goal_id}/progress"
    token = csrf_token(as_sara, url)
    words = "Jeg lavede selv mad i går"
    form = {"csrf_token": token, "value": "same", "note": words, "when": date.today().isoformat()}
    database = make_url(app.config["DATABASE_URL"]).database
    admin = create_engine(
        make_url(app.config["DATABASE_URL"]).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )

    def read_only(on: bool) -> None:
        with admin.connect() as conn:
            setting = (
                "SET default_transaction_read_only = on"
                if on
                else "RESET default_transaction_read_only"
            )
            conn.execute(text(f'ALTER DATABASE "{database}" {setting}'))
        db.engine(app).dispose()  # new connections take the setting

    read_only(True)
    try:
        refused = as_sara.post(url, data=form)
        body = refused.get_data(as_text=True)
        assert refused.status_code == 503 and words in body and "Prøv igen om et minut" in body
    finally:
        read_only(False)
        admin.dispose()
    again = as_sara.post(url, data=form)
    assert again.status_code == 303
    with app.app_context():
        rows = list(db.session().scalars(select(OutboxMessage)))
        db.session().close()
    kept = [r for r in rows if words in json.dumps(json.loads(r.body_json), ensure_ascii=False)]
    print(
        f"\ncitizen POST with the database read-only: in the outbox {len(kept)}, lost {1 - len(kept)}"
    )
    assert len(kept) == 1
