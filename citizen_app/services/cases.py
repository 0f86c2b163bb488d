"""Cases (FHIR Task): the caseworker moves a case to its next step or changes the decision date, always
with the version they saw (If-Match); a new deadline needs a reason, which the citizen sees."""

from __future__ import annotations

from datetime import date

from ..models import utcnow
from ..plan_api import PlanClient, Stored, tasks
from ..plan_api.domain import CaseVersion


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
    return tasks.update_case(
        client,
        task_id,
        version,
        step=step,
        due=due,
        reason=reason,
        author_ref=author_ref,
        when=utcnow(),
    )


def seen_version(client: PlanClient, task_id: str, version: str) -> CaseVersion:
    """The step and decision date of the version the caseworker saw (for the 412 page: "when you opened it")."""
    return tasks.seen_version(client, task_id, version)
