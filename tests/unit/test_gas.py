"""Goal Attainment Scaling in the plan API module (plan_api/gas.py) and the agenda (services/gas.py): the
levels and the caseworker's wording on a Goal, ratings per voice, and two voices two levels apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from citizen_app.plan_api import fhir, gas, observations
from citizen_app.plan_api import goals as goal_json
from citizen_app.plan_api.mapping import plan_from_bundle
from citizen_app.services.gas import agenda

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"given": ["Sara"], "family": "Jensen"}]}
PETER = {"resourceType": "RelatedPerson", "id": "r1", "name": [{"text": "Peter Jensen"}]}
ROLE = {
    "resourceType": "PractitionerRole",
    "id": "role1",
    "practitioner": {"reference": "Practitioner/pr1"},
}
JONAS = {
    "resourceType": "Practitioner",
    "id": "pr1",
    "name": [{"given": ["Jonas"], "family": "Holm"}],
}
GOAL = {
    "resourceType": "Goal",
    "id": "g1",
    "meta": {"versionId": "4"},
    "lifecycleStatus": "active",
    "description": {"text": "Sara handler selvstændigt"},
    "subject": {"reference": "Patient/p1"},
    "extension": [goal_json.wording_extension("citizen", "Jeg vil handle selv", "Patient/p1", NOW)],
}
LEVELS = {
    "less": "Kun med bostøtten",
    "expected": "Selv, en gang om ugen",
    "much-less": "Slet ikke",
}


def _bundle(*resources: dict) -> dict:
    return {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}


def _rating(rid: str, voice: str, level: str, days_ago: int, by: str) -> dict:
    resource = gas.rating(
        patient_ref="Patient/p1",
        goal_ref="Goal/g1",
        voice=voice,
        level=level,
        note=None,
        performer_ref=by,
        when=NOW - timedelta(days=days_ago),
    )
    return {**resource, "id": rid}


def test_the_levels_go_on_the_goal_as_the_guide_says_and_nothing_else_changes() -> None:
    goal = gas.goal_with_levels(GOAL, {**LEVELS, "better": "   "}, "RelatedPerson/r1", NOW)
    ours = [e for e in goal["extension"] if e["url"] == gas.EXT_GAS]
    assert [e["extension"][0]["valueCoding"]["code"] for e in ours] == [
        "LA34481-4",
        "LA34483-0",
        "LA34484-8",
    ]  # +2 first, as in the guide's example; the blank level is left out
    assert goal["extension"][0]["url"] == fhir.EXT_GOAL_WORDING  # the citizen's wording stays
    assert goal["target"] == [
        {
            "measure": {
                "coding": [{"system": gas.LOINC, "code": "107332-9", "display": gas.REPORTED[1]}]
            }
        }
    ]
    assert (
        GOAL["extension"][0]["url"] == fhir.EXT_GOAL_WORDING and len(GOAL["extension"]) == 1
    )  # a copy
    again = gas.goal_with_levels(goal, {"expected": "Nyt"}, "Patient/p1", NOW)
    assert sum(1 for e in again["extension"] if e["url"] == gas.EXT_GAS) == 1  # replaced, not added
    assert len(again["target"]) == 1


def test_both_voices_are_read_back_with_who_wrote_which() -> None:
    goal = gas.goal_with_levels(GOAL, LEVELS, "RelatedPerson/r1", NOW)
    goal = gas.goal_with_professional(
        goal, {"expected": "Handler ugentligt"}, "PractitionerRole/role1", NOW
    )
    plan = plan_from_bundle(_bundle(PATIENT, PETER, ROLE, JONAS, goal), "Patient/p1", NOW)
    scale = plan.scale("g1")
    assert [t.level for t in scale.own] == ["much-less", "less", "expected"]
    assert scale.own_text("expected").author.name == "Peter Jensen"
    assert scale.own_text("expected").author.role == "relative"
    assert scale.professional_text("expected").text == "Handler ugentligt"
    assert scale.professional_text("expected").author.role == "caseworker"
    # The goal itself is read as before.
    assert plan.goal("g1").citizen_wording.text == "Jeg vil handle selv"


def test_ratings_per_voice_and_two_levels_apart_put_the_goal_on_the_agenda() -> None:
    goal = gas.goal_with_levels(GOAL, LEVELS, "Patient/p1", NOW)
    meeting = {
        "resourceType": "Appointment",
        "id": "a1",
        "status": "booked",
        "start": (NOW + timedelta(days=10)).isoformat(),
        "participant": [{"actor": {"reference": "Patient/p1"}}],
    }
    ratings = [
        _rating("o1", "citizen", "less", 3, "Patient/p1"),
        _rating("o2", "relative", "expected", 2, "RelatedPerson/r1"),
        _rating("o3", "caseworker", "expected", 5, "PractitionerRole/role1"),
    ]
    plan = plan_from_bundle(
        _bundle(PATIENT, PETER, ROLE, JONAS, goal, meeting, *ratings), "Patient/p1", NOW
    )
    scale = plan.scale("g1")
    assert [r.voice for r in scale.latest_by_voice] == ["citizen", "relative", "caseworker"]
    assert scale.apart is None  # one level apart at most
    assert agenda(plan, NOW).items == ()
    later = _rating("o4", "caseworker", "better", 1, "PractitionerRole/role1")
    plan = plan_from_bundle(
        _bundle(PATIENT, PETER, ROLE, JONAS, goal, meeting, *ratings, later), "Patient/p1", NOW
    )
    found = agenda(plan, NOW)
    assert found.meeting.id == "a1"
    (item,) = found.items
    assert (item.apart.low.voice, item.apart.high.voice, item.apart.levels) == (
        "citizen",
        "caseworker",
        2,
    )
    assert found.about("g1") is item


def test_what_the_portal_cannot_read_is_left_out() -> None:
    broken = {**_rating("o1", "citizen", "less", 1, "Patient/p1")}
    broken["valueCodeableConcept"] = {"coding": [{"system": gas.LOINC, "code": "LA0-0"}]}
    no_focus = {**_rating("o2", "citizen", "less", 1, "Patient/p1"), "focus": []}
    progress = {
        **observations.progress_sign(
            patient_ref="Patient/p1",
            goal_ref="Goal/g1",
            value="same",
            when=NOW.date(),
            note=None,
            performer_ref="Patient/p1",
        ),
        "id": "o3",
    }
    plan = plan_from_bundle(_bundle(PATIENT, GOAL, broken, no_focus, progress), "Patient/p1", NOW)
    assert plan.scale("g1") is None
    assert len(plan.goal("g1").signs) == 1


@pytest.mark.parametrize(("voice", "level"), [("friend", "less"), ("citizen", "middle")])
def test_a_rating_outside_the_scale_is_not_built(voice: str, level: str) -> None:
    with pytest.raises(ValueError):
        gas.rating(
            patient_ref="Patient/p1",
            goal_ref="Goal/g1",
            voice=voice,
            level=level,
            note=None,
            performer_ref="Patient/p1",
            when=NOW,
        )
