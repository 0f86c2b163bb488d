"""The only texts a notification may carry, and the checks that keep anything else out of it.

A notification tells the citizen THAT something happened and where to sign in, never WHAT: an
e-mail leaves the municipality's systems in clear text and may be read by whoever shares the
mailbox. So the message is built from the kind and the link alone. Each text is in Danish with
English below it, since the portal may not know which language the recipient reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# One neutral subject for every kind: even "new answer" would say more than needed in an inbox list.
SUBJECT = "Nyt i Borgerens Plan / New in Borgerens Plan"

TEXTS: dict[str, dict[str, str]] = {
    "answer": {
        "subject": SUBJECT,
        "da": "Du har fået et nyt svar i Borgerens Plan. Log ind for at læse det: {link}",
        "en": "You have received a new answer in Borgerens Plan. Sign in to read it: {link}",
    },
    "case-update": {
        "subject": SUBJECT,
        "da": "Der er nyt i din sag i Borgerens Plan. Log ind for at se det: {link}",
        "en": "There is an update to your case in Borgerens Plan. Sign in to see it: {link}",
    },
    "caseworker-changed": {
        "subject": SUBJECT,
        "da": "Du har fået en ny sagsbehandler i Borgerens Plan. Log ind for at se mere: {link}",
        "en": "You have a new caseworker in Borgerens Plan. Sign in to see more: {link}",
    },
    # Someone acting for the citizen wrote or sent something: not who, not what (services/receipts.py).
    "helper-acted": {
        "subject": SUBJECT,
        "da": "En, der hjælper dig, har gjort noget i Borgerens Plan. Log ind for at se det: {link}",
        "en": "Someone who helps you did something in Borgerens Plan. Sign in to see it: {link}",
    },
}

FOOTER = {
    "da": "Du får denne e-mail, fordi du har bedt om besked fra Borgerens Plan. "
    "Du kan ikke svare på den.",
    "en": "You receive this e-mail because you asked to be notified by Borgerens Plan. "
    "Replies are not read.",
}

KINDS = frozenset(TEXTS)

# Deliberately narrow: one bare address, so that a display name (a person's name) or a list of
# recipients cannot slip in through `to`.
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+\.[^@\s<>()\[\],;:\"\\]+")


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def compose(kind: str, link: str) -> Message:
    """The subject and plain-text body for `kind`, with `link` as the only variable part."""
    texts = TEXTS.get(kind)
    if texts is None:
        raise ValueError(f"unknown notification kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    check_link(link)
    body = "\n\n".join(
        [texts["da"].format(link=link), FOOTER["da"], texts["en"].format(link=link), FOOTER["en"]]
    )
    return Message(subject=texts["subject"], body=body + "\n")


def check_link(link: str) -> None:
    """Refuse anything but a single http(s) URL, so no free text can travel in the link."""
    if any(ch.isspace() or not ch.isprintable() for ch in link):
        raise ValueError("the link must be a URL without spaces or control characters")
    parts = urlsplit(link)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise ValueError("the link must be an absolute http(s) URL")


def check_recipient(to: str) -> None:
    if not _ADDRESS.fullmatch(to):
        raise ValueError("the recipient must be one bare e-mail address")


def mask_address(address: str) -> str:
    """`sara@example.dk` → `s***@e***.dk`: enough to tell deliveries apart in a log, not to identify."""
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        return "***"
    host, _, tld = domain.rpartition(".")
    masked_domain = f"{host[:1]}***.{tld}" if host else f"{domain[:1]}***"
    return f"{local[:1]}***@{masked_domain}"
