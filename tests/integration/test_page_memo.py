"""A page whose HTML would come out the same is not rendered again (views/_memo.py), and a page whose inputs
changed is: the plan page, through the real app and the reference plan service. In the rest of the suite
every memo hit is rendered again and compared (PAGE_MEMO_VERIFY); here that is off where the test itself
must see the memo answer, and on where the test shows it catches a missing input."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import g, session, template_rendered
from jinja2 import ChoiceLoader, DictLoader

from citizen_app import db
from citizen_app.demo_data import load
from citizen_app.models import Account, Draft, MessageRead, utcnow
from citizen_app.plan_api import communications
from citizen_app.services.plan_reading import plan_client
from citizen_app.views._memo import Unkeyable, _keyed, page_memo, render_memo
from tests.conftest import sign_in_as
from tests.helpers import api, csrf_token

NONCE = re.compile(r'nonce="([^"]+)"')
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ANY_TOKEN = re.compile(r'(?:name="csrf_token" value|name="csrf-token" content)="[^"]+"')
UNREAD = re.compile(r"\d+ svar fra sagsbehandleren at læse")


@pytest.fixture
def plain_app(make_app):  # type: ignore[no-untyped-def]
    """The memo as in production: hits are not checked by rendering again."""
    app = make_app(PAGE_MEMO_VERIFY=False)
    with app.app_context():
        load(db.session(), plan_client(), secret_key=app.config["SECRET_KEY"])
    return app


@pytest.fixture
def sara(plain_app):  # type: ignore[no-untyped-def]
    client = plain_app.test_client()
    with plain_app.app_context():
        account = db.session().query(Account).filter_by(username="sara").one()
    sign_in_as(client, account)
    client.account = account
    return client


class Rendered:
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app, self.names = app, []

    def _seen(self, _app, template, context) -> None:  # type: ignore[no-untyped-def]
        self.names.append(template.name)

    def __enter__(self) -> Rendered:
        template_rendered.connect(self._seen, self.app)
        return self

    def __exit__(self, *_exc) -> None:  # type: ignore[no-untyped-def]
        template_rendered.disconnect(self._seen, self.app)


def test_a_repeat_view_renders_nothing_and_each_response_has_its_own_nonce(plain_app, sara) -> None:
    first = sara.get("/plan")
    with Rendered(plain_app) as rendered:
        again = sara.get("/plan")
    assert rendered.names == []  # the memo answered
    assert again.status_code == 200
    one, two = first.get_data(as_text=True), again.get_data(as_text=True)
    nonces = set(NONCE.findall(two))
    assert len(nonces) == 1 and nonces != set(NONCE.findall(one))
    (nonce,) = nonces
    assert f"'nonce-{nonce}'" in again.headers["Content-Security-Policy"]
    assert page_memo_of(plain_app).mark not in two
    # The same page but for the nonce (the CSRF token is signed anew each second and may differ too).
    assert NONCE.sub("", ANY_TOKEN.sub("", one)) == NONCE.sub("", ANY_TOKEN.sub("", two))
    # The token in the remembered page is one the app accepts.
    token = TOKEN.search(two).group(1)
    switched = sara.post("/language", data={"csrf_token": token, "language": "en", "next": "/plan"})
    assert switched.status_code == 303


def page_memo_of(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return page_memo()


def test_what_the_page_is_made_of_changes_the_page(plain_app, sara) -> None:
    base = sara.get("/plan").get_data(as_text=True)
    assert "Skriv videre på det mål, du begyndte på" not in base
    # A draft begun elsewhere (another tab, another process): the page says so at once.
    with plain_app.app_context():
        session = db.session()
        session.add(
            Draft(
                account_id=sara.account.id,
                citizen_ref=sara.account.fhir_ref,
                kind="goal",
                answers_json="{}",
                step="goal",
            )
        )
        session.commit()
    with Rendered(plain_app) as rendered:
        page = sara.get("/plan").get_data(as_text=True)
    assert rendered.names[:1] == ["citizen/plan.html"]
    assert "Skriv videre på det mål, du begyndte på" in page
    # Another language: another page.
    token = csrf_token(sara, "/plan")
    sara.post("/language", data={"csrf_token": token, "language": "en", "next": "/plan"})
    assert "Go on with the goal you began to write" in sara.get("/plan").get_data(as_text=True)


def test_an_answer_opened_elsewhere_leaves_the_count_at_once(plain_app, sara, plan_service) -> None:
    with plain_app.app_context():
        jonas = db.session().query(Account).filter_by(username="jonas").one()
    message = communications.message(
        patient_ref=sara.account.fhir_ref,
        sender_ref=jonas.fhir_ref,
        recipient_ref=sara.account.fhir_ref,
        text="Husk mødet på torsdag",
        subject="Mødet",
        sent=utcnow(),
    )
    response = api.post(f"{plan_service.fhir_url}/Communication", json=message)
    assert response.status_code == 201, response.text
    page = sara.get("/plan").get_data(as_text=True)
    assert UNREAD.search(page), "the demo plan has an answer from staff that Sara has not opened"
    with plain_app.app_context():
        from citizen_app.services.plan_reading import read_plan

        ids = read_plan(db.session(), sara.account.fhir_ref).plan.staff_message_ids
        session = db.session()
        for communication_id in ids:
            session.add(MessageRead(account_id=sara.account.id, communication_id=communication_id))
        session.commit()
    assert not UNREAD.search(sara.get("/plan").get_data(as_text=True))


def test_the_check_in_the_test_suite_catches_an_input_the_key_misses(make_app) -> None:
    app = make_app()  # PAGE_MEMO_VERIFY, as in every other test
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"missing-input.html": "{{ g.hidden }}"}), app.jinja_env.loader]
    )
    with app.test_request_context("/x"):
        session["csrf_token"] = "the same session"
        g.hidden = "one"
        assert render_memo("missing-input.html") == "one"
    with app.test_request_context("/x"), pytest.raises(AssertionError, match="stale"):
        session["csrf_token"] = "the same session"
        g.hidden = "two"  # read by the template, not given to it: the key cannot see it
        render_memo("missing-input.html")


def test_the_key_takes_rows_by_their_columns_and_refuses_what_it_cannot_take_apart(app) -> None:
    when = utcnow()
    row = MessageRead(account_id=uuid.uuid4(), communication_id="a", read_at=when)
    same = MessageRead(account_id=row.account_id, communication_id="a", read_at=when)
    other = MessageRead(account_id=row.account_id, communication_id="b", read_at=when)
    assert _keyed(row, set()) == _keyed(same, set())
    assert _keyed(row, set()) != _keyed(other, set())
    with pytest.raises(Unkeyable):  # a column not loaded: not keyed by a part of the row
        _keyed(MessageRead(account_id=row.account_id, communication_id="a"), set())
    held = object()
    assert _keyed([held], {id(held)}) == (("held", id(held)),)
    with pytest.raises(Unkeyable):
        _keyed(object(), set())
