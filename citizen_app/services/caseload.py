"""Which citizens a caseworker works for now: as their fixed caseworker, and as substitute for a colleague
who is away. Read from the plan API (CareTeam, PractitionerRole), the source of truth.

Cost: one CareTeam search for my own caseload, one PractitionerRole search to find colleagues who named me as
substitute, and one CareTeam search per colleague away now; every search follows its `next` links, so a
municipality with more than one page of roles or teams loses no substitute and no citizen. What waits for
those citizens comes from the read model (services/caseload_model.py), never from one read per citizen.

`current_coverage` asks those searches again only when the answer can have changed: each request first
reads the plan API's change feed (which the caseload needs anyway, one call when nothing changed), and a
caseworker's coverage is remembered in the process until the feed shows any CareTeam or PractitionerRole
written or deleted, the day changes (CareTeam periods are dated), or an absence of a colleague who named them
as substitute begins or ends. When the feed cannot be read the searches are made, and when they fail too
nobody is shown to cover anyone. So the grants are as strict as asking on every request
(`tests/integration/test_grants_follow_the_feed.py`), at one call instead of three.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy.orm import Session

from ..authz.policy import Grant, Role
from ..plan_api import PlanClient, care_team, practitioner_role, tasks
from . import caseload_model


@dataclass(frozen=True)
class Coverage:
    grants: tuple[Grant, ...]
    unit: str | None
    # For each citizen covered as substitute: whose caseload it is.
    covering_for: dict[str, str]
    # The next moment an absence of a colleague who named me as substitute begins or ends (None: none ahead).
    next_change: datetime | None = None


def coverage(client: PlanClient, role_ref: str, now: datetime | None = None) -> Coverage:
    now = now or datetime.now(UTC)
    today = datetime.now(UTC).date()  # whose caseworker is dated by today; absences by `now`
    me = practitioner_role.colleague(client, role_ref)
    grants = [
        Grant(ref, Role.FIXED_CASEWORKER) for ref in care_team.citizens_of(client, role_ref, today)
    ]
    covering: dict[str, str] = {}
    boundaries: list[datetime] = []
    for colleague in practitioner_role.colleagues(client):
        if colleague.reference == role_ref or colleague.substitute_ref != role_ref:
            continue
        boundaries += [
            t for period in colleague.absences for t in period if t is not None and t > now
        ]
        if not colleague.absent(now):
            continue
        for ref in care_team.citizens_of(client, colleague.reference, today):
            if all(g.citizen_ref != ref for g in grants):
                grants.append(Grant(ref, Role.SUBSTITUTE))
                covering[ref] = colleague.reference
    return Coverage(tuple(grants), me.unit, covering, min(boundaries, default=None))


@dataclass(frozen=True)
class _Remembered:
    epoch: str
    day: date
    coverage: Coverage


CACHE_KEY = "citizen_app.coverage_cache"
CACHE_ENTRIES = 1024  # caseworkers remembered per process; the least recently used goes first


def current_coverage(db_session: Session, client: PlanClient, role_ref: str) -> Coverage:
    """`coverage` now, asked of the plan API again only when it can have changed (module docstring)."""
    now = datetime.now(UTC)
    fed = caseload_model.sync(db_session, client)
    epoch = fed.grants_epoch if fed.read and not fed.grants_changed else None
    cache, lock = current_app.extensions.setdefault(CACHE_KEY, (OrderedDict(), threading.Lock()))
    if epoch is not None:
        with lock:
            kept = cache.get(role_ref)
            if kept is not None:
                cache.move_to_end(role_ref)
        if (
            kept is not None
            and kept.epoch == epoch
            and kept.day == now.date()
            and (kept.coverage.next_change is None or now < kept.coverage.next_change)
        ):
            return kept.coverage  # type: ignore[no-any-return]
    found = coverage(client, role_ref, now)
    with lock:
        if epoch is None:
            cache.pop(role_ref, None)
        else:
            cache[role_ref] = _Remembered(epoch, now.date(), found)
            cache.move_to_end(role_ref)
            while len(cache) > CACHE_ENTRIES:
                cache.popitem(last=False)
    return found


@dataclass(frozen=True)
class HandOver:
    """What a hand-over did: the citizens moved, and those whose CareTeam or case could not be written now
    (a colleague changed it at the same time, or the plan API was away). Sending the same hand-over again
    finishes it: a citizen already moved is skipped (their old period already ends before the date)."""

    moved: tuple[str, ...]
    not_moved: tuple[str, ...]
    cases_not_moved: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.not_moved and not self.cases_not_moved


def hand_over(client: PlanClient, from_ref: str, to_ref: str, start: date) -> HandOver:
    """Every citizen whose fixed caseworker `from_ref` is (or will be) goes to `to_ref` from `start`: the
    old participant's period ends the day before, a new one starts on `start`. Conversations and goals
    belong to the citizen's plan, not to the caseworker, so they follow without being touched; open cases
    (Task) get the new owner.
    Each write is an update with If-Match on the version read in this request; one that fails is reported
    (never retried blindly, never overwriting a colleague's change) and the rest go on."""
    moved, not_moved, earlier = care_team.hand_over(client, from_ref, to_ref, start)
    # Open cases get the new owner too, so the case system's own queues agree with the portal; also the
    # cases of a citizen moved by an earlier, unfinished try of the same hand-over.
    cases_not_moved = tasks.hand_over_open_cases(client, from_ref, to_ref, {*moved, *earlier})
    return HandOver(tuple(moved), tuple(not_moved), tuple(cases_not_moved))
