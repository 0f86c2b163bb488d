"""Issue #16 through the test client: what is typed is kept as it is typed (go=keep, the script's request) and
by "Save and come back later" (go=later, no script), on any device; the caseworker reads the goal
conversation's questions, not their codes."""

from __future__ import annotations

from tests.conftest import sign_in_as
from tests.helpers import post_form
from tests.integration.test_caseworker import (
    patient_id,
    sara_sends_a_message_and_a_goal,
    text_of,
)
from tests.integration.test_citizen_journeys import answer


def test_a_step_is_kept_as_it_is_typed_and_by_the_button(app, as_sara, demo) -> None:
    kept = answer(as_sara, "goal", "Jeg vil gå en tur", go="keep")
    assert kept.status_code == 204 and kept.get_data() == b""
    assert "Jeg vil gå en tur" in text_of(as_sara.get("/goals/new/goal"))
    # An empty required answer is still kept as typed, and no error is shown for it yet.
    later = answer(as_sara, "different", "Jeg kommer ud", go="later")
    assert later.status_code == 303 and later.headers["Location"] == "/plan"
    assert "Dine svar er gemt." in text_of(as_sara.get("/plan"))
    # Another device: the same words.
    other = app.test_client()
    sign_in_as(other, demo["sara"])
    assert "Jeg vil gå en tur" in text_of(other.get("/goals/new/goal"))
    assert "Jeg kommer ud" in text_of(other.get("/goals/new/different"))


def test_a_message_is_kept_until_it_is_sent(app, as_sara, demo) -> None:
    fields = {"subject": "Buskort", "text": "Jeg har mistet mit buskort."}
    assert post_form(as_sara, "/messages/new", {**fields, "go": "keep"}).status_code == 204
    later = post_form(as_sara, "/messages/new", {**fields, "go": "later"})
    assert later.status_code == 303 and later.headers["Location"] == "/messages"
    other = app.test_client()
    sign_in_as(other, demo["sara"])
    page = text_of(other.get("/messages/new"))
    assert "Buskort" in page and "Jeg har mistet mit buskort." in page
    assert post_form(other, "/messages/new", {**fields, "go": "send"}).status_code == 303
    assert "Jeg har mistet mit buskort." not in text_of(as_sara.get("/messages/new"))


def test_the_caseworker_reads_each_answer_beside_its_question(app, as_sara, demo) -> None:
    sara_sends_a_message_and_a_goal(app, as_sara)
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    page = text_of(jonas.get(f"/caseworker/citizens/{patient_id(demo)}"))
    assert "Hvad er anderledes, når du er nået dertil?" in page
    assert "Hvem kan hjælpe dig?" in page
    for code in ("different:", "first-sign:", "helpers:"):
        assert code not in page


def test_a_relative_reads_the_plan_as_someone_elses(app, demo) -> None:
    from tests.delegation_helpers import delegate
    from tests.integration.test_delegation import saras_goal

    _, peter = delegate(app, demo["sara"], "Peter Jensen", {"read"})
    client = app.test_client()
    sign_in_as(client, peter)
    plan = text_of(client.get("/plan"))
    assert "Planen for Sara Jensen" in plan and "Målene for Sara Jensen" in plan
    assert "Det venter på Sara Jensen" in plan and "Det næste møde for Sara Jensen" in plan
    assert "Sagsbehandleren for Sara Jensen" in plan and "Den hjælp, Sara Jensen får" in plan
    for own_words in (
        "Min plan",
        "Mine mål",
        "Med dine egne ord",
        "din sagsbehandler det",
        "Min sagsbehandler",
        "Den hjælp, du får",
    ):
        assert own_words not in plan
    goal = text_of(client.get(f"/plan/goals/{saras_goal(app, demo).id}"))
    assert "Målet for Sara Jensen" in goal and "Tilbage til planen for Sara Jensen" in goal
    assert "Sådan siger Sara Jensen det" in goal and "Den hjælp, Sara Jensen får" in goal
    assert "Dit mål" not in goal and "Dine tegn" not in goal
    # Sara's own page still speaks to her.
    sara = app.test_client()
    sign_in_as(sara, demo["sara"])
    own = text_of(sara.get("/plan"))
    assert "Min plan" in own and "Mine mål" in own and "Det venter på dig" in own


def test_a_relative_whose_access_ended_is_told_so_plainly(app, demo) -> None:
    from datetime import date, timedelta

    from sqlalchemy import update

    from citizen_app import db
    from citizen_app.models import Delegation, utcnow
    from tests.delegation_helpers import delegate
    from tests.integration.test_delegation import saras_goal

    revoked, peter = delegate(app, demo["sara"], "Peter Jensen", {"read"})
    goal_url = f"/plan/goals/{saras_goal(app, demo).id}"
    client = app.test_client()
    sign_in_as(client, peter)
    assert client.get("/plan").status_code == 200
    with app.app_context():
        db.session().execute(
            update(Delegation)
            .where(Delegation.id == revoked.id)
            .values(revoked_at=utcnow(), revoked_by=demo["sara"].id)
        )
        db.session().commit()
    for url in ("/plan", goal_url, "/messages"):
        response = client.get(url)
        page = text_of(response)
        assert response.status_code == 404  # like every refusal
        assert "Sara Jensen har lukket for din adgang" in page, page
        assert "Siden findes ikke" not in page
    # Past its end date: the date it ended.
    expired, anna = delegate(app, demo["sara"], "Anna Jensen", {"read"})
    ended = date.today() - timedelta(days=2)
    with app.app_context():
        db.session().execute(
            update(Delegation).where(Delegation.id == expired.id).values(ends_on=ended)
        )
        db.session().commit()
    other = app.test_client()
    sign_in_as(other, anna)
    page = text_of(other.get("/plan"))
    assert "Din adgang til at hjælpe Sara Jensen sluttede" in page, page
