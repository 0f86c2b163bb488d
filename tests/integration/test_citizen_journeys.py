"""The three things a citizen comes to do, through the reference plan service over HTTP: a goal in my own
words (a guided conversation with drafts), my words and view on a goal in the plan, progress signs with a
chart and a table, and messages with my fixed caseworker."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import httpx
import pytest

from citizen_app import db
from citizen_app.deadlines import answer_due
from citizen_app.models import utcnow
from citizen_app.outbox import Dispatcher
from citizen_app.plan_api import communications, fhir
from citizen_app.services.plan_reading import read_plan
from tests.conftest import sign_in_as
from tests.helpers import api_headers, csrf_token, post_form, search_at_api


def deliver(app) -> None:
    """Everything due, as the worker would over a few turns; stops at once when the plan API is down."""
    dispatcher = Dispatcher(app, app.extensions["citizen_app.plan_client"])
    while True:
        report = dispatcher.dispatch_due()
        if not report.attempted or report.unavailable:
            return


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


def plan_of(app, account):
    with app.app_context():
        return read_plan(db.session(), account.fhir_ref).plan


ANSWERS = {
    "goal": "Jeg vil kunne tage bussen alene til mit arbejde",
    "different": "Jeg kommer selv ud om morgenen",
    "first-sign": "Jeg tager bussen ét stop med Peter",
    "helpers": "Peter og bostøtten",
}


def answer(client, code: str, text: str, go: str = "next"):
    return post_form(client, f"/goals/new/{code}", {"answer": text, "go": go})


# -- the goal conversation -------------------------------------------------------------------------


def test_the_goal_conversation_one_question_per_page_then_check_then_send(
    app, as_sara, demo, plan_service
) -> None:
    first = as_sara.get("/goals/new", follow_redirects=True)
    assert "Hvad vil du gerne arbejde hen imod?" in text_of(first)
    assert "Spørgsmål 1 af 4" in text_of(first)
    steps = list(ANSWERS)
    for index, code in enumerate(steps):
        response = answer(as_sara, code, ANSWERS[code])
        expected = (
            f"/goals/new/{steps[index + 1]}" if index + 1 < len(steps) else "/goals/new/check"
        )
        assert response.status_code == 303 and response.headers["Location"] == expected
    # Back keeps the answers: going back from the last question shows the third answer again.
    back = answer(as_sara, "helpers", ANSWERS["helpers"], go="back")
    assert back.headers["Location"] == "/goals/new/first-sign"
    assert ANSWERS["first-sign"] in text_of(as_sara.get("/goals/new/first-sign"))
    # The check page lists every answer with a way to change it.
    check = text_of(as_sara.get("/goals/new/check"))
    for text in ANSWERS.values():
        assert text in check
    assert check.count("Ret") >= 4
    answer(as_sara, "different", "Jeg kommer selv ud om morgenen, også når det regner")
    sent = post_form(as_sara, "/goals/new/check", {})
    assert sent.status_code == 303
    # Waiting, then in the plan API exactly once, proposed, in her words, expressed by her.
    assert "Venter på at blive sendt" in text_of(as_sara.get("/plan"))
    deliver(app)
    deliver(app)
    proposed = search_at_api(plan_service.fhir_url, "Goal", **{"lifecycle-status": "proposed"})
    assert len(proposed) == 1
    (goal,) = proposed
    assert goal["expressedBy"]["reference"] == demo["sara"].fhir_ref
    wording = goal["extension"][0]["extension"]
    assert {"url": "text", "valueString": ANSWERS["goal"]} in wording
    assert {"url": "kind", "valueCode": "citizen"} in wording
    notes = {n["extension"][0]["valueCode"]: n["text"] for n in goal["note"]}
    assert notes["different"] == "Jeg kommer selv ud om morgenen, også når det regner"
    page = text_of(as_sara.get("/plan"))
    assert ANSWERS["goal"] in page and "Sendt til din sagsbehandler" in page
    # The draft is gone: a new goal starts from the first question.
    assert as_sara.get("/goals/new").headers["Location"] == "/goals/new/goal"


def test_the_first_question_must_be_answered_and_the_error_keeps_nothing_from_being_lost(
    as_sara, demo
) -> None:
    response = answer(as_sara, "goal", "   ")
    assert response.status_code == 400
    page = text_of(response)
    assert "Skriv et svar. Et par ord er nok." in page
    too_long = "å" * 501
    response = answer(as_sara, "goal", too_long)
    assert response.status_code == 400 and too_long in text_of(response)


def test_leaving_halfway_and_coming_back_offers_to_continue(app, client, demo) -> None:
    sign_in_as(client, demo["sara"])
    answer(client, "goal", ANSWERS["goal"])
    answer(client, "different", ANSWERS["different"])
    # A new browser, a new sign-in: the draft is on the server.
    other = app.test_client()
    sign_in_as(other, demo["sara"])
    resume = other.get("/goals/new")
    assert resume.status_code == 200
    page = text_of(resume)
    assert "Du er i gang med et mål" in page and ANSWERS["goal"] in page
    continued = other.get("/goals/new/different")
    assert ANSWERS["different"] in text_of(continued)
    # Starting over really starts over.
    token = csrf_token(other, "/goals/new")
    other.post("/goals/new/start-over", data={"csrf_token": token})
    assert other.get("/goals/new").headers["Location"] == "/goals/new/goal"


def test_another_citizen_cannot_see_or_continue_saras_draft(app, client, demo) -> None:
    sign_in_as(client, demo["sara"])
    answer(client, "goal", "Saras hemmelige mål")
    mads = app.test_client()
    sign_in_as(mads, demo["mads"])
    assert mads.get("/goals/new").headers["Location"] == "/goals/new/goal"
    assert "Saras hemmelige mål" not in text_of(mads.get("/goals/new/goal"))


# -- my words and my view on a goal in the plan -----------------------------------------------------


def test_my_own_words_and_agreement_never_overwrite_the_professional_wording(
    app, as_sara, demo, plan_service
) -> None:
    goal = plan_of(app, demo["sara"]).goals[0]
    before = httpx.get(
        f"{plan_service.fhir_url}/Goal/{goal.id}", headers=plan_service.headers()
    ).json()
    url = f"/plan/goals/{goal.id}/my-words"
    empty = post_form(as_sara, url, {})
    assert empty.status_code == 400
    response = post_form(
        as_sara,
        url,
        {
            "wording": "Jeg vil handle ind uden at gå i panik",
            "agreement": "partly",
            "comment": "Men ikke i weekenden",
        },
    )
    assert response.status_code == 303
    deliver(app)
    (feedback,) = search_at_api(plan_service.fhir_url, "Communication", about=f"Goal/{goal.id}")
    assert feedback["extension"] == [{"url": fhir.EXT_GOAL_AGREEMENT, "valueCode": "partly"}]
    assert [p["contentString"] for p in feedback["payload"]] == [
        "Jeg vil handle ind uden at gå i panik",
        "Men ikke i weekenden",
    ]
    after = httpx.get(
        f"{plan_service.fhir_url}/Goal/{goal.id}", headers=plan_service.headers()
    ).json()
    assert after == before  # the goal itself is untouched
    assert "Du sendte din mening" in text_of(as_sara.get(f"/plan/goals/{goal.id}"))


# -- progress signs: chart and table ---------------------------------------------------------------


def test_three_signs_show_as_a_chart_and_a_table(app, as_sara, demo) -> None:
    goal = plan_of(app, demo["sara"]).goals[2]  # the goal with no signs yet
    for days_ago, value, note in [
        (20, "same", "Ringede ikke"),
        (10, "bit-closer", "Ringede kort"),
        (1, "much-closer", "Vi spiste sammen"),
    ]:
        when = (date.today() - timedelta(days=days_ago)).isoformat()
        response = post_form(
            as_sara, f"/plan/goals/{goal.id}/progress", {"value": value, "note": note, "when": when}
        )
        assert response.status_code == 303
    deliver(app)
    page = as_sara.get(f"/plan/goals/{goal.id}").get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert svg.count("<circle") == 3 and "<polyline" in svg
    assert "3 tegn" in unescape(svg)
    rows = re.findall(r"<tr>\s*<td[ >]", page)
    assert len(rows) == 3
    text = text_of(as_sara.get(f"/plan/goals/{goal.id}"))
    assert text.index("Vi spiste sammen") < text.index("Ringede ikke")  # newest first
    plan_page = text_of(as_sara.get("/plan"))
    assert "Meget tættere på" in plan_page  # the latest sign in words on the plan page


# -- messages ---------------------------------------------------------------------------------------


def _reply_as_caseworker(fhir_url: str, message: dict, role_ref: str, text: str) -> dict:
    reply = communications.message(
        patient_ref=message["subject"]["reference"],
        sender_ref=role_ref,
        recipient_ref=message["subject"]["reference"],
        text=text,
        subject=None,
        sent=utcnow(),
        reply_to=f"Communication/{message['id']}",
        conversation=f"Communication/{message['id']}",
    )
    response = httpx.post(
        f"{fhir_url}/Communication",
        json=reply,
        headers={"Content-Type": "application/fhir+json", **api_headers(fhir_url)},
    )
    assert response.status_code == 201
    return response.json()


def test_write_to_my_caseworker_see_the_answer_and_the_states(
    app, as_sara, demo, plan_service
) -> None:
    new = text_of(as_sara.get("/messages/new"))
    due = answer_due(utcnow(), 3)
    assert "Du kan forvente svar senest" in new and str(due.year) in new
    assert "33 17 40 01" in new  # Jonas's number for urgent matters
    assert "Jonas Holm" in new
    response = post_form(
        as_sara, "/messages/new", {"subject": "Medicin", "text": "Kan vi tale om min medicin?"}
    )
    assert response.status_code == 303
    assert "Venter på at blive sendt" in text_of(as_sara.get("/messages"))
    deliver(app)
    (message,) = search_at_api(plan_service.fhir_url, "Communication", category="message")
    assert message["payload"] == [{"contentString": "Kan vi tale om min medicin?"}]
    assert message["recipient"][0]["reference"] == demo["jonas"].fhir_ref
    assert message["sender"]["reference"] == demo["sara"].fhir_ref
    assert "Sendt" in text_of(as_sara.get(f"/messages/{message['id']}"))

    _reply_as_caseworker(
        plan_service.fhir_url, message, demo["jonas"].fhir_ref, "Ja, ring til mig i morgen."
    )
    overview = as_sara.get("/messages").get_data(as_text=True)
    assert re.search(r'class="nav-count">1<', overview)  # one unread answer in the navigation
    thread = text_of(as_sara.get(f"/messages/{message['id']}"))
    assert "Ja, ring til mig i morgen." in thread and "Besvaret" in thread
    assert 'class="nav-count"' not in as_sara.get("/messages").get_data(as_text=True)

    # A reply in the same conversation goes to the caseworker, in that conversation.
    assert (
        post_form(
            as_sara,
            f"/messages/{message['id']}/reply",
            {"text": "Tak!"},
            page=f"/messages/{message['id']}",
        ).status_code
        == 303
    )
    deliver(app)
    replies = search_at_api(
        plan_service.fhir_url, "Communication", **{"part-of": f"Communication/{message['id']}"}
    )
    assert sorted(r["payload"][0]["contentString"] for r in replies) == [
        "Ja, ring til mig i morgen.",
        "Tak!",
    ]


def test_during_an_absence_messages_go_to_the_substitute(app, as_sara, demo, plan_service) -> None:
    role = httpx.get(
        f"{plan_service.fhir_url}/{demo['jonas'].fhir_ref}", headers=plan_service.headers()
    ).json()
    role["notAvailable"] = [
        {
            "description": "ferie",
            "during": {"start": "2026-01-01T00:00:00+00:00", "end": "2099-01-01T00:00:00+00:00"},
        }
    ]
    httpx.put(
        f"{plan_service.fhir_url}/{demo['jonas'].fhir_ref}",
        json=role,
        headers={
            "If-Match": f'W/"{role["meta"]["versionId"]}"',
            "Content-Type": "application/fhir+json",
            **plan_service.headers(),
        },
    ).raise_for_status()
    page = text_of(as_sara.get("/messages/new"))
    assert "Til: Amina Haddad" in page and "33 17 40 02" in page
    post_form(as_sara, "/messages/new", {"subject": "", "text": "Hej"})
    deliver(app)
    (message,) = search_at_api(plan_service.fhir_url, "Communication", category="message")
    assert message["recipient"][0]["reference"] == demo["amina"].fhir_ref
    assert "topic" not in message  # no subject given, none invented


def test_another_citizens_conversation_answers_like_one_that_does_not_exist(
    app, client, demo, plan_service
) -> None:
    sign_in_as(client, demo["sara"])
    post_form(client, "/messages/new", {"text": "Privat"})
    deliver(app)
    (message,) = search_at_api(plan_service.fhir_url, "Communication", category="message")
    mads = app.test_client()
    sign_in_as(mads, demo["mads"])
    assert mads.get(f"/messages/{message['id']}").status_code == 404
    assert mads.get("/messages/does-not-exist").status_code == 404
    assert (
        post_form(
            mads, f"/messages/{message['id']}/reply", {"text": "x"}, page="/messages"
        ).status_code
        == 404
    )


def test_writes_made_while_the_plan_service_is_down_arrive_exactly_once(
    app, as_sara, demo, plan_service
) -> None:
    goal = plan_of(app, demo["sara"]).goals[0]
    as_sara.get("/messages/new")
    as_sara.get(f"/plan/goals/{goal.id}/my-words")
    plan_service.stop()
    for code, text in ANSWERS.items():
        answer(as_sara, code, text)
    assert post_form(as_sara, "/goals/new/check", {}).status_code == 303
    assert (
        post_form(as_sara, "/messages/new", {"text": "Sendt mens systemet var nede"}).status_code
        == 303
    )
    assert (
        post_form(as_sara, f"/plan/goals/{goal.id}/my-words", {"agreement": "agree"}).status_code
        == 303
    )
    deliver(app)  # nothing can go: the service is down
    page = text_of(as_sara.get("/plan"))
    assert page.count("Venter på at blive sendt") == 3
    plan_service.start()
    deliver(app)
    deliver(app)
    assert (
        len(search_at_api(plan_service.fhir_url, "Goal", **{"lifecycle-status": "proposed"})) == 1
    )
    assert len(search_at_api(plan_service.fhir_url, "Communication", category="message")) == 1
    assert len(search_at_api(plan_service.fhir_url, "Communication", category="goal-feedback")) == 1
    assert "Venter på at blive sendt" not in text_of(as_sara.get("/plan"))


# -- opt-in e-mail when an answer comes --------------------------------------------------------------


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self) -> None:
            self.messages: list = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def test_an_answer_sends_one_email_without_personal_content(
    make_app, demo, plan_service, smtp_server
) -> None:
    from citizen_app.services.notifications import poll_answers

    controller, inbox = smtp_server
    app = make_app(
        NOTIFY_BACKEND="smtp", NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=controller.port
    )
    client = app.test_client()
    sign_in_as(client, demo["sara"])
    assert (
        post_form(client, "/account/notifications", {"email": "sara@example.dk"}).status_code == 303
    )
    post_form(client, "/messages/new", {"text": "Hvornår er mødet?"})
    deliver(app)
    assert poll_answers(app) == 0  # her own message is no answer
    (message,) = search_at_api(plan_service.fhir_url, "Communication", category="message")
    _reply_as_caseworker(
        plan_service.fhir_url, message, demo["jonas"].fhir_ref, "Mødet er den 3. december kl. 10"
    )
    assert poll_answers(app) == 1
    assert poll_answers(app) == 0  # once
    (mail,) = inbox.messages
    assert mail.rcpt_tos == ["sara@example.dk"]
    body = mail.content.decode("utf-8", "replace")
    assert "/messages" in body
    for personal in ("Sara", "Jonas", "Mødet", "december", "Hvornår"):
        assert personal not in body


def test_notification_address_is_checked_and_kept_on_error(client, demo) -> None:
    sign_in_as(client, demo["sara"])
    response = post_form(client, "/account/notifications", {"email": "ikke en adresse"})
    assert response.status_code == 400
    assert 'value="ikke en adresse"' in response.get_data(as_text=True)
