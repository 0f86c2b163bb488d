"""When a citizen can expect an answer: working days in the municipality's calendar.

A working day is Monday to Friday that is neither a Danish public holiday nor a day the municipal
offices are closed.

Public holidays come from the `holidays` package (its "public" category for DK): nytårsdag,
skærtorsdag, langfredag, påskedag, 2. påskedag, Kristi himmelfartsdag, pinsedag, 2. pinsedag,
juledag and 2. juledag. Store bededag is a holiday there only up to 2023: it was abolished by
lov nr. 214 af 6. marts 2023 with effect from 2024, and the package (checked with 0.109) already
leaves it out from 2024 on; the tests pin that.

Days added here because the municipal offices are closed, although they are not public holidays
in law (the package lists them only in its "optional" category, which is not used as a whole):

* 24 December, juleaftensdag;
* 31 December, nytårsaftensdag;
* 5 June, Grundlovsdag (not in the package's public holidays, so it is added here).

1 May (Arbejdernes kampdag) is deliberately NOT a closed day: the offices are open, so it counts
as a working day. (In 2026 it falls on the date store bededag would have had.)

All dates are Danish local dates: a message is "sent" on the local calendar day of its timestamp.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

ONE_DAY = timedelta(days=1)

# (month, day) of the days the municipal offices are closed although they are not public holidays.
MUNICIPAL_CLOSED_DAYS: dict[tuple[int, int], str] = {
    (6, 5): "Grundlovsdag",
    (12, 24): "Juleaftensdag",
    (12, 31): "Nytårsaftensdag",
}


@lru_cache(maxsize=32)
def _closed_days(year: int) -> frozenset[date]:
    # Only the "public" category: the "optional" one would also close the offices on 1 May.
    public = holidays.country_holidays("DK", years=year, categories=("public",))
    municipal = {date(year, month, day) for month, day in MUNICIPAL_CLOSED_DAYS}
    return frozenset(public.keys()) | municipal


def _require_date(value: date, name: str) -> None:
    # A datetime is a date subclass, but its calendar day depends on a timezone that the caller
    # has to settle first (answer_due does that); comparing it with dates silently fails.
    if isinstance(value, datetime):
        raise TypeError(
            f"{name} must be a date, not a datetime; convert to Danish local time first"
        )


def is_working_day(day: date) -> bool:
    """True for Monday to Friday that is not a public holiday or a municipal closed day."""
    _require_date(day, "day")
    return day.weekday() < 5 and day not in _closed_days(day.year)


def working_days_between(start: date, end: date) -> int:
    """The number of working days after `start` up to and including `end`: the interval (start, end].

    So the same day gives 0, and a day is "overdue by 1" on the first working day after its due
    date: `working_days_between(due, today)`. If `end` is before `start` the result is negative,
    minus the count of (end, start], so that swapping the arguments swaps the sign.
    """
    _require_date(start, "start")
    _require_date(end, "end")
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start + ONE_DAY
    while day <= end:
        count += is_working_day(day)
        day += ONE_DAY
    return count


def answer_due(sent: datetime, working_days: int = 3, tz: str = "Europe/Copenhagen") -> date:
    """The day by which an answer can be expected to a message sent at `sent`.

    The sending day is the local calendar day in `tz`, and it does not count itself: the answer is
    due on the `working_days`-th working day after it (sent Monday, 3 → Thursday; sent Friday or at
    the weekend, 3 → Wednesday). The result is always a working day, so `working_days=0` means the
    sending day if it is a working day and otherwise the next working day.

    `sent` must be timezone-aware: a naive timestamp cannot be placed on the Danish calendar.
    """
    if sent.tzinfo is None or sent.utcoffset() is None:
        raise ValueError("sent must be timezone-aware")
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    day = sent.astimezone(ZoneInfo(tz)).date()
    counted = 0
    # Second condition: with 0 working days, a weekend or holiday still moves to the next open day.
    while counted < working_days or not is_working_day(day):
        day += ONE_DAY
        if is_working_day(day):
            counted += 1
    return day
