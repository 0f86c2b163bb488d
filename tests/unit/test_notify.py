"""Notifications: only the kind and the link reach the citizen, and only a masked address the log."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from citizen_app import notify
from citizen_app.notify import (
    ConsoleNotifier,
    Notifier,
    SmtpNotifier,
    compose,
    init_app,
    mask_address,
    notifier,
)

TO = "sara.jensen@example.dk"
LINK = "https://plan.example.dk/beskeder"

ANSWER_BODY = (
    "Du har fået et nyt svar i Borgerens Plan. Log ind for at læse det: "
    "https://plan.example.dk/beskeder\n"
    "\n"
    "Du får denne e-mail, fordi du har bedt om besked fra Borgerens Plan. "
    "Du kan ikke svare på den.\n"
    "\n"
    "You have received a new answer in Borgerens Plan. Sign in to read it: "
    "https://plan.example.dk/beskeder\n"
    "\n"
    "You receive this e-mail because you asked to be notified by Borgerens Plan. "
    "Replies are not read.\n"
)


def _app(**config: object) -> Flask:
    app = Flask(__name__)
    app.config.update(config)
    init_app(app)
    return app


def test_console_is_the_default_and_is_a_notifier() -> None:
    app = _app()
    with app.app_context():
        assert isinstance(notifier(), ConsoleNotifier)
        assert isinstance(notifier(), Notifier)
    assert app.extensions["citizen_app.notifier"] is not None


def test_console_logs_one_masked_line(caplog: pytest.LogCaptureFixture) -> None:
    app = _app()
    with caplog.at_level(logging.INFO, logger="citizen_app.notify"), app.app_context():
        notifier().send(TO, "answer", LINK)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("citizen_app.notify")]
    assert len(lines) == 1
    assert "answer" in lines[0]
    assert "s***@e***.dk" in lines[0]
    assert TO not in caplog.text
    assert "sara" not in caplog.text
    assert "example" not in caplog.text


def test_console_keeps_what_was_sent_with_the_template_text_only() -> None:
    app = _app(NOTIFY_BACKEND="console")
    with app.app_context():
        notifier().send(TO, "answer", LINK)
        sent = notifier().sent  # type: ignore[attr-defined]
    assert len(sent) == 1
    item = sent[0]
    assert (item.to, item.kind, item.link) == (TO, "answer", LINK)
    assert item.subject == "Nyt i Borgerens Plan / New in Borgerens Plan"
    assert item.body == ANSWER_BODY
    assert "sara" not in item.body.lower()
    assert "jensen" not in item.body.lower()


def test_console_keeps_only_the_last_items() -> None:
    console = ConsoleNotifier(keep=3)
    for n in range(5):
        console.send(TO, "case-update", f"{LINK}/{n}")
    assert [item.link for item in console.sent] == [f"{LINK}/{n}" for n in (2, 3, 4)]


@pytest.mark.parametrize("kind", sorted(notify.KINDS))
def test_every_kind_is_the_template_with_the_link_and_nothing_else(kind: str) -> None:
    message = compose(kind, LINK)
    texts = notify.TEXTS[kind]
    assert message.subject == texts["subject"] == notify.SUBJECT
    assert message.body.startswith(texts["da"].format(link=LINK))
    assert texts["en"].format(link=LINK) in message.body
    # With the link taken out, every kind's e-mail is a fixed text: nothing else can vary.
    assert message.body.replace(LINK, "") == compose(kind, "https://x.dk").body.replace(
        "https://x.dk", ""
    )


def test_the_expected_kinds_exist() -> None:
    assert {"answer", "case-update", "caseworker-changed"} <= notify.KINDS


def test_unknown_kind_is_refused_and_nothing_is_kept(caplog: pytest.LogCaptureFixture) -> None:
    console = ConsoleNotifier()
    with caplog.at_level(logging.INFO), pytest.raises(ValueError, match="unknown notification"):
        console.send(TO, "message-text", LINK)
    assert console.sent == []
    assert caplog.records == []


@pytest.mark.parametrize(
    "link",
    [
        "Hej Sara, din plan er ændret",
        "https://plan.example.dk/x Hej Sara",
        "https://plan.example.dk/x\nHej Sara",
        "javascript:alert(1)",
        "/relative/path",
        "",
    ],
)
def test_link_must_be_a_bare_http_url(link: str) -> None:
    with pytest.raises(ValueError, match="link"):
        ConsoleNotifier().send(TO, "answer", link)


@pytest.mark.parametrize(
    "to",
    [
        "Sara Jensen <sara@example.dk>",
        "sara@example.dk, peter@example.dk",
        "sara@example.dk\r\nBcc: x@example.dk",
        "sara",
        "",
    ],
)
def test_recipient_must_be_one_bare_address(to: str) -> None:
    console = ConsoleNotifier()
    with pytest.raises(ValueError, match="recipient"):
        console.send(to, "answer", LINK)
    assert console.sent == []


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("sara@example.dk", "s***@e***.dk"),
        ("sara.jensen@mail.example.dk", "s***@m***.dk"),
        ("a@localhost", "a***@l***"),
        ("not an address", "***"),
    ],
)
def test_mask_address(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def test_smtp_backend_is_configured_from_the_app_config() -> None:
    app = _app(
        NOTIFY_BACKEND="smtp",
        NOTIFY_SMTP_HOST="relay.example.dk",
        NOTIFY_SMTP_PORT="587",
        NOTIFY_SMTP_USERNAME="portal",
        NOTIFY_SMTP_PASSWORD="secret",
        NOTIFY_SMTP_STARTTLS="true",
    )
    with app.app_context():
        smtp = notifier()
    assert isinstance(smtp, SmtpNotifier)
    assert (smtp.host, smtp.port, smtp.username, smtp.starttls) == (
        "relay.example.dk",
        587,
        "portal",
        True,
    )
    assert "secret" not in repr(smtp)


def test_smtp_defaults() -> None:
    smtp = SmtpNotifier.from_config({})
    assert (smtp.host, smtp.port, smtp.username, smtp.password, smtp.starttls) == (
        "localhost",
        25,
        None,
        None,
        False,
    )
    assert smtp.sender == "Borgerens Plan <noreply@borgerensplan.dk>"
    assert smtp.timeout == 10


def test_smtp_username_without_password_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="go together"):
        _app(NOTIFY_BACKEND="smtp", NOTIFY_SMTP_USERNAME="portal")


def test_unknown_backend_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="NOTIFY_BACKEND"):
        _app(NOTIFY_BACKEND="sms")


def test_notifier_needs_init_app() -> None:
    with Flask(__name__).app_context(), pytest.raises(RuntimeError, match="init_app"):
        notifier()
