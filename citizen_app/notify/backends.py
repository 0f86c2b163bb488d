"""The two ways a notification leaves the portal: a log line (development, demo) or SMTP."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from .messages import check_recipient, compose, mask_address

log = logging.getLogger(__name__)

DEFAULT_FROM = "Borgerens Plan <noreply@borgerensplan.dk>"


class NotifyError(Exception):
    """A notification could not be sent. The message never contains the recipient's address."""

    def __init__(self, message: str, smtp_code: int | None = None) -> None:
        super().__init__(message)
        self.smtp_code = smtp_code


@dataclass(frozen=True)
class SentNotification:
    to: str
    kind: str
    link: str
    subject: str
    body: str


class ConsoleNotifier:
    """Sends nothing: logs that it would have, and keeps the last `keep` items in `sent`."""

    def __init__(self, keep: int = 50) -> None:
        if keep < 1:
            raise ValueError("keep must be at least 1")
        self.keep = keep
        self.sent: list[SentNotification] = []
        self._lock = threading.Lock()

    def send(self, to: str, kind: str, link: str) -> None:
        message = compose(kind, link)
        check_recipient(to)
        # The masked address only: logs are kept and shipped far more widely than the mailbox.
        log.info("notification %s to %s (console, not sent)", kind, mask_address(to))
        item = SentNotification(to, kind, link, message.subject, message.body)
        with self._lock:
            self.sent.append(item)
            del self.sent[: -self.keep]


def _as_bool(value: Any) -> bool:
    # The setting may arrive as a bool from code or as a string straight from the environment.
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


@dataclass(frozen=True)
class SmtpNotifier:
    """Delivers through an SMTP relay: one connection per notification, closed with QUIT."""

    host: str = "localhost"
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    sender: str = DEFAULT_FROM
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if bool(self.username) != bool(self.password):
            raise ValueError("NOTIFY_SMTP_USERNAME and NOTIFY_SMTP_PASSWORD go together")
        if not parseaddr(self.sender)[1]:
            raise ValueError("NOTIFY_FROM must contain an e-mail address")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpNotifier:
        return cls(
            host=config.get("NOTIFY_SMTP_HOST", "localhost"),
            port=int(config.get("NOTIFY_SMTP_PORT", 25)),
            username=config.get("NOTIFY_SMTP_USERNAME") or None,
            password=config.get("NOTIFY_SMTP_PASSWORD") or None,
            starttls=_as_bool(config.get("NOTIFY_SMTP_STARTTLS", False)),
            sender=config.get("NOTIFY_FROM", DEFAULT_FROM),
            timeout=float(config.get("NOTIFY_SMTP_TIMEOUT", 10.0)),
        )

    def build(self, to: str, kind: str, link: str) -> EmailMessage:
        message = compose(kind, link)
        check_recipient(to)
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = to
        email["Subject"] = message.subject
        email["Date"] = format_datetime(datetime.now(UTC))
        # An explicit domain: the default asks the resolver for this host's FQDN on every call.
        email["Message-ID"] = make_msgid(domain=parseaddr(self.sender)[1].rpartition("@")[2])
        email.set_content(message.body, charset="utf-8")
        # After set_content, which clears Content-* headers. The body is in both languages;
        # declared for the mail clients that act on it.
        email["Content-Language"] = "da, en"
        return email

    def send(self, to: str, kind: str, link: str) -> None:
        email = self.build(to, kind, link)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username and self.password:
                    smtp.login(self.username, self.password)
                smtp.send_message(email)
        except smtplib.SMTPResponseException as exc:
            # Not the server's text, and not chained: relays echo the address back in it
            # ("<sara@…>: Recipient address rejected"), and callers log this error.
            raise NotifyError(
                f"SMTP {self.host}:{self.port} refused the {kind} notification "
                f"({type(exc).__name__}, code {exc.smtp_code})",
                smtp_code=exc.smtp_code,
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            raise NotifyError(
                f"SMTP {self.host}:{self.port} refused the recipient of the {kind} notification "
                f"(codes {codes})",
                smtp_code=codes[0] if codes else None,
            ) from None
        except smtplib.SMTPException as exc:
            raise NotifyError(
                f"SMTP {self.host}:{self.port} failed for the {kind} notification "
                f"({type(exc).__name__})"
            ) from None
        except OSError as exc:
            # Network errors are about the relay, not the recipient: safe to keep as the cause.
            raise NotifyError(
                f"connection to SMTP {self.host}:{self.port} failed for the {kind} notification: "
                f"{exc}"
            ) from exc
        log.info("notification %s to %s (smtp)", kind, mask_address(to))
