"""The CarePlan: its agreements and services (activities), the order of its goals, the next follow-up."""

from __future__ import annotations

from datetime import date

from . import fhir
from .domain import Activity
from .elements import Resource, code, ext, parse_date, ref


def activities(careplan: Resource) -> tuple[list[Activity], list[Activity]]:
    contained = {f"#{c.get('id')}": c for c in careplan.get("contained", []) or []}
    agreements: list[Activity] = []
    services: list[Activity] = []
    for activity in careplan.get("activity", []) or []:
        detail = activity.get("detail") or {}
        kind = code(detail.get("code"), fhir.CS_ACTIVITY_KIND)
        if kind not in {"agreement", "service"}:
            continue
        performer = (detail.get("performer") or [{}])[0]
        organisation = contained.get(performer.get("reference", ""), {})
        phone = next(
            (t.get("value") for t in organisation.get("telecom", []) or [] if t.get("value")), None
        )
        period = detail.get("scheduledPeriod") or {}
        item = Activity(
            kind=kind,
            description=detail.get("description", ""),
            performer=performer.get("display") or organisation.get("name"),
            contact=phone,
            starts=parse_date(period.get("start")),
            due=parse_date(period.get("end")),
            status=detail.get("status"),
        )
        (agreements if kind == "agreement" else services).append(item)
    return agreements, services


def goal_order(careplan: Resource) -> list[str | None]:
    return [ref(r) for r in careplan.get("goal", []) or []]


def next_follow_up(careplan: Resource) -> date | None:
    return next(
        (parse_date(e.get("valueDate")) for e in ext(careplan, fhir.EXT_NEXT_FOLLOW_UP)), None
    )
