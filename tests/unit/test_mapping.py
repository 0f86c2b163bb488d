"""FHIR bundle → domain objects: who wrote which words, signs per goal, the caseworker and the substitute."""

from __future__ import annotations

from datetime import UTC, date, datetime

from citizen_app.plan_api import fhir, goals, observations
from citizen_app.plan_api.mapping import initials, plan_from_bundle

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _bundle(*resources: dict) -> dict:
    return {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}


PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"given": ["Sara"], "family": "Jensen"}]}
PETER = {"resourceType": "RelatedPerson", "id": "r1", "name": [{"text": "Peter Jensen"}]}
JONAS = {
    "resourceType": "Practitioner",
    "id": "pr1",
    "name": [{"given": ["Jonas"], "family": "Holm"}],
}
AMINA = {
    "resourceType": "Practitioner",
    "id": "pr2",
    "name": [{"given": ["Amina"], "family": "Haddad"}],
}


def _goal(gid: str, status: str = "active", **extra: object) -> dict:
    return {
        "resourceType": "Goal",
        "id": gid,
        "meta": {"versionId": "3"},
        "lifecycleStatus": status,
        "description": {"text": "professional"},
        "subject": {"reference": "Patient/p1"},
        **extra,
    }


def _role(rid: str, practitioner: str, **extra: object) -> dict:
    return {
        "resourceType": "PractitionerRole",
        "id": rid,
        "practitioner": {"reference": f"Practitioner/{practitioner}"},
        "organization": {"display": "Team Nord"},
        "telecom": [{"system": "phone", "value": f"phone-{rid}"}],
        **extra,
    }


def _team(role: str) -> dict:
    return {
        "resourceType": "CareTeam",
        "id": "t1",
        "status": "active",
        "participant": [
            {
                "role": [{"coding": [{"system": fhir.CS_CARE_ROLE, "code": "fixed-caseworker"}]}],
                "member": {"reference": f"PractitionerRole/{role}"},
            }
        ],
    }


def test_both_wordings_keep_their_authors_and_the_newest_citizen_wording_wins() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    t1 = datetime(2026, 2, 1, tzinfo=UTC)
    goal = _goal(
        "g1",
        expressedBy={"reference": "Patient/p1"},
        extension=[
            goals.wording_extension("citizen", "old own words", "Patient/p1", t0),
            goals.wording_extension("professional", "staff words", "Practitioner/pr1", t0),
            goals.wording_extension("citizen", "Peter's words for Sara", "RelatedPerson/r1", t1),
        ],
    )
    plan = plan_from_bundle(_bundle(PATIENT, PETER, JONAS, goal), "Patient/p1", NOW)
    (mapped,) = plan.goals
    assert mapped.citizen_wording.text == "Peter's words for Sara"
    assert mapped.citizen_wording.author.role == "relative"
    assert mapped.citizen_wording.author.name == "Peter Jensen"
    assert mapped.professional_wording.text == "staff words"
    assert mapped.professional_wording.author.name == "Jonas Holm"
    assert mapped.expressed_by.role == "citizen"
    assert mapped.version == "3"


def test_a_goal_without_our_extension_shows_its_description_as_staff_wording() -> None:
    plan = plan_from_bundle(_bundle(PATIENT, _goal("g1")), "Patient/p1", NOW)
    assert plan.goals[0].citizen_wording is None
    assert plan.goals[0].professional_wording.text == "professional"


def test_signs_attach_to_their_goal_in_date_order_and_bad_ones_are_skipped() -> None:
    def obs(oid: str, goal: str, value: str, when: str) -> dict:
        return observations.progress_sign(
            patient_ref="Patient/p1",
            goal_ref=f"Goal/{goal}",
            value=value,
            when=date.fromisoformat(when),
            note=None,
            performer_ref="Patient/p1",
        ) | {"id": oid}

    broken = obs("o9", "g1", "same", "2026-01-01")
    broken["valueCodeableConcept"]["coding"][0]["code"] = "not-on-the-scale"
    bundle = _bundle(
        PATIENT,
        _goal("g1"),
        _goal("g2"),
        obs("o1", "g1", "much-closer", "2026-03-01"),
        obs("o2", "g1", "same", "2026-01-01"),
        obs("o3", "g2", "reached", "2026-02-01"),
        broken,
    )
    plan = plan_from_bundle(bundle, "Patient/p1", NOW)
    g1, g2 = plan.goals
    assert [s.value for s in g1.signs] == ["same", "much-closer"]
    assert g1.latest_sign.value == "much-closer"
    assert [s.id for s in g2.signs] == ["o3"]


def test_goals_follow_the_plan_order_then_the_ones_on_their_way() -> None:
    careplan = {
        "resourceType": "CarePlan",
        "id": "cp",
        "status": "active",
        "goal": [{"reference": "Goal/b"}, {"reference": "Goal/a"}],
    }
    bundle = _bundle(PATIENT, careplan, _goal("a"), _goal("b"), _goal("c", "proposed"))
    plan = plan_from_bundle(bundle, "Patient/p1", NOW)
    assert [g.id for g in plan.goals] == ["b", "a", "c"]
    assert [g.in_plan for g in plan.goals] == [True, True, False]


def test_substitute_is_named_only_during_an_absence() -> None:
    absent = _role(
        "jr",
        "pr1",
        notAvailable=[
            {"description": "ferie", "during": {"start": "2026-11-20", "end": "2026-11-30"}}
        ],
        extension=[
            {"url": fhir.EXT_SUBSTITUTE, "valueReference": {"reference": "PractitionerRole/ar"}}
        ],
    )
    bundle = _bundle(PATIENT, JONAS, AMINA, absent, _role("ar", "pr2"), _team("jr"))
    during = plan_from_bundle(bundle, "Patient/p1", NOW).caseworker
    assert during.name == "Jonas Holm" and during.initials == "JH"
    assert during.absent_until == date(2026, 11, 30)
    assert during.substitute.name == "Amina Haddad"
    assert during.substitute.phone == "phone-ar"

    after = plan_from_bundle(bundle, "Patient/p1", datetime(2026, 12, 1, tzinfo=UTC)).caseworker
    assert after.absent_until is None and after.substitute is None


def test_agreements_and_services_with_a_contained_provider() -> None:
    careplan = {
        "resourceType": "CarePlan",
        "id": "cp",
        "status": "active",
        "contained": [
            {
                "resourceType": "Organization",
                "id": "prov",
                "name": "Bostøtten",
                "telecom": [{"system": "phone", "value": "12 34"}],
            }
        ],
        "extension": [{"url": fhir.EXT_NEXT_FOLLOW_UP, "valueDate": "2027-01-05"}],
        "activity": [
            {
                "detail": {
                    "code": {"coding": [{"system": fhir.CS_ACTIVITY_KIND, "code": "service"}]},
                    "description": "Støtte",
                    "performer": [{"reference": "#prov"}],
                    "scheduledPeriod": {"start": "2026-06-01"},
                }
            },
            {
                "detail": {
                    "code": {"coding": [{"system": fhir.CS_ACTIVITY_KIND, "code": "agreement"}]},
                    "description": "Madplan",
                    "performer": [{"display": "Sara"}],
                    "scheduledPeriod": {"end": "2026-12-01"},
                }
            },
            {"detail": {"description": "unknown kind is skipped"}},
        ],
    }
    plan = plan_from_bundle(_bundle(PATIENT, careplan), "Patient/p1", NOW)
    (service,) = plan.services
    (agreement,) = plan.agreements
    assert (service.performer, service.contact, service.starts) == (
        "Bostøtten",
        "12 34",
        date(2026, 6, 1),
    )
    assert (agreement.performer, agreement.due) == ("Sara", date(2026, 12, 1))
    assert plan.next_follow_up == date(2027, 1, 5)
    assert plan.citizen_name == "Sara Jensen"


def test_initials() -> None:
    assert initials("Jonas Holm") == "JH"
    assert initials("Ærø Øster Ålborg Fourth") == "ÆØÅ"
    assert initials("") == ""
