"""The caseworker area with the citizen: a message and a goal go in, an answer and an accepted goal come back;
absence and substitute; a concurrent change is shown, never overwritten; another caseworker is refused."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import httpx
from sqlalchemy import select

from citizen_app import db
from citizen_app.accounts_cli import create_staff
from citizen_app.models import AuditEvent
from tests.conftest import sign_in_as
from tests.helpers import csrf_token, item_fields, post_form, search_at_api
from tests.integration.test_citizen_journeys import ANSWERS, answer, deliver


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


def patient_id(demo) -> str:
    return demo["sara"].fhir_ref.split("/", 1)[1]


def version_in(client, page: str, action: str | None = None) -> str:
    """The hidden version a form carries (of the form posting to `action`, else the page's first)."""
    html = client.get(page).get_data(as_text=True)
    if action is not None:
        html = html[html.index(f'action="{action}"') :]
    return re.search(r'name="(?:[^"]*-)?version" value="(\d+)"', html).group(1)


def save_absence(client, data: dict[str, str]):  # type: ignore[no-untyped-def]
    version = version_in(client, "/caseworker/absence")
    return post_form(client, "/caseworker/absence", {**data, "version": version})


def sara_sends_a_message_and_a_goal(app, sara) -> None:
    assert (
        post_form(
            sara, "/messages/new", {"subject": "Bus", "text": "Kan jeg få et buskort?"}
        ).status_code
        == 303
    )
    for code, text in ANSWERS.items():
        answer(sara, code, text)
    assert post_form(sara, "/goals/new/check", {}).status_code == 303
    deliver(app)


def test_message_and_goal_reach_the_fixed_caseworker_who_answers_and_accepts(
    app, as_sara, demo, plan_service
) -> None:
    sara_sends_a_message_and_a_goal(app, as_sara)
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    caseload = text_of(jonas.get("/caseworker/"))
    assert "Sara Jensen" in caseload and "Fast sagsbehandler" in caseload
    # Her message, her goal, and the one demo sign Jonas has not seen yet.
    assert re.search(r"Sara Jensen</a></th> <td[^>]*>[^<]+</td> <td[^>]*>3</td>", caseload), (
        caseload
    )
    page = jonas.get(f"/caseworker/citizens/{patient_id(demo)}")
    assert page.status_code == 200
    review = text_of(page)
    assert "Kan jeg få et buskort?" in review and ANSWERS["goal"] in review
    assert review.count("Svar senest") == 3  # each item with its deadline
    # Opening the conversation marks it read for Sara.
    assert "Læst af din sagsbehandler" in text_of(as_sara.get("/messages"))

    html = page.get_data(as_text=True)
    conversation_id = re.search(r"/messages/([^/]+)/reply", html).group(1)
    goal_id = re.search(r"/goals/([^/]+)/accept", html).group(1)
    version = re.search(rf'name="accept-{goal_id}-version" value="(\d+)"', html).group(1)
    token = csrf_token(jonas, f"/caseworker/citizens/{patient_id(demo)}")
    reply = jonas.post(
        f"/caseworker/citizens/{patient_id(demo)}/messages/{conversation_id}/reply",
        data={
            "csrf_token": token,
            **item_fields(
                "answer",
                conversation_id,
                {
                    "text": "Ja, det ordner jeg.",
                    "message_id": "5f0c7a36-9a55-4b87-9d4e-8f2f2b0d7f11",
                },
            ),
        },
    )
    assert reply.status_code == 303
    accepted = jonas.post(
        f"/caseworker/citizens/{patient_id(demo)}/goals/{goal_id}/accept",
        data={
            "csrf_token": token,
            **item_fields(
                "accept",
                goal_id,
                {"version": version, "wording": "Sara øver sig i at tage bussen alene."},
            ),
        },
    )
    assert accepted.status_code == 303
    goal = httpx.get(
        f"{plan_service.fhir_url}/Goal/{goal_id}", headers=plan_service.headers()
    ).json()
    assert goal["lifecycleStatus"] == "active"
    # Attributed at the source of truth: the caseworker's direct write carries his Provenance.
    provenances = search_at_api(plan_service.fhir_url, "Provenance", target=f"Goal/{goal_id}")
    accepted_by = [
        p
        for p in provenances
        if p["target"][0]["reference"].endswith(f"/_history/{goal['meta']['versionId']}")
    ]
    assert [p["agent"][0]["who"]["reference"] for p in accepted_by] == [demo["jonas"].fhir_ref]
    assert "onBehalfOf" not in accepted_by[0]["agent"][0]
    # Sara's plan lists the goal in her words; its own page has hers and his, accepted; her message answered.
    plan = text_of(as_sara.get("/plan"))
    assert ANSWERS["goal"] in plan
    goal_page = text_of(as_sara.get(f"/plan/goals/{goal_id}"))
    assert ANSWERS["goal"] in goal_page and "Sara øver sig i at tage bussen alene." in goal_page
    assert "Jonas Holm, sagsbehandler, skrev det" in goal_page
    messages = text_of(as_sara.get("/messages"))
    assert "Besvaret" in messages
    assert "Ja, det ordner jeg." in text_of(as_sara.get(f"/messages/{conversation_id}"))
    # Every caseworker read is in Sara's access log, with role and unit.
    with app.app_context():
        reads = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.action == "caseworker:plan:read"))
            .all()
        )
    assert reads and all(
        e.actor_role == "fixed-caseworker" and e.actor_unit == "Borgercenter Voksne, Team Nord"
        for e in reads
    )
    log = text_of(as_sara.get("/who-has-looked"))
    assert "Din sagsbehandler, Borgercenter Voksne, Team Nord" in log


def test_the_second_of_two_caseworkers_sees_the_conflict_and_nothing_is_lost(
    app, as_sara, demo, plan_service
) -> None:
    sara_sends_a_message_and_a_goal(app, as_sara)
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    html = jonas.get(f"/caseworker/citizens/{patient_id(demo)}").get_data(as_text=True)
    goal_id = re.search(r"/goals/([^/]+)/accept", html).group(1)
    version = re.search(rf'name="accept-{goal_id}-version" value="(\d+)"', html).group(1)
    token = csrf_token(jonas, "/caseworker/")
    url = f"/caseworker/citizens/{patient_id(demo)}/goals/{goal_id}"
    first = jonas.post(
        f"{url}/accept",
        data={
            "csrf_token": token,
            **item_fields("accept", goal_id, {"version": version, "wording": "Første formulering"}),
        },
    )
    assert first.status_code == 303
    # A second tab (or a colleague) still on the old version:
    second = jonas.post(
        f"{url}/decline",
        data={
            "csrf_token": token,
            **item_fields("decline", goal_id, {"version": version, "reason": "Ikke nu"}),
        },
    )
    assert second.status_code == 409
    page = text_of(second)
    assert "Nogen har ændret målet" in page
    assert "Ikke nu" in page  # the second person's text is kept
    goal = httpx.get(
        f"{plan_service.fhir_url}/Goal/{goal_id}", headers=plan_service.headers()
    ).json()
    assert (
        goal["lifecycleStatus"] == "active" and goal["description"]["text"] == "Første formulering"
    )
    # Both versions side by side: what they opened, and what it is now.
    assert "Første formulering" in page and ANSWERS["goal"] in page


def test_absence_names_the_substitute_routes_messages_and_ends_with_the_absence(
    app, as_sara, demo, plan_service
) -> None:
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    amina = app.test_client()
    sign_in_as(amina, demo["amina"])
    assert amina.get(f"/caseworker/citizens/{patient_id(demo)}").status_code == 404  # not hers
    today = date.today()
    saved = save_absence(
        jonas,
        {
            "start": (today - timedelta(days=1)).isoformat(),
            "end": (today + timedelta(days=5)).isoformat(),
            "substitute": demo["amina"].fhir_ref,
        },
    )
    assert saved.status_code == 303
    page = text_of(as_sara.get("/plan"))
    assert "Amina Haddad" in page
    assert post_form(as_sara, "/messages/new", {"text": "Til den der er her nu"}).status_code == 303
    as_sara.get("/messages")  # shows the "saved" message once
    deliver(app)
    (message,) = search_at_api(plan_service.fhir_url, "Communication", category="message")
    assert message["recipient"][0]["reference"] == demo["amina"].fhir_ref
    caseload = text_of(amina.get("/caseworker/"))
    assert "Sara Jensen" in caseload and "Afløser" in caseload
    assert "Til den der er her nu" in text_of(amina.get(f"/caseworker/citizens/{patient_id(demo)}"))
    # The absence ends: Amina no longer has access.
    assert save_absence(jonas, {"start": "", "end": "", "substitute": ""}).status_code == 303
    assert amina.get(f"/caseworker/citizens/{patient_id(demo)}").status_code == 404
    after = text_of(as_sara.get("/plan"))
    assert "Amina Haddad" not in after, after[after.find("Amina") - 300 : after.find("Amina") + 100]


def test_another_caseworker_is_refused(app, demo) -> None:
    with app.app_context():
        ole = create_staff("ole", "Ole Andersen", "Team Syd", "33 17 50 00")
        db.session().expunge(ole)
    client = app.test_client()
    sign_in_as(client, ole)
    assert client.get(f"/caseworker/citizens/{patient_id(demo)}").status_code == 404
    assert "Sara Jensen" not in text_of(client.get("/caseworker/"))


def test_a_caseworker_issues_an_activation_code_shown_once(app, demo) -> None:
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    page = post_form(
        jonas, f"/caseworker/citizens/{patient_id(demo)}/activation-code", {}, page="/caseworker/"
    )
    assert page.status_code == 200
    code = re.search(
        r'class="activation-code" dir="ltr">([A-Z0-9-]+)<', page.get_data(as_text=True)
    ).group(1)
    # Shown once: the caseworker looks at the citizen's page a second time, and the code is not there.
    again = jonas.get(f"/caseworker/citizens/{patient_id(demo)}")
    assert again.status_code == 200
    assert code not in again.get_data(as_text=True)
    assert 'class="activation-code"' not in again.get_data(as_text=True)
    citizen = app.test_client()
    assert post_form(citizen, "/activate", {"code": code}).status_code == 303


def test_signs_and_views_on_goals_reach_the_queue_and_a_seen_comment_reaches_the_citizen(
    app, as_sara, demo, plan_service
) -> None:
    from citizen_app.services.plan_reading import read_plan

    with app.app_context():
        goal = read_plan(db.session(), demo["sara"].fhir_ref).plan.goals[2]
    post_form(
        as_sara,
        f"/plan/goals/{goal.id}/progress",
        {"value": "bit-closer", "note": "Vi ringede sammen", "when": date.today().isoformat()},
    )
    post_form(
        as_sara,
        f"/plan/goals/{goal.id}/my-words",
        {"agreement": "disagree", "comment": "Jeg vil hellere ses i weekenden"},
    )
    from tests.integration.test_citizen_journeys import deliver as deliver_all

    deliver_all(app)
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    page = jonas.get(f"/caseworker/citizens/{patient_id(demo)}")
    review = text_of(page)
    assert "Vi ringede sammen" in review and "Jeg vil hellere ses i weekenden" in review
    html = page.get_data(as_text=True)
    sign_url = re.search(r'action="(/caseworker/citizens/[^"]+/signs/[^"]+/seen)"', html)
    # The demo signs are waiting too; take the one Sara just sent.
    sign_urls = re.findall(r'action="(/caseworker/citizens/[^"]+/signs/[^"]+/seen)"', html)
    assert sign_url and len(sign_urls) >= 1
    token = csrf_token(jonas, "/caseworker/")
    ours = next(
        u
        for u in sign_urls
        if any(
            o["id"] in u
            for o in search_at_api(plan_service.fhir_url, "Observation", focus=f"Goal/{goal.id}")
        )
    )
    sign_version = version_in(jonas, f"/caseworker/citizens/{patient_id(demo)}", ours)
    sign_id = ours.split("/signs/")[1].split("/")[0]
    assert (
        jonas.post(
            ours,
            data={
                "csrf_token": token,
                **item_fields("seen", sign_id, {"comment": "Godt gået!", "version": sign_version}),
            },
        ).status_code
        == 303
    )
    feedback_url = re.search(
        r'action="(/caseworker/citizens/[^"]+/feedback/[^"]+/seen)"', html
    ).group(1)
    feedback_version = version_in(jonas, f"/caseworker/citizens/{patient_id(demo)}", feedback_url)
    feedback_id = feedback_url.split("/feedback/")[1].split("/")[0]
    assert (
        jonas.post(
            feedback_url,
            data={
                "csrf_token": token,
                **item_fields("seen", feedback_id, {"version": feedback_version}),
            },
        ).status_code
        == 303
    )
    after = text_of(jonas.get(f"/caseworker/citizens/{patient_id(demo)}"))
    assert "Jeg vil hellere ses i weekenden" not in after
    assert "Set: Godt gået!" in text_of(as_sara.get(f"/plan/goals/{goal.id}"))


def test_timeliness_counts_waiting_overdue_and_the_median_answer_time(app, as_sara, demo) -> None:
    sara_sends_a_message_and_a_goal(app, as_sara)
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    html = jonas.get(f"/caseworker/citizens/{patient_id(demo)}").get_data(as_text=True)
    conversation_id = re.search(r"/messages/([^/]+)/reply", html).group(1)
    token = csrf_token(jonas, "/caseworker/")
    jonas.post(
        f"/caseworker/citizens/{patient_id(demo)}/messages/{conversation_id}/reply",
        data={
            "csrf_token": token,
            **item_fields(
                "answer",
                conversation_id,
                {"text": "Svar", "message_id": "0c5f0fd1-4b3e-4c36-9c7e-0a3f2c1a9b77"},
            ),
        },
    )
    caseload = text_of(jonas.get("/caseworker/"))
    assert "Svar til tiden" in caseload
    assert re.search(
        r"Typisk svartid, de sidste 30 dage</th> <td[^>]*>0 timer \(1 svar\)</td> "
        r"<td[^>]*>0 timer \(1 svar\)</td>",
        caseload,
    ), caseload


def figures(page: str, row: str) -> tuple[int, int]:
    found = re.search(
        rf"<th scope=\"row\">{row}</th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>", page
    )
    assert found, page
    return int(found.group(1)), int(found.group(2))


def test_the_team_figures_count_a_colleagues_waiting_items_without_naming_anyone(
    app, as_sara, demo
) -> None:
    sara_sends_a_message_and_a_goal(app, as_sara)
    jonas, amina = app.test_client(), app.test_client()
    sign_in_as(jonas, demo["jonas"])
    sign_in_as(amina, demo["amina"])
    jonas_mine, jonas_team = figures(text_of(jonas.get("/caseworker/")), "Venter")
    amina_page = text_of(amina.get("/caseworker/"))
    amina_mine, amina_team = figures(amina_page, "Venter")
    assert jonas_mine >= 2  # Sara's message and her proposed goal at least
    assert amina_mine == 0
    assert amina_team == jonas_team >= jonas_mine
    assert "Sara" not in amina_page


def test_the_caseworker_registers_and_ends_a_guardian_the_citizen_cannot_end(
    app, as_sara, demo
) -> None:
    from citizen_app.models import Delegation
    from citizen_app.services import delegations
    from citizen_app.services.plan_reading import plan_client

    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    url = f"/caseworker/citizens/{patient_id(demo)}"
    until = (date.today() + timedelta(days=700)).isoformat()
    empty = post_form(
        jonas,
        f"{url}/representatives",
        {"kind": "guardian", "name": " ", "ends_on": until},
        page=url,
    )
    assert empty.status_code == 400 and "Skriv navnet." in text_of(empty)
    page = post_form(
        jonas,
        f"{url}/representatives",
        {"kind": "guardian", "name": "Grethe Værge", "ends_on": until, "decision": "Økonomi"},
        page=url,
    )
    code = re.search(
        r'class="activation-code" dir="ltr">([A-Z0-9-]+)<', page.get_data(as_text=True)
    ).group(1)
    with app.app_context():
        accepted = delegations.accept(
            db.session(),
            plan_client(),
            code=code,
            secret_key=app.config["SECRET_KEY"],
            relative=None,
        )
        assert accepted is not None
        db.session().commit()  # services only flush: the caller commits
        guardian_id = accepted[0].id
    assert "Grethe Værge" in text_of(as_sara.get("/delegations"))
    assert (  # the policy refuses the citizen, as every refusal: like a missing page
        post_form(
            as_sara, f"/delegations/{guardian_id}/revoke", {}, page="/delegations"
        ).status_code
        == 404
    )
    with app.app_context():
        assert db.session().get(Delegation, guardian_id).revoked_at is None
    ended = post_form(jonas, f"{url}/representatives/{guardian_id}/end", {}, page=url)
    assert ended.status_code == 303
    with app.app_context():
        assert db.session().get(Delegation, guardian_id).revoked_at is not None


def test_an_absence_needs_both_dates_or_neither(app, demo) -> None:
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    only_start = post_form(
        jonas,
        "/caseworker/absence",
        {"start": date.today().isoformat(), "end": "", "substitute": demo["amina"].fhir_ref},
    )
    assert only_start.status_code == 400
    assert "Skriv begge datoer eller ingen." in text_of(only_start)
    assert date.today().isoformat() in only_start.get_data(as_text=True)  # what was typed is kept
