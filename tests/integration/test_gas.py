"""Goal Attainment Scaling end to end: Sara writes the levels of a goal in her own words (one question per page,
kept as a draft), rates it; her brother rates it on her behalf (visibly, with a receipt); the caseworker adds
professional wording (If-Match, a 412 shown with both versions) and rates it two levels apart; the goal is on
the next meeting's agenda for both, with the reason; `$everything` carries the levels and the three voices."""

from __future__ import annotations

import re
from html import unescape

import pytest

from citizen_app import db
from citizen_app.forms.common import CONTROL_CHARACTERS
from citizen_app.models import DelegatedActReceipt
from citizen_app.services.plan_reading import read_plan
from tests import blns
from tests.conftest import sign_in_as
from tests.delegation_helpers import delegate
from tests.helpers import api, csrf_token, post_form, search_at_api
from tests.integration.test_citizen_journeys import deliver

EXT_GAS = "http://hl7.org/fhir/us/pco/StructureDefinition/pco-goal-attainment-scaling"
LEVELS = {
    "less": "Jeg handler kun, når Peter kører mig.",
    "expected": "Jeg handler selv ind to gange om ugen.",
    "better": "Jeg laver også mad til Peter.",
    "much-better": "",
    "much-less": "Jeg går slet ikke ud.",
}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


@pytest.fixture
def goal_id(app, demo) -> str:
    with app.app_context():
        plan = read_plan(db.session(), demo["sara"].fhir_ref).plan
    # The rhythm goal: in the plan, and with no levels in the demo data.
    return next(g.id for g in plan.goals if "rytme" in g.citizen_wording.text)


def write_levels(client, goal_id: str, levels: dict[str, str] = LEVELS) -> None:
    first = client.get(f"/plan/goals/{goal_id}/levels")
    assert first.status_code == 303 and first.location.endswith(
        f"/plan/goals/{goal_id}/levels/less"
    )
    for code, text in levels.items():
        response = post_form(
            client, f"/plan/goals/{goal_id}/levels/{code}", {"answer": text, "go": "next"}
        )
        assert response.status_code == 303, text_of(response)
    check = client.get(f"/plan/goals/{goal_id}/levels/check")
    assert check.status_code == 200
    assert post_form(client, f"/plan/goals/{goal_id}/levels/check", {}).status_code == 303


def rate(client, goal_id: str, level: str, note: str = "") -> object:
    return post_form(client, f"/plan/goals/{goal_id}/rate", {"level": level, "note": note})


def staff_page(demo, goal_id: str) -> str:
    return f"/caseworker/citizens/{demo['sara'].fhir_ref.split('/')[1]}/goals/{goal_id}/levels"


def test_levels_one_question_per_page_kept_as_a_draft_then_saved_on_the_goal(
    app, as_sara, demo, goal_id, plan_service
) -> None:
    page = text_of(as_sara.get(f"/plan/goals/{goal_id}"))
    assert "Målet har ingen niveauer endnu" in page
    first = as_sara.get(f"/plan/goals/{goal_id}/levels/less")
    assert "Spørgsmål 1 af 5" in text_of(first)
    # "Save and come back later": the words wait in the draft, on any device.
    later = post_form(
        as_sara, f"/plan/goals/{goal_id}/levels/less", {"answer": LEVELS["less"], "go": "later"}
    )
    assert later.status_code == 303
    assert LEVELS["less"] in text_of(as_sara.get(f"/plan/goals/{goal_id}/levels/less"))
    # The second question ("what reached looks like") may not be empty.
    blank = post_form(
        as_sara, f"/plan/goals/{goal_id}/levels/expected", {"answer": "   ", "go": "next"}
    )
    assert blank.status_code == 400
    # The check page sends the person back to what is missing.
    assert as_sara.get(f"/plan/goals/{goal_id}/levels/check").location.endswith("/levels/expected")
    write_levels(as_sara, goal_id)
    deliver(app)
    goal = api.get(f"{plan_service.fhir_url}/Goal/{goal_id}").json()
    own = {
        next(p["valueCoding"]["code"] for p in e["extension"] if p["url"] == "level"): next(
            p["valueString"] for p in e["extension"] if p["url"] == "text"
        )
        for e in goal["extension"]
        if e["url"] == EXT_GAS
    }
    assert own == {
        "LA34483-0": LEVELS["less"],
        "LA34481-4": LEVELS["expected"],
        "LA34480-6": LEVELS["better"],
        "LA34484-8": LEVELS["much-less"],
    }
    assert goal["target"][-1]["measure"]["coding"][0]["code"] == "107332-9"
    # The professional wording of the goal itself is untouched.
    assert goal["description"]["text"].startswith("Sara fastholder")
    page = text_of(as_sara.get(f"/plan/goals/{goal_id}"))
    assert LEVELS["expected"] in page and "Du skrev det" in page


def test_three_voices_two_levels_apart_put_the_goal_on_the_next_meeting_for_both(
    app, as_sara, demo, goal_id, plan_service
) -> None:
    write_levels(as_sara, goal_id)
    deliver(app)
    assert rate(as_sara, goal_id, "less", "Det går langsomt").status_code == 303
    # Peter, her brother, with a writing scope: his rating is his, and Sara gets a receipt.
    _delegation, peter = delegate(
        app, demo["sara"], "Peter Jensen", {"read", "write"}, relative=demo["peter"]
    )
    brother = app.test_client()
    sign_in_as(brother, peter)
    assert rate(brother, goal_id, "expected").status_code == 303
    with app.app_context():
        assert db.session().query(DelegatedActReceipt).filter_by(purpose="gas-rating").count() == 1
    deliver(app)
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    page = staff_page(demo, goal_id)
    assert "Det går langsomt" in text_of(jonas.get(page))
    response = post_form(
        jonas, page + "/rate", {"level": "better", "note": "Hun kommer godt afsted"}, page=page
    )
    assert response.status_code == 303
    observations = api.get(
        f"{plan_service.fhir_url}/Observation", params={"focus": f"Goal/{goal_id}"}
    ).json()
    codes = sorted(
        e["resource"]["code"]["coding"][0]["code"]
        for e in observations.get("entry", [])
        if e["resource"]["code"]["coding"][0]["system"] == "http://loinc.org"
    )
    assert codes == ["107331-1", "107333-7", "107334-5"]
    # Sara: on the goal page and on the meetings page, with the reason.
    goal_page = text_of(as_sara.get(f"/plan/goals/{goal_id}"))
    assert "Målet er på dagsordenen til næste møde" in goal_page
    assert "to niveauer eller mere fra hinanden" in goal_page
    assert "Dagsorden" in text_of(as_sara.get("/meetings")) or "dagsorden" in text_of(
        as_sara.get("/meetings")
    )
    # The caseworker: on the goal's levels page and on the citizen page's meeting.
    assert "Målet er på dagsordenen til næste møde" in text_of(jonas.get(page))
    citizen_page = text_of(jonas.get(f"/caseworker/citizens/{demo['sara'].fhir_ref.split('/')[1]}"))
    assert "to niveauer eller mere fra hinanden" in citizen_page
    # $everything carries the levels and the three voices.
    everything = api.get(f"{plan_service.fhir_url}/{demo['sara'].fhir_ref}/$everything").json()
    resources = [e["resource"] for e in everything["entry"]]
    goal = next(r for r in resources if r["resourceType"] == "Goal" and r["id"] == goal_id)
    assert sum(1 for e in goal["extension"] if e["url"] == EXT_GAS) == 4
    voices = {
        r["code"]["coding"][0]["code"]
        for r in resources
        if r["resourceType"] == "Observation"
        and r.get("focus") == [{"reference": f"Goal/{goal_id}"}]
        and r["code"]["coding"][0]["system"] == "http://loinc.org"
    }
    assert voices == {"107334-5", "107331-1", "107333-7"}


def test_the_caseworkers_wording_stands_beside_and_a_concurrent_change_is_shown(
    app, as_sara, demo, goal_id, plan_service
) -> None:
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    page = staff_page(demo, goal_id)
    html = jonas.get(page).get_data(as_text=True)
    seen = re.search(r'name="version" value="(\d+)"', html).group(1)
    # Meanwhile Sara's levels arrive: the goal has a new version.
    write_levels(as_sara, goal_id)
    deliver(app)
    token = csrf_token(jonas, page)
    stale = jonas.post(
        page + "/wording",
        data={
            "csrf_token": token,
            "version": seen,
            "expected": "Sara handler selvstændigt ind ugentligt",
        },
    )
    assert stale.status_code == 409
    text = text_of(stale)
    assert "Målet er ændret" in text and LEVELS["expected"] in text
    assert "Sara handler selvstændigt ind ugentligt" in text  # what was typed is kept
    fresh = re.search(r'name="version" value="(\d+)"', stale.get_data(as_text=True)).group(1)
    assert fresh != seen
    saved = jonas.post(
        page + "/wording",
        data={
            "csrf_token": token,
            "version": fresh,
            "expected": "Sara handler selvstændigt ind ugentligt",
        },
    )
    assert saved.status_code == 303
    goal_page = text_of(as_sara.get(f"/plan/goals/{goal_id}"))
    assert (
        "Sara handler selvstændigt ind ugentligt" in goal_page and LEVELS["expected"] in goal_page
    )
    assert "Jonas Holm" in goal_page


def test_who_may_write_and_rate(app, demo, goal_id) -> None:
    # Peter with read only: no levels, no rating.
    _delegation, peter = delegate(
        app, demo["sara"], "Peter Jensen", {"read"}, relative=demo["peter"]
    )
    brother = app.test_client()
    sign_in_as(brother, peter)
    assert brother.get(f"/plan/goals/{goal_id}/levels/less").status_code == 404
    assert brother.get(f"/plan/goals/{goal_id}/rate").status_code == 404
    # Mads, another citizen: Sara's goal is not his.
    mads = app.test_client()
    sign_in_as(mads, demo["mads"])
    assert mads.get(f"/plan/goals/{goal_id}/levels/less").status_code == 404
    # Amina is not Sara's caseworker today.
    amina = app.test_client()
    sign_in_as(amina, demo["amina"])
    assert amina.get(staff_page(demo, goal_id)).status_code in (403, 404)


@pytest.mark.blns
def test_every_hostile_string_in_a_level_and_a_note_round_trips_or_is_refused_kindly(
    app, as_sara, demo, goal_id, plan_service
) -> None:
    write_levels(as_sara, goal_id)
    deliver(app)
    step = f"/plan/goals/{goal_id}/levels/better"
    rate_url = f"/plan/goals/{goal_id}/rate"
    token = csrf_token(as_sara, step)
    strings = [s[:500] for s in blns.strings()]
    level_statuses, note_statuses = [], []
    for text in strings:
        level_statuses.append(
            as_sara.post(step, data={"csrf_token": token, "answer": text, "go": "next"}).status_code
        )
        note_statuses.append(
            as_sara.post(
                rate_url, data={"csrf_token": token, "level": "less", "note": text}
            ).status_code
        )
    assert 500 not in level_statuses and 500 not in note_statuses
    clean = [t for t in strings if not CONTROL_CHARACTERS.search(t)]
    assert [t for t, s in zip(strings, note_statuses, strict=True) if s == 303] == clean
    assert {
        s for t, s in zip(strings, level_statuses, strict=True) if CONTROL_CHARACTERS.search(t)
    } <= {400}
    deliver(app)
    stored = [
        (o.get("note") or [{}])[0].get("text")
        for o in search_at_api(plan_service.fhir_url, "Observation", focus=f"Goal/{goal_id}")
        if o["code"]["coding"][0]["system"] == "http://loinc.org"  # not the demo's progress signs
    ]
    normalised = [t.replace("\r\n", "\n").replace("\r", "\n") for t in clean]
    assert sorted(s for s in stored if s) == sorted(normalised)
    # The last clean string written as a level is saved exactly on the goal.
    assert post_form(as_sara, f"/plan/goals/{goal_id}/levels/check", {}).status_code == 303
    deliver(app)
    page = as_sara.get(f"/plan/goals/{goal_id}")
    assert page.status_code == 200


def test_the_demo_gives_sara_a_goal_with_levels_and_three_voices(
    app, as_sara, demo, plan_service
) -> None:
    everything = api.get(f"{plan_service.fhir_url}/{demo['sara'].fhir_ref}/$everything").json()
    resources = [e["resource"] for e in everything["entry"]]
    (goal,) = [
        r
        for r in resources
        if r["resourceType"] == "Goal" and any(e["url"] == EXT_GAS for e in r.get("extension", []))
    ]
    assert sum(1 for e in goal["extension"] if e["url"] == EXT_GAS) == 5
    voices = {
        r["code"]["coding"][0]["code"]
        for r in resources
        if r["resourceType"] == "Observation"
        and r.get("focus") == [{"reference": f"Goal/{goal['id']}"}]
        and r["code"]["coding"][0]["system"] == "http://loinc.org"
    }
    assert voices == {"107334-5", "107331-1", "107333-7"}
    page = as_sara.get(f"/plan/goals/{goal['id']}").get_data(as_text=True)
    assert 'class="chart"' in page and "Jeg handler selv ind i Netto en gang om ugen." in page
    assert "Peter Jensen, pårørende" in unescape(page)
    assert "dagsorden" not in text_of(as_sara.get(f"/plan/goals/{goal['id']}")).lower()


def test_the_evaluation_page_starts_from_the_three_voices_latest_ratings(app, demo) -> None:
    """#18.4: the caseworker evaluates with each voice's latest rating on the goal's levels beside the
    citizen's preparation (Sara's demo shopping goal: Sara and Jonas "as expected", Peter "less")."""
    with app.app_context():
        plan = read_plan(db.session(), demo["sara"].fhir_ref).plan
    (goal,) = [g for g in plan.goals if plan.scale(g.id) and plan.scale(g.id).ratings]
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    patient = demo["sara"].fhir_ref.split("/", 1)[1]
    page = text_of(jonas.get(f"/caseworker/citizens/{patient}/goals/{goal.id}/evaluation"))
    assert "Niveauer og vurderinger" in page
    assert re.search(r"Borgeren</dt>.{0,120}Som ventet", page)
    assert re.search(r"En pårørende</dt>.{0,120}Mindre end ventet", page)


def test_levels_refused_because_the_goal_changed_meanwhile_go_back_to_sara_and_are_sent_anew(
    app, as_sara, demo, goal_id, plan_service
) -> None:
    """Sara's levels are based on the goal as she saw it; the case system changes the goal before they are
    delivered, so the plan API refuses them (412) and they wait as an undelivered item, words kept. She takes
    them up again: they are back on the check page as she wrote them, and sent on the goal as it is now. Her
    words and the case system's change both stand; the refused item is gone only once its words are sent."""
    write_levels(as_sara, goal_id)  # staged with If-Match on the version she saw
    goal = api.get(f"{plan_service.fhir_url}/Goal/{goal_id}").json()
    goal["note"] = [{"text": "Rettet i fagsystemet"}]
    changed = api.put(
        f"{plan_service.fhir_url}/Goal/{goal_id}",
        json=goal,
        headers={"If-Match": f'W/"{goal["meta"]["versionId"]}"'},
    )
    assert changed.status_code == 200
    deliver(app)
    with app.app_context():
        from citizen_app.models import OutboxMessage, OutboxState

        (dead,) = db.session().query(OutboxMessage).filter_by(purpose="gas-levels").all()
        assert dead.state is OutboxState.DEAD and "412" in (dead.last_error or "")
        receipt = str(dead.message_id)
    plan_page = as_sara.get("/plan").get_data(as_text=True)
    assert "Se dine niveauer igen og send dem" in plan_page
    assert f"/plan/sent/{receipt}/levels-again" in plan_page

    # Peter may only read Sara's plan: the same receipt is refused to him, and nothing moves.
    peter = app.test_client()
    sign_in_as(peter, demo["peter"])
    assert "levels-again" not in peter.get("/plan").get_data(as_text=True)
    assert post_form(peter, f"/plan/sent/{receipt}/levels-again", {}).status_code == 404
    assert LEVELS["less"] not in text_of(as_sara.get(f"/plan/goals/{goal_id}/levels/less"))

    back = post_form(as_sara, f"/plan/sent/{receipt}/levels-again", {})
    assert back.status_code == 303 and back.location.endswith(f"/plan/goals/{goal_id}/levels/check")
    check = text_of(as_sara.get(back.location))
    assert "Målet blev ændret, mens du skrev dem" in check
    for text in (t for t in LEVELS.values() if t):
        assert text in check
    # She changes one level, then presses the button again: her newer words stay.
    newer = "Jeg handler kun med Peter, og kun om lørdagen."
    assert (
        post_form(
            as_sara, f"/plan/goals/{goal_id}/levels/less", {"answer": newer, "go": "next"}
        ).status_code
        == 303
    )
    assert post_form(as_sara, f"/plan/sent/{receipt}/levels-again", {}).status_code == 303
    check = text_of(as_sara.get(back.location))
    assert newer in check and LEVELS["less"] not in check and LEVELS["expected"] in check
    # Until she sends them, the refused item (and its words) stays.
    with app.app_context():
        assert db.session().query(OutboxMessage).filter_by(message_id=dead.message_id).count() == 1
    assert post_form(as_sara, f"/plan/goals/{goal_id}/levels/check", {}).status_code == 303
    deliver(app)
    with app.app_context():
        states = [
            m.state for m in db.session().query(OutboxMessage).filter_by(purpose="gas-levels")
        ]
        assert states == [OutboxState.DELIVERED]
    now = api.get(f"{plan_service.fhir_url}/Goal/{goal_id}").json()
    assert now["note"] == [{"text": "Rettet i fagsystemet"}]
    own = [
        next(p["valueString"] for p in e["extension"] if p["url"] == "text")
        for e in now["extension"]
        if e["url"] == EXT_GAS
    ]
    assert sorted(own) == sorted([newer, *(t for k, t in LEVELS.items() if t and k != "less")])
    assert "Se dine niveauer igen" not in as_sara.get("/plan").get_data(as_text=True)
    # The same receipt taken up again: nothing left to take up.
    assert post_form(as_sara, f"/plan/sent/{receipt}/levels-again", {}).status_code == 404
