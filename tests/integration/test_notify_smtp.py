"""SmtpNotifier against a real SMTP server (aiosmtpd) on a local port: what actually arrives."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask

from citizen_app.notify import NotifyError, SmtpNotifier, compose, init_app, notifier

TO = "sara.jensen@example.dk"
LINK = "https://plan.example.dk/beskeder"
FROM = "Borgerens Plan <noreply@borgerensplan.dk>"


@dataclass
class Collector:
    """aiosmtpd handler: keeps every envelope; refuses recipients listed in `refuse`."""

    envelopes: list[Envelope] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    port: int
    collector: Collector


@pytest.fixture
def smtp_server() -> Iterator[Server]:
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield Server(controller.port, collector)
    finally:
        controller.stop()


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "relay.pem", directory / "relay.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """STARTTLS required, then AUTH required; the client trusts the relay through SSL_CERT_FILE."""
    cert_path, key_path = _self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)

    def authenticator(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"portal",
            b"hemmeligt",
        )
        # handled=False: aiosmtpd then answers 535 itself on failure.
        return AuthResult(success=ok, handled=False)

    collector = Collector()
    controller = Controller(
        collector,
        hostname="127.0.0.1",
        port=_free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    controller.start()
    try:
        yield Server(controller.port, collector)
    finally:
        controller.stop()


def _app(port: int, **config: object) -> Flask:
    app = Flask(__name__)
    app.config.update(
        NOTIFY_BACKEND="smtp", NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=port, **config
    )
    init_app(app)
    return app


def _received(server: Server) -> email.message.EmailMessage:
    assert len(server.collector.envelopes) == 1
    raw = server.collector.envelopes[0].original_content
    assert raw is not None
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_the_answer_notification_arrives_as_the_template_and_nothing_else(
    smtp_server: Server,
) -> None:
    app = _app(smtp_server.port)
    with app.app_context():
        notifier().send(TO, "answer", LINK)

    envelope = smtp_server.collector.envelopes[0]
    assert envelope.mail_from == "noreply@borgerensplan.dk"
    assert envelope.rcpt_tos == [TO]

    message = _received(smtp_server)
    assert message["To"] == TO
    assert message["From"] == FROM
    assert message["Subject"] == "Nyt i Borgerens Plan / New in Borgerens Plan"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert not message.is_multipart()
    # No header beyond the envelope basics, so nothing personal can ride along in one.
    assert sorted(message.keys()) == sorted(
        [
            "From",
            "To",
            "Subject",
            "Date",
            "Message-ID",
            "Content-Language",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
        ]
    )

    # SMTP carries lines ending in CRLF; the template is written with \n.
    body = message.get_content().replace("\r\n", "\n")
    assert "Du har fået et nyt svar i Borgerens Plan. Log ind for at læse det: " + LINK in body
    assert "You have received a new answer in Borgerens Plan. Sign in to read it: " + LINK in body
    assert "æ" in body and "å" in body
    # Exactly the template: the only variable part is the link.
    assert body == compose("answer", LINK).body
    assert "sara" not in body.lower() and "jensen" not in body.lower()


def test_from_can_be_configured(smtp_server: Server) -> None:
    app = _app(smtp_server.port, NOTIFY_FROM="Aarhus Kommune <borgerensplan@aarhus.dk>")
    with app.app_context():
        notifier().send(TO, "caseworker-changed", LINK)
    message = _received(smtp_server)
    assert message["From"] == "Aarhus Kommune <borgerensplan@aarhus.dk>"
    assert smtp_server.collector.envelopes[0].mail_from == "borgerensplan@aarhus.dk"
    assert "Du har fået en ny sagsbehandler" in message.get_content()


def test_starttls_and_login(tls_server: Server) -> None:
    app = _app(
        tls_server.port,
        NOTIFY_SMTP_STARTTLS="true",
        NOTIFY_SMTP_USERNAME="portal",
        NOTIFY_SMTP_PASSWORD="hemmeligt",
    )
    with app.app_context():
        notifier().send(TO, "case-update", LINK)
    message = _received(tls_server)
    assert message["To"] == TO
    assert "Der er nyt i din sag i Borgerens Plan" in message.get_content()


def test_without_starttls_the_relay_refuses_and_it_is_a_notify_error(tls_server: Server) -> None:
    app = _app(tls_server.port)
    with app.app_context(), pytest.raises(NotifyError):
        notifier().send(TO, "answer", LINK)
    assert tls_server.collector.envelopes == []


def test_wrong_password_is_a_notify_error(tls_server: Server) -> None:
    app = _app(
        tls_server.port,
        NOTIFY_SMTP_STARTTLS=True,
        NOTIFY_SMTP_USERNAME="portal",
        NOTIFY_SMTP_PASSWORD="forkert",
    )
    with app.app_context(), pytest.raises(NotifyError) as caught:
        notifier().send(TO, "answer", LINK)
    assert caught.value.smtp_code == 535
    assert "forkert" not in str(caught.value)


def test_refused_recipient_is_a_notify_error_without_the_address(smtp_server: Server) -> None:
    smtp_server.collector.refuse.add(TO)
    app = _app(smtp_server.port)
    with app.app_context(), pytest.raises(NotifyError) as caught:
        notifier().send(TO, "answer", LINK)
    error = caught.value
    assert error.smtp_code == 550
    # Callers log this error: neither its text nor a chained cause may carry the address.
    assert "sara" not in str(error)
    assert error.__cause__ is None and error.__suppress_context__
    assert smtp_server.collector.envelopes == []


def test_no_relay_listening_is_a_notify_error() -> None:
    notifier_ = SmtpNotifier(host="127.0.0.1", port=_free_port(), timeout=2)
    with pytest.raises(NotifyError, match="connection to SMTP"):
        notifier_.send(TO, "answer", LINK)
