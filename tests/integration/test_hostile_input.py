"""Every string of the Big List of Naughty Strings in every free-text field a citizen has: no 500, an exact
round trip through the plan API, and escaped on the way out."""

from __future__ import annotations

import re

import pytest

from citizen_app import db
from citizen_app.forms.citizen import FEEDBACK_MAX, MESSAGE_MAX, SUBJECT_MAX
from citizen_app.journeys.goal_conversation import ANSWER_MAX
from citizen_app.outbox import Dispatcher
from citizen_app.services.plan_reading import read_plan
from tests import blns
from tests.helpers import csrf_token, search_at_api


def deliver(app) -> None:
    dispatcher = Dispatcher(app, app.extensions["citizen_app.plan_client"])
    while dispatcher.dispatch_due().attempted:
        pass


@pytest.fixture
def token(as_sara) -> str:
    return csrf_token(as_sara, "/plan")


def post(client, url: str, token: str, data: dict[str, str]) -> int:
    return client.post(url, data={"csrf_token": token, **data}).status_code


@pytest.mark.blns
def test_goal_conversation_answers(app, as_sara, token, plan_service) -> None:
    strings = [s[:ANSWER_MAX] for s in blns.savable()]
    statuses = []
    for text in strings:
        for code in ("goal", "different", "first-sign", "helpers"):
            statuses.append(
                post(as_sara, f"/goals/new/{code}", token, {"answer": text, "go": "next"})
            )
        check = as_sara.get("/goals/new/check").get_data(as_text=True)
        assert "<script>alert" not in check
        statuses.append(post(as_sara, "/goals/new/check", token, {}))
    assert 500 not in statuses and set(statuses) == {303}
    deliver(app)
    goals = search_at_api(plan_service.fhir_url, "Goal", **{"lifecycle-status": "proposed"})
    stored = {
        next(e["valueString"] for e in g["extension"][0]["extension"] if e["url"] == "text")
        for g in goals
    }
    notes = {n["text"] for g in goals for n in g.get("note", [])}
    for text in strings:
        assert text in stored, repr(text)
        assert text in notes, repr(text)


@pytest.mark.blns
def test_goal_feedback_wording_and_comment(app, as_sara, demo, token, plan_service) -> None:
    with app.app_context():
        goal_id = read_plan(db.session(), demo["sara"].fhir_ref).plan.goals[0].id
    strings = [s[:FEEDBACK_MAX] for s in blns.savable()]
    statuses = [
        post(as_sara, f"/plan/goals/{goal_id}/my-words", token, {"wording": t, "comment": t})
        for t in strings
    ]
    assert 500 not in statuses and set(statuses) == {303}
    deliver(app)
    parts = {
        p["contentString"]
        for c in search_at_api(plan_service.fhir_url, "Communication", category="goal-feedback")
        for p in c["payload"]
    }
    for text in strings:
        assert text in parts, repr(text)


@pytest.mark.blns
def test_messages_subject_text_and_replies(app, as_sara, token, plan_service) -> None:
    strings = blns.savable()
    statuses = [
        post(as_sara, "/messages/new", token, {"subject": t[:SUBJECT_MAX], "text": t[:MESSAGE_MAX]})
        for t in strings
    ]
    assert 500 not in statuses and set(statuses) == {303}
    deliver(app)
    messages = search_at_api(plan_service.fhir_url, "Communication", category="message")
    texts = {m["payload"][0]["contentString"] for m in messages}
    subjects = {m.get("topic", {}).get("text") for m in messages}
    for text in strings:
        assert text[:MESSAGE_MAX] in texts, repr(text)
        assert text[:SUBJECT_MAX] in subjects, repr(text)
    # Replies in one conversation, and the conversation page shows them all escaped.
    root = messages[0]["id"]
    replies = [
        post(as_sara, f"/messages/{root}/reply", token, {"text": t[:MESSAGE_MAX]})
        for t in strings[:150]
    ]
    assert set(replies) == {303}
    deliver(app)
    page = as_sara.get(f"/messages/{root}").get_data(as_text=True)
    assert as_sara.get(f"/messages/{root}").status_code == 200
    assert not re.search(r"<script>alert", page)
    overview = as_sara.get("/messages")
    assert overview.status_code == 200


def test_strings_with_control_characters_are_refused_with_a_message(as_sara, token) -> None:
    controlled = blns.refused()
    assert controlled  # the list has some (NUL, ESC, …)
    for text in controlled:
        response = as_sara.post(
            "/messages/new",
            data={"csrf_token": token, "subject": "", "text": text[:MESSAGE_MAX]},
        )
        assert response.status_code == 400, repr(text)
        assert "noget usynligt" in response.get_data(as_text=True)
