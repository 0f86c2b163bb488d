"""Every route × every method × every kind of actor answers as the policy says.

Two hand-written tables are the specification, not derived from the code: ROUTES says which action each route
and method must be checked against (or that it is public), SPEC says which actor may do which action. The guard
a route declares must match ROUTES (so a write route guarded as a read, or a route wrongly marked @public,
fails: `test_a_misguarded_route_fails_the_matrix` shows it once); every method a route accepts is sent; the
guard's own decision is read back from the access log (one event per guarded request, allowed or denied) and
must be for the action ROUTES names, so a guard that asks the wrong question fails here even when the page
happens to answer 404 for another reason. The ids in URLs are Sara's real ones (goal, conversation, delegation,
feedback, sign, case, meeting, the meeting a feedback is about, her passkey), except the complaint receipt and
the preparation id, which are random; nobody outside Sara's circle reaches any of them.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update

from citizen_app import db
from citizen_app.accounts_cli import create_staff
from citizen_app.authz import Action
from citizen_app.models import Account, AuditEvent, Delegation, DelegationKind, utcnow
from citizen_app.services.plan_reading import read_plan
from citizen_app.views._guard import GUARD_ATTRIBUTE
from tests.conftest import sign_in_as
from tests.delegation_helpers import delegate
from tests.helpers import post_form, search_at_api
from tests.integration.test_citizen_journeys import deliver

A = Action
CITIZEN_ALL = {
    A.PLAN_READ,
    A.PROGRESS_SIGN_WRITE,
    A.GOAL_PROPOSE,
    A.GOAL_FEEDBACK_WRITE,
    A.MESSAGE_READ,
    A.MESSAGE_WRITE,
    A.DELEGATION_MANAGE,
    A.ACCESS_LOG_READ,
    A.MY_DATA_EXPORT,
    A.OWN_ACCOUNT_MANAGE,
    A.CASE_READ,
    A.MEETING_PREPARE,
    A.CONTACT_FEEDBACK_WRITE,
    A.COMPLAINT_WRITE,
    A.GAS_LEVELS_WRITE,
    A.GAS_RATING_WRITE,
}
READ = {A.PLAN_READ, A.CASE_READ}
WRITE = {
    A.PROGRESS_SIGN_WRITE,
    A.GOAL_PROPOSE,
    A.GOAL_FEEDBACK_WRITE,
    A.MEETING_PREPARE,
    A.CONTACT_FEEDBACK_WRITE,
    A.GAS_LEVELS_WRITE,
    A.GAS_RATING_WRITE,
}
MESSAGES = {A.MESSAGE_READ, A.MESSAGE_WRITE, A.COMPLAINT_WRITE}
OWN = {A.OWN_ACCOUNT_MANAGE}
STAFF = {A.CASELOAD_READ, A.ABSENCE_MANAGE, A.CASELOAD_HAND_OVER, A.TEAM_READ}
CASE = {A.CASE_PLAN_READ, A.CASE_REVIEW, A.CASE_UPDATE}

PUBLIC = "public"
# route × method → the action the guard must check (by hand: a write route needs a write action).
ROUTES: dict[tuple[str, str], Action | str] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/account/confirm"): A.OWN_ACCOUNT_MANAGE,
    ("POST", "/account/confirm/options"): A.OWN_ACCOUNT_MANAGE,
    ("POST", "/account/confirm/verify"): A.OWN_ACCOUNT_MANAGE,
    ("GET", "/account/notifications"): A.OWN_ACCOUNT_MANAGE,
    ("POST", "/account/notifications"): A.OWN_ACCOUNT_MANAGE,
    ("GET", "/account/passkeys"): A.OWN_ACCOUNT_MANAGE,
    ("POST", "/account/passkeys/<passkey_id>/remove"): A.OWN_ACCOUNT_MANAGE,
    ("POST", "/account/passkeys/<passkey_id>/rename"): A.OWN_ACCOUNT_MANAGE,
    ("POST", "/account/passkeys/options"): A.OWN_ACCOUNT_MANAGE,
    ("POST", "/account/passkeys/verify"): A.OWN_ACCOUNT_MANAGE,
    ("POST", "/account/sessions/end-others"): A.OWN_ACCOUNT_MANAGE,
    ("GET", "/acting-for"): A.OWN_ACCOUNT_MANAGE,
    ("POST", "/acting-for"): A.OWN_ACCOUNT_MANAGE,
    # A relative ends his own access: the page, the confirmation, the page that says it is done.
    ("GET", "/acting-for/<delegation_id>/end"): A.OWN_ACCOUNT_MANAGE,
    ("POST", "/acting-for/<delegation_id>/end"): A.OWN_ACCOUNT_MANAGE,
    ("GET", "/acting-for/<delegation_id>/ended"): A.OWN_ACCOUNT_MANAGE,
    ("GET", "/activate"): PUBLIC,
    ("POST", "/activate"): PUBLIC,
    ("GET", "/activate/passkey"): PUBLIC,
    ("POST", "/activate/passkey/options"): PUBLIC,
    ("POST", "/activate/passkey/verify"): PUBLIC,
    ("GET", "/cases"): A.CASE_READ,
    ("GET", "/caseworker/"): A.CASELOAD_READ,
    ("GET", "/caseworker/absence"): A.ABSENCE_MANAGE,
    ("POST", "/caseworker/absence"): A.ABSENCE_MANAGE,
    ("GET", "/caseworker/citizens/<patient_id>"): A.CASE_PLAN_READ,
    ("POST", "/caseworker/citizens/<patient_id>/activation-code"): A.CASE_REVIEW,
    ("POST", "/caseworker/citizens/<patient_id>/cases/<task_id>"): A.CASE_UPDATE,
    ("POST", "/caseworker/citizens/<patient_id>/feedback/<feedback_id>/seen"): A.CASE_REVIEW,
    ("POST", "/caseworker/citizens/<patient_id>/goals/<goal_id>/accept"): A.CASE_REVIEW,
    ("POST", "/caseworker/citizens/<patient_id>/goals/<goal_id>/decline"): A.CASE_REVIEW,
    # Issue #18: only the caseworker with a grant evaluates; the citizen and relatives read it on the plan.
    ("GET", "/caseworker/citizens/<patient_id>/goals/<goal_id>/evaluation"): A.CASE_REVIEW,
    ("POST", "/caseworker/citizens/<patient_id>/goals/<goal_id>/evaluation"): A.CASE_REVIEW,
    # Goal Attainment Scaling: the caseworker reads a goal's levels and ratings, adds wording, rates.
    ("GET", "/caseworker/citizens/<patient_id>/goals/<goal_id>/levels"): A.CASE_PLAN_READ,
    ("POST", "/caseworker/citizens/<patient_id>/goals/<goal_id>/levels/wording"): A.CASE_REVIEW,
    ("POST", "/caseworker/citizens/<patient_id>/goals/<goal_id>/levels/rate"): A.CASE_REVIEW,
    ("POST", "/caseworker/citizens/<patient_id>/messages/<conversation_id>/reply"): A.CASE_REVIEW,
    ("POST", "/caseworker/citizens/<patient_id>/preparations/<response_id>/seen"): A.CASE_REVIEW,
    ("POST", "/caseworker/citizens/<patient_id>/representatives"): A.CASE_REVIEW,
    (
        "POST",
        "/caseworker/citizens/<patient_id>/representatives/<delegation_id>/end",
    ): A.CASE_REVIEW,
    ("POST", "/caseworker/citizens/<patient_id>/signs/<sign_id>/seen"): A.CASE_REVIEW,
    ("GET", "/caseworker/hand-over"): A.CASELOAD_HAND_OVER,
    ("POST", "/caseworker/hand-over"): A.CASELOAD_HAND_OVER,
    ("GET", "/caseworker/team"): A.TEAM_READ,
    ("GET", "/complaints/<receipt>"): A.COMPLAINT_WRITE,
    ("GET", "/complaints/new"): A.COMPLAINT_WRITE,
    ("POST", "/complaints/new"): A.COMPLAINT_WRITE,
    ("GET", "/delegations"): A.DELEGATION_MANAGE,
    ("GET", "/delegations/<delegation_id>"): A.DELEGATION_MANAGE,
    ("POST", "/delegations/<delegation_id>"): A.DELEGATION_MANAGE,
    ("POST", "/delegations/<delegation_id>/revoke"): A.DELEGATION_MANAGE,
    ("GET", "/delegations/new"): A.DELEGATION_MANAGE,
    ("POST", "/delegations/new"): A.DELEGATION_MANAGE,
    ("GET", "/feedback/<kind>/<about_id>"): A.CONTACT_FEEDBACK_WRITE,
    ("POST", "/feedback/<kind>/<about_id>"): A.CONTACT_FEEDBACK_WRITE,
    ("GET", "/goals/new"): A.GOAL_PROPOSE,
    ("GET", "/goals/new/<code>"): A.GOAL_PROPOSE,
    ("POST", "/goals/new/<code>"): A.GOAL_PROPOSE,
    ("GET", "/goals/new/check"): A.GOAL_PROPOSE,
    ("POST", "/goals/new/check"): A.GOAL_PROPOSE,
    ("POST", "/goals/new/start-over"): A.GOAL_PROPOSE,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/saml/metadata"): PUBLIC,
    ("GET", "/saml/login"): PUBLIC,
    ("POST", "/saml/acs"): PUBLIC,
    ("GET", "/saml/slo"): PUBLIC,
    ("GET", "/invitation"): PUBLIC,
    ("POST", "/invitation"): PUBLIC,
    ("POST", "/language"): PUBLIC,
    ("GET", "/meetings"): A.PLAN_READ,
    ("GET", "/meetings/<meeting_id>/prepare/<step>"): A.MEETING_PREPARE,
    ("POST", "/meetings/<meeting_id>/prepare/<step>"): A.MEETING_PREPARE,
    ("GET", "/meetings/<meeting_id>/prepare/check"): A.MEETING_PREPARE,
    ("POST", "/meetings/<meeting_id>/prepare/check"): A.MEETING_PREPARE,
    ("GET", "/messages"): A.MESSAGE_READ,
    ("GET", "/messages/<conversation_id>"): A.MESSAGE_READ,
    ("POST", "/messages/<conversation_id>/reply"): A.MESSAGE_WRITE,
    ("GET", "/messages/new"): A.MESSAGE_WRITE,
    ("POST", "/messages/new"): A.MESSAGE_WRITE,
    ("GET", "/my-data"): A.MY_DATA_EXPORT,
    ("GET", "/my-data.json"): A.MY_DATA_EXPORT,
    ("GET", "/plan"): A.PLAN_READ,
    ("GET", "/plan/goals/<goal_id>"): A.PLAN_READ,
    ("POST", "/plan/receipts/<receipt>"): A.DELEGATION_MANAGE,
    ("GET", "/plan/goals/<goal_id>/my-words"): A.GOAL_FEEDBACK_WRITE,
    ("POST", "/plan/goals/<goal_id>/my-words"): A.GOAL_FEEDBACK_WRITE,
    ("GET", "/plan/goals/<goal_id>/progress"): A.PROGRESS_SIGN_WRITE,
    # Goal Attainment Scaling: the citizen (or a relative with "write") writes the levels and rates.
    ("GET", "/plan/goals/<goal_id>/levels"): A.GAS_LEVELS_WRITE,
    ("GET", "/plan/goals/<goal_id>/levels/<code>"): A.GAS_LEVELS_WRITE,
    ("POST", "/plan/goals/<goal_id>/levels/<code>"): A.GAS_LEVELS_WRITE,
    ("GET", "/plan/goals/<goal_id>/levels/check"): A.GAS_LEVELS_WRITE,
    ("POST", "/plan/goals/<goal_id>/levels/check"): A.GAS_LEVELS_WRITE,
    ("GET", "/plan/goals/<goal_id>/rate"): A.GAS_RATING_WRITE,
    ("POST", "/plan/goals/<goal_id>/rate"): A.GAS_RATING_WRITE,
    ("POST", "/plan/goals/<goal_id>/progress"): A.PROGRESS_SIGN_WRITE,
    # Guarded as a read of the plan; the view then asks the policy for the write the dead item was (a
    # message, a sign, …) before it is queued again, so a read-only relative is refused there (403).
    ("POST", "/plan/sent/<receipt>/send-again"): A.PLAN_READ,
    ("POST", "/plan/sent/<receipt>/levels-again"): A.GAS_LEVELS_WRITE,
    ("POST", "/session/extend"): PUBLIC,
    ("GET", "/sign-in"): PUBLIC,
    ("POST", "/sign-in/options"): PUBLIC,
    ("POST", "/sign-in/verify"): PUBLIC,
    ("POST", "/sign-out"): PUBLIC,
    ("GET", "/tilgaengelighed"): PUBLIC,
    ("GET", "/was"): PUBLIC,
    ("GET", "/who-has-looked"): A.ACCESS_LOG_READ,
}
# Where the thing a URL names decides too (the policy's resource rules), the actors whose guard allows the
# route on it, among those SPEC allows the action. In the matrix the delegation is Sara's relative "Reserve":
# hers to change and end, not Mads's (his own delegation pages) and not staff's (they end guardians and
# parents, never a relative). test_who_may_act_on_which_delegation covers the other kinds.
ON_THE_RESOURCE: dict[tuple[str, str], set[str]] = {
    ("GET", "/delegations/<delegation_id>"): {"sara"},
    ("POST", "/delegations/<delegation_id>"): {"sara"},
    ("POST", "/delegations/<delegation_id>/revoke"): {"sara"},
    ("POST", "/caseworker/citizens/<patient_id>/representatives/<delegation_id>/end"): set(),
    # "Reserve" has no relative yet: nobody acts through it, so nobody ends it as their own.
    ("GET", "/acting-for/<delegation_id>/end"): set(),
    ("POST", "/acting-for/<delegation_id>/end"): set(),
    ("GET", "/acting-for/<delegation_id>/ended"): set(),
}
# Ids in URLs that name someone's data: each is checked with Sara's id for everyone outside her circle.
ID_ARGUMENTS = {
    "goal_id",
    "conversation_id",
    "delegation_id",
    "feedback_id",
    "sign_id",
    "patient_id",
    "task_id",
    "meeting_id",
    "about_id",
    "response_id",
    "receipt",
    "passkey_id",
}


def untyped(rule: str) -> str:
    """A route as the table writes it, without its converters: "/x/<uuid:goal_id>" → "/x/<goal_id>" (the
    converters are checked apart, in tests/meta/test_route_ids.py)."""
    return re.sub(r"<[^<>:]+:", "<", rule)


def guard_mismatches(app, routes: dict[tuple[str, str], Action | str]) -> list[str]:
    """Where a route's declared guard is not what ROUTES says, and routes missing from either side."""
    found: dict[tuple[str, str], str] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        guard = getattr(app.view_functions[rule.endpoint], GUARD_ATTRIBUTE, None)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found[(method, untyped(rule.rule))] = guard or "no guard"
    problems = [
        f"{m} {r}: guarded as {found[(m, r)]}, the table says {routes[(m, r)]}"
        for (m, r) in sorted(found.keys() & routes.keys())
        if found[(m, r)] != str(routes[(m, r)])
    ]
    problems += [f"{m} {r}: not in the table" for (m, r) in sorted(found.keys() - routes.keys())]
    problems += [
        f"{m} {r}: in the table, not in the app" for (m, r) in sorted(routes.keys() - found.keys())
    ]
    return problems


def test_every_route_and_method_is_guarded_as_the_table_says(app) -> None:
    assert guard_mismatches(app, ROUTES) == []


def test_a_misguarded_route_fails_the_matrix(app) -> None:
    from citizen_app.views._guard import guarded, public

    @guarded(A.PLAN_READ, "Observation")  # wrong: this route writes
    def write_something() -> str:
        return ""

    @public  # wrong: this route shows a citizen's data
    def show_something() -> str:
        return ""

    app.add_url_rule("/probe/write", "probe_write", write_something, methods=["POST"])
    app.add_url_rule("/probe/show", "probe_show", show_something, methods=["GET"])
    routes = {
        **ROUTES,
        ("POST", "/probe/write"): A.PROGRESS_SIGN_WRITE,
        ("GET", "/probe/show"): A.PLAN_READ,
    }
    assert guard_mismatches(app, routes) == [
        "GET /probe/show: guarded as public, the table says citizen:plan:read",
        "POST /probe/write: guarded as citizen:plan:read, the table says citizen:progress-sign:write",
    ]


# Who may do what, on Sara's data (for Mads: on his own). Jonas is Sara's fixed caseworker; during the test
# he is away and Amina covers for him, so both may work on her case in the caseworker area, and nothing else.
SPEC: dict[str, set[Action]] = {
    "sara": CITIZEN_ALL,
    "mads (another citizen)": CITIZEN_ALL,
    "relative, see my plan": READ | OWN,
    "relative, write for me": READ | WRITE | OWN,
    "relative, message for me": READ | MESSAGES | OWN,
    "relative, expired": OWN,
    "relative, revoked": OWN,
    "guardian": READ | WRITE | MESSAGES | OWN,
    # A power of attorney from Digital Fuldmagt, carried by a MitID sign-in: "see my plan", "message for me".
    "fuldmagt, see plan and message": READ | MESSAGES | OWN,
    "fixed caseworker": OWN | STAFF | CASE,
    "substitute caseworker": OWN | STAFF | CASE,
    "another caseworker": OWN | STAFF,
}
SARAS = {
    "sara",
    "relative, see my plan",
    "relative, write for me",
    "relative, message for me",
    "guardian",
    "fuldmagt, see plan and message",
    "fixed caseworker",
    "substitute caseworker",
}


def _jonas_away(app, demo) -> None:
    from citizen_app.services import absence, review
    from citizen_app.services.plan_reading import plan_client

    with app.app_context():
        review.set_absence(
            plan_client(),
            demo["jonas"].fhir_ref,
            version=absence.current(plan_client(), demo["jonas"].fhir_ref).version,
            start=date.today() - timedelta(days=1),
            end=date.today() + timedelta(days=3),
            substitute_ref=demo["amina"].fhir_ref,
        )


def _fuldmagt(app) -> Account:
    """Peter signs in with MitID carrying Sara's power of attorney (the same path as the assertion's)."""
    from citizen_app.identity import mitid, saml
    from citizen_app.services.plan_reading import plan_client

    prefix = app.config["FULDMAGT_PRIVILEGE_PREFIX"]
    person = saml.SignedInPerson(
        cpr="0303881237",
        name="Peter Fuldmagt",
        level="Substantial",
        name_id="matrix",
        session_index=None,
        privileges={"0101901234": frozenset({prefix + "see-plan", prefix + "message"})},
    )
    with app.app_context():
        account, _ = mitid.account_for(
            db.session(),
            plan_client(),
            person,
            key=app.config["CPR_HASH_KEY"],
            privilege_prefix=prefix,
        )
        db.session().commit()  # services only flush: the caller commits
        db.session().expunge_all()
    return account


def _actors(app, demo) -> tuple[dict[str, Any], dict[str, Account]]:
    far = date.today() + timedelta(days=90)
    _, read = delegate(app, demo["sara"], "Peter Læser", {"read"}, ends_on=far)
    _, write = delegate(app, demo["sara"], "Peter Skriver", {"write"}, ends_on=far)
    _, message = delegate(app, demo["sara"], "Peter Beskeder", {"message"}, ends_on=far)
    expired_d, expired = delegate(
        app, demo["sara"], "Peter Udløbet", {"read", "write", "message"}, ends_on=far
    )
    revoked_d, revoked = delegate(
        app, demo["sara"], "Peter Stoppet", {"read", "write", "message"}, ends_on=far
    )
    _, guardian = delegate(
        app,
        demo["sara"],
        "Grethe Værge",
        {"read", "write", "message"},
        kind=DelegationKind.GUARDIAN,
    )
    fuldmagt = _fuldmagt(app)
    with app.app_context():
        session = db.session()
        session.execute(
            update(Delegation)
            .where(Delegation.id == expired_d.id)
            .values(ends_on=date.today() - timedelta(days=1))
        )
        session.execute(
            update(Delegation).where(Delegation.id == revoked_d.id).values(revoked_at=utcnow())
        )
        session.commit()
        other = create_staff("ole", "Ole Andersen", "Team Syd", "33 17 50 00")
        session.expunge_all()
    accounts = {
        "sara": demo["sara"],
        "mads (another citizen)": demo["mads"],
        "relative, see my plan": read,
        "relative, write for me": write,
        "relative, message for me": message,
        "relative, expired": expired,
        "relative, revoked": revoked,
        "guardian": guardian,
        "fuldmagt, see plan and message": fuldmagt,
        "fixed caseworker": demo["jonas"],
        "substitute caseworker": demo["amina"],
        "another caseworker": other,
    }
    clients = {"anonymous": app.test_client()}
    for name, account in accounts.items():
        clients[name] = app.test_client()
        sign_in_as(clients[name], account)
    return clients, accounts


def _ids(app, demo, plan_service, sara_client) -> dict[str, str]:
    # A delegation of Sara's that no actor here acts through: the matrix may revoke it without side effects.
    from citizen_app.services import delegations

    with app.app_context():
        session = db.session()
        goal_id = read_plan(session, demo["sara"].fhir_ref).plan.goals[0].id
        spare, _code = delegations.invite(
            session,
            citizen=session.get(Account, demo["sara"].id),
            name="Reserve",
            contact="",
            scopes={"read"},
            ends_on=date.today() + timedelta(days=30),
            secret_key=app.config["SECRET_KEY"],
        )
        session.commit()  # services only flush: the caller commits
        delegation_id = str(spare.id)
    post_form(sara_client, "/messages/new", {"text": "Til matricen"})
    post_form(sara_client, f"/plan/goals/{goal_id}/my-words", {"agreement": "agree"})
    deliver(app)
    with app.app_context():
        plan = read_plan(db.session(), demo["sara"].fhir_ref).plan
    feedback_id = plan.goals[0].feedback[0].id
    sign_id = next(s.id for g in plan.goals for s in g.signs)
    (message,) = search_at_api(plan_service.fhir_url, "Communication", category="message")
    return {
        "goal_id": goal_id,
        "conversation_id": message["id"],
        "delegation_id": delegation_id,
        "passkey_id": _saras_passkey(app, demo),
        "feedback_id": feedback_id,
        "sign_id": sign_id,
        "patient_id": demo["sara"].fhir_ref.split("/", 1)[1],
        "code": "goal",
        "task_id": plan.cases[0].id,
        "meeting_id": plan.meetings[-1].id,
        "step": "goals",
        "kind": "meeting",
        "about_id": plan.meetings[0].id,
        "response_id": str(uuid.uuid4()),
        "receipt": str(uuid.uuid4()),
    }


def _saras_passkey(app, demo) -> str:
    """A passkey of Sara's (as stored after registration): nobody else may rename or remove it."""
    import os

    from citizen_app.models import Passkey

    with app.app_context():
        session = db.session()
        passkey = Passkey(
            account_id=demo["sara"].id,
            credential_id=os.urandom(32),
            public_key=b"not used: no ceremony in the matrix",
            name="Saras telefon",
            device_type="single_device",
        )
        session.add(passkey)
        session.commit()
        return str(passkey.id)


def _last_id(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.max(AuditEvent.id))) or 0


def _guard_events(app, after: int, action: str) -> list[AuditEvent]:
    """The events the guard wrote for this request (a route may add its own, e.g. "sessions ended")."""
    with app.app_context():
        return list(
            db.session().scalars(
                select(AuditEvent).where(AuditEvent.id > after, AuditEvent.action == action)
            )
        )


def _token(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_every_route_for_every_kind_of_actor(app, demo, plan_service) -> None:
    clients, accounts = _actors(app, demo)
    _jonas_away(app, demo)
    ids = _ids(app, demo, plan_service, clients["sara"])
    tokens = {name: _token(c) for name, c in clients.items()}
    failures: list[str] = []
    checked = 0
    requests = [
        (rule, method)
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if rule.endpoint != "static"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    for rule, method in requests:
        expected = ROUTES[(method, untyped(rule.rule))]
        url = rule.build({k: ids[k] for k in rule.arguments})[1]
        json_route = rule.rule.endswith(("/options", "/verify"))
        for actor, client in clients.items():
            before = _last_id(app)
            if method == "GET":
                response = client.get(url)
            elif json_route:
                response = client.post(
                    url,
                    json={},
                    headers={"X-CSRFToken": tokens[actor], "Accept": "application/json"},
                )
            else:
                response = client.post(url, data={"csrf_token": tokens[actor]})
            checked += 1
            if rule.rule == "/caseworker/absence" and method == "POST":
                _jonas_away(app, demo)  # an empty absence form ends the absence: put it back
            if rule.rule == "/sign-out" and actor in accounts:
                sign_in_as(
                    client, accounts[actor]
                )  # signed out by the route itself: back in for the next
            where = f"{method} {rule.rule} as {actor}: {response.status_code}"
            if response.status_code >= 500:
                failures.append(f"{where} (server error)")
                continue
            if expected == PUBLIC:
                continue
            action = Action(expected)
            new_events = _guard_events(app, before, action.value)
            if actor == "anonymous":
                to_sign_in = response.status_code == 303 and "/sign-in" in response.headers.get(
                    "Location", ""
                )
                if response.status_code != 401 and not to_sign_in:
                    failures.append(f"{where}, expected sign-in")
                continue
            if len(new_events) != 1:
                failures.append(f"{where}, {len(new_events)} guard events, expected 1")
                continue
            (event,) = new_events
            allowed = action in SPEC[actor] and actor in ON_THE_RESOURCE.get(
                (method, untyped(rule.rule)), {actor}
            )
            if event.action != action.value or (event.outcome == "allowed") != allowed:
                failures.append(
                    f"{where}, guard said {event.outcome} for {event.action}, spec: {'allowed' if allowed else 'denied'}"
                )
            elif not allowed and response.status_code != 404:
                failures.append(f"{where}, a refusal must look like a missing page (404)")
            elif (
                allowed
                and actor not in SARAS
                and ID_ARGUMENTS & set(rule.arguments)
                and response.status_code != 404
            ):
                failures.append(f"{where}, Sara's data must not be reachable")
            elif allowed and response.status_code in (401, 403):
                failures.append(f"{where}, allowed but refused")
    assert failures == [], "\n".join(failures)
    assert checked == len(requests) * len(clients)
    assert sum(1 for _, m in requests if m == "POST") > 40  # the POST side of GET+POST routes too


# Who may change or end which delegation, by its kind and whose it is: the policy's resource rules, asked
# through the real routes and read back from the guard's audit events. A relative's is the citizen's (not
# another citizen's, not staff's), and the relative's own to end (not another relative's, not a guardian's,
# not a caseworker's); a guardian's or a parent's is staff's (the fixed caseworker's, not another
# caseworker's), never the citizen's; no one acts on another citizen's through Sara's page.
ON_DELEGATIONS: dict[str, dict[str, set[str]]] = {
    "change": {
        "Sara's relative": {"sara"},
        "Sara's guardian": set(),
        "Sara's parent": set(),
        "Mads's relative": {"mads"},
    },
    "relative ends his own": {
        "Sara's relative": {"relative"},
        "Sara's guardian": set(),
        "Sara's parent": set(),
        "Mads's relative": set(),
    },
    "citizen ends": {
        "Sara's relative": {"sara"},
        "Sara's guardian": set(),
        "Sara's parent": set(),
        "Mads's relative": {"mads"},
    },
    "staff end": {
        "Sara's relative": set(),
        "Sara's guardian": {"fixed caseworker"},
        "Sara's parent": {"fixed caseworker"},
        "Mads's relative": set(),
    },
}


def test_who_may_act_on_which_delegation(app, demo) -> None:
    far = date.today() + timedelta(days=90)
    relative_d, relative = delegate(app, demo["sara"], "Peter Hjælper", {"read"}, ends_on=far)
    guardian_d, guardian = delegate(
        app, demo["sara"], "Grethe Værge", {"read"}, kind=DelegationKind.GUARDIAN, ends_on=far
    )
    parent_d, _ = delegate(
        app, demo["sara"], "Lis Forælder", {"read"}, kind=DelegationKind.PARENT, ends_on=far
    )
    mads_d, _ = delegate(app, demo["mads"], "Mads' ven", {"read"}, ends_on=far)
    with app.app_context():
        ole = create_staff("ole", "Ole Andersen", "Team Syd", "33 17 50 00")
        db.session().expunge_all()
    delegations = {
        "Sara's relative": relative_d.id,
        "Sara's guardian": guardian_d.id,
        "Sara's parent": parent_d.id,
        "Mads's relative": mads_d.id,
    }
    actors = {
        "sara": demo["sara"],
        "mads": demo["mads"],
        "relative": relative,
        "guardian": guardian,
        "fixed caseworker": demo["jonas"],
        "another caseworker": ole,
    }
    clients = {}
    for name, account in actors.items():
        clients[name] = app.test_client()
        sign_in_as(clients[name], account)
    tokens = {name: _token(c) for name, c in clients.items()}
    sara = demo["sara"].fhir_ref.split("/", 1)[1]
    routes = {
        "change": ("GET", "/delegations/{id}", A.DELEGATION_MANAGE),
        "relative ends his own": ("POST", "/acting-for/{id}/end", A.OWN_ACCOUNT_MANAGE),
        "citizen ends": ("POST", "/delegations/{id}/revoke", A.DELEGATION_MANAGE),
        "staff end": (
            "POST",
            f"/caseworker/citizens/{sara}/representatives/{{id}}/end",
            A.CASE_REVIEW,
        ),
    }
    failures = []
    for what, (method, pattern, action) in routes.items():
        for delegation, delegation_id in delegations.items():
            url = pattern.format(id=delegation_id)
            for actor, client in clients.items():
                before = _last_id(app)
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, data={"csrf_token": tokens[actor]})
                events = _guard_events(app, before, action.value)
                allowed = actor in ON_DELEGATIONS[what][delegation]
                where = f"{what} {delegation} as {actor}: {response.status_code}"
                if len(events) != 1:
                    failures.append(f"{where}, {len(events)} guard events")
                elif (events[0].outcome == "allowed") != allowed:
                    failures.append(f"{where}, guard said {events[0].outcome}")
                elif allowed == (response.status_code == 404):
                    failures.append(f"{where}, the answer does not match the decision")
    assert failures == [], "\n".join(failures)
    with app.app_context():  # what was allowed happened: Sara ended her relative, Jonas the others
        ended = {
            d.id: d.revoked_at is not None
            for d in db.session().scalars(
                select(Delegation).where(Delegation.id.in_(delegations.values()))
            )
        }
    assert all(ended.values())
