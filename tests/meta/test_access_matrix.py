"""Every route × every kind of actor answers as the policy says.

The expectation is written out by hand below (SPEC), not derived from the policy: it is the specification the
policy is checked against. The guard's own decision is read back from the access log (one event per guarded
request, allowed or denied), so a route that forgets its guard, or a guard that asks the wrong question, fails
here even when the page happens to answer 404 for another reason.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update

from citizen_app import db
from citizen_app.accounts_cli import create_staff
from citizen_app.authz import GUARD_ATTRIBUTE, Action
from citizen_app.models import Account, AuditEvent, Delegation, DelegationKind, utcnow
from citizen_app.services.plan_reading import read_plan
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
}
READ = {A.PLAN_READ, A.CASE_READ}
WRITE = {
    A.PROGRESS_SIGN_WRITE,
    A.GOAL_PROPOSE,
    A.GOAL_FEEDBACK_WRITE,
    A.MEETING_PREPARE,
    A.CONTACT_FEEDBACK_WRITE,
}
MESSAGES = {A.MESSAGE_READ, A.MESSAGE_WRITE, A.COMPLAINT_WRITE}
OWN = {A.OWN_ACCOUNT_MANAGE}
STAFF = {A.CASELOAD_READ, A.ABSENCE_MANAGE, A.CASELOAD_HAND_OVER, A.TEAM_READ}
CASE = {A.CASE_PLAN_READ, A.CASE_REVIEW, A.CASE_UPDATE}

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
    from citizen_app.services import review
    from citizen_app.services.plan_reading import plan_client

    with app.app_context():
        review.set_absence(
            plan_client(),
            demo["jonas"].fhir_ref,
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
        "passkey_id": str(uuid.uuid4()),
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
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        guard = getattr(app.view_functions[rule.endpoint], GUARD_ATTRIBUTE)
        url = rule.build({k: ids[k] for k in rule.arguments})[1]
        method = "GET" if "GET" in rule.methods else "POST"
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
            if guard == "public":
                continue
            action = Action(guard)
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
            allowed = action in SPEC[actor]
            if event.action != action.value or (event.outcome == "allowed") != allowed:
                failures.append(
                    f"{where}, guard said {event.outcome} for {event.action}, spec: {'allowed' if allowed else 'denied'}"
                )
            elif not allowed and response.status_code != 404:
                failures.append(f"{where}, a refusal must look like a missing page (404)")
            elif (
                allowed
                and actor not in SARAS
                and {"goal_id", "conversation_id", "delegation_id", "feedback_id", "sign_id"}
                & set(rule.arguments)
                and response.status_code != 404
            ):
                failures.append(f"{where}, Sara's data must not be reachable")
            elif allowed and response.status_code in (401, 403):
                failures.append(f"{where}, allowed but refused")
    assert failures == [], "\n".join(failures)
    assert checked > 40 * len(clients) // 2
