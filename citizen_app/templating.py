"""Jinja filters and globals shared by all templates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from babel import Locale
from flask import Flask, g
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_timedelta,
    get_locale,
    to_user_timezone,
)
from flask_babel import gettext as _

from . import db, labels
from .data.delegations import citizen_names
from .journeys.goal_conversation import step
from .models import OutboxMessage, OutboxState
from .plan_api import payloads
from .plan_api.domain import Person
from .services.plan_reading import unread_count
from .views._guard import may
from .views._memo import key_also_by
from .views.citizen.plan import SEND_AGAIN_ACTION


# Dates for people, in the reader's language, in the portal's zone (BABEL_DEFAULT_TIMEZONE, Europe/Copenhagen):
# "mandag 11. januar 2027 kl. 10.00", "Monday 11 January 2027 at 10:00". Never seconds, never a zone name,
# never a date of digits only ("12/1/26"). Styles: "full" with the weekday, "long" with the month's name,
# "medium" and "short" with the month shortened; anything else is a Babel pattern (e.g. "MMMM y").
def date_locale() -> Locale:
    """The reader's locale for the order of day, month and year: English as written in Europe ("Monday
    11 January 2027"), not the United States' order Babel gives plain "en"."""
    locale = get_locale() or Locale.parse("da")
    return Locale.parse("en_GB") if locale.language == "en" and not locale.territory else locale


def _date_pattern(style: str) -> str:
    locale = date_locale()
    if style == "full":
        return "EEEE " + locale.date_formats["long"].pattern
    if style == "long":
        return locale.date_formats["long"].pattern
    if style in ("medium", "short"):
        skeleton = locale.datetime_skeletons.get("yMMMd")
        return skeleton.pattern if skeleton else locale.date_formats["medium"].pattern
    return style


def _with_relative(text: str, value: date | datetime, relative: bool) -> str:
    near = relative_day(value, fallback=False) if relative else ""
    return _("%(date)s (%(relative)s)", date=text, relative=near) if near else text


def _date(value: date | None, style: str = "long", relative: bool = False) -> str:
    """`relative=True` adds "(in 3 days)" when the day is within a week of today. A page with a row per
    citizen shows the same few dates many times: each is formatted once per request."""
    if not value:
        return ""
    memo = g.setdefault("formatted_dates", {})
    key = (value, style, relative)
    if key not in memo:
        memo[key] = _format_date(value, style, relative)
    return memo[key]  # type: ignore[no-any-return]


def _format_date(value: date, style: str, relative: bool) -> str:
    if isinstance(value, datetime):
        text = format_datetime(value, _date_pattern(style))
    else:
        text = format_date(value, _date_pattern(style))
    return _with_relative(text, value, relative)


def _datetime(value: datetime | None, style: str = "medium", relative: bool = False) -> str:
    if not value:
        return ""
    hours = date_locale().datetime_skeletons.get("Hm")
    text = _(
        "%(date)s at %(time)s",
        date=format_datetime(value, _date_pattern(style)),
        time=format_datetime(value, hours.pattern if hours else "HH:mm"),
    )
    return _with_relative(text, value, relative)


def relative_day(value: date | datetime | None, fallback: bool = True) -> str:
    """Today, tomorrow, yesterday, "in 3 days", "2 days ago" within a week of today (in the portal's zone),
    else the date (nothing without `fallback`): for deadlines and meetings, where the distance matters."""
    if not value:
        return ""
    day = to_user_timezone(value).date() if isinstance(value, datetime) else value
    today = to_user_timezone(datetime.now(UTC)).date()
    days = (day - today).days
    locale = get_locale() or Locale.parse("da")
    words = locale._data["date_fields"]["day"].get("relative", {})
    if days in (-1, 0, 1) and days in words:
        return str(words[days])
    if abs(days) < 7:
        return format_timedelta(
            timedelta(days=days), granularity="day", add_direction=True, threshold=1
        )
    return _date(day, "medium") if fallback else ""


def written_by(author: Person | None) -> str:
    """Who wrote something, said from the reader's side: "You wrote it", "Peter Jensen wrote it for you"."""
    if author is None:
        return ""
    if author.reference == g.get("author_ref"):
        return _("You wrote it")
    reader_is_citizen = g.get("author_ref") == g.get("citizen_ref")
    if author.role == "relative":
        if reader_is_citizen:
            return _("%(name)s wrote it for you", name=author.name)
        return _("%(name)s wrote it", name=author.name)
    if author.role == "caseworker":
        return _("%(name)s, caseworker, wrote it", name=author.name)
    return _("%(name)s wrote it", name=author.name) if author.name else ""


def outbox_state(message: OutboxMessage) -> str:
    if message.state is OutboxState.PENDING:
        return _("Waiting to be sent")
    if message.state is OutboxState.DEAD:
        return _("We could not deliver this")
    return _("Sent")


def may_send_again(message: OutboxMessage) -> bool:
    """Whether this reader may send a refused item again: the permission its first sending needed."""
    action = SEND_AGAIN_ACTION.get(message.purpose)
    return action is not None and bool(may(action.value))


def outbox_summary(message: OutboxMessage) -> str:
    """What a waiting item says, in the person's own words where there are any: they recognise it."""
    try:
        body = json.loads(message.body_json)
    except ValueError:
        return ""
    if message.resource_type == "Observation":
        code = payloads.progress_value(body)
        return str(labels.PROGRESS_SIGNS.get(code, ("", ""))[0])
    text = payloads.own_words(message.resource_type, body)
    return text if len(text) <= 80 else text[:79] + "…"


def goal_question(code: str) -> str:
    """The goal conversation's question a note answers ("What will be different when you get there?"),
    never its code: a caseworker reads the citizen's answer beside the question that was asked."""
    found = step(code)
    return str(found.question) if found else _("Another answer")


def acting_for_name() -> str:
    """The name of the person acted for (once per request: a page asks in several places)."""
    if "acting_for_name" not in g:
        ref = g.get("citizen_ref")
        g.acting_for_name = citizen_names(db.session(), [ref]).get(ref, "") if ref else ""
    return g.acting_for_name  # type: ignore[no-any-return]


def unread_messages() -> int:
    """Answers from staff not yet opened (once per request: the menu and the page both show it)."""
    if "unread_messages" not in g:
        actor = g.get("actor")
        citizen_ref = g.get("citizen_ref")
        if actor is None or actor.anonymous or not citizen_ref or not may("citizen:message:read"):
            g.unread_messages = 0
        else:
            g.unread_messages = unread_count(db.session(), citizen_ref, actor.account_id)
    return g.unread_messages  # type: ignore[no-any-return]


def _acted_for() -> str:
    """The name of the person acted for, where a page speaks of someone else (part of every page's key)."""
    return acting_for_name() if g.get("acting_role") not in (None, "citizen") else ""


def init_app(app: Flask) -> None:
    key_also_by(unread_messages, _acted_for)  # views/_memo.py: the pages these globals change
    app.jinja_env.globals["unread_messages"] = unread_messages
    app.jinja_env.globals["may"] = may
    app.jinja_env.globals["goal_question"] = goal_question
    app.jinja_env.globals["acting_for_name"] = acting_for_name
    app.jinja_env.filters["scope_label"] = lambda code: str(labels.SCOPES.get(code, code))

    @app.context_processor
    def _today() -> dict[str, date]:
        return {"today": date.today()}

    app.jinja_env.globals["outbox_summary"] = outbox_summary
    app.jinja_env.globals["written_by"] = written_by
    app.jinja_env.globals["outbox_state"] = outbox_state
    app.jinja_env.globals["may_send_again"] = may_send_again
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["relative_day"] = relative_day
    # One decimal in the reader's language: 4,5 in Danish, 4.5 in English.
    app.jinja_env.filters["decimal"] = lambda value: format_decimal(value, format="0.0")
    app.jinja_env.globals["labels"] = labels
    from .gas_chart import GLOBALS as GAS_GLOBALS  # Goal Attainment Scaling: chart, voices, agenda

    app.jinja_env.globals.update(GAS_GLOBALS)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
