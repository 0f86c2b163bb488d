"""Cases (FHIR Task): the caseworker moves a case to its next step or changes the decision date, always
with the version they saw (If-Match); a new deadline needs a reason, which the citizen sees."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..models import utcnow
from ..plan_api import PlanClient, Stored, fhir
from ..plan_api.mapping import parse_date


def update_case(
    client: PlanClient,
    task_id: str,
    *,
    version: str,
    step: str,
    due: date | None,
    reason: str | None,
    author_ref: str,
) -> Stored:
    """Raises PlanAPIConflict when the case changed after `version`: the caller shows both and decides."""
    if step not in fhir.CASE_STEPS:
        raise ValueError(f"not a case step: {step!r}")
    current = client.vread("Task", task_id, version)
    task: dict[str, Any] = dict(current)
    period = dict((task.get("restriction") or {}).get("period") or {})
    old_due, old_step = period.get("end"), _step(task)
    notes = list(task.get("note", []) or [])
    now = utcnow().isoformat()
    if due is not None and due.isoformat() != old_due:
        if not any(e.get("url") == fhir.EXT_ORIGINAL_DEADLINE for e in task.get("extension", [])):
            task["extension"] = [
                *task.get("extension", []),
                {"url": fhir.EXT_ORIGINAL_DEADLINE, "valueDate": old_due or due.isoformat()},
            ]
        period["end"] = due.isoformat()
        task["restriction"] = {**(task.get("restriction") or {}), "period": period}
        notes.append(_note("deadline", reason or "", author_ref, now))
    elif step != old_step and reason:
        notes.append(_note("step", reason, author_ref, now))
    task["businessStatus"] = {"coding": [{"system": fhir.CS_CASE_STEP, "code": step}]}
    task["status"] = fhir.TASK_STATUS_BY_STEP[step]
    task["lastModified"] = now
    if notes:
        task["note"] = notes
    return client.update(task, f'W/"{version}"')


def _step(task: dict[str, Any]) -> str | None:
    for coding in (task.get("businessStatus") or {}).get("coding", []) or []:
        if coding.get("system") == fhir.CS_CASE_STEP:
            return coding.get("code")
    return None


def _note(kind: str, text: str, author_ref: str, when: str) -> dict[str, Any]:
    return {
        "extension": [{"url": fhir.EXT_CASE_CHANGE, "valueCode": kind}],
        "authorReference": {"reference": author_ref},
        "time": when,
        "text": text,
    }


def seen_version(client: PlanClient, task_id: str, version: str) -> dict[str, Any]:
    """The step and decision date of the version the caseworker saw (for the 412 page: "when you opened it")."""
    task = client.vread("Task", task_id, version)
    codings = (task.get("businessStatus") or {}).get("coding") or [{}]
    due = ((task.get("restriction") or {}).get("period") or {}).get("end")
    return {"step": codings[0].get("code"), "due": parse_date(due), "version": version}
