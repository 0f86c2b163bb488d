"""Relatives, guardians and parents: acting within the scope granted, on the citizen's behalf, visibly."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html import unescape

from sqlalchemy import func, select, update

from citizen_app import db
from citizen_app.models import AuditEvent, Delegation, DelegationKind
from citizen_app.services.plan_reading import read_plan
from tests.conftest import sign_in_as
from tests.delegation_helpers import delegate
from tests.helpers import csrf_token, post_form, search_at_api
from tests.integration.test_citizen_journeys import deliver
from tests.softauthn import SoftAuthenticator


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


def saras_goal(app, demo):
    with app.app_context():
        return read_plan(db.session(), demo["sara"].fhir_ref).plan.goals[0]


def test_sara_invites_peter_who_accepts_with_a_passkey_and_sees_her_plan_read_only(
    app, client, demo
) -> None:
    sign_in_as(client, demo["sara"])
    page = post_form(
        client,
        "/delegations/new",
        {
            "name": "Peter Jensen",
            "contact": "22 33 44 55",
            "scopes": "read",
            "ends_on": (date.today() + timedelta(days=60)).isoformat(),
        },
    )
    assert page.status_code == 200
    code = re.search(
        r'class="activation-code" dir="ltr">([A-Z0-9-]+)<', page.get_data(as_text=True)
    ).group(1)

    peter = app.test_client()
    response = post_form(peter, "/invitation", {"code": code})
    assert response.status_code == 303 and response.headers["Location"] == "/activate/passkey"
    token = re.search(
        r'name="csrf-token" content="([^"]+)"',
        peter.get("/activate/passkey").get_data(as_text=True),
    ).group(1)
    options = peter.post(
        "/activate/passkey/options", json={}, headers={"X-CSRFToken": token}
    ).get_json()
    credential = SoftAuthenticator().create(options, "http://localhost")
    done = peter.post(
        "/activate/passkey/verify", json={"credential": credential}, headers={"X-CSRFToken": token}
    )
    assert done.status_code == 200

    plan = text_of(peter.get("/plan"))
    assert "Du handler for Sara Jensen som pårørende." in plan
    assert "Jeg vil kunne handle ind selv" in plan
    assert (
        "Skriv et tegn på fremgang" not in plan and "Skriv et nyt mål" not in plan
    )  # no write controls
    goal = saras_goal(app, demo)
    forged = post_form(
        peter,
        f"/plan/goals/{goal.id}/progress",
        {"value": "same", "when": date.today().isoformat()},
        page="/plan",
    )
    assert forged.status_code == 404
    with app.app_context():
        refused = (
            db.session()
            .scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "citizen:progress-sign:write",
                    AuditEvent.outcome == "denied",
                )
            )
            .all()
        )
    assert len(refused) == 1 and refused[0].actor_role == "relative"
    assert peter.get("/messages").status_code == 404  # no message scope

    # Sara sees Peter in her list and revokes; Peter's very next request is refused.
    overview = text_of(client.get("/delegations"))
    assert "Peter Jensen" in overview and "Se min plan" in overview
    with app.app_context():
        delegation = (
            db.session()
            .scalars(select(Delegation).where(Delegation.citizen_ref == demo["sara"].fhir_ref))
            .one()
        )
    post_form(client, f"/delegations/{delegation.id}/revoke", {}, page="/delegations")
    assert peter.get("/plan").status_code == 404
    # And her access log shows Peter's reads.
    log = text_of(client.get("/who-has-looked"))
    assert "Peter Jensen</span>, din pårørende" in log and "så din plan" in log
    assert "læste dine beskeder – <strong>stoppet: ikke tilladt</strong>" in log


def test_a_relative_with_write_scope_writes_on_her_behalf(app, demo, plan_service) -> None:
    _, peter = delegate(app, demo["sara"], "Peter Jensen", {"write", "message"})
    client = app.test_client()
    sign_in_as(client, peter)
    goal = saras_goal(app, demo)
    assert (
        post_form(
            client,
            f"/plan/goals/{goal.id}/progress",
            {"value": "bit-closer", "note": "Vi handlede sammen", "when": date.today().isoformat()},
        ).status_code
        == 303
    )
    assert post_form(client, "/messages/new", {"text": "Jeg skriver for Sara"}).status_code == 303
    deliver(app)
    (sign,) = [
        o
        for o in search_at_api(plan_service.fhir_url, "Observation")
        if o.get("note", [{}])[0].get("text") == "Vi handlede sammen"
    ]
    assert sign["performer"][0]["reference"].startswith("RelatedPerson/")
    assert sign["subject"]["reference"] == demo["sara"].fhir_ref
    (message,) = search_at_api(plan_service.fhir_url, "Communication", category="message")
    assert message["sender"]["reference"] == sign["performer"][0]["reference"]
    # The plan API itself records who acted for whom (a Provenance written with each resource).
    for written in (sign, message):
        ref = f"{written['resourceType']}/{written['id']}"
        (provenance,) = search_at_api(plan_service.fhir_url, "Provenance", target=ref)
        (agent,) = provenance["agent"]
        assert agent["who"]["reference"] == sign["performer"][0]["reference"]
        assert agent["onBehalfOf"]["reference"] == demo["sara"].fhir_ref
        assert provenance["target"] == [{"reference": f"{ref}/_history/1"}]
    # Sara's pages say who wrote it for her.
    sara = app.test_client()
    sign_in_as(sara, demo["sara"])
    assert "Peter Jensen skrev det for dig" in text_of(sara.get(f"/plan/goals/{goal.id}"))


def test_expiry_and_a_narrowed_scope_take_effect_on_the_next_request(app, demo) -> None:
    delegation, peter = delegate(app, demo["sara"], "Peter Jensen", {"write"})
    client = app.test_client()
    sign_in_as(client, peter)
    goal = saras_goal(app, demo)
    assert client.get(f"/plan/goals/{goal.id}/progress").status_code == 200
    sara = app.test_client()
    sign_in_as(sara, demo["sara"])
    assert (
        post_form(
            sara,
            f"/delegations/{delegation.id}",
            {"scopes": "read", "ends_on": (date.today() + timedelta(days=10)).isoformat()},
        ).status_code
        == 303
    )
    assert client.get(f"/plan/goals/{goal.id}/progress").status_code == 404
    assert client.get("/plan").status_code == 200
    with app.app_context():
        db.session().execute(update(Delegation).values(ends_on=date.today() - timedelta(days=1)))
        db.session().commit()
    assert client.get("/plan").status_code == 404


def test_the_rules_of_an_invitation(app, client, demo) -> None:
    sign_in_as(client, demo["sara"])
    too_far = (date.today() + timedelta(days=400)).isoformat()
    response = post_form(
        client, "/delegations/new", {"name": "Peter", "scopes": "read", "ends_on": too_far}
    )
    assert response.status_code == 400 and "et år" in text_of(response)
    response = post_form(client, "/delegations/new", {"name": "Peter", "ends_on": ""})
    assert response.status_code == 400
    assert 'value="Peter"' in response.get_data(as_text=True)  # kept


def test_a_guardian_cannot_be_revoked_by_the_citizen(app, client, demo) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "delegations",
            "register",
            "sara",
            "--kind",
            "guardian",
            "--name",
            "Grethe Værge",
            "--until",
            (date.today() + timedelta(days=700)).isoformat(),
            "--decision",
            "Økonomi og bolig",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        guardian = (
            db.session()
            .scalars(select(Delegation).where(Delegation.kind == DelegationKind.GUARDIAN))
            .one()
        )
    sign_in_as(client, demo["sara"])
    page = text_of(client.get("/delegations"))
    assert "Grethe Værge" in page and "Økonomi og bolig" in page and "Stop det nu" not in page
    # No button, and a forged request is refused by the policy like every refusal: as a missing page.
    response = post_form(client, f"/delegations/{guardian.id}/revoke", {}, page="/delegations")
    assert response.status_code == 404
    with app.app_context():
        assert db.session().get(Delegation, guardian.id).revoked_at is None
    assert (
        client.get(f"/delegations/{guardian.id}").status_code == 404
    )  # not the citizen's to change


def test_a_person_acting_for_two_chooses_explicitly_and_each_page_says_for_whom(app, demo) -> None:
    # Line is Emil's mother (demo data) and Sara invites her too.
    delegate(app, demo["sara"], "Line Larsen", {"read"}, relative=demo["line"])
    line = app.test_client()
    sign_in_as(line, demo["line"])
    first = line.get("/plan")
    assert first.status_code == 303 and first.headers["Location"].startswith("/acting-for")
    chooser = text_of(line.get("/acting-for"))
    assert "Sara Jensen" in chooser and "Emil Larsen" in chooser
    token = csrf_token(line, "/acting-for")
    with line.application.app_context():
        delegations = (
            db.session()
            .scalars(select(Delegation).where(Delegation.relative_account_id == demo["line"].id))
            .all()
        )
    to_sara = next(d for d in delegations if d.citizen_ref == demo["sara"].fhir_ref)
    to_emil = next(d for d in delegations if d.citizen_ref == demo["emil"].fhir_ref)
    line.post(
        "/acting-for", data={"csrf_token": token, "delegation": str(to_sara.id), "next": "/plan"}
    )
    sara_page = text_of(line.get("/plan"))
    assert (
        "Du handler for Sara Jensen som pårørende." in sara_page
        and "frikvartererne" not in sara_page
    )
    line.post(
        "/acting-for", data={"csrf_token": token, "delegation": str(to_emil.id), "next": "/plan"}
    )
    emil_page = text_of(line.get("/plan"))
    assert (
        "Du handler for Emil Larsen som forælder." in emil_page
        and "handle ind selv" not in emil_page
    )
    # A delegation that is not hers cannot be chosen.
    assert (
        line.post(
            "/acting-for",
            data={"csrf_token": token, "delegation": "00000000-0000-0000-0000-000000000000"},
        ).status_code
        == 404
    )


def test_another_citizens_delegation_answers_like_one_that_does_not_exist(app, demo) -> None:
    delegation, _ = delegate(app, demo["sara"], "Peter Jensen", {"read"})
    mads = app.test_client()
    sign_in_as(mads, demo["mads"])
    assert mads.get(f"/delegations/{delegation.id}").status_code == 404
    assert mads.get("/delegations/00000000-0000-0000-0000-000000000000").status_code == 404
    assert mads.get("/delegations/not-a-uuid").status_code == 404


def test_every_access_writes_exactly_one_audit_event(app, as_sara, demo) -> None:
    with app.app_context():
        before = db.session().scalar(select(func.count()).select_from(AuditEvent))
    goal = saras_goal(app, demo)
    paths = [
        "/plan",
        f"/plan/goals/{goal.id}",
        "/messages",
        "/delegations",
        "/who-has-looked",
        "/my-data",
    ]
    for path in paths:
        assert as_sara.get(path).status_code == 200
    with app.app_context():
        after = db.session().scalar(select(func.count()).select_from(AuditEvent))
        events = (
            db.session()
            .scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(len(paths)))
            .all()
        )
    assert after - before == len(paths)
    assert all(e.citizen_ref == demo["sara"].fhir_ref and e.outcome == "allowed" for e in events)


def test_my_data_is_complete_and_holds_nothing_of_anyone_else(app, as_sara, demo) -> None:
    delegate(app, demo["sara"], "Peter Jensen", {"read"})
    goal = saras_goal(app, demo)
    post_form(
        as_sara,
        f"/plan/goals/{goal.id}/progress",
        {"value": "same", "note": "Min egen note", "when": date.today().isoformat()},
    )
    assert as_sara.get("/plan").status_code == 200
    response = as_sara.get("/my-data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["username"] == "sara"
    entries = data["plan"]["bundle"]["entry"]
    assert any(e["resource"]["resourceType"] == "Goal" for e in entries)
    assert data["written_by_you_and_for_you"][0]["content"]["note"][0]["text"] == "Min egen note"
    assert data["people_who_help_you"][0]["name"] == "Peter Jensen"
    assert any(e["action"] == "citizen:plan:read" for e in data["access_log"])
    raw = response.get_data(as_text=True)
    for foreign in ("Mads", "fritidsjob", demo["mads"].fhir_ref, "Emil", "frikvartererne"):
        assert foreign not in raw
    assert as_sara.get("/my-data").status_code == 200


def test_a_parents_delegation_ends_the_day_before_the_child_turns_18() -> None:
    from citizen_app.services.delegations import parent_ends_on

    assert parent_ends_on(date(2014, 5, 3)) == date(2032, 5, 2)
    assert parent_ends_on(date(2012, 2, 29)) == date(2030, 2, 28)


def test_guardians_and_parents_are_not_relatives(app, demo) -> None:
    delegation, _ = delegate(app, demo["sara"], "Grethe", {"read"}, kind=DelegationKind.GUARDIAN)
    assert delegation.kind is DelegationKind.GUARDIAN
