"""Which plans this process may show without asking the plan API again: the change feed says.

A citizen's plan page used to ask the plan API on every view whether the plan had changed (a conditional
`$everything`, answered 304 nearly always). That one call cost more than the rest of the page together:
the plan service's CPU for the 304 and the portal's for the HTTP exchange. Instead, each process reads the
plan API's change feed (`GET /_history?_since=…`) at most once every PLAN_FEED_SECONDS, whatever the number
of citizens, and remembers for each plan it has read the ETag and the feed position at which it read it.
A plan is trusted, and shown without a call, while:

- the feed has been read within PLAN_FEED_SECONDS (a request that finds it older reads it first);
- no feed entry since the plan was read belongs to that citizen, and none is of a kind that can change
  every plan (a Practitioner or PractitionerRole: names, phones, absences; or a resource whose citizen
  the entry does not say, such as a deletion) — the same rule the plan service's ETag follows;
- it was read less than PLAN_TRUST_SECONDS ago (a bound on anything the feed could miss);
- the portal itself has not delivered a write for that citizen since (plan_reading checks that with the
  outbox rows it reads anyway), so the citizen's own writes show at once, in every process; and this
  process has not written to that plan itself (a caseworker's answer, a message marked read: the plan
  client tells `wrote`).

So a write made in the case system shows on the citizen's plan page within PLAN_FEED_SECONDS (one second
by default) instead of at once. PLAN_FEED_SECONDS = 0 turns this off: every view asks the plan API, as
before. An outage of the plan API trusts nothing: the view asks, fails and shows the last copy, as before.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cachetools import LRUCache
from flask import Flask, current_app

from ..models import utcnow
from ..plan_api import PlanAPIError, PlanClient
from ..plan_api.domain import Change
from ..plan_api.plan import NOT_IN_A_PLAN, change_of
from ..plan_api.plan import changes as feed_changes

log = logging.getLogger(__name__)
EXTENSION = "citizen_app.plan_freshness"
STAFF_TYPES = ("Practitioner/", "PractitionerRole/")
FEED_PAGE_SIZE = 1000
FEED_PAGE = str(FEED_PAGE_SIZE)
FEED_OVERLAP = timedelta(seconds=5)


@dataclass(frozen=True)
class Trusted:
    etag: str
    read_at: datetime  # when the plan was last read from the plan API


class _Changed(LRUCache[str, int]):
    """citizen -> the last feed read that showed a change of theirs. Bounded: what it lets go of is
    remembered as a feed position before which no read is trusted any more."""

    evicted = 0

    def popitem(self) -> tuple[str, int]:
        key, seq = super().popitem()
        self.evicted = max(self.evicted, seq)
        return key, seq


class PlanFreshness:
    def __init__(
        self,
        every: float,
        longest: float,
        entries: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.every = every
        self.longest = longest
        self._clock = clock
        self._lock = threading.Lock()
        self._since: str | None = None  # the feed's `_since` for the next read
        self._floor: str | None = None  # where the feed was started: nothing before it counts
        self._polled_at: float | None = None  # when the last feed read that succeeded began
        self._tried_at: float | None = None  # when the last feed read began, whatever came of it
        self._polling = False
        self._seen: dict[
            tuple[str, str], float
        ] = {}  # (reference, version) -> when a feed read gave it
        self._seq = 0  # raised by every feed read that showed something
        self._everyone = 0  # the last `_seq` that showed a change which can touch every plan
        self._changed = _Changed(maxsize=entries * 4)
        # citizen -> (ETag, `_seq` before the read, monotonic time of the read, when it was read)
        self._known: LRUCache[str, tuple[str, int, float, datetime]] = LRUCache(maxsize=entries)

    @property
    def enabled(self) -> bool:
        return self.every > 0

    def token(self) -> int:
        """Taken before a conditional read: the feed position the read is at least as new as."""
        with self._lock:
            return self._seq

    def read(self, patient_ref: str, etag: str | None, token: int, read_at: datetime) -> None:
        """The plan API has just answered with `etag` for this plan (a 200 or a 304)."""
        if not self.enabled or not etag:
            return
        with self._lock:
            self._known[patient_ref] = (etag, token, self._clock(), read_at)

    def forget(self, patient_ref: str) -> None:
        with self._lock:
            self._known.pop(patient_ref, None)

    def wrote(self, resource: dict[str, Any]) -> None:
        """This process wrote `resource` to the plan API (PlanClient.written): the plans it belongs to are
        asked for again on their next view here, at once, without waiting for the feed. A read that began
        before the write and ends after it is not trusted either (the position moves on). A staff resource,
        or one whose citizen it does not say, can touch every plan."""
        change = change_of(resource)
        if change.reference.startswith(NOT_IN_A_PLAN):
            return
        citizens = change.citizens
        with self._lock:
            self._seq += 1
            if not citizens or not change.reference or change.reference.startswith(STAFF_TYPES):
                self._everyone = self._seq
                self._known.clear()
            for citizen in citizens:
                self._changed[citizen] = self._seq
                self._known.pop(citizen, None)

    def trusted(self, client: PlanClient, patient_ref: str) -> Trusted | None:
        """The ETag to show without a call, or None: ask the plan API."""
        if not self.enabled:
            return None
        with self._lock:
            if self._known.get(patient_ref) is None:
                return None
        if not self._current(client):
            return None
        with self._lock:
            known = self._known.get(patient_ref)
            if known is None:
                return None
            etag, token, at, read_at = known
            if self._clock() - at >= self.longest:
                return None
            changed = max(self._changed.get(patient_ref, 0), self._changed.evicted)
            if self._everyone > token or changed > token:
                return None
            return Trusted(etag, read_at)

    def _seen_before(self, entry: Change, now: float) -> bool:
        """Whether a feed read already gave this entry (same resource, same version); remembered for the
        overlap and a margin, then forgotten. An entry without a version is always new."""
        if len(self._seen) > 4 * FEED_PAGE_SIZE or (
            self._seen and now - min(self._seen.values()) > 60
        ):
            self._seen = {k: at for k, at in self._seen.items() if now - at <= 60}
        if entry.version is None:
            return False
        key = (entry.reference, entry.version)
        if key in self._seen:
            return True
        self._seen[key] = now
        return False

    def current(self, client: PlanClient) -> bool:
        """Read the feed now if it is due (a process may start it before its first view)."""
        return self._current(client)

    def _current(self, client: PlanClient) -> bool:
        """Read the feed when the last read is older than `every`. False when the feed is not current
        (it could not be read, or another thread is reading it now)."""
        now = self._clock()
        with self._lock:
            if self._polled_at is not None and now - self._polled_at < self.every:
                return True
            if self._polling or (self._tried_at is not None and now - self._tried_at < self.every):
                return False  # being read, or it failed a moment ago: do not hammer a plan API that is down
            self._polling, self._tried_at = True, now
            # After a long pause nothing is trusted any more: start again where the feed is now, rather
            # than read hours of changes.
            stale = self._polled_at is None or now - self._polled_at >= self.longest
            since = None if stale else self._since
            floor = self._floor
        try:
            if since is None:
                # Where the feed is now: nothing before this matters, no plan is trusted yet.
                start = (utcnow() - timedelta(minutes=5)).isoformat()
                entries, next_since = feed_changes(client, {"_since": start, "_count": "0"})
                entries = []
            else:
                params = {
                    "_since": _overlapped(since, floor),
                    "_sort": "_lastUpdated",
                    "_count": FEED_PAGE,
                }
                entries, next_since = feed_changes(client, params)
        except PlanAPIError as exc:
            log.warning("plan API change feed could not be read, plans are asked for: %s", exc)
            return False
        finally:
            with self._lock:
                self._polling = False  # whatever happened: a failed read must not stop the next one
        with self._lock:
            if not next_since:
                return False
            if since is None:
                # A plan read before this moment may have changed since, unseen: trust none of them.
                self._seq += 1
                self._everyone = self._seq
                self._floor = next_since  # and the overlap never reaches back before it
            else:
                # The overlap gives the last seconds' entries again: each change counts once.
                entries = [e for e in entries if not self._seen_before(e, now)]
            if since is not None and entries:
                self._seq += 1
                for entry in entries:
                    if entry.reference.startswith(NOT_IN_A_PLAN):
                        continue  # who wrote what: never shown in a plan
                    if not entry.citizens or entry.reference.startswith(STAFF_TYPES):
                        self._everyone = self._seq
                    for citizen in entry.citizens:
                        self._changed[citizen] = self._seq
                        self._known.pop(citizen, None)
            self._since, self._polled_at = next_since, now
            return True


def _overlapped(since: str, floor: str | None) -> str:
    """`since` less FEED_OVERLAP, but not before `floor`: a write stamped before a feed read began and
    committed after it ended would fall between two reads; reading the last seconds again finds it (each
    change still counts once: `_seen_before`). PLAN_TRUST_SECONDS bounds anything slower still."""
    try:
        when = datetime.fromisoformat(since.replace("Z", "+00:00")) - FEED_OVERLAP
        if floor:
            when = max(when, datetime.fromisoformat(floor.replace("Z", "+00:00")))
    except ValueError:
        return since
    return when.isoformat()


def plan_freshness() -> PlanFreshness:
    """This process's (one per app, made on first use)."""
    return plan_freshness_of(current_app)  # type: ignore[arg-type]


def plan_freshness_of(app: Flask) -> PlanFreshness:
    found = app.extensions.get(EXTENSION)
    if found is None:
        config = app.config
        found = app.extensions.setdefault(
            EXTENSION,
            PlanFreshness(
                float(config.get("PLAN_FEED_SECONDS", 0)),
                float(config.get("PLAN_TRUST_SECONDS", 60)),
                entries=int(config.get("PLAN_CACHE_ENTRIES", 256)) * 4,
            ),
        )
    return found  # type: ignore[no-any-return]
