"""The mapped plan per ETag, in this process: a 304 from the plan API costs no parse and no mapping.

Bounded (an LRU of PLAN_CACHE_ENTRIES plans per process) and keyed by (citizen, ETag), so a changed
plan is a new key and the old entry simply ages out. The mapping depends on the time too (who is the
fixed caseworker today, whether they are away now), so each entry also carries the moment it stops
being true: the next midnight (UTC, as the mapping counts days) or the next start or end of a
caseworker's absence in the plan, whichever comes first.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

from cachetools import LRUCache

from ..plan_api.domain import Plan

DEFAULT_ENTRIES = 256


class MappedPlanCache:
    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        self._entries: LRUCache[tuple[str, str], tuple[Plan, datetime]] = LRUCache(
            maxsize=max(entries, 1)
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, patient_ref: str, etag: str | None, now: datetime) -> Plan | None:
        if not etag:
            return None
        with self._lock:
            found = self._entries.get((patient_ref, etag))
            if found is None or now >= found[1]:
                self.misses += 1
                return None
            self.hits += 1
            return found[0]

    def put(
        self, patient_ref: str, etag: str | None, plan: Plan, now: datetime, changes: list[datetime]
    ) -> None:
        """Keep `plan` until the next of `changes` after `now` (and at most until midnight UTC)."""
        if not etag:
            return
        midnight = datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(), UTC)
        valid_until = min([midnight, *(c for c in changes if c > now)])
        with self._lock:
            self._entries[(patient_ref, etag)] = (plan, valid_until)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
