"""Demo people and Sara's plan, put into the plan API through the portal's own client.

Idempotent: every resource has a fixed client identifier (a UUID derived from its demo name), so running it
again finds what is there instead of adding a second copy. The texts are demo content, in Danish like a real
plan; they are data, not interface copy, so they are not translated.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .auth import activation
from .models import Account, AccountKind, Delegation, DelegationKind, utcnow
from .plan_api import PlanClient, communications, questionnaire_responses
from .plan_api import goals as goal_json
from .plan_api.demo_plans import UNIT, DemoLoader
from .services.delegations import parent_ends_on

DEMO_NAMESPACE = uuid.UUID("6f1c1a52-6a4e-4a39-9d52-3c0b2a0d6e11")
_Loader = DemoLoader
__all__ = ["UNIT", "load", "load_unit"]


SARA_LEVELS = {
    "much-less": "Jeg tør slet ikke gå ned i butikken.",
    "less": "Jeg handler kun, når bostøtten går med.",
    "expected": "Jeg handler selv ind i Netto en gang om ugen.",
    "better": "Jeg handler selv ind to gange om ugen, også når der er kø.",
    "much-better": "Jeg handler også ind i et nyt supermarked, hvor jeg ikke har været før.",
}


def _plan_for_sara(
    load: _Loader, sara: str, jonas: str, jonas_role: str, peter: str | None = None
) -> None:
    shopping = _saras_shopping_goal(load, sara, jonas, jonas_role, peter)
    rhythm = _saras_rhythm_goal(load, sara, jonas)
    family = _saras_family_goal(load, sara, jonas)
    _saras_progress_signs(load, sara, shopping, rhythm, jonas_role)
    plan = load.care_plan(
        "sara-plan",
        sara,
        [shopping, rhythm, family],
        _saras_activities(load, sara),
        contained=_saras_providers(load),
    )
    load.care_team("sara-team", sara, jonas_role)
    _saras_cases(load, sara, jonas_role, plan)
    _saras_meetings_and_evaluation(load, sara, jonas, jonas_role, rhythm)


def _saras_shopping_goal(
    load: _Loader, sara: str, jonas: str, jonas_role: str, peter: str | None
) -> str:
    """The goal with Goal Attainment Scaling levels, rated in three voices (four with Peter's)."""
    goal = load.goal(
        "sara-goal-shopping",
        sara,
        "Jeg vil kunne handle ind selv, uden at jeg går i panik i køen.",
        "Sara øger sin mestring af indkøb i nærmiljøet, så hun kan handle selvstændigt.",
        jonas,
        "active",
        "improving",
        levels=SARA_LEVELS,
    )
    # Three voices on the shopping goal: never two levels apart, so it is not on the agenda by itself.
    load.gas_rating("sara-gas-jonas-1", sara, goal, "caseworker", "less", 100, jonas_role)
    load.gas_rating("sara-gas-sara-1", sara, goal, "citizen", "less", 99, sara)
    load.gas_rating("sara-gas-sara-2", sara, goal, "citizen", "expected", 20, sara)
    if peter:
        load.gas_rating("sara-gas-peter-1", sara, goal, "relative", "less", 14, peter)
    load.gas_rating("sara-gas-jonas-2", sara, goal, "caseworker", "expected", 7, jonas_role)
    return goal


def _saras_rhythm_goal(load: _Loader, sara: str, jonas: str) -> str:
    return load.goal(
        "sara-goal-rhythm",
        sara,
        "Jeg vil stå op om morgenen og have en fast rytme i min dag.",
        "Sara fastholder en stabil døgnrytme med faste tider for søvn og måltider.",
        jonas,
        "active",
        "sustaining",
    )


def _saras_family_goal(load: _Loader, sara: str, jonas: str) -> str:
    return load.goal(
        "sara-goal-peter",
        sara,
        "Jeg vil gerne ses med min bror Peter hver uge.",
        "Sara styrker sit netværk gennem ugentlig kontakt med familien.",
        jonas,
        "accepted",
        "in-progress",
    )


def _saras_progress_signs(
    load: _Loader, sara: str, shopping: str, rhythm: str, jonas_role: str
) -> None:
    load.sign(
        "sara-sign-1", sara, shopping, "same", 40, "Jeg gik med bostøtten ned i Netto.", jonas_role
    )
    load.sign("sara-sign-2", sara, shopping, "bit-closer", 21, "Jeg købte mælk alene.", jonas_role)
    load.sign("sara-sign-3", sara, shopping, "much-closer", 6, None)
    load.sign(
        "sara-sign-4", sara, rhythm, "reached", 60, "En hel måned med faste tider.", jonas_role
    )
    load.sign("sara-sign-5", sara, rhythm, "keeping-up", 10, None, jonas_role)


def _saras_activities(load: _Loader, sara: str) -> list[dict[str, Any]]:
    """The agreements and services of Sara's plan (parts of the CarePlan, not resources of their own)."""
    today = load.today
    return [
        load.activity(
            "agreement",
            "Sara ringer til Jonas, hvis hun får brug for mere støtte.",
            (sara, "Sara"),
            "in-progress",
            end=today + timedelta(days=90),
        ),
        load.activity(
            "agreement",
            "Bostøtten og Sara laver en madplan hver mandag.",
            ("#provider-1", "Bostøtten Nørrebro"),
            "in-progress",
            end=today + timedelta(days=41),
        ),
        load.activity(
            "service",
            "Socialpædagogisk støtte i hjemmet, 4 timer om ugen (servicelovens § 85)",
            ("#provider-1", "Bostøtten Nørrebro"),
            "in-progress",
            start=today - timedelta(days=150),
        ),
        load.activity(
            "service",
            "Samvær og aktiviteter på et værested (servicelovens § 104)",
            ("#provider-2", "Værestedet Solsikken"),
            "in-progress",
            start=today - timedelta(days=90),
        ),
    ]


def _saras_providers(load: _Loader) -> list[dict[str, Any]]:
    """The organisations behind Sara's services, contained in her plan."""
    return [
        load.provider("provider-1", "Bostøtten Nørrebro", "35 30 12 12"),
        load.provider("provider-2", "Værestedet Solsikken", "35 30 45 45"),
    ]


def _saras_cases(load: _Loader, sara: str, jonas_role: str, plan: str) -> None:
    """An application being assessed and one decided."""
    load.case(
        "sara-case-contact-person",
        sara,
        jonas_role,
        plan,
        about="Du har søgt om en fast person, der kan gå med dig ud og hjælpe dig med at møde andre.",
        name_in_law="Støtte- og kontaktperson (servicelovens § 99)",
        received_days_ago=20,
        step="assessing",
        weeks=8,
    )
    load.case(
        "sara-case-home-support",
        sara,
        jonas_role,
        plan,
        about="Du søgte om hjælp i dit hjem til at få hverdagen til at hænge sammen.",
        name_in_law="Socialpædagogisk støtte (servicelovens § 85)",
        received_days_ago=190,
        step="decided",
        weeks=8,
    )


def _saras_meetings_and_evaluation(
    load: _Loader, sara: str, jonas: str, jonas_role: str, rhythm: str
) -> None:
    previous = load.meeting("sara-meeting-previous", sara, jonas_role, days=-80, status="fulfilled")
    load.meeting("sara-meeting-next", sara, jonas_role, days=41, status="booked")
    # Issue #18: Sara's rhythm goal was evaluated at the last meeting: reached, now keeping it up; looked at
    # again at the next meeting.
    load.past_evaluation(
        "sara-evaluation-rhythm",
        sara,
        rhythm,
        jonas,
        previous,
        decision="sustaining",
        reason="Du har haft faste tider i to måneder. Nu skal rytmen holde.",
        citizen_view="Sara siger, at det er rart at stå op på samme tid hver dag.",
        caseworker_view="Rytmen holder. Bostøtten kan give lidt mindre hjælp om morgenen.",
        held_days_ago=80,
        next_in_days=41,
    )


@dataclass(frozen=True)
class _Caseworkers:
    jonas: str
    amina: str
    jonas_role: str
    amina_role: str


@dataclass(frozen=True)
class _Citizens:
    sara: str
    mads: str
    emil: str
    peter: str
    line: str


def _caseworkers(loader: _Loader) -> _Caseworkers:
    """Jonas and Amina, and their roles in the unit; Amina is Jonas's substitute."""
    jonas = loader.person("jonas", "Practitioner", "Jonas", "Holm")
    amina = loader.person("amina", "Practitioner", "Amina", "Haddad")
    amina_role = loader.role("amina-role", amina, "33 17 40 02")
    jonas_role = loader.role("jonas-role", jonas, "33 17 40 01", substitute=amina_role)
    return _Caseworkers(jonas, amina, jonas_role, amina_role)


def _citizens(loader: _Loader) -> _Citizens:
    # CPR numbers (DK Core identifier system): fake but well-formed, the same as the NemLog-in simulator's
    # demo people, so that a MitID sign-in in the embedded default finds these Patients.
    sara = loader.person("sara", "Patient", "Sara", "Jensen", cpr="0101901234")
    mads = loader.person("mads", "Patient", "Mads", "Nielsen", cpr="0202851235")
    emil = loader.person(
        "emil",
        "Patient",
        "Emil",
        "Larsen",
        birth_date="2014-05-03",
        cpr="0305141239",
    )
    peter = loader.relative("peter", "Peter", "Jensen", of=sara, relationship="bror")
    line = loader.relative("line", "Line", "Larsen", of=emil, relationship="mor")
    return _Citizens(sara, mads, emil, peter, line)


def _plan_for_mads(loader: _Loader, mads: str, jonas: str, jonas_role: str) -> None:
    goal = loader.goal(
        "mads-goal-work",
        mads,
        "Jeg vil gerne have et fritidsjob.",
        "Mads afklarer muligheder for beskæftigelse i fritiden.",
        jonas,
        "active",
        "in-progress",
    )
    loader.care_plan("mads-plan", mads, [goal], [])
    loader.care_team("mads-team", mads, jonas_role)


def _plan_for_emil(loader: _Loader, emil: str, amina: str, amina_role: str) -> None:
    goal = loader.goal(
        "emil-goal-school",
        emil,
        "Jeg vil gerne være med i frikvartererne.",
        "Emil deltager i fællesskabet i skolens pauser med støtte fra en voksen.",
        amina,
        "active",
        "improving",
    )
    loader.care_plan("emil-plan", emil, [goal], [])
    loader.care_team("emil-team", emil, amina_role)


def _demo_people(
    citizens: _Citizens, caseworkers: _Caseworkers
) -> list[tuple[str, AccountKind, str, str, str]]:
    """(username, kind, display name, FHIR reference, who they are) of every demo account."""
    c, cw = citizens, caseworkers
    return [
        ("sara", AccountKind.CITIZEN, "Sara Jensen", c.sara, "citizen with a full plan"),
        ("mads", AccountKind.CITIZEN, "Mads Nielsen", c.mads, "another citizen (isolation)"),
        ("emil", AccountKind.CITIZEN, "Emil Larsen", c.emil, "a child, 12 years"),
        ("peter", AccountKind.RELATIVE, "Peter Jensen", c.peter, "Sara's brother"),
        ("line", AccountKind.RELATIVE, "Line Larsen", c.line, "Emil's mother"),
        ("jonas", AccountKind.CASEWORKER, "Jonas Holm", cw.jonas_role, "Sara's fixed caseworker"),
        ("amina", AccountKind.CASEWORKER, "Amina Haddad", cw.amina_role, "Jonas's substitute"),
    ]


def _account_with_code(
    db_session: Session,
    username: str,
    kind: AccountKind,
    name: str,
    ref: str,
    *,
    secret_key: str,
    code_days: int,
) -> str:
    """The demo account (made, or brought up to date) with a fresh activation code; returns the code."""
    account = db_session.scalar(select(Account).where(Account.username == username))
    if account is None:
        account = Account(username=username, kind=kind, display_name=name, fhir_ref=ref)
        db_session.add(account)
    account.fhir_ref, account.display_name = ref, name
    db_session.flush()
    code, _expires = activation.issue(db_session, account, secret_key=secret_key, days=code_days)
    db_session.commit()  # a command's boundary: the account and its code
    return code


def load(
    db_session: Session,
    client: PlanClient,
    *,
    secret_key: str,
    code_days: int = 14,
    today: date | None = None,
) -> list[str]:
    """Load everything; returns a line per demo person with a fresh activation code."""
    loader = _Loader(client, today or date.today(), DEMO_NAMESPACE)
    caseworkers = _caseworkers(loader)
    citizens = _citizens(loader)
    _plan_for_sara(loader, citizens.sara, caseworkers.jonas, caseworkers.jonas_role, citizens.peter)
    _plan_for_mads(loader, citizens.mads, caseworkers.jonas, caseworkers.jonas_role)
    _plan_for_emil(loader, citizens.emil, caseworkers.amina, caseworkers.amina_role)

    lines = []
    for username, kind, name, ref, what in _demo_people(citizens, caseworkers):
        code = _account_with_code(
            db_session, username, kind, name, ref, secret_key=secret_key, code_days=code_days
        )
        lines.append(f"{username:<6} {kind.value:<11} {code}  {name} — {what}")
    _line_is_emils_parent(db_session, citizens.emil, citizens.line)
    return lines


def _line_is_emils_parent(db_session: Session, emil_ref: str, line_ref: str) -> None:
    """Registered by a caseworker in real life; here once, accepted, until Emil turns 18."""
    emil = db_session.scalar(select(Account).where(Account.fhir_ref == emil_ref))
    line = db_session.scalar(select(Account).where(Account.fhir_ref == line_ref))
    if emil is None or line is None:
        return
    exists = db_session.scalar(
        select(Delegation).where(
            Delegation.citizen_account_id == emil.id, Delegation.relative_account_id == line.id
        )
    )
    if exists is None:
        db_session.add(
            Delegation(
                citizen_account_id=emil.id,
                citizen_ref=emil_ref,
                relative_account_id=line.id,
                kind=DelegationKind.PARENT,
                name=line.display_name,
                scopes="message read write",
                ends_on=parent_ends_on(date(2014, 5, 3)),
                related_person_ref=line_ref,
                accepted_at=utcnow(),
            )
        )
        db_session.commit()


UNIT_CASELOAD = 100  # citizens per caseworker in a demo unit: Jonas has the first 100
UNIT_CONTACT_SCORES = (
    "very-good",
    "good",
    "neutral",
    "good",
    "bad",
)  # "how was the contact?", in turn


def load_unit(client: PlanClient, size: int, today: date | None = None) -> dict[str, int]:
    """A unit of `size` citizens through the plan API (idempotent: the same names give the same resources),
    for trying the caseworker side at size (`flask --app citizen_app demo-data --unit-size N`).

    Jonas (from `load`) is the fixed caseworker of the first 100; every further 100 get a colleague of their
    own in the same unit. Each citizen has a plan with a goal, a seen and a fresh progress sign, and a
    conversation; some waiting (every 3rd has an unanswered message, every 5th a proposed goal), some
    answered (with "how was the contact?"), and every 20th an open complaint. Returns counts."""
    loader = _Loader(client, today or date.today(), DEMO_NAMESPACE)
    counts = {"citizens": 0, "caseworkers": 1, "waiting": 0}
    roles = {0: _caseworkers(loader).jonas_role}
    for i in range(size):
        group = i // UNIT_CASELOAD
        if group not in roles:
            roles[group] = _unit_caseworker(loader, group)
            counts["caseworkers"] += 1
        counts["waiting"] += _unit_citizen(loader, i, roles[group])
        counts["citizens"] += 1
    return counts


def _unit_caseworker(loader: _Loader, group: int) -> str:
    """The colleague who is the fixed caseworker of the unit's citizens number group*100 and on."""
    practitioner = loader.person(f"unit-cw-{group}", "Practitioner", "Kollega", f"Nummer {group}")
    return loader.role(f"unit-cw-{group}-role", practitioner, "33 17 40 99")


def _unit_citizen(loader: _Loader, i: int, role: str) -> int:
    """Citizen number i of the unit with a plan, signs and a conversation; returns how many things of theirs
    wait for the caseworker."""
    name = f"unit-{i}"
    patient = loader.person(name, "Patient", "Borger", f"Nummer {i + 1}")
    _unit_plan(loader, name, patient, role)
    waiting = 1  # the fresh progress sign
    waiting += _unit_conversation(loader, name, i, patient, role)
    if i % 5 == 0:
        _unit_proposed_goal(loader, name, patient)
        waiting += 1
    if i % 20 == 0:
        _unit_complaint(loader, name, patient, role)
        waiting += 1
    return waiting


def _unit_plan(loader: _Loader, name: str, patient: str, role: str) -> None:
    """A goal in a plan, the caseworker on the team, an older sign they have seen and a fresh one."""
    goal = loader.goal(
        f"{name}-goal",
        patient,
        "Jeg vil gerne klare min egen økonomi.",
        "Borgeren lærer at lægge et budget og holde det.",
        role,
        "active",
        "in-progress",
    )
    loader.care_plan(f"{name}-plan", patient, [goal], [])
    loader.care_team(f"{name}-team", patient, role)
    loader.sign(f"{name}-sign-old", patient, goal, "bit-closer", 30, None, seen_by=role)
    loader.sign(f"{name}-sign-new", patient, goal, "same", 2, "Det gik lidt bedre.")


def _unit_conversation(loader: _Loader, name: str, i: int, patient: str, role: str) -> int:
    """The citizen's message; every 3rd unanswered (returns 1, it waits), the others answered and the
    contact rated (returns 0)."""
    sent = loader.now - timedelta(days=3 + i % 7)
    first = loader.put(
        f"{name}-message",
        communications.message(
            patient_ref=patient,
            sender_ref=patient,
            recipient_ref=role,
            text="Kan vi tale om min plan?",
            subject="Min plan",
            sent=sent,
        ),
    )
    if i % 3 == 0:
        return 1
    loader.put(
        f"{name}-answer",
        communications.message(
            patient_ref=patient,
            sender_ref=role,
            recipient_ref=patient,
            text="Ja, det gør vi på mødet.",
            subject=None,
            sent=sent + timedelta(hours=4 + i % 30),
            reply_to=first,
            conversation=first,
        ),
    )
    loader.put(
        f"{name}-contact",
        questionnaire_responses.contact_feedback(
            patient_ref=patient,
            author_ref=patient,
            about_ref=first,
            score=UNIT_CONTACT_SCORES[i % len(UNIT_CONTACT_SCORES)],
            comment=None,
            authored=sent + timedelta(days=1),
        ),
    )
    return 0


def _unit_proposed_goal(loader: _Loader, name: str, patient: str) -> None:
    loader.put(
        f"{name}-proposed",
        goal_json.proposed_goal(
            patient_ref=patient,
            author_ref=patient,
            own_words="Jeg vil gerne lære at cykle.",
            notes={},
            written=loader.now - timedelta(days=1),
        ),
    )


def _unit_complaint(loader: _Loader, name: str, patient: str, role: str) -> None:
    loader.put(
        f"{name}-complaint",
        communications.message(
            patient_ref=patient,
            sender_ref=patient,
            recipient_ref=role,
            text="Jeg er ikke tilfreds med svartiden.",
            subject="Klage",
            sent=loader.now - timedelta(days=4),
            kind="complaint",
        ),
    )
