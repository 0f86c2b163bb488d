"""The caseworker area: my caseload, a citizen's review queue with deadlines, answers, goals accepted or
declined, my absence and substitute, hand-over, the team's figures, activation codes. Desktop first, as
accessible as the rest. One blueprint, a module per part; the orchestration lives in services/."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("caseworker", __name__, url_prefix="/caseworker")

from . import (  # noqa: E402, F401
    absence,
    caseload,
    cases,
    evaluations,
    gas,
    representatives,
    review,
    team,
)

__all__ = ["bp"]
