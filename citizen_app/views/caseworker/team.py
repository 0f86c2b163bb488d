"""The team page: satisfaction per month and open complaints, counts beyond my own citizens."""

from __future__ import annotations

from flask import (
    g,
)

from ... import audit, db
from ...authz import Action
from ...charts import satisfaction_chart
from ...identity import current_actor
from ...models import utcnow
from ...services import caseload_model
from ...services.plan_reading import plan_client
from .._guard import guarded
from .._memo import render_memo
from . import bp


@bp.get("/team")
@guarded(Action.TEAM_READ, "Team")
def team() -> str:
    """The team's satisfaction over time and the open complaints: names only for my own citizens."""
    actor = current_actor()
    mine = {grant.citizen_ref for grant in actor.grants}
    view = caseload_model.team_page(
        db.session(), plan_client(), g.get("staff_unit"), mine, utcnow()
    )
    roles = {grant.citizen_ref: grant.role.value for grant in actor.grants}
    audit.record_listed(
        actor,
        audit.NAMED_ON_TEAM_PAGE,
        "Team",
        {c.citizen_ref: roles[c.citizen_ref] for c in view.complaints if c.citizen_name},
    )
    return render_memo(
        "caseworker/team.html",
        held=(
            view,
            view.months,
            view.complaints,
        ),  # the same objects while the figures are the same
        derived={"chart": lambda: satisfaction_chart(view.months)},
        undelivered=view.undelivered,
        unit=g.get("staff_unit"),
        months=view.months,
        complaints=view.complaints,
        view=view,
    )
