"""CareTeams: who is the citizen's fixed caseworker, since when, who takes over from which date (a
participant's period), and the hand-over of a caseworker's citizens to a colleague."""

from __future__ import annotations

from datetime import date, timedelta

from . import fhir
from .client import PlanClient
from .elements import Resource, code, if_match, parse_date, ref, reference, version_of
from .errors import PlanAPIError


def fixed_caseworkers(
    care_teams: list[Resource], today: date
) -> tuple[tuple[str, date | None] | None, tuple[str, date | None] | None]:
    """(current, next): the fixed caseworker's role reference and the date they started (or start), from
    the active CareTeams' participants with the fixed-caseworker role and their periods. A hand-over ends
    one participant's period the day before the next one's starts."""
    current: tuple[str, date | None] | None = None
    upcoming: tuple[str, date | None] | None = None
    for team in care_teams:
        if team.get("status", "active") != "active":
            continue
        for participant in team.get("participant", []) or []:
            roles = [code(r, fhir.CS_CARE_ROLE) for r in participant.get("role", []) or []]
            member = ref(participant.get("member"))
            if "fixed-caseworker" not in roles or not member:
                continue
            period = participant.get("period") or {}
            start, end = parse_date(period.get("start")), parse_date(period.get("end"))
            if end is not None and end < today:
                continue
            if start is not None and start > today:
                if upcoming is None or (upcoming[1] or date.max) > start:
                    upcoming = (member, start)
            elif current is None or (current[1] or date.min) < (start or date.min):
                current = (member, start)
    return current, upcoming


def _teams_with(client: PlanClient, role_ref: str) -> list[Resource]:
    return client.search_all(
        "CareTeam", {"participant": role_ref, "status": "active", "_count": "500"}
    )


def citizens_of(client: PlanClient, role_ref: str, today: date) -> list[str]:
    """The citizens whose fixed caseworker `role_ref` is today (a hand-over dates the change)."""
    refs = []
    for team in _teams_with(client, role_ref):
        current, _upcoming = fixed_caseworkers([team], today)
        subject = ref(team.get("subject"))
        if current and current[0] == role_ref and subject and subject not in refs:
            refs.append(subject)
    return refs


def _handed_to(participants: list[Resource], to_ref: str, start: date) -> bool:
    return any(
        ref(p.get("member")) == to_ref and (p.get("period") or {}).get("start") == start.isoformat()
        for p in participants
    )


def _hand_over_team(
    team: Resource, from_ref: str, to_ref: str, start: date
) -> list[Resource] | None:
    """The team's participants after the hand-over, or None when `from_ref` is not its fixed caseworker
    on or after `start` (already handed over, or never was)."""
    participants = list(team.get("participant", []) or [])
    for index, participant in enumerate(participants):
        roles = [
            c.get("code")
            for r in participant.get("role", []) or []
            for c in r.get("coding", []) or []
        ]
        period = dict(participant.get("period") or {})
        ended = period.get("end") and date.fromisoformat(period["end"][:10]) < start
        if "fixed-caseworker" not in roles or ref(participant.get("member")) != from_ref or ended:
            continue
        period["end"] = (start - timedelta(days=1)).isoformat()
        participants[index] = {**participant, "period": period}
        participants.append(
            {
                "role": participant.get("role"),
                "member": reference(to_ref),
                "period": {"start": start.isoformat()},
            }
        )
        return participants
    return None


def hand_over(
    client: PlanClient, from_ref: str, to_ref: str, start: date
) -> tuple[list[str], list[str], list[str]]:
    """Every CareTeam in which `from_ref` is (or will be) the fixed caseworker gets `to_ref` from `start`:
    the old participant's period ends the day before, a new one starts on `start`. Each write is an update
    with If-Match on the version read now; one that fails is reported, never retried blindly.
    Returns (citizens moved, citizens not moved, citizens moved by an earlier try of the same hand-over)."""
    moved: list[str] = []
    not_moved: list[str] = []
    earlier: list[str] = []
    for team in _teams_with(client, from_ref):
        participants = _hand_over_team(team, from_ref, to_ref, start)
        subject = ref(team.get("subject"))
        if participants is None:
            if subject and _handed_to(list(team.get("participant", []) or []), to_ref, start):
                earlier.append(
                    subject
                )  # moved by an earlier try of this hand-over: its cases still go
            continue
        try:
            client.update(dict(team, participant=participants), if_match(str(version_of(team))))
        except PlanAPIError:
            if subject:
                not_moved.append(subject)
            continue
        if subject:
            moved.append(subject)
    return moved, not_moved, earlier
