"""Digital Post notices: MeMo 1.2 XML sent to an SF1601 endpoint, here a local receiver on a real port that
records what arrives and can fail on purpose. Checks the documented MeMo elements and their order, that nothing
about the person beyond the addressee leaves, and the retries."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest
from flask import Flask, request

from citizen_app import create_app
from citizen_app.notify import EXTENSION_KEY, NotifyError
from citizen_app.notify.digitalpost import MEMO_NS, NOTIFICATION, DigitalPostNotifier
from plan_service.server import ThreadedServer

M = f"{{{MEMO_NS}}}"
CPR = "0101901234"
LINK = "https://portal.example/messages"


class Receiver:
    """A stand-in for SF1601: answers `failures` times with 503, then 200, and keeps every body."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.failures = 0
        self._lock = threading.Lock()
        app = Flask("sf1601")

        @app.post("/memo")
        def memo() -> tuple[str, int]:
            with self._lock:
                self.bodies.append(request.get_data())
                if self.failures > 0:
                    self.failures -= 1
                    return "busy", 503
            return "", 200

        self.server = ThreadedServer(app, "127.0.0.1", 0)
        self.server.start()
        self.url = self.server.url + "/memo"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.stop()


def _notifier(receiver: Receiver, **extra: object) -> DigitalPostNotifier:
    receiver.bodies.clear()
    return DigitalPostNotifier(
        endpoint=receiver.url, sender_id="29189846", backoff_seconds=0.0, **extra
    )  # type: ignore[arg-type]


def test_a_notice_is_memo_1_2_with_the_documented_elements(receiver: Receiver) -> None:
    reply_by = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    _notifier(receiver).send(CPR, "answer", LINK, reply_by=reply_by)
    (body,) = receiver.bodies
    root = ET.fromstring(body)
    assert root.tag == f"{M}Message"
    assert root.get("memoVersion") == "1.2"
    header, message_body = list(root)
    assert [c.tag.removeprefix(M) for c in header] == [
        "messageType",
        "messageUUID",
        "label",
        "notification",
        "reply",
        "replyByDateTime",
        "Sender",
        "Recipient",
    ]
    assert header.findtext(f"{M}messageType") == "DIGITALPOST"
    assert header.findtext(f"{M}notification") == NOTIFICATION
    assert header.findtext(f"{M}replyByDateTime") == "2026-12-10T12:00:00Z"
    assert header.findtext(f"{M}Sender/{M}idType") == "MyndighedsID"
    assert header.findtext(f"{M}Recipient/{M}recipientID") == CPR
    assert header.findtext(f"{M}Recipient/{M}idType") == "CPR"
    action = message_body.find(f"{M}MainDocument/{M}Action")
    assert action is not None
    assert action.findtext(f"{M}actionCode") == "SELVBETJENING"
    assert action.findtext(f"{M}EntryPoint/{M}url") == LINK


def test_nothing_about_the_person_but_the_addressee_leaves(receiver: Receiver) -> None:
    _notifier(receiver).send(CPR, "case-update", LINK)
    (body,) = receiver.bodies
    text = body.decode()
    assert text.count(CPR) == 1  # the addressee, once
    root = ET.fromstring(body)
    texts = {e.text for e in root.iter() if e.text and e.text.strip()}
    content = base64.b64decode(root.findtext(f".//{M}File/{M}content") or "").decode()
    allowed = {NOTIFICATION, LINK, CPR, "DIGITALPOST", "Nyt i Borgerens Plan", "Borgerens Plan"}
    unexpected = {
        t
        for t in texts
        if t not in allowed
        and t != root.findtext(f".//{M}messageUUID")
        and t != root.findtext(f".//{M}File/{M}content")
        and t != root.findtext(f".//{M}createdDateTime")
    }
    assert unexpected <= {
        "29189846",
        "MyndighedsID",
        "CPR",
        "text/plain",
        "besked.txt",
        "da",
        "Log ind på Borgerens Plan",
        "SELVBETJENING",
    }
    assert content == f"{NOTIFICATION}\n{LINK}\n"
    assert "replyByDateTime" not in text


def test_a_busy_endpoint_is_retried_and_the_notice_arrives_once_accepted(
    receiver: Receiver,
) -> None:
    notifier = _notifier(receiver, attempts=3)
    receiver.failures = 2
    notifier.send(CPR, "answer", LINK)
    assert len(receiver.bodies) == 3
    uuids = {ET.fromstring(b).findtext(f".//{M}messageUUID") for b in receiver.bodies}
    assert len(uuids) == 1  # the same message each time: SF1601 can drop a duplicate


def test_when_every_attempt_fails_the_caller_is_told(receiver: Receiver) -> None:
    notifier = _notifier(receiver, attempts=2)
    receiver.failures = 5
    with pytest.raises(NotifyError) as raised:
        notifier.send(CPR, "answer", LINK)
    assert CPR not in str(raised.value)
    assert len(receiver.bodies) == 2
    receiver.failures = 0


def test_bad_input_is_refused_before_anything_is_sent(receiver: Receiver) -> None:
    notifier = _notifier(receiver)
    for to, kind, link in (
        ("sara@example.org", "answer", LINK),
        (CPR, "your goal text", LINK),
        (CPR, "answer", "javascript:alert(1)"),
    ):
        with pytest.raises(ValueError):
            notifier.send(to, kind, link)
    assert receiver.bodies == []


def test_the_backend_is_chosen_by_configuration(receiver: Receiver, migrated: str) -> None:
    config = {
        "TESTING": True,
        "ENVIRONMENT": "development",
        "SECRET_KEY": "x",
        "DATABASE_URL": migrated,
        "OUTBOX_DISPATCH": "worker",
        "NOTIFY_BACKEND": "digitalpost",
        "NOTIFY_DIGITALPOST_URL": receiver.url,
        "NOTIFY_DIGITALPOST_SENDER_ID": "29189846",
    }
    app = create_app(config)
    assert isinstance(app.extensions[EXTENSION_KEY], DigitalPostNotifier)
    app.extensions["citizen_app.plan_client"].close()
    with pytest.raises(ValueError, match="NOTIFY_DIGITALPOST_URL"):
        create_app({**config, "NOTIFY_DIGITALPOST_URL": ""})


def test_an_answer_reaches_sara_through_digital_post_without_content(
    receiver: Receiver, make_app, demo, plan_service
) -> None:
    """End to end: Sara opted in, her caseworker answers, the answer poll sends one MeMo notice addressed to
    her CPR number (read from her Patient in the plan API), with none of the words."""
    from citizen_app.services.notifications import poll_answers
    from tests.conftest import sign_in_as
    from tests.helpers import post_form, search_at_api
    from tests.integration.test_citizen_journeys import _reply_as_caseworker, deliver

    receiver.bodies.clear()
    app = make_app(
        NOTIFY_BACKEND="digitalpost",
        NOTIFY_DIGITALPOST_URL=receiver.url,
        NOTIFY_DIGITALPOST_SENDER_ID="29189846",
    )
    client = app.test_client()
    sign_in_as(client, demo["sara"])
    post_form(client, "/account/notifications", {"email": "sara@example.dk"})
    post_form(client, "/messages/new", {"text": "Hvornår er mødet?"})
    deliver(app)
    (message,) = search_at_api(plan_service.fhir_url, "Communication", category="message")
    _reply_as_caseworker(
        plan_service.fhir_url, message, demo["jonas"].fhir_ref, "Mødet er den 3. december kl. 10"
    )
    assert poll_answers(app) == 1
    assert poll_answers(app) == 0
    (body,) = receiver.bodies
    root = ET.fromstring(body)
    assert root.findtext(f".//{M}Recipient/{M}recipientID") == CPR
    text = body.decode()
    for personal in ("Sara", "Jonas", "Mødet", "december", "Hvornår", "sara@example.dk"):
        assert personal not in text
