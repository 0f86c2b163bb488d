"""Which citizens a caseworker works for now: as their fixed caseworker, and as substitute for a colleague
who is away. Read from the plan API (CareTeam, PractitionerRole), the source of truth, on each request.

Cost: one CareTeam search for my own caseload, one PractitionerRole search to find colleagues who named me as
substitute, and one CareTeam search per colleague away now; every search follows its `next` links, so a
municipality with more than one page of roles or teams loses no substitute and no citizen. What waits for
those citizens comes from the read model (services/caseload_model.py), never from one read per citizen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ..authz.policy import Grant, Role
from ..plan_api import PlanAPIError, PlanClient, fhir
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
    teams = client.search_all(
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
    for colleague in client.search_all("PractitionerRole", {"_count": "500"}):
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


def _handed_to(participants: list[dict], to_ref: str, start: date) -> bool:
    return any(
        (p.get("member") or {}).get("reference") == to_ref
        and (p.get("period") or {}).get("start") == start.isoformat()
        for p in participants
    )


@dataclass(frozen=True)
class HandOver:
    """What a hand-over did: the citizens moved, and those whose CareTeam or case could not be written now
    (a colleague changed it at the same time, or the plan API was away). Sending the same hand-over again
    finishes it: a citizen already moved is skipped (their old period already ends before the date)."""

    moved: tuple[str, ...]
    not_moved: tuple[str, ...]
    cases_not_moved: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.not_moved and not self.cases_not_moved


def hand_over(client: PlanClient, from_ref: str, to_ref: str, start: date) -> HandOver:
    """Every citizen whose fixed caseworker `from_ref` is (or will be) goes to `to_ref` from `start`: the
    old participant's period ends the day before, a new one starts on `start`. Conversations and goals
    belong to the citizen's plan, not to the caseworker, so they follow without being touched; open cases
    (Task) get the new owner.
    Each write is an update with If-Match on the version read in this request; one that fails is reported
    (never retried blindly, never overwriting a colleague's change) and the rest go on."""
    moved: list[str] = []
    not_moved: list[str] = []
    earlier: list[str] = []
    for team in client.search_all(
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
        subject = (team.get("subject") or {}).get("reference")
        if not changed and subject and _handed_to(participants, to_ref, start):
            earlier.append(subject)  # moved by an earlier try of this hand-over: its cases still go
        if changed:
            version = (team.get("meta") or {}).get("versionId")
            try:
                client.update({**team, "participant": participants}, f'W/"{version}"')
            except PlanAPIError:
                if subject:
                    not_moved.append(subject)
                continue
            if subject:
                moved.append(subject)
    # Open cases get the new owner too, so the case system's own queues agree with the portal; also the
    # cases of a citizen moved by an earlier, unfinished try of the same hand-over.
    cases_not_moved: list[str] = []
    for task in client.search_all("Task", {"owner": from_ref, "_count": "500"}):
        if task.get("status") in {
            "completed",
            "cancelled",
            "rejected",
            "failed",
            "entered-in-error",
        }:
            continue
        citizen = (task.get("for") or {}).get("reference")
        if citizen not in moved and citizen not in earlier:
            continue
        version = (task.get("meta") or {}).get("versionId")
        try:
            client.update({**task, "owner": {"reference": to_ref}}, f'W/"{version}"')
        except PlanAPIError:
            if citizen and citizen not in cases_not_moved:
                cases_not_moved.append(citizen)
    return HandOver(tuple(moved), tuple(not_moved), tuple(cases_not_moved))
