"""Which citizens a caseworker works for now: as their fixed caseworker, and as substitute for a colleague
who is away. Read from the plan API (CareTeam, PractitionerRole), the source of truth, on each request.

Cost: one CareTeam search for my own caseload, one PractitionerRole search to find colleagues who named me as
substitute, and one CareTeam search per colleague away now. The caseworker area is used by a few staff at
desktops; a cache keyed on the roles' ETags is the next step if that ever matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..authz.policy import Grant, Role
from ..plan_api import PlanClient, fhir
from ..plan_api.mapping import fixed_caseworkers, parse_datetime


@dataclass(frozen=True)
class Coverage:
    grants: tuple[Grant, ...]
    unit: str | None
    # For each citizen covered as substitute: whose caseload it is.
    covering_for: dict[str, str]


def _absent_now(role: dict, now: datetime) -> bool:
    for absence in role.get("notAvailable", []) or []:
        during = absence.get("during") or {}
        start, end = parse_datetime(during.get("start")), parse_datetime(during.get("end"))
        if start and start <= now and (end is None or now < end):
            return True
    return False


def _substitute_of(role: dict) -> str | None:
    for extension in role.get("extension", []) or []:
        if extension.get("url") == fhir.EXT_SUBSTITUTE:
            return (extension.get("valueReference") or {}).get("reference")
    return None


def _patients(client: PlanClient, role_ref: str, today: date | None = None) -> list[str]:
    """The citizens whose fixed caseworker `role_ref` is today (a hand-over dates the change)."""
    today = today or datetime.now(UTC).date()
    teams = client.search(
        "CareTeam", {"participant": role_ref, "status": "active", "_count": "500"}
    )
    refs = []
    for team in teams:
        current, _upcoming = fixed_caseworkers([team], today)
        subject = (team.get("subject") or {}).get("reference")
        if current and current[0] == role_ref and subject and subject not in refs:
            refs.append(subject)
    return refs


def coverage(client: PlanClient, role_ref: str, now: datetime | None = None) -> Coverage:
    now = now or datetime.now(UTC)
    _, _, role_id = role_ref.partition("/")
    me = client.read("PractitionerRole", role_id).resource or {}
    unit = (me.get("organization") or {}).get("display")
    grants = [Grant(ref, Role.FIXED_CASEWORKER) for ref in _patients(client, role_ref)]
    covering: dict[str, str] = {}
    for colleague in client.search("PractitionerRole", {"_count": "500"}):
        colleague_ref = f"PractitionerRole/{colleague['id']}"
        if colleague_ref == role_ref or _substitute_of(colleague) != role_ref:
            continue
        if not _absent_now(colleague, now):
            continue
        for ref in _patients(client, colleague_ref):
            if all(g.citizen_ref != ref for g in grants):
                grants.append(Grant(ref, Role.SUBSTITUTE))
                covering[ref] = colleague_ref
    return Coverage(tuple(grants), unit, covering)


def team_patients(client: PlanClient, unit: str | None) -> list[str]:
    """The citizens whose fixed caseworker works in `unit` (my team, me included), for the team's
    timeliness figures. Only counts leave the caseworker area: no names, no content."""
    if not unit:
        return []
    refs: list[str] = []
    for role in client.search("PractitionerRole", {"_count": "500"}):
        if (role.get("organization") or {}).get("display") != unit:
            continue
        for ref in _patients(client, f"PractitionerRole/{role['id']}"):
            if ref not in refs:
                refs.append(ref)
    return refs


def hand_over(client: PlanClient, from_ref: str, to_ref: str, start: date) -> list[str]:
    """Every citizen whose fixed caseworker `from_ref` is (or will be) goes to `to_ref` from `start`: the
    old participant's period ends the day before, a new one starts on `start`. Conversations and goals
    belong to the citizen's plan, not to the caseworker, so they follow without being touched; open cases
    (Task) get the new owner.
    Returns the citizens moved. Each CareTeam is updated with If-Match on the version just read."""
    from datetime import timedelta

    moved = []
    for team in client.search(
        "CareTeam", {"participant": from_ref, "status": "active", "_count": "500"}
    ):
        participants = list(team.get("participant", []) or [])
        changed = False
        for index, participant in enumerate(participants):
            roles = [
                c.get("code")
                for r in participant.get("role", []) or []
                for c in r.get("coding", []) or []
            ]
            period = dict(participant.get("period") or {})
            ended = period.get("end") and date.fromisoformat(period["end"][:10]) < start
            if (
                "fixed-caseworker" not in roles
                or (participant.get("member") or {}).get("reference") != from_ref
                or ended
            ):
                continue
            period["end"] = (start - timedelta(days=1)).isoformat()
            participants[index] = {**participant, "period": period}
            participants.append(
                {
                    "role": participant.get("role"),
                    "member": {"reference": to_ref},
                    "period": {"start": start.isoformat()},
                }
            )
            changed = True
            break
        if changed:
            version = (team.get("meta") or {}).get("versionId")
            client.update({**team, "participant": participants}, f'W/"{version}"')
            subject = (team.get("subject") or {}).get("reference")
            if subject:
                moved.append(subject)
    # Open cases get the new owner too, so the case system's own queues agree with the portal.
    for task in client.search("Task", {"owner": from_ref, "_count": "500"}):
        if task.get("status") in {
            "completed",
            "cancelled",
            "rejected",
            "failed",
            "entered-in-error",
        }:
            continue
        if (task.get("for") or {}).get("reference") not in moved:
            continue
        version = (task.get("meta") or {}).get("versionId")
        client.update({**task, "owner": {"reference": to_ref}}, f'W/"{version}"')
    return moved
