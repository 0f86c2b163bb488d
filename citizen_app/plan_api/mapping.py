"""The mapping FHIR -> domain, family by family (goals.py, observations.py, communications.py, …); this module
only keeps the names other code has long imported from here."""

from __future__ import annotations

from .care_team import fixed_caseworkers
from .elements import human_name, initials, parse_date, parse_datetime
from .plan import plan_from_bundle, time_boundaries

__all__ = [
    "fixed_caseworkers",
    "human_name",
    "initials",
    "parse_date",
    "parse_datetime",
    "plan_from_bundle",
    "time_boundaries",
]
