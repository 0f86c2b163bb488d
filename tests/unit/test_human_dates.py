"""Issue #16: dates and times as people write them, per language, in Europe/Copenhagen: no seconds, no zone
name, no dates of digits only; relative words near today. The filters are the ones every template uses."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import force_locale

from citizen_app import create_app
from citizen_app.templating import _date, _datetime, relative_day

# 09:00 UTC on a winter Monday is 10:00 in Copenhagen.
MEETING = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(
        {
            "ENVIRONMENT": "development",
            "SECRET_KEY": "test",
            "OUTBOX_DISPATCH": "worker",
            "DATABASE_URL": "sqlite://",
        }
    )


@pytest.mark.parametrize(
    ("language", "full", "short"),
    [
        ("da", "mandag 11. januar 2027 kl. 10.00", "11. jan. 2027 kl. 10.00"),
        ("en", "Monday 11 January 2027 at 10:00", "11 Jan 2027 at 10:00"),
        ("ar", "الاثنين 11 يناير 2027، الساعة 10:00", "11 يناير 2027، الساعة 10:00"),
    ],
)
def test_a_meeting_time_reads_like_a_person_wrote_it(
    app: Flask, language: str, full: str, short: str
) -> None:
    with app.test_request_context(), force_locale(language):
        assert _datetime(MEETING, "full") == full
        assert _datetime(MEETING, "short") == short
        # A naive time is UTC, as the database keeps it.
        assert _datetime(MEETING.replace(tzinfo=None), "full") == full
        for text in (_datetime(MEETING, style) for style in ("full", "long", "medium", "short")):
            assert not re.search(r"\d:\d\d:\d\d|\d\.\d\d\.\d\d", text), text  # no seconds
            assert not re.search(r"\d+/\d+/\d+", text), text  # no digits-only date
            assert "Time" not in text and "CET" not in text and "GMT" not in text, text


def test_summer_time_is_copenhagen_time(app: Flask) -> None:
    with app.test_request_context(), force_locale("da"):
        assert _datetime(datetime(2027, 6, 1, 8, 30, tzinfo=UTC), "long").endswith("kl. 10.30")


def test_dates_without_a_time(app: Flask) -> None:
    with app.test_request_context(), force_locale("da"):
        assert _date(date(2027, 1, 11), "full") == "mandag 11. januar 2027"
        assert _date(date(2027, 1, 11)) == "11. januar 2027"
        assert _date(date(2027, 1, 11), "medium") == "11. jan. 2027"
        assert _date(date(2027, 1, 11), "MMMM y") == "januar 2027"
        assert _date(None) == ""


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("da", ["i dag", "i morgen", "i går", "om 3 dage", "for 6 dage siden"]),
        ("en", ["today", "tomorrow", "yesterday", "in 3 days", "6 days ago"]),
        ("ar", ["اليوم", "غدًا", "أمس", "خلال 3 أيام", "قبل 6 أيام"]),
    ],
)
def test_relative_words_near_today(app: Flask, language: str, words: list[str]) -> None:
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    with app.test_request_context(), force_locale(language):
        got = [relative_day(today + timedelta(days=n)) for n in (0, 1, -1, 3, -6)]
        assert got == words
        # Further off: the date itself.
        assert relative_day(today + timedelta(days=30)) == _date(
            today + timedelta(days=30), "medium"
        )


def test_a_near_day_says_how_near(app: Flask) -> None:
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    with app.test_request_context(), force_locale("da"):
        soon = today + timedelta(days=3)
        assert _date(soon, relative=True) == f"{_date(soon)} (om 3 dage)"
        far = today + timedelta(days=40)
        assert _date(far, relative=True) == _date(far)
