"""Who the fixed caseworker is on a given day, from the CareTeam participants' periods (hand-over)."""

from __future__ import annotations

from datetime import date

from citizen_app.plan_api import fhir
from citizen_app.plan_api.mapping import fixed_caseworkers


def participant(member: str, start: str | None = None, end: str | None = None) -> dict:
    period = {k: v for k, v in (("start", start), ("end", end)) if v}
    return {
        "role": [{"coding": [{"system": fhir.CS_CARE_ROLE, "code": "fixed-caseworker"}]}],
        "member": {"reference": member},
        **({"period": period} if period else {}),
    }


def team(*participants: dict) -> list[dict]:
    return [{"resourceType": "CareTeam", "status": "active", "participant": list(participants)}]


def test_before_during_and_after_a_hand_over() -> None:
    teams = team(
        participant("PractitionerRole/jonas", "2026-01-01", "2026-11-30"),
        participant("PractitionerRole/amina", "2026-12-01"),
    )
    assert fixed_caseworkers(teams, date(2026, 11, 30)) == (
        ("PractitionerRole/jonas", date(2026, 1, 1)),
        ("PractitionerRole/amina", date(2026, 12, 1)),
    )
    assert fixed_caseworkers(teams, date(2026, 12, 1)) == (
        ("PractitionerRole/amina", date(2026, 12, 1)),
        None,
    )


def test_no_period_means_always_and_an_inactive_team_counts_for_nothing() -> None:
    assert fixed_caseworkers(team(participant("PractitionerRole/jonas")), date(2026, 5, 1)) == (
        ("PractitionerRole/jonas", None),
        None,
    )
    inactive = [{**team(participant("PractitionerRole/jonas"))[0], "status": "inactive"}]
    assert fixed_caseworkers(inactive, date(2026, 5, 1)) == (None, None)


def test_other_roles_in_the_team_are_not_the_fixed_caseworker() -> None:
    other = {
        "role": [{"coding": [{"code": "provider"}]}],
        "member": {"reference": "Practitioner/x"},
    }
    assert fixed_caseworkers(team(other), date(2026, 5, 1)) == (None, None)
