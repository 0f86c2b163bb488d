"""Progress signs over time as an SVG chart, drawn on the server: no JavaScript, no image files.

The chart has an accessible name and description; the same data always stands beside it as a table, which
is the version screen readers and people who prefer numbers use. Colours come from CSS classes (strict CSP:
no style attributes), so forced-colors mode and print work.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .labels import PROGRESS_SIGNS
from .plan_api.domain import ProgressSign
from .plan_api.fhir import PROGRESS_SCALE

WIDTH, HEIGHT = 320, 200
LEFT, RIGHT, TOP, BOTTOM = 34, 12, 12, 30


def _y(value: str) -> float:
    level = PROGRESS_SCALE.index(value)
    usable = HEIGHT - TOP - BOTTOM
    return TOP + usable - usable * level / (len(PROGRESS_SCALE) - 1)


def progress_chart(
    signs: Sequence[ProgressSign], chart_id: str = "progress-chart"
) -> Markup | None:
    if not signs:
        return None
    first, last = signs[0].when, signs[-1].when
    span = max((last - first).days, 1)
    usable = WIDTH - LEFT - RIGHT

    def x(sign: ProgressSign) -> float:
        if len(signs) == 1:
            return LEFT + usable / 2
        return LEFT + usable * (sign.when - first).days / span

    points = [(round(x(s), 1), round(_y(s.value), 1)) for s in signs]
    latest_label = PROGRESS_SIGNS[signs[-1].value][0]
    title = _("How it has gone with your goal")
    description = ngettext(
        "%(num)d sign on %(start)s: %(latest)s.",
        "%(num)d signs from %(start)s to %(end)s. The latest: %(latest)s.",
        len(signs),
        start=format_date(first, "medium"),
        end=format_date(last, "medium"),
        latest=latest_label,
    )
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for value in PROGRESS_SCALE:
        y = round(_y(value), 1)
        symbol = PROGRESS_SIGNS[value][1]
        parts.append(
            f'<line class="chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
        )
        parts.append(
            f'<text class="chart__axis" x="{LEFT - 10}" y="{y + 5}" text-anchor="middle">{escape(symbol)}</text>'
        )
    for when in (first, last) if first != last else (first,):
        anchor = "start" if when == first and first != last else "end" if when == last else "middle"
        position = x(next(s for s in signs if s.when == when))
        parts.append(
            f'<text class="chart__axis" x="{round(position, 1)}" y="{HEIGHT - 8}" '
            f'text-anchor="{anchor}">{escape(format_date(when, "short"))}</text>'
        )
    if len(points) > 1:
        path = " ".join(f"{px},{py}" for px, py in points)
        parts.append(f'<polyline class="chart__line" points="{path}"/>')
    for px, py in points:
        parts.append(f'<circle class="chart__point" cx="{px}" cy="{py}" r="5"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text inside is escaped above)


def satisfaction_chart(months: Sequence, chart_id: str = "satisfaction-chart") -> Markup | None:  # type: ignore[type-arg]
    """The team's average answer per month (1 very bad … 5 very good) as bars; months without answers
    have no bar. The table beside it carries the same numbers."""
    answered = [m for m in months if m.total]
    if not answered:
        return None
    usable_w = WIDTH - LEFT - RIGHT
    usable_h = HEIGHT - TOP - BOTTOM
    slot = usable_w / len(months)
    title = _("Satisfaction with the contact, month by month")
    description = ngettext(
        "%(num)d answer in all.", "%(num)d answers in all.", sum(m.total for m in months)
    )
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for level in range(1, 6):
        y = round(TOP + usable_h - usable_h * (level - 1) / 4, 1)
        parts.append(
            f'<line class="chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
        )
        parts.append(
            f'<text class="chart__axis" x="{LEFT - 10}" y="{y + 5}" text-anchor="middle">{level}</text>'
        )
    for index, month in enumerate(months):
        x = round(LEFT + slot * index + slot * 0.15, 1)
        if month.average is not None:
            top = round(TOP + usable_h - usable_h * (month.average - 1) / 4, 1)
            height = max(round(TOP + usable_h - top, 1), 2)
            parts.append(
                f'<rect class="chart__bar" x="{x}" y="{top}" width="{round(slot * 0.7, 1)}" '
                f'height="{height}"/>'
            )
    for index in (0, len(months) - 1):
        anchor = "start" if index == 0 else "end"
        x = round(LEFT + slot * index + (0 if index == 0 else slot), 1)
        label = format_date(months[index].start, "MMM yy")
        parts.append(
            f'<text class="chart__axis" x="{x}" y="{HEIGHT - 8}" text-anchor="{anchor}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text inside is escaped above)


__all__ = ["progress_chart", "satisfaction_chart"]
