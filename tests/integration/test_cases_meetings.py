"""My cases, meetings and their preparation, a change of caseworker, feedback and complaints: through the
portal's pages and the real reference plan service, read back at the API as an integrator would."""

from __future__ import annotations

import re
from datetime import date, timedelta

from citizen_app import db
from citizen_app.models import Account
from citizen_app.notify import notifier
from citizen_app.services import notifications
from tests.conftest import sign_in_as
from tests.helpers import csrf_token, item_fields, post_form, search_at_api
from tests.integration.test_citizen_journeys import deliver, text_of


def patient_id(demo) -> str:
    return demo["sara"].fhir_ref.split("/", 1)[1]


def signed_in(app, account):
    client = app.test_client()
    sign_in_as(client, account)
    return client


def opt_in(app, account) -> None:
    with app.app_context():
        session = db.session()
        notifications.opt_in(session, session.get(Account, account.id), "sara@example.org")
        session.commit()  # services only flush: the caller commits


def sent_kinds(app) -> list[str]:
    with app.app_context():
        return [item.kind for item in notifier().sent]


def test_sara_sees_her_case_and_jonas_moves_the_step_and_the_date_with_a_reason(
    app, as_sara, demo, plan_service
) -> None:
    page = text_of(as_sara.get("/cases"))
    assert "Du har søgt om en fast person" in page
    assert "Din sagsbehandler kigger på den" in page  # where it is now
    assert "Du får en afgørelse skriftligt." in page  # the next step
    (task,) = [
        t
        for t in search_at_api(plan_service.fhir_url, "Task", patient=demo["sara"].fhir_ref)
        if t["status"] == "in-progress"
    ]
    due = date.fromisoformat(task["restriction"]["period"]["end"])
    opt_in(app, demo["sara"])
    jonas = signed_in(app, demo["jonas"])
    url = f"/caseworker/citizens/{patient_id(demo)}"
    later = (due + timedelta(days=21)).isoformat()
    without_reason = post_form(
        jonas,
        f"{url}/cases/{task['id']}",
        item_fields(
            "case",
            task["id"],
            {"version": task["meta"]["versionId"], "step": "awaiting-information", "due": later},
        ),
        page=url,
    )
    assert without_reason.status_code == 400
    assert "Skriv, hvorfor datoen ændres" in text_of(without_reason)
    saved = post_form(
        jonas,
        f"{url}/cases/{task['id']}",
        item_fields(
            "case",
            task["id"],
            {
                "version": task["meta"]["versionId"],
                "step": "awaiting-information",
                "due": later,
                "reason": "Vi venter på en udtalelse fra din læge.",
            },
        ),
        page=url,
    )
    assert saved.status_code == 303
    at_api = search_at_api(plan_service.fhir_url, "Task", _id=task["id"])[0]
    assert at_api["status"] == "on-hold"
    assert at_api["restriction"]["period"]["end"] == later
    assert at_api["note"][-1]["text"] == "Vi venter på en udtalelse fra din læge."
    page = text_of(as_sara.get("/cases"))
    assert "Vi venter på flere oplysninger" in page
    assert "Vi venter på en udtalelse fra din læge." in page
    assert "Datoen er flyttet" in page
    assert "case-update" in sent_kinds(app)


def test_a_stale_case_update_is_refused_and_shown_nothing_is_overwritten(
    app, demo, plan_service
) -> None:
    (task,) = [
        t
        for t in search_at_api(plan_service.fhir_url, "Task", patient=demo["sara"].fhir_ref)
        if t["status"] == "in-progress"
    ]
    due = date.fromisoformat(task["restriction"]["period"]["end"])
    jonas, amina = signed_in(app, demo["jonas"]), signed_in(app, demo["amina"])
    url = f"/caseworker/citizens/{patient_id(demo)}"
    version = task["meta"]["versionId"]
    first = post_form(
        jonas,
        f"{url}/cases/{task['id']}",
        item_fields(
            "case", task["id"], {"version": version, "step": "decided", "due": due.isoformat()}
        ),
        page=url,
    )
    assert first.status_code == 303
    # Amina is not Sara's caseworker (Jonas is not away): refused like a page that does not exist.
    refused = amina.post(
        f"{url}/cases/{task['id']}", data={"csrf_token": csrf_token(amina, "/caseworker/")}
    )
    assert refused.status_code == 404
    second = post_form(
        jonas,
        f"{url}/cases/{task['id']}",
        item_fields(
            "case",
            task["id"],
            {
                "version": version,
                "step": "assessing",
                "due": (due + timedelta(days=5)).isoformat(),
                "reason": "Mere tid",
            },
        ),
        page=url,
    )
    assert second.status_code == 409
    shown = text_of(second)
    assert "Sagen er ændret" in shown and "Mere tid" in shown
    # Both versions: the one Jonas opened and the one now (decided by his first save).
    opened = shown[shown.index("Da du åbnede det") :]
    assert opened.index(due.strftime("%Y")) < opened.index("Nu") < opened.index("Der er truffet")
    at_api = search_at_api(plan_service.fhir_url, "Task", _id=task["id"])[0]
    assert at_api["status"] == "completed"


def prepare(client, meeting_id: str) -> None:
    base = f"/meetings/{meeting_id}/prepare"
    page = client.get(f"{base}/goals").get_data(as_text=True)
    fields = re.findall(r'name="(progress-[^"]+)"', page)
    assert fields, page
    first = fields[0]
    goal_id = first.removeprefix("progress-")
    assert (
        post_form(
            client,
            f"{base}/goals",
            {first: "bit-closer", f"note-{goal_id}": "Jeg har handlet to gange alene"},
        ).status_code
        == 303
    )
    assert post_form(client, f"{base}/topics", {"answer": "Min økonomi"}).status_code == 303
    assert post_form(client, f"{base}/bring", {"answer": "Min bror Peter"}).status_code == 303


def next_meeting_id(client) -> str:
    page = client.get("/meetings").get_data(as_text=True)
    return re.search(r"/meetings/([^/]+)/prepare/goals", page).group(1)


def test_sara_prepares_her_meeting_one_item_in_the_queue_one_response_at_the_api(
    app, as_sara, demo, plan_service
) -> None:
    meeting_id = next_meeting_id(as_sara)
    prepare(as_sara, meeting_id)
    check = text_of(as_sara.get(f"/meetings/{meeting_id}/prepare/check"))
    assert "Min økonomi" in check and "Min bror Peter" in check and "Lidt tættere på" in check
    assert post_form(as_sara, f"/meetings/{meeting_id}/prepare/check", {}).status_code == 303
    deliver(app)
    responses = search_at_api(
        plan_service.fhir_url, "QuestionnaireResponse", about=f"Appointment/{meeting_id}"
    )
    assert len(responses) == 1
    items = {item["linkId"]: item for item in responses[0]["item"]}
    assert items["topics"]["answer"] == [{"valueString": "Min økonomi"}]
    meetings = text_of(as_sara.get("/meetings"))
    assert "Du har forberedt mødet." in meetings
    assert "Min økonomi" in meetings and "Min bror Peter" in meetings  # the meeting's record
    jonas = signed_in(app, demo["jonas"])
    queue = text_of(jonas.get(f"/caseworker/citizens/{patient_id(demo)}"))
    assert queue.count("Forberedelse til mødet") == 1
    assert "Min bror Peter" in queue and "Jeg har handlet to gange alene" in queue


def test_a_preparation_draft_survives_and_an_empty_one_cannot_be_sent(app, as_sara, demo) -> None:
    meeting_id = next_meeting_id(as_sara)
    base = f"/meetings/{meeting_id}/prepare"
    post_form(as_sara, f"{base}/topics", {"answer": "Bolig ", "go": "back"})
    again = signed_in(app, demo["sara"])  # a new session: the draft is on the server
    assert "Bolig " in again.get(f"{base}/topics").get_data(as_text=True)
    post_form(again, f"{base}/topics", {"answer": "   "})
    empty = post_form(again, f"{base}/check", {})
    assert empty.status_code == 400
    assert "Du har ikke svaret på noget endnu" in text_of(empty)


def test_a_relative_who_may_only_read_cannot_prepare(app, demo) -> None:
    from tests.delegation_helpers import delegate

    _, reader = delegate(
        app, demo["sara"], "Peter Læser", {"read"}, ends_on=date.today() + timedelta(days=30)
    )
    client = signed_in(app, reader)
    assert "Mine sager" not in text_of(client.get("/cases"))  # the page says "Sager" for others
    meeting_id = next_meeting_id(signed_in(app, demo["sara"]))
    assert client.get(f"/meetings/{meeting_id}/prepare/goals").status_code == 404


def test_jonas_hands_over_to_amina_sara_sees_amina_and_her_conversation_moves(
    app, as_sara, demo, plan_service
) -> None:
    assert post_form(as_sara, "/messages/new", {"text": "Hvornår ses vi?"}).status_code == 303
    deliver(app)
    opt_in(app, demo["sara"])
    jonas = signed_in(app, demo["jonas"])
    refused = post_form(jonas, "/caseworker/hand-over", {"colleague": "", "start": ""})
    assert refused.status_code == 400
    done = post_form(
        jonas,
        "/caseworker/hand-over",
        {"colleague": demo["amina"].fhir_ref, "start": date.today().isoformat()},
    )
    assert done.status_code == 303
    plan = text_of(as_sara.get("/plan"))
    assert "Amina Haddad er din nye sagsbehandler fra" in plan
    amina = signed_in(app, demo["amina"])
    queue = text_of(amina.get(f"/caseworker/citizens/{patient_id(demo)}"))
    assert "Hvornår ses vi?" in queue
    assert jonas.get(f"/caseworker/citizens/{patient_id(demo)}").status_code == 404
    assert "caseworker-changed" in sent_kinds(app)
    (team,) = search_at_api(plan_service.fhir_url, "CareTeam", patient=demo["sara"].fhir_ref)
    members = [p["member"]["reference"] for p in team["participant"]]
    assert members == [demo["jonas"].fhir_ref, demo["amina"].fhir_ref]
    assert "Hvornår ses vi?" in text_of(as_sara.get("/messages"))  # nothing lost
    open_tasks = [
        t
        for t in search_at_api(plan_service.fhir_url, "Task", patient=demo["sara"].fhir_ref)
        if t["status"] != "completed"
    ]
    assert {t["owner"]["reference"] for t in open_tasks} == {demo["amina"].fhir_ref}


def test_a_hand_over_on_a_later_date_is_announced_and_changes_nothing_before(
    app, as_sara, demo
) -> None:
    jonas = signed_in(app, demo["jonas"])
    start = date.today() + timedelta(days=10)
    post_form(
        jonas,
        "/caseworker/hand-over",
        {"colleague": demo["amina"].fhir_ref, "start": start.isoformat()},
    )
    plan = text_of(as_sara.get("/plan"))
    assert "er din nye sagsbehandler Amina Haddad" in plan
    assert jonas.get(f"/caseworker/citizens/{patient_id(demo)}").status_code == 200


def test_feedback_after_an_answered_conversation_is_optional_and_counts_for_the_team(
    app, as_sara, demo, plan_service
) -> None:
    post_form(as_sara, "/messages/new", {"text": "Tak for sidst"})
    deliver(app)
    jonas = signed_in(app, demo["jonas"])
    url = f"/caseworker/citizens/{patient_id(demo)}"
    page = jonas.get(url).get_data(as_text=True)
    conversation_id = re.search(r"/messages/([^/]+)/reply", page).group(1)
    post_form(
        jonas,
        f"{url}/messages/{conversation_id}/reply",
        item_fields("answer", conversation_id, {"text": "Selv tak"}),
        page=url,
    )
    thread = text_of(as_sara.get(f"/messages/{conversation_id}"))
    assert "Hvordan var din kontakt med os?" in thread
    feedback_url = f"/feedback/conversation/{conversation_id}"
    nothing = post_form(as_sara, feedback_url, {"comment": "Hurtigt svar"})
    assert nothing.status_code == 400
    assert "Hurtigt svar" in text_of(nothing)  # what was typed is kept
    assert post_form(as_sara, feedback_url, {"score": "very-good"}).status_code == 303
    deliver(app)
    (response,) = search_at_api(
        plan_service.fhir_url, "QuestionnaireResponse", about=f"Communication/{conversation_id}"
    )
    assert response["item"][0]["answer"][0]["valueCoding"]["code"] == "very-good"
    team = text_of(jonas.get("/caseworker/team"))
    assert "Tilfredshed med kontakten, måned for måned" in team  # the chart's name
    assert re.search(r"<td[^>]*>1</td>\s*<td[^>]*>5,0</td>", team), (
        team
    )  # one answer, "very good", in Danish
    # Only an answered conversation can be rated: a new, unanswered one offers no rating and refuses one.
    assert post_form(as_sara, "/messages/new", {"text": "Endnu et spørgsmål"}).status_code == 303
    deliver(app)
    listed = set(
        re.findall(
            r'href="/messages/([0-9a-f-]{36})"', as_sara.get("/messages").get_data(as_text=True)
        )
    )
    (unanswered_id,) = listed - {conversation_id}
    unanswered = text_of(as_sara.get(f"/messages/{unanswered_id}"))
    assert "Endnu et spørgsmål" in unanswered
    assert "Hvordan var din kontakt med os?" not in unanswered
    token = csrf_token(as_sara, feedback_url)
    refused = as_sara.post(
        f"/feedback/conversation/{unanswered_id}", data={"csrf_token": token, "score": "very-good"}
    )
    assert refused.status_code == 404
    deliver(app)
    assert (
        search_at_api(
            plan_service.fhir_url, "QuestionnaireResponse", about=f"Communication/{unanswered_id}"
        )
        == []
    )


def test_a_complaint_gets_a_receipt_and_a_deadline_and_waits_for_the_team(
    app, as_sara, demo, plan_service
) -> None:
    blank = post_form(as_sara, "/complaints/new", {"text": "  "})
    assert blank.status_code == 400
    sent = post_form(as_sara, "/complaints/new", {"text": "Jeg fik ikke svar i tide."})
    assert sent.status_code == 303
    receipt = text_of(as_sara.get(sent.headers["Location"]))
    assert "Kvittering for din klage" in receipt and "Jeg fik ikke svar i tide." in receipt
    deliver(app)
    (complaint,) = search_at_api(plan_service.fhir_url, "Communication", category="complaint")
    assert complaint["payload"][0]["contentString"] == "Jeg fik ikke svar i tide."
    jonas, amina = signed_in(app, demo["jonas"]), signed_in(app, demo["amina"])
    assert "Sara Jensen" in text_of(jonas.get("/caseworker/team"))
    colleague_view = text_of(amina.get("/caseworker/team"))
    assert "Sara Jensen" not in colleague_view and "En kollegas borger" in colleague_view
    queue = text_of(jonas.get(f"/caseworker/citizens/{patient_id(demo)}"))
    assert "Klage" in queue and "Jeg fik ikke svar i tide." in queue
    # Another citizen's receipt number answers like one that does not exist.
    mads = signed_in(app, demo["mads"])
    assert mads.get(sent.headers["Location"]).status_code == 404
