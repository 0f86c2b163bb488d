"""Issue #16, item 4, for every form a citizen or relative writes in besides the goal conversation and a new
message (tests/integration/test_phone_words.py): a reply, my words on a goal, a progress sign's note, the meeting
preparation, contact feedback and a complaint. Each keeps what was typed as it is typed (go=keep, what
static/js/keep.js sends) and by "Save and come back later" (go=later, no script), and gives it back on return
on another device (a fresh client signed in as the same person); sending takes the words out of the draft."""

from __future__ import annotations

import re

from tests.conftest import sign_in_as
from tests.delegation_helpers import delegate
from tests.helpers import post_form, search_at_api
from tests.integration.test_cases_meetings import next_meeting_id
from tests.integration.test_citizen_journeys import (
    _reply_as_caseworker,
    deliver,
    plan_of,
    text_of,
)


def other_device(app, account):
    client = app.test_client()
    sign_in_as(client, account)
    return client


def in_fields(response) -> str:
    """What the page's text fields hold (not the page around them: a sent reply shows in the thread)."""
    page = response.get_data(as_text=True)
    areas = re.findall(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    return " ".join(
        areas + re.findall(r'<input[^>]*type="(?:text|date)"[^>]*value="([^"]*)"', page)
    )


def checked(response, value: str) -> bool:
    return bool(re.search(rf'value="{value}"[^>]*checked', response.get_data(as_text=True)))


def kept_and_later(client, url: str, fields: dict[str, str], *, page: str, later: str) -> None:
    """The script's request saves and answers 204 with nothing; the button saves and leads on, saying so."""
    typed = post_form(client, url, {**fields, "go": "keep"}, page=page)
    assert typed.status_code == 204 and typed.get_data() == b""
    button = post_form(client, url, {**fields, "go": "later"}, page=page)
    assert button.status_code == 303 and button.headers["Location"] == later
    assert "Det, du har skrevet, er gemt." in text_of(client.get(later))


def a_conversation(app, client, plan_service, demo, *, answered: bool) -> str:
    post_form(client, "/messages/new", {"text": "Kan vi tale om min medicin?"})
    deliver(app)
    (message,) = search_at_api(plan_service.fhir_url, "Communication", category="message")
    if answered:
        _reply_as_caseworker(plan_service.fhir_url, message, demo["jonas"].fhir_ref, "Ja.")
    return message["id"]


def test_a_reply_is_kept_until_it_is_sent(app, as_sara, demo, plan_service) -> None:
    conversation = a_conversation(app, as_sara, plan_service, demo, answered=False)
    page, url = f"/messages/{conversation}", f"/messages/{conversation}/reply"
    words = {"text": "Jeg kan først efter klokken 14."}
    kept_and_later(as_sara, url, words, page=page, later="/messages")
    other = other_device(app, demo["sara"])
    assert "Jeg kan først efter klokken 14." in in_fields(other.get(page))
    assert post_form(other, url, words, page=page).status_code == 303
    assert "Jeg kan først efter klokken 14." not in in_fields(other.get(page))


def test_my_words_on_a_goal_are_kept_until_they_are_sent(app, as_sara, demo) -> None:
    goal = plan_of(app, demo["sara"]).goals[0]
    url = f"/plan/goals/{goal.id}/my-words"
    words = {
        "wording": "Jeg vil handle alene",
        "agreement": "partly",
        "comment": "Ikke i weekenden",
    }
    kept_and_later(as_sara, url, words, page=url, later=f"/plan/goals/{goal.id}")
    other = other_device(app, demo["sara"])
    page = other.get(url)
    assert in_fields(page).split() == ["Jeg", "vil", "handle", "alene", "Ikke", "i", "weekenden"]
    assert checked(page, "partly")
    # Another goal's form is empty: each goal's words stay with that goal.
    another = plan_of(app, demo["sara"]).goals[1].id
    assert in_fields(other.get(f"/plan/goals/{another}/my-words")).strip() == ""
    assert post_form(other, url, words).status_code == 303
    assert in_fields(other.get(url)).strip() == ""


def test_a_progress_sign_note_is_kept_until_it_is_saved(app, as_sara, demo) -> None:
    goal = plan_of(app, demo["sara"]).goals[2]
    url = f"/plan/goals/{goal.id}/progress"
    words = {"value": "bit-closer", "note": "Vi spiste sammen", "when": "2026-11-30"}
    kept_and_later(as_sara, url, words, page=url, later=f"/plan/goals/{goal.id}")
    other = other_device(app, demo["sara"])
    page = other.get(url)
    assert in_fields(page).split() == ["Vi", "spiste", "sammen", "2026-11-30"]
    assert checked(page, "bit-closer")
    assert post_form(other, url, words).status_code == 303
    assert "Vi spiste sammen" not in in_fields(other.get(url))


def test_the_meeting_preparation_is_kept_by_the_script_and_the_button(app, as_sara, demo) -> None:
    meeting = next_meeting_id(as_sara)
    base = f"/meetings/{meeting}/prepare"
    goal = plan_of(app, demo["sara"]).goals[0]
    note = {f"progress-{goal.id}": "", f"note-{goal.id}": "Jeg har handlet to gange"}
    typed = post_form(as_sara, f"{base}/goals", {**note, "go": "keep"})
    assert typed.status_code == 204
    kept_and_later(
        as_sara,
        f"{base}/topics",
        {"answer": "Min økonomi"},
        page=f"{base}/topics",
        later="/meetings",
    )
    other = other_device(app, demo["sara"])
    assert "Jeg har handlet to gange" in in_fields(other.get(f"{base}/goals"))
    assert "Min økonomi" in in_fields(other.get(f"{base}/topics"))


def test_contact_feedback_is_kept_until_it_is_sent(app, as_sara, demo, plan_service) -> None:
    conversation = a_conversation(app, as_sara, plan_service, demo, answered=True)
    url = f"/feedback/conversation/{conversation}"
    words = {"score": "good", "comment": "Hurtigt svar"}
    kept_and_later(as_sara, url, words, page=url, later=f"/messages/{conversation}")
    other = other_device(app, demo["sara"])
    page = other.get(url)
    assert "Hurtigt svar" in in_fields(page) and checked(page, "good")
    assert post_form(other, url, words).status_code == 303
    assert "Hurtigt svar" not in in_fields(other.get(url))


def test_a_complaint_is_kept_until_it_is_sent(app, as_sara, demo) -> None:
    words = {"text": "Jeg fik ikke svar i tide."}
    kept_and_later(as_sara, "/complaints/new", words, page="/complaints/new", later="/messages")
    other = other_device(app, demo["sara"])
    assert "Jeg fik ikke svar i tide." in in_fields(other.get("/complaints/new"))
    assert post_form(other, "/complaints/new", words).status_code == 303
    assert "Jeg fik ikke svar i tide." not in in_fields(other.get("/complaints/new"))


def test_a_relatives_words_are_his_own_draft_not_the_citizens(app, as_sara, demo) -> None:
    _, peter = delegate(app, demo["sara"], "Peter Jensen", {"write", "message"})
    goal = plan_of(app, demo["sara"]).goals[0]
    url = f"/plan/goals/{goal.id}/progress"
    words = {"value": "same", "note": "Vi handlede sammen", "when": "2026-11-29"}
    kept_and_later(other_device(app, peter), url, words, page=url, later=f"/plan/goals/{goal.id}")
    assert "Vi handlede sammen" in in_fields(other_device(app, peter).get(url))
    assert "Vi handlede sammen" not in in_fields(as_sara.get(url))
