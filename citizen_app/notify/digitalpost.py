"""Digital Post notices (e-Boks / mit.dk): MeMo 1.2 messages sent to KOMBIT's SF1601 endpoint.

A notice says only THAT there is news in Borgerens Plan, with a fixed text, an action linking to the portal and,
when there is one, the date to answer by (`replyByDateTime`). The addressee (a CPR number, which Digital Post
needs to find the mailbox) is the only thing about the person that leaves; no name, no content, no case data.

MeMo 1.2 (namespace https://DigitalPost.dk/MeMo-1): `Message[@memoVersion=1.2]` › `MessageHeader` (messageType
DIGITALPOST, messageUUID, label, notification, replyByDateTime?, Sender, Recipient) › `MessageBody`
(createdDateTime, MainDocument › File, Action › EntryPoint/url). Element names follow the MeMo documentation
(https://digitaliser.dk/digital-post/vejledninger/memo); the XSD itself is not vendored here, so the tests check
the documented elements and their order.
"""

from __future__ import annotations

import base64
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

import httpx

from .backends import NotifyError
from .messages import compose

log = logging.getLogger(__name__)
MEMO_NS = "https://DigitalPost.dk/MeMo-1"
LABEL = "Nyt i Borgerens Plan"
# The fixed text: never what happened, only that something did (Datatilsynet: no sensitive content in notices).
NOTIFICATION = "Der er nyt i Borgerens Plan. Log ind for at se det."

ET.register_namespace("memo", MEMO_NS)


def _el(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, f"{{{MEMO_NS}}}{name}")
    if text is not None:
        child.text = text
    return child


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_cpr(to: str) -> str:
    value = to.strip()
    if len(value) != 10 or not value.isdigit():
        raise ValueError("Digital Post is addressed to a CPR number (10 digits)")
    return value


def build_memo(
    *,
    cpr: str,
    kind: str,
    link: str,
    sender_id: str,
    sender_label: str,
    reply_by: datetime | None = None,
    message_uuid: uuid.UUID | None = None,
    now: datetime | None = None,
) -> bytes:
    """The MeMo 1.2 XML of one notice. `kind` and `link` are checked as for e-mail (known kind, bare URL)."""
    compose(
        kind, link
    )  # the same checks as every notification: a known kind and a bare http(s) link
    cpr = check_cpr(cpr)
    now = now or datetime.now(UTC)
    message = ET.Element(f"{{{MEMO_NS}}}Message", {"memoVersion": "1.2"})
    header = _el(message, "MessageHeader")
    _el(header, "messageType", "DIGITALPOST")
    _el(header, "messageUUID", str(message_uuid or uuid.uuid4()))
    _el(header, "label", LABEL)
    _el(header, "notification", NOTIFICATION)
    if reply_by is not None:
        _el(header, "reply", "false")
        _el(header, "replyByDateTime", _utc(reply_by))
    sender = _el(header, "Sender")
    _el(sender, "senderID", sender_id)
    _el(sender, "idType", "MyndighedsID")
    _el(sender, "label", sender_label)
    recipient = _el(header, "Recipient")
    _el(recipient, "recipientID", cpr)
    _el(recipient, "idType", "CPR")
    body = _el(message, "MessageBody")
    _el(body, "createdDateTime", _utc(now))
    main = _el(body, "MainDocument")
    _el(main, "label", LABEL)
    file = _el(main, "File")
    _el(file, "encodingFormat", "text/plain")
    _el(file, "filename", "besked.txt")
    _el(file, "language", "da")
    _el(file, "content", base64.b64encode(f"{NOTIFICATION}\n{link}\n".encode()).decode())
    action = _el(main, "Action")
    _el(action, "label", "Log ind på Borgerens Plan")
    _el(action, "actionCode", "SELVBETJENING")
    entry = _el(action, "EntryPoint")
    _el(entry, "url", link)
    return ET.tostring(message, encoding="utf-8", xml_declaration=True)


@dataclass(frozen=True)
class DigitalPostNotifier:
    """POSTs each notice to the SF1601 endpoint; retries with backoff, then raises NotifyError (the caller
    keeps the notice due, as for e-mail: the answer poll tries again on its next turn)."""

    endpoint: str
    sender_id: str
    sender_label: str = "Borgerens Plan"
    attempts: int = 3
    backoff_seconds: float = 1.0
    timeout: float = 10.0
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DigitalPostNotifier:
        endpoint = config.get("NOTIFY_DIGITALPOST_URL")
        sender_id = config.get("NOTIFY_DIGITALPOST_SENDER_ID")
        if not endpoint or not sender_id:
            raise ValueError(
                "NOTIFY_BACKEND=digitalpost needs NOTIFY_DIGITALPOST_URL and NOTIFY_DIGITALPOST_SENDER_ID"
            )
        return cls(
            endpoint=str(endpoint),
            sender_id=str(sender_id),
            sender_label=str(config.get("NOTIFY_DIGITALPOST_SENDER_LABEL", "Borgerens Plan")),
            attempts=int(config.get("NOTIFY_DIGITALPOST_ATTEMPTS", 3)),
            backoff_seconds=float(config.get("NOTIFY_DIGITALPOST_BACKOFF_SECONDS", 1.0)),
        )

    def send(self, to: str, kind: str, link: str, reply_by: datetime | None = None) -> None:
        message_uuid = uuid.uuid4()  # the same UUID on every retry: SF1601 can drop a duplicate
        xml = build_memo(
            cpr=to,
            kind=kind,
            link=link,
            sender_id=self.sender_id,
            sender_label=self.sender_label,
            reply_by=reply_by,
            message_uuid=message_uuid,
        )
        last = ""
        for attempt in range(1, self.attempts + 1):
            try:
                response = httpx.post(
                    self.endpoint,
                    content=xml,
                    headers={"Content-Type": "application/xml", **self.headers},
                    timeout=self.timeout,
                )
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            else:
                if response.status_code < 300:
                    log.info("digital post notice %s sent (%s)", kind, message_uuid)
                    return
                last = f"HTTP {response.status_code}"
                if 400 <= response.status_code < 500 and response.status_code != 429:
                    break  # a refusal of this message: retrying sends the same refusal
            if attempt < self.attempts:
                time.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        raise NotifyError(f"digital post notice not delivered: {last}")
