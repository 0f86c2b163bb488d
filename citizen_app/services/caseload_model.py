"""The caseworker side's read model: what waits per citizen and the team figures, at municipal scale.

Design (docs/caseworker.md, "At municipal scale"): one small `caseload_entry` row per citizen,
computed from the citizen's plan (the same `$everything` read and snapshot as the plan page) and kept up to
date from the plan API's change feed, `GET /_history?_since=<cursor>&_sort=_lastUpdated`, every page of it.
Each caseload or team view first reads the feed once (one call when nothing changed), refreshes only the
citizens whose resources changed since (one conditional `$everything` each), and then answers from the rows:
one query for my citizens, one for my unit. So a view costs the same number of plan-API calls and SQL queries
for 5 citizens and for 1,000; what changed since the last view costs one call per changed citizen, once.

Writes made directly in the case system are in the feed like the portal's own, so the rows stay correct.
The rows never decide access: who a caseworker may see comes from the plan API (services/caseload.py
`coverage`, asked again whenever this feed shows a CareTeam or PractitionerRole changed); the rows only say
what waits for citizens already granted, and the counts for the unit. They hold no words of the citizen: due dates, counts, answer times, scores, complaint dates.
"""

from __future__ import annotations

import bisect
import json
import logging
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cachetools import LRUCache
from flask import current_app, g
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..data import outbox as outbox_data
from ..db import standalone_session
from ..deadlines import answer_due
from ..models import CaseloadEntry, FeedCursor, utcnow
from ..plan_api import PlanAPIError, PlanClient, fhir
from ..plan_api.domain import Change, Plan
from ..plan_api.plan import changes as feed_changes
from . import evaluations
from .plan_reading import read_plan
from .review import KINDS, review_items
from .team import Month, OpenComplaint, _month_start

log = logging.getLogger(__name__)
FEED = "plan-history"
# The grants epoch: a FeedCursor row whose `since` holds a random value, new whenever grants may have changed.
GRANTS_EPOCH = "grants-epoch"
FEED_PAGE = "1000"
# Answer times and feedback older than this are not needed by any figure.
KEEP_DAYS = 400


def summarize(plan: Plan) -> dict[str, Any]:
    """What the caseworker side needs of one plan, without the citizen's words."""
    items = review_items(plan)
    kinds: dict[str, int] = {}
    for item in items:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    since = utcnow() - timedelta(days=KEEP_DAYS)
    answers = []
    for conversation in plan.conversations:
        waiting: datetime | None = None
        for message in conversation.messages:
            if not message.from_staff and waiting is None:
                waiting = message.sent
            elif message.from_staff and waiting and message.sent:
                if message.sent >= since:
                    hours = (message.sent - waiting).total_seconds() / 3600
                    answers.append([message.sent.astimezone(UTC).isoformat(), hours])
                waiting = None
    feedback = [
        [f.authored.date().replace(day=1).isoformat(), f.score]
        for f in plan.contact_feedback
        if f.authored is not None and f.authored >= since
    ]
    days = current_app.config["COMPLAINT_WORKING_DAYS"]
    complaints = []
    for conversation in plan.conversations:
        if conversation.kind != "complaint" or conversation.answered:
            continue
        received = conversation.messages[0].sent
        if received is not None:
            due = answer_due(received, working_days=days)
            complaints.append([conversation.id, received.isoformat(), due.isoformat()])
    return {
        "dues": [item.due.isoformat() for item in items],
        "kinds": kinds,
        "answers": answers,
        "feedback": feedback,
        "complaints": complaints,
        "evaluations": evaluations.summary(plan, utcnow()),  # issue #18: due and held dates
    }


def _store(db_session: Session, entry: CaseloadEntry | None, plan: Plan) -> CaseloadEntry:
    summary = summarize(plan)
    if entry is None:
        entry = CaseloadEntry(patient_ref=plan.patient_ref)
        db_session.add(entry)
    caseworker = plan.caseworker
    entry.citizen_name = plan.citizen_name[:200]
    entry.fixed_role_ref = caseworker.reference if caseworker else None
    entry.unit = caseworker.unit if caseworker else None
    entry.valid_until = plan.next_caseworker_from
    entry.waiting = len(summary["dues"])
    entry.first_due = date.fromisoformat(summary["dues"][0]) if summary["dues"] else None
    entry.summary_json = json.dumps(summary, separators=(",", ":"))
    entry.refreshed_at = utcnow()
    return entry


def refresh(client: PlanClient, refs: set[str]) -> None:
    """Read these citizens' plans again (conditional: a 304 when the stored copy is current), in a session
    of its own: the rows are a shared read model, kept like background work, committed citizen by citizen
    (a row another view stored at the same moment is as good as ours), whatever the request does after."""
    if not refs:
        return
    with standalone_session(current_app) as model_session:  # type: ignore[arg-type]
        _refresh(model_session, client, refs)


def _refresh(db_session: Session, client: PlanClient, refs: set[str]) -> None:
    known = {
        e.patient_ref: e
        for e in db_session.scalars(
            select(CaseloadEntry).where(CaseloadEntry.patient_ref.in_(sorted(refs)))
        )
    }
    for ref in sorted(refs):
        try:
            # Never this process's trusted copy: the feed has just said this plan changed.
            reading = read_plan(db_session, ref, client, trust=False)
        except IntegrityError:
            db_session.rollback()  # a plan page stored the same first snapshot at the same moment
            reading = read_plan(db_session, ref, client, trust=False)
        if reading.plan is None:
            if ref in known and reading.live:
                db_session.delete(known[ref])  # gone from the plan API
            continue
        _store(db_session, known.get(ref), reading.plan)
        try:
            db_session.commit()
        except IntegrityError:
            # Another view refreshed the same citizen at the same moment: its row is as good as ours.
            db_session.rollback()


@dataclass(frozen=True)
class Synced:
    """What one catch-up with the change feed found. `read` is False when the feed could not be read or its
    changes not stored; `grants_epoch` changes whenever the feed has shown a CareTeam or PractitionerRole
    changed (services/caseload.py keeps a caseworker's grants until it does)."""

    read: bool
    grants_changed: bool
    grants_epoch: str | None


# Resource types that decide who a caseworker works for now (services/caseload.py `coverage`).
GRANT_TYPES = ("CareTeam/", "PractitionerRole/")


def sync(db_session: Session, client: PlanClient) -> Synced:
    """Catch up with the change feed: one call when nothing changed, once per request (the grants and the
    caseload page both ask). An outage leaves the rows as they are (the caseload then shows what was last
    known; the grants are then asked of the plan API itself). The cursor is read in the request's session;
    only when the feed has something new are the rows, the cursor and the grants epoch written, in a
    session of their own committed at its own boundary, like `refresh`: they move together, and a caseload
    view that fails afterwards does not undo them. At rest: no second connection."""
    done = g.get("plan_feed_synced")
    if done is not None:
        return done  # type: ignore[no-any-return]
    g.plan_feed_synced = result = _catch_up(db_session, client)
    return result


def _catch_up(db_session: Session, client: PlanClient) -> Synced:
    rows = {
        row.name: row
        for row in db_session.scalars(
            select(FeedCursor).where(FeedCursor.name.in_((FEED, GRANTS_EPOCH)))
        )
    }
    cursor, epoch = rows.get(FEED), rows.get(GRANTS_EPOCH)
    params = {"_sort": "_lastUpdated", "_count": FEED_PAGE}
    if cursor is not None:
        params["_since"] = cursor.since
    try:
        entries, since = feed_changes(client, params)
    except PlanAPIError as exc:
        log.warning("plan API change feed could not be read: %s", exc)
        return Synced(read=False, grants_changed=True, grants_epoch=None)
    # A resource of unknown type (no reference) is counted as one that decides grants.
    grants_changed = any(
        not entry.reference or entry.reference.startswith(GRANT_TYPES) for entry in entries
    )
    known = epoch.since if epoch is not None else None
    if not entries and cursor is not None:
        # nothing new: the old `_since` is as good, nothing to write
        return Synced(True, False, known)
    with standalone_session(current_app) as model_session:  # type: ignore[arg-type]
        written = _sync(model_session, client, entries, since, grants_changed)
    if written is None:
        return Synced(False, grants_changed, None)
    # The epoch as stored now (after a grant change, the one this sync wrote): grants asked of the plan API
    # from here on are at least as new as every change it stands for.
    return Synced(True, False, written)


def _sync(
    db_session: Session,
    client: PlanClient,
    entries: list[Change],
    since: str | None,
    grants_changed: bool,
) -> str | None:
    """Store what the feed showed. The grants epoch now (a new one when `grants_changed`), or None when it
    could not be stored (the cursor stays: the next view tries again)."""
    cursor = db_session.get(FeedCursor, FEED)
    changed: set[str] = set()
    units: dict[str, str | None] = {}
    for entry in entries:
        changed |= entry.citizens
        if entry.reference.startswith("PractitionerRole/"):
            units[entry.reference] = entry.unit
    # A unit renamed or a caseworker moved: their rows follow. A row moved is a change to both units'
    # figures, so it gets a new refresh time (unit_figures).
    for role_ref, unit in units.items():
        db_session.execute(
            update(CaseloadEntry)
            .where(CaseloadEntry.fixed_role_ref == role_ref)
            .values(unit=unit, refreshed_at=utcnow())
        )
    try:
        _refresh(db_session, client, changed)
    except PlanAPIError as exc:
        db_session.rollback()
        log.warning("plan API read failed while refreshing the caseload rows: %s", exc)
        return None  # the cursor stays: the next view tries the same changes again
    if since and (entries or cursor is None):  # nothing new: the old `_since` is as good, no write
        if cursor is None:
            cursor = FeedCursor(name=FEED, since=since, updated_at=utcnow())
            db_session.add(cursor)
        cursor.since, cursor.updated_at = since, utcnow()
    epoch = db_session.get(FeedCursor, GRANTS_EPOCH)
    if grants_changed or epoch is None:
        # A new random value, never a counter: two views that saw grant changes at once each write one,
        # and whichever stays differs from what any process remembered its grants under. (No epoch yet:
        # nothing can have been remembered under one.)
        if epoch is None:
            epoch = FeedCursor(name=GRANTS_EPOCH, since="", updated_at=utcnow())
            db_session.add(epoch)
        epoch.since, epoch.updated_at = uuid.uuid4().hex, utcnow()
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()  # another view made the cursor first; the next view moves it
        return None
    return epoch.since


def entries_for(
    db_session: Session, client: PlanClient, refs: list[str], today: date
) -> dict[str, CaseloadEntry]:
    """The rows of these citizens (one query); a citizen with no row yet, or whose fixed caseworker
    changes by date today, is read now."""
    found = {
        e.patient_ref: e
        for e in db_session.scalars(
            select(CaseloadEntry).where(CaseloadEntry.patient_ref.in_(refs))
        )
    }
    missing = {r for r in refs if r not in found or _expired(found[r], today)}
    if missing:
        refresh(client, missing)
        found.update(
            {
                e.patient_ref: e
                for e in db_session.scalars(
                    select(CaseloadEntry)
                    .where(CaseloadEntry.patient_ref.in_(sorted(missing)))
                    .execution_options(populate_existing=True)  # refreshed in another session
                )
            }
        )
    return found


def unit_entries(
    db_session: Session, client: PlanClient, unit: str | None, today: date
) -> list[CaseloadEntry]:
    """Every citizen whose fixed caseworker is in `unit` today (one query)."""
    if not unit:
        return []
    # Plain rows, not ORM objects: 1,000 of them are read on every team view.
    columns = select(
        CaseloadEntry.patient_ref,
        CaseloadEntry.citizen_name,
        CaseloadEntry.valid_until,
        CaseloadEntry.refreshed_at,
        CaseloadEntry.summary_json,
    ).where(CaseloadEntry.unit == unit)
    rows = list(db_session.execute(columns))
    expired = {e.patient_ref for e in rows if _expired(e, today)}
    if expired:
        refresh(client, expired)
        rows = list(db_session.execute(columns))
    return rows  # type: ignore[return-value]  # the same attributes as CaseloadEntry


def _expired(entry: CaseloadEntry, today: date) -> bool:
    return entry.valid_until is not None and entry.valid_until <= today


# Parsed figures per row, kept in this process and keyed by the row's refresh time, so a view does not parse
# 1,000 rows of JSON again when nothing changed (a row is parsed once per change). Bounded: cleared when full.
_PARSED: dict[str, tuple[datetime, dict[str, Any]]] = {}
_PARSED_MAX = 50_000


def summary(entry: CaseloadEntry) -> dict[str, Any]:
    """The row's figures (due dates, kinds, answer times, scores, complaints), parsed once per change."""
    cached = _PARSED.get(entry.patient_ref)
    if cached is not None and cached[0] == entry.refreshed_at:
        return cached[1]
    parsed = json.loads(entry.summary_json or "{}")
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[entry.patient_ref] = (entry.refreshed_at, parsed)
    return parsed


@dataclass(frozen=True)
class Timeliness:
    waiting: int
    overdue: int
    median_hours: float | None
    answered: int


def timeliness(rows: list[CaseloadEntry], now: datetime) -> Timeliness:
    """Items waiting, how many of them are overdue, and the median time to answer over the last 30 days."""
    return _timeliness(*_timeliness_basis(rows), now)


def _timeliness_basis(rows: list[CaseloadEntry]) -> tuple[list[str], list[tuple[str, float]]]:
    """The rows' due dates (ISO dates: text order is date order) and answers (UTC isoformat, hours), sorted."""
    dues = sorted(d for e in rows for d in summary(e).get("dues", []))
    answers = sorted((when, hours) for e in rows for when, hours in summary(e).get("answers", []))
    return dues, answers


def _timeliness(dues: list[str], answers: list[tuple[str, float]], now: datetime) -> Timeliness:
    overdue = bisect.bisect_left(dues, now.date().isoformat())
    cutoff = (now - timedelta(days=30)).astimezone(UTC).isoformat()
    hours = [h for _when, h in answers[bisect.bisect_left(answers, (cutoff,)) :]]
    return Timeliness(
        waiting=len(dues),
        overdue=overdue,
        median_hours=statistics.median(hours) if hours else None,
        answered=len(hours),
    )


def waiting_by_kind(rows: list[CaseloadEntry]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for entry in rows:
        for kind, n in summary(entry).get("kinds", {}).items():
            kinds[kind] = kinds.get(kind, 0) + n
    return kinds


def satisfaction_by_month(
    rows: list[CaseloadEntry], now: datetime, months: int = 12
) -> list[Month]:
    return _months(_feedback_counts(rows), now, months)


def _feedback_counts(rows: list[CaseloadEntry]) -> dict[date, dict[str, int]]:
    """Satisfaction scores counted per month (every month the rows have)."""
    counts: dict[date, dict[str, int]] = {}
    for entry in rows:
        for month, score in summary(entry).get("feedback", []):
            if score in fhir.SATISFACTION:
                per = counts.setdefault(
                    date.fromisoformat(month), dict.fromkeys(fhir.SATISFACTION, 0)
                )
                per[score] += 1
    return counts


def _months(counts: dict[date, dict[str, int]], now: datetime, months: int) -> list[Month]:
    starts = [_month_start(now.date(), back) for back in range(months - 1, -1, -1)]
    empty = dict.fromkeys(fhir.SATISFACTION, 0)
    return [Month(s, dict(counts.get(s, empty))) for s in starts]


def open_complaints(rows: list[CaseloadEntry], mine: set[str]) -> list[OpenComplaint]:
    found = []
    for entry in rows:
        for conversation_id, received, due in summary(entry).get("complaints", []):
            found.append(
                OpenComplaint(
                    citizen_ref=entry.patient_ref,
                    citizen_name=entry.citizen_name if entry.patient_ref in mine else None,
                    conversation_id=conversation_id,
                    received=datetime.fromisoformat(received).astimezone(UTC),
                    due=date.fromisoformat(due),
                )
            )
    found.sort(key=lambda c: c.due)
    return found


@dataclass(frozen=True)
class UnitFigures:
    """What the unit's figures are made of, without the time of the view: computed from the unit's rows once
    per change of those rows (and once a day), then finished for each view's `now`."""

    citizens: int
    dues: list[str]
    answers: list[tuple[str, float]]
    feedback: dict[date, dict[str, int]]
    complaints: list[
        OpenComplaint
    ]  # every open complaint, each with its citizen's name (see `named_for`)
    held: evaluations.HeldOnTime

    def timeliness(self, now: datetime) -> Timeliness:
        return _timeliness(self.dues, self.answers, now)

    def months(self, now: datetime, months: int = 12) -> list[Month]:
        return _months(self.feedback, now, months)

    def named_for(self, mine: set[str]) -> list[OpenComplaint]:
        """The open complaints, named only where the citizen is one of mine."""
        return [
            c if c.citizen_ref in mine else replace(c, citizen_name=None) for c in self.complaints
        ]


NO_UNIT = UnitFigures(0, [], [], {}, [], evaluations.HeldOnTime(0, 0, 0))
UNIT_FIGURES_KEY = "citizen_app.unit_figures"
UNIT_FIGURES_ENTRIES = 256  # units remembered per process
FIGURES_SECONDS = 300


def unit_figures(
    db_session: Session, client: PlanClient, unit: str | None, today: date
) -> UnitFigures:
    """The figures of every citizen whose fixed caseworker is in `unit` today. One small query tells whether
    the unit's rows changed since this process last read them: their number, the newest refresh time (every
    write to a row sets it, a row moved between units too) and the soonest hand-over date. Only then, or on
    a new day, are the rows read and the figures computed again (a second query)."""
    if not unit:
        return NO_UNIT
    count, newest, soonest = db_session.execute(
        select(
            func.count(), func.max(CaseloadEntry.refreshed_at), func.min(CaseloadEntry.valid_until)
        ).where(CaseloadEntry.unit == unit)
    ).one()
    # ... and at most FIGURES_SECONDS old: two refreshes that commit out of the order of their times leave
    # the newest time as it was, so the key alone could keep figures until the next change or day.
    key = (count, newest, today, int(time.time() // FIGURES_SECONDS))
    expired = soonest is not None and soonest <= today  # some rows must be read again first
    cache: dict[str, tuple[Any, UnitFigures]] = current_app.extensions.setdefault(
        UNIT_FIGURES_KEY, {}
    )
    kept = cache.get(unit)
    if kept is not None and kept[0] == key and not expired:
        return kept[1]
    rows = unit_entries(db_session, client, unit, today)
    dues, answers = _timeliness_basis(rows)
    figures = UnitFigures(
        citizens=len(rows),
        dues=dues,
        answers=answers,
        feedback=_feedback_counts(rows),
        complaints=open_complaints(rows, {row.patient_ref for row in rows}),
        held=evaluations.held_on_time(rows, summary, today),
    )
    if (
        not expired
    ):  # after a refresh the key read above is already old: the next view computes again
        if len(cache) >= UNIT_FIGURES_ENTRIES:
            cache.clear()
        cache[unit] = (key, figures)
    return figures


# -- the pages ------------------------------------------------------------------------------------------

PAGE_SIZE = 50


@dataclass(frozen=True)
class CaseloadRow:
    citizen_ref: str
    role: str  # "fixed-caseworker" or "substitute"
    name: str | None  # None: the plan API does not know the citizen (any more)
    waiting: int
    first_due: date | None
    kinds: dict[str, int]

    def overdue(self, today: date) -> bool:
        return self.first_due is not None and self.first_due < today

    @property
    def waiting_kinds(self) -> list[tuple[str, int]]:
        """(kind, number) of what waits, in the order of review.KINDS, only the kinds there are."""
        return [(kind, self.kinds[kind]) for kind in KINDS if self.kinds.get(kind)]


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[CaseloadRow]  # this page only
    page: int
    pages: int
    total: int  # citizens I work for now
    shown_total: int  # after the filter
    only_waiting: bool
    waiting: dict[str, int]  # what waits, per kind, over all my citizens
    me: Timeliness
    team: Timeliness
    # Issue #18: my citizens' goal evaluations due soon or overdue, from the rows.
    evaluations_due: list[evaluations.DueEvaluation] = field(default_factory=list)


def _urgency(row: CaseloadRow, today: date) -> tuple:
    if row.first_due is None:
        return (2, date.max, row.name or "")
    return (0 if row.first_due < today else 1, row.first_due, row.name or "")


def caseload_page(
    db_session: Session,
    client: PlanClient,
    grants: list[Any],
    unit: str | None,
    *,
    page: int,
    only_waiting: bool,
    now: datetime,
) -> CaseloadPage:
    """My citizens, the most urgent first (overdue, then by deadline), PAGE_SIZE a page, and the counts.

    Computed once per change of what it is made of, like `unit_figures`: one small query tells whether my
    citizens' rows changed since this process computed the page (their number, the newest refresh time,
    which every write to a row sets, and the soonest hand-over date), and the unit's figures are the same
    object as then. The times are taken to the minute (the median time to answer over the last 30 days
    moves on by the minute at most), so a page is computed at most once a minute while nothing changes."""
    now = now.replace(second=0, microsecond=0)
    today = now.date()
    sync(db_session, client)
    refs = [grant.citizen_ref for grant in grants]
    count, newest, soonest = db_session.execute(
        select(
            func.count(), func.max(CaseloadEntry.refreshed_at), func.min(CaseloadEntry.valid_until)
        ).where(CaseloadEntry.patient_ref.in_(refs))
    ).one()
    team = unit_figures(db_session, client, unit, today)
    key = (tuple(grants), unit, page, only_waiting, now, count, newest)
    cache = _kept(CASELOAD_PAGES_KEY)
    complete = count == len(set(refs)) and not (soonest is not None and soonest <= today)
    with _KEPT_LOCK:
        kept = cache.get(key) if complete else None
    if kept is not None and kept[0] is team:
        # The test suite: the kept page must be the page.
        if current_app.config.get("PAGE_MEMO_VERIFY"):
            fresh, _team = _caseload_page(db_session, client, grants, unit, page, only_waiting, now)
            assert fresh == kept[1], "a kept caseload page is not the page: an input is missing"
        return kept[1]  # type: ignore[no-any-return]
    made, used = _caseload_page(db_session, client, grants, unit, page, only_waiting, now)
    if complete:
        with _KEPT_LOCK:
            cache[key] = (used, made)  # kept with the figures it was made from
    return made


def _kept(name: str) -> LRUCache[Any, tuple[Any, Any]]:
    """This process's kept pages of one kind (caseload, team), made on first use."""
    with _KEPT_LOCK:
        return current_app.extensions.setdefault(  # type: ignore[no-any-return]
            name, LRUCache(maxsize=CASELOAD_PAGES_ENTRIES)
        )


_KEPT_LOCK = threading.Lock()


CASELOAD_PAGES_KEY = "citizen_app.caseload_pages"
CASELOAD_PAGES_ENTRIES = 512  # caseworkers' pages remembered per process


def _caseload_page(
    db_session: Session,
    client: PlanClient,
    grants: list[Any],
    unit: str | None,
    page: int,
    only_waiting: bool,
    now: datetime,
) -> tuple[CaseloadPage, UnitFigures]:
    """The page, and the unit's figures it was made from."""
    today = now.date()
    refs = [grant.citizen_ref for grant in grants]
    found = entries_for(db_session, client, refs, today)
    rows = []
    for grant in grants:
        entry = found.get(grant.citizen_ref)
        rows.append(
            CaseloadRow(
                citizen_ref=grant.citizen_ref,
                role=grant.role.value,
                name=entry.citizen_name if entry else None,
                waiting=entry.waiting if entry else 0,
                first_due=entry.first_due if entry else None,
                kinds=summary(entry).get("kinds", {}) if entry else {},
            )
        )
    rows.sort(key=lambda row: _urgency(row, today))
    mine = [found[r] for r in refs if r in found]
    shown = [row for row in rows if row.waiting] if only_waiting else rows
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    team = unit_figures(db_session, client, unit, today)
    made = CaseloadPage(
        rows=shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        page=page,
        pages=pages,
        total=len(rows),
        shown_total=len(shown),
        only_waiting=only_waiting,
        waiting=waiting_by_kind(mine),
        me=timeliness(mine, now),
        team=team.timeliness(now),
        evaluations_due=evaluations.queue(mine, summary, today),
    )
    return made, team


@dataclass(frozen=True)
class TeamPage:
    months: list[Month]
    complaints: list[OpenComplaint]
    citizens: int
    timeliness: Timeliness
    undelivered: (
        int  # the unit's citizens' writes that could not be delivered (dead letters), a count only
    )
    # Issue #18: the unit's goal evaluations held, and held by their date (counts only).
    evaluations: evaluations.HeldOnTime | None = None


def team_page(
    db_session: Session, client: PlanClient, unit: str | None, mine: set[str], now: datetime
) -> TeamPage:
    """The unit's figures from the rows: counts only; names only for my own citizens. The same object while
    the unit's figures, my citizens, the undelivered count and the minute are the same (as caseload_page)."""
    now = now.replace(second=0, microsecond=0)
    sync(db_session, client)
    figures = unit_figures(db_session, client, unit, now.date())
    undelivered = outbox_data.dead_count_for_unit(db_session, unit)
    key = (unit, frozenset(mine), now, undelivered)
    cache = _kept(TEAM_PAGES_KEY)
    with _KEPT_LOCK:
        kept = cache.get(key)
    if kept is not None and kept[0] is figures and not current_app.config.get("PAGE_MEMO_VERIFY"):
        return kept[1]
    made = TeamPage(
        months=figures.months(now, months=12),
        complaints=figures.named_for(mine),
        citizens=figures.citizens,
        timeliness=figures.timeliness(now),
        undelivered=undelivered,
        evaluations=figures.held,
    )
    if kept is not None and kept[0] is figures:  # the test suite: the kept page must be the page
        assert made == kept[1], "a kept team page is not the page: an input is missing"
        return kept[1]  # type: ignore[no-any-return]
    with _KEPT_LOCK:
        cache[key] = (figures, made)
    return made


TEAM_PAGES_KEY = "citizen_app.team_pages"
