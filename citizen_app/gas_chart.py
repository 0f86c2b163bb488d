"""The three voices' GAS ratings over time as an SVG chart drawn on the server (as charts.py): no JavaScript.

Each voice has its own line style and marker shape (circle, square, triangle), so the chart reads without
colour; the levels are on the vertical axis by their symbols, and the same data stands beside the chart as a
table in words. The chart has an accessible name and a description that says each voice's latest rating.
"""

from __future__ import annotations

from datetime import datetime

from flask import g
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .labels import GAS_LEVELS, GAS_VOICES
from .plan_api.gas import LEVELS, VOICES, GoalScale, Rating

WIDTH, HEIGHT = 320, 200
LEFT, RIGHT, TOP, BOTTOM = 34, 14, 14, 30


def _y(level: str) -> float:
    usable = HEIGHT - TOP - BOTTOM
    return TOP + usable - usable * LEVELS.index(level) / (len(LEVELS) - 1)


def _marker(voice: str, x: float, y: float) -> str:
    cls = f"chart__point chart__point--{voice}"
    if voice == "caseworker":
        points = f"{x},{y - 6} {x - 6},{y + 5} {x + 6},{y + 5}"
        return f'<polygon class="{cls}" points="{points}"/>'
    if voice == "relative":
        return f'<rect class="{cls}" x="{x - 5}" y="{y - 5}" width="10" height="10"/>'
    return f'<circle class="{cls}" cx="{x}" cy="{y}" r="5"/>'


def gas_chart(scale: GoalScale | None, chart_id: str = "gas-chart") -> Markup | None:
    if scale is None or not scale.ratings:
        return None
    ratings = scale.ratings
    first, last = ratings[0].when, ratings[-1].when
    span = max((last - first).total_seconds(), 1.0)
    usable = WIDTH - LEFT - RIGHT

    def x(when: datetime) -> float:
        if first == last:
            return LEFT + usable / 2
        return round(LEFT + usable * (when - first).total_seconds() / span, 1)

    latest = "; ".join(
        f"{GAS_VOICES[r.voice][0]}: {GAS_LEVELS[r.level][0]}" for r in scale.latest_by_voice
    )
    title = _("Where the goal stands, in each voice")
    description = _("The latest: %(latest)s.", latest=latest)
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for level in LEVELS:
        y = round(_y(level), 1)
        parts.append(
            f'<line class="chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
        )
        parts.append(
            f'<text class="chart__axis" x="{LEFT - 12}" y="{y + 5}" text-anchor="middle">'
            f"{escape(GAS_LEVELS[level][1])}</text>"
        )
    for when, anchor in (
        ((first, "start"), (last, "end")) if first != last else ((first, "middle"),)
    ):
        parts.append(
            f'<text class="chart__axis" x="{x(when)}" y="{HEIGHT - 8}" text-anchor="{anchor}">'
            f"{escape(format_date(when, 'short'))}</text>"
        )
    for voice in VOICES:
        own: list[Rating] = [r for r in ratings if r.voice == voice]
        points = [(x(r.when), round(_y(r.level), 1)) for r in own]
        if len(points) > 1:
            path = " ".join(f"{px},{py}" for px, py in points)
            parts.append(f'<polyline class="chart__line chart__line--{voice}" points="{path}"/>')
        parts.extend(_marker(voice, px, py) for px, py in points)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text inside is escaped above)


def gas_voice(rating: Rating) -> str:
    """Who rated, in words: "You", or the name with the voice."""
    person = rating.rated_by
    if person is not None and person.reference == g.get("author_ref"):
        return _("You")
    name = person.name if person and person.name else ""
    if rating.voice == "caseworker":
        return _("%(name)s, caseworker", name=name) if name else _("The caseworker")
    if rating.voice == "relative":
        return _("%(name)s, relative", name=name) if name else _("A relative")
    return name or _("The citizen")


def gas_agenda(plan):  # type: ignore[no-untyped-def]
    from .models import utcnow
    from .services.gas import agenda

    return agenda(plan, utcnow())


GLOBALS = {"gas_chart": gas_chart, "gas_voice": gas_voice, "gas_agenda": gas_agenda}
__all__ = ["GLOBALS", "gas_agenda", "gas_chart", "gas_voice"]
