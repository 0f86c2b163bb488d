"""Pages remembered by everything they are made of: a view whose HTML would come out the same as last time
renders nothing.

`render_memo(template, held=(...), **context)` renders like `render_template`, and remembers the HTML in
this process under a key made of *what the page is made of*, never of a version somebody must remember to
raise:

- every value handed to the template, by value: database rows by their columns, dataclasses field by
  field (or by what their `memo_key()` says a page can show of them), lists, sets and dicts item by item,
  forms by their fields' data and errors. A value the key
  cannot take apart is not guessed at: the page is rendered without the memo (and a test fails, below);
- the objects named in `held` by identity: the mapped plan, which the plan cache gives as the same object
  for the same (citizen, ETag) until the mapping changes by itself (midnight, an absence beginning), and
  which nothing changes after it is made. The memo holds them, so an identity is never reused while its
  entry lives;
- what every page reads besides its context (base.html): the language, today's date (relative dates say
  "today", "tomorrow"), the path with its query, the whole server-side session (the CSRF token, the
  sign-in level, whom a relative acts for), who is asking with their grants, the role the guard decided,
  the unread count and the name of the person acted for.

A page with a flashed message is never remembered. The CSP nonce differs in every response and the signed
CSRF token every second: the HTML is remembered with a marker where each goes, and each response gets its
own. Entries live at most
PAGE_MEMO_SECONDS and the memo holds PAGE_MEMO_ENTRIES pages per process.

With PAGE_MEMO_VERIFY (on in the test suite) every hit is rendered again and compared: a page input the key
misses is a failing test, not a stale page.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from cachetools import TTLCache
from flask import current_app, g, render_template, request, session
from flask_babel import get_locale, to_user_timezone
from flask_wtf.csrf import generate_csrf
from wtforms import Form

from ..data.columns import column_values
from ..security import csp_nonce

log = logging.getLogger(__name__)
EXTENSION = "citizen_app.page_memo"
_SCALARS = (str, int, float, bool, bytes, date, datetime, uuid.UUID, enum.Enum, type(None))


class Unkeyable(TypeError):
    """A template value the memo cannot take apart: the page is rendered without it."""


class PageMemo:
    def __init__(self, entries: int, seconds: float) -> None:
        self._entries: TTLCache[Any, tuple[str, tuple[object, ...]]] = TTLCache(
            maxsize=max(entries, 1), ttl=seconds, timer=time.monotonic
        )
        self._lock = threading.Lock()
        # Where the nonce and the CSRF token go in a remembered page: random per process.
        self.mark = secrets.token_urlsafe(18)
        self.csrf_mark = secrets.token_urlsafe(30)
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> str | None:
        with self._lock:
            found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        return found[0]

    def put(self, key: Any, html: str, held: tuple[object, ...]) -> None:
        with self._lock:
            self._entries[key] = (html, held)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def page_memo() -> PageMemo | None:
    config = current_app.config
    if not config.get("PAGE_MEMO_ENTRIES"):
        return None
    memo = current_app.extensions.get(EXTENSION)
    if memo is None:
        memo = current_app.extensions.setdefault(
            EXTENSION,
            PageMemo(int(config["PAGE_MEMO_ENTRIES"]), float(config.get("PAGE_MEMO_SECONDS", 300))),
        )
    return memo  # type: ignore[no-any-return]


def render_memo(
    template: str,
    held: Iterable[object] = (),
    derived: dict[str, Callable[[], Any]] | None = None,
    **context: Any,
) -> str:
    """`derived`: values made from the context only (a chart from the figures), made on a miss only."""
    memo = page_memo()
    if memo is None or session.get("_flashes"):
        return render_template(template, **context, **_made(derived))
    held = tuple(held)
    # First: the CSRF token may be made now, into the session, which is part of the key.
    nonce, token = csp_nonce(), generate_csrf()
    try:
        key = (template, _ambient(), _keyed(context, {id(o) for o in held}))
    except Unkeyable as exc:
        if current_app.config.get("PAGE_MEMO_VERIFY"):
            raise
        log.warning("page %s rendered without the memo: %s", template, exc)
        return render_template(template, **context, **_made(derived))
    html = memo.get(key)
    if html is not None and current_app.config.get("PAGE_MEMO_VERIFY"):
        fresh = _render_marked(memo, template, {**context, **_made(derived)}, nonce, token)
        if fresh != html:
            raise AssertionError(
                f"the page memo gave a stale {template}: an input is missing from its key"
            )
    if html is None:
        html = _render_marked(memo, template, {**context, **_made(derived)}, nonce, token)
        memo.put(key, html, held)
    return html.replace(memo.mark, nonce).replace(memo.csrf_mark, token)


def _made(derived: dict[str, Callable[[], Any]] | None) -> dict[str, Any]:
    return {name: make() for name, make in (derived or {}).items()}


def _render_marked(
    memo: PageMemo, template: str, context: dict[str, Any], nonce: str, token: str
) -> str:
    g.csp_nonce, g.csrf_token = memo.mark, memo.csrf_mark
    try:
        return render_template(template, **context)
    finally:
        g.csp_nonce, g.csrf_token = nonce, token


# The page globals whose values are part of every key (the unread count, the name of the person acted for):
# templating, which defines them, names them here when the app is made (key_also_by), so this module
# imports nothing of it.
_GLOBALS: list[Callable[[], object]] = []


def key_also_by(*readers: Callable[[], object]) -> None:
    """Page globals the templates read that the key must hold; each is asked once per keyed page."""
    for reader in readers:
        if reader not in _GLOBALS:
            _GLOBALS.append(reader)


def _ambient() -> tuple[object, ...]:
    """What base.html and its components read besides the context."""
    return (
        str(get_locale()),
        to_user_timezone(datetime.now(UTC)).date(),
        date.today(),
        request.full_path,
        tuple(sorted((k, repr(v)) for k, v in session.items())),
        g.get("actor"),
        g.get("acting_role"),
        g.get("citizen_ref"),
        g.get("acting_grant"),
        *(reader() for reader in _GLOBALS),
    )


def _keyed(value: Any, held: set[int]) -> Any:
    if isinstance(value, _SCALARS):
        return value
    if id(value) in held:
        return ("held", id(value))
    own = getattr(value, "memo_key", None)
    if callable(own):  # a value that says which of its parts a page can show (PlanReading)
        return (type(value).__name__, _keyed(own(), held))
    if isinstance(value, dict):
        return tuple(sorted((str(k), _keyed(v, held)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_keyed(v, held) for v in value)
    if isinstance(value, set | frozenset):
        return frozenset(_keyed(v, held) for v in value)
    if isinstance(value, Form):
        return (
            type(value).__name__,
            tuple(
                (f.name, _keyed(f.data, held), _keyed(f.errors, held))
                for f in value
                if f.name
                != "csrf_token"  # the token is the session's (ambient), marked in the HTML
            ),
        )
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple(_keyed(getattr(value, f.name), held) for f in dataclasses.fields(value)),
        )
    columns = column_values(value)
    if columns is None:
        raise Unkeyable(f"{type(value).__name__} cannot be keyed")
    return (type(value).__name__, tuple((name, _keyed(v, held)) for name, v in columns))
