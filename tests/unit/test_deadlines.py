"""Answer deadlines in working days: weekends, Danish holidays, municipal closed days, local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from citizen_app.deadlines import answer_due, is_working_day, working_days_between

CPH = ZoneInfo("Europe/Copenhagen")


def _local(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=CPH)


def test_ordinary_week() -> None:
    # Monday 9 November 2026 → three working days after it is Thursday.
    assert answer_due(_local(2026, 11, 9)) == date(2026, 11, 12)
    assert answer_due(_local(2026, 11, 11)) == date(2026, 11, 16)  # Wednesday → Monday


def test_sent_on_friday_skips_the_weekend() -> None:
    assert answer_due(_local(2026, 11, 13)) == date(2026, 11, 18)


@pytest.mark.parametrize("day", [14, 15])
def test_sent_at_the_weekend_counts_from_monday(day: int) -> None:
    assert answer_due(_local(2026, 11, day)) == date(2026, 11, 18)


def test_across_easter_2026() -> None:
    for holiday in (date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 6)):
        assert not is_working_day(holiday)
    # Wednesday 1 April: Skærtorsdag, Langfredag, the weekend and 2. påskedag are skipped.
    assert answer_due(_local(2026, 4, 1)) == date(2026, 4, 9)
    # Sent on Skærtorsdag itself: the counting starts on Tuesday 7 April.
    assert answer_due(_local(2026, 4, 2)) == date(2026, 4, 9)


def test_across_christmas_and_new_year_2026_27() -> None:
    for closed in (date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31), date(2027, 1, 1)):
        assert not is_working_day(closed)
    for open_day in (date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 30)):
        assert is_working_day(open_day)
    # Wednesday 23 December: 24, 25 and the weekend closed; 28, 29, 30 count.
    assert answer_due(_local(2026, 12, 23)) == date(2026, 12, 30)
    # Tuesday 29 December: 30 counts, 31 and 1 January closed, then Monday 4 and Tuesday 5.
    assert answer_due(_local(2026, 12, 29)) == date(2027, 1, 5)


def test_kristi_himmelfart_2026() -> None:
    assert not is_working_day(date(2026, 5, 14))
    # The Friday after it is an ordinary working day.
    assert is_working_day(date(2026, 5, 15))
    # Tuesday 12 May: Wednesday, (Thursday closed), Friday, Monday.
    assert answer_due(_local(2026, 5, 12)) == date(2026, 5, 18)


def test_pinse_2026() -> None:
    assert not is_working_day(date(2026, 5, 25))
    assert answer_due(_local(2026, 5, 22)) == date(2026, 5, 28)


def test_grundlovsdag_is_closed() -> None:
    # Friday 5 June 2026.
    assert not is_working_day(date(2026, 6, 5))
    assert answer_due(_local(2026, 6, 3)) == date(2026, 6, 9)


def test_store_bededag_2026_is_a_normal_working_day() -> None:
    # Easter Sunday + 26 days: Friday 1 May 2026. That is also Arbejdernes kampdag, which is not
    # a closed day for the municipality either.
    assert is_working_day(date(2026, 5, 1))
    # Thursday 30 April: Friday 1 May, Monday 4, Tuesday 5.
    assert answer_due(_local(2026, 4, 30)) == date(2026, 5, 5)


@pytest.mark.parametrize("day", [date(2024, 4, 26), date(2025, 5, 16), date(2027, 4, 23)])
def test_store_bededag_is_abolished_from_2024(day: date) -> None:
    assert day.weekday() == 4
    assert is_working_day(day)


def test_store_bededag_was_a_holiday_until_2023() -> None:
    assert not is_working_day(date(2023, 5, 5))


def test_sent_late_utc_evening_is_the_next_local_day() -> None:
    # Sunday 23:30 UTC in winter is Monday 00:30 in Copenhagen: counted from Monday.
    assert answer_due(datetime(2026, 11, 15, 23, 30, tzinfo=UTC)) == date(2026, 11, 19)
    # One hour earlier it is still Sunday locally: counted from Monday, as a weekend message.
    assert answer_due(datetime(2026, 11, 15, 22, 30, tzinfo=UTC)) == date(2026, 11, 18)
    # Summer time (UTC+2): Tuesday 22:30 UTC is Wednesday 00:30 locally.
    assert answer_due(datetime(2026, 6, 16, 22, 30, tzinfo=UTC)) == date(2026, 6, 22)
    assert answer_due(datetime(2026, 6, 16, 21, 30, tzinfo=UTC)) == date(2026, 6, 19)


def test_another_timezone_can_be_asked_for() -> None:
    sent = datetime(2026, 11, 15, 23, 30, tzinfo=UTC)
    assert answer_due(sent, tz="UTC") == date(2026, 11, 18)


def test_zero_working_days() -> None:
    assert answer_due(_local(2026, 11, 9), working_days=0) == date(2026, 11, 9)
    # A weekend or a holiday is never a due date: the next working day.
    assert answer_due(_local(2026, 11, 14), working_days=0) == date(2026, 11, 16)
    assert answer_due(_local(2026, 12, 24), working_days=0) == date(2026, 12, 28)


def test_one_working_day() -> None:
    assert answer_due(_local(2026, 11, 9), working_days=1) == date(2026, 11, 10)
    assert answer_due(_local(2026, 11, 13), working_days=1) == date(2026, 11, 16)
    assert answer_due(_local(2026, 11, 14), working_days=1) == date(2026, 11, 16)
    assert answer_due(_local(2026, 4, 1), working_days=1) == date(2026, 4, 7)


def test_refuses_naive_timestamps_and_negative_days() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        answer_due(datetime(2026, 11, 9, 10, 0))
    with pytest.raises(ValueError, match="negative"):
        answer_due(_local(2026, 11, 9), working_days=-1)


def test_dates_not_datetimes() -> None:
    with pytest.raises(TypeError):
        is_working_day(_local(2026, 11, 9))
    with pytest.raises(TypeError):
        working_days_between(_local(2026, 11, 9), date(2026, 11, 12))


def test_working_days_between_counts_after_start_up_to_and_including_end() -> None:
    monday, thursday = date(2026, 11, 9), date(2026, 11, 12)
    assert working_days_between(monday, monday) == 0
    assert working_days_between(monday, thursday) == 3
    assert working_days_between(thursday, monday) == -3
    # Friday to Monday: only Monday counts.
    assert working_days_between(date(2026, 11, 13), date(2026, 11, 16)) == 1
    # Overdue by one on the first working day after the due date, not before.
    due = date(2026, 12, 23)
    assert working_days_between(due, date(2026, 12, 27)) == 0
    assert working_days_between(due, date(2026, 12, 28)) == 1


def test_answer_due_agrees_with_working_days_between() -> None:
    start = date(2026, 1, 1)
    for offset in range(366):
        sent_day = start + timedelta(days=offset)
        sent = datetime(sent_day.year, sent_day.month, sent_day.day, 12, tzinfo=CPH)
        for n in (1, 3, 5):
            due = answer_due(sent, working_days=n)
            assert is_working_day(due)
            assert working_days_between(sent_day, due) == n
            assert working_days_between(sent_day, due - timedelta(days=1)) == n - 1
