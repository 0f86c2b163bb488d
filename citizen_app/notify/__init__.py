"""Notifications to citizens that carry no personal content: only the kind and a link to sign in.

    notify.init_app(app)                       # once, in the app factory
    notify.notifier().send(to, "answer", link) # in a request or app context

Kinds and their texts are in `messages.TEXTS` (Danish with English below, one neutral subject).
An unknown kind, a link that is not a bare http(s) URL, or a `to` that is not one bare address
raise ValueError before anything is sent. SMTP failures raise NotifyError; callers decide (log it
and move on: a notification is a courtesy, the message itself is in the portal).

Settings, read with app.config.get(key, default); to be wired from these environment variables:

    NOTIFY_BACKEND         "console" (default): log a masked line and keep the last items in
                           memory (ConsoleNotifier.sent), for development and the embedded demo;
                           "smtp": deliver through a relay;
                           "digitalpost": MeMo 1.2 to an SF1601 endpoint (notify/digitalpost.py,
                           NOTIFY_DIGITALPOST_URL, _SENDER_ID, _SENDER_LABEL, _ATTEMPTS, _BACKOFF_SECONDS)
    NOTIFY_SMTP_HOST       relay host, default "localhost"
    NOTIFY_SMTP_PORT       relay port, default 25
    NOTIFY_SMTP_USERNAME   optional; set together with NOTIFY_SMTP_PASSWORD
    NOTIFY_SMTP_PASSWORD   optional
    NOTIFY_SMTP_STARTTLS   "1"/"true"/"yes"/"on" or a bool, default off; the relay's certificate is
                           verified against the system CAs (OpenSSL honours SSL_CERT_FILE)
    NOTIFY_SMTP_TIMEOUT    seconds, default 10
    NOTIFY_FROM            default "Borgerens Plan <noreply@borgerensplan.dk>"

Implicit TLS (SMTPS, port 465) is not supported: use STARTTLS on 587.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from flask import Flask, current_app

from .backends import DEFAULT_FROM, ConsoleNotifier, NotifyError, SentNotification, SmtpNotifier
from .digitalpost import DigitalPostNotifier
from .messages import KINDS, SUBJECT, TEXTS, Message, compose, mask_address

EXTENSION_KEY = "citizen_app.notifier"


@runtime_checkable
class Notifier(Protocol):
    def send(self, to: str, kind: str, link: str) -> None: ...


def init_app(app: Flask) -> None:
    """Choose the backend from NOTIFY_BACKEND; a misconfiguration fails here, at start-up."""
    backend = str(app.config.get("NOTIFY_BACKEND", "console")).strip().lower()
    implementation: Notifier
    if backend == "console":
        implementation = ConsoleNotifier()
    elif backend == "smtp":
        implementation = SmtpNotifier.from_config(app.config)
    elif backend == "digitalpost":
        implementation = DigitalPostNotifier.from_config(app.config)
    else:
        raise ValueError(
            f"NOTIFY_BACKEND must be 'console', 'smtp' or 'digitalpost', not {backend!r}"
        )
    app.extensions[EXTENSION_KEY] = implementation


def notifier() -> Notifier:
    """The current app's notifier."""
    try:
        return current_app.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError("citizen_app.notify.init_app(app) has not been called") from None


__all__ = [
    "DEFAULT_FROM",
    "EXTENSION_KEY",
    "KINDS",
    "SUBJECT",
    "TEXTS",
    "ConsoleNotifier",
    "Message",
    "Notifier",
    "NotifyError",
    "SentNotification",
    "SmtpNotifier",
    "compose",
    "init_app",
    "mask_address",
    "notifier",
]
