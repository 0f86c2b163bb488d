"""Tasks: the citizen's applications and cases, their step and decision date, and who owns them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from . import fhir
from .client import PlanClient, Stored
from .domain import Case, CaseChange, CaseVersion
from .elements import (
    CLOSED_TASK,
    Index,
    Resource,
    code,
    concept,
    ext,
    if_match,
    parse_date,
    parse_datetime,
    ref,
    reference,
    version_of,
)
from .errors import PlanAPIError


def case_from(index: Index, task: Resource) -> Case:
    changes = []
    for note in task.get("note", []) or []:
        kind = next((e.get("valueCode") for e in ext(note, fhir.EXT_CASE_CHANGE)), None)
        if kind and isinstance(note.get("text"), str):
            changes.append(
                CaseChange(
                    kind=kind,
                    text=note["text"],
                    when=parse_datetime(note.get("time")),
                    by=index.person(ref(note.get("authorReference"))),
                )
            )
    restriction = (task.get("restriction") or {}).get("period") or {}
    return Case(
        id=task["id"],
        version=version_of(task),
        about=task.get("description") or (task.get("code") or {}).get("text") or "",
        received=parse_date(task.get("authoredOn")),
        step=code(task.get("businessStatus"), fhir.CS_CASE_STEP) or "received",
        due=parse_date(restriction.get("end")),
        original_due=next(
            (parse_date(e.get("valueDate")) for e in ext(task, fhir.EXT_ORIGINAL_DEADLINE)), None
        ),
        status=str(task.get("status") or "received"),
        changes=tuple(changes),
    )


def cases(index: Index) -> tuple[Case, ...]:
    return tuple(
        sorted(
            (case_from(index, t) for t in index.by_type.get("Task", [])),
            key=lambda c: (not c.open, c.received or date.min, c.id),
        )
    )


def _step(task: Resource) -> str | None:
    return code(task.get("businessStatus"), fhir.CS_CASE_STEP)


def _note(kind: str, text: str, author_ref: str, when: str) -> dict[str, Any]:
    return {
        "extension": [{"url": fhir.EXT_CASE_CHANGE, "valueCode": kind}],
        "authorReference": reference(author_ref),
        "time": when,
        "text": text,
    }


def update_case(
    client: PlanClient,
    task_id: str,
    version: str,
    *,
    step: str,
    due: date | None,
    reason: str | None,
    author_ref: str,
    when: datetime,
) -> Stored:
    """Move a case to `step` and (or) a new decision date, based on the version the caseworker saw; a new
    date keeps the first one promised and notes the reason. PlanAPIConflict when it changed since."""
    if step not in fhir.CASE_STEPS:
        raise ValueError(f"not a case step: {step!r}")
    task: dict[str, Any] = dict(client.vread("Task", task_id, version))
    period = dict((task.get("restriction") or {}).get("period") or {})
    old_due, old_step = period.get("end"), _step(task)
    notes = list(task.get("note", []) or [])
    now = when.isoformat()
    if due is not None and due.isoformat() != old_due:
        if not ext(task, fhir.EXT_ORIGINAL_DEADLINE):
            task["extension"] = [
                *task.get("extension", []),
                {"url": fhir.EXT_ORIGINAL_DEADLINE, "valueDate": old_due or due.isoformat()},
            ]
        period["end"] = due.isoformat()
        task["restriction"] = {**(task.get("restriction") or {}), "period": period}
        notes.append(_note("deadline", reason or "", author_ref, now))
    elif step != old_step and reason:
        notes.append(_note("step", reason, author_ref, now))
    task["businessStatus"] = concept(fhir.CS_CASE_STEP, step)
    task["status"] = fhir.TASK_STATUS_BY_STEP[step]
    task["lastModified"] = now
    if notes:
        task["note"] = notes
    return client.update(task, if_match(version))


def seen_version(client: PlanClient, task_id: str, version: str) -> CaseVersion:
    """The step and decision date of the version the caseworker saw (for the 412 page)."""
    task = client.vread("Task", task_id, version)
    codings = (task.get("businessStatus") or {}).get("coding") or [{}]
    due = ((task.get("restriction") or {}).get("period") or {}).get("end")
    return CaseVersion(version, codings[0].get("code"), parse_date(due))


def hand_over_open_cases(
    client: PlanClient, from_ref: str, to_ref: str, citizens: set[str]
) -> list[str]:
    """The open cases of `citizens` owned by `from_ref` get `to_ref` as owner, each with If-Match on the
    version just read. Returns the citizens of which a case could not be written (a colleague changed it,
    or the plan API was away); the others go on."""
    not_moved: list[str] = []
    for task in client.search_all("Task", {"owner": from_ref, "_count": "500"}):
        if task.get("status") in CLOSED_TASK:
            continue
        citizen = ref(task.get("for"))
        if citizen not in citizens:
            continue
        try:
            client.update(dict(task, owner=reference(to_ref)), if_match(str(version_of(task))))
        except PlanAPIError:
            if citizen and citizen not in not_moved:
                not_moved.append(citizen)
    return not_moved
