"""Issue #18: the reference service stores and checks a goal's evaluation and decision (docs/plan-api.md,
"Evaluation and decision"): the next evaluation date and the achievement on the Goal, and the evaluation
Observation (the goal it is about, one decision, a reason, the next date unless the goal ends)."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from citizen_app.plan_api import evaluations

FHIR_JSON = {"Content-Type": "application/fhir+json"}


def _evaluation(patient, goal, **changes):
    resource = evaluations.evaluation(
        patient_ref=f"Patient/{patient['id']}",
        goal_id=goal["id"],
        decision=changes.pop("decision", "sustaining"),
        reason="Du har nået målet. Nu holder du fast i det.",
        citizen_view="Det går godt.",
        caseworker_view="Enig.",
        next_evaluation=changes.pop("next_evaluation", date(2027, 3, 1)),
        was_due=date(2026, 12, 1),
        held=date(2026, 11, 30),
        performer_ref="Practitioner/p1",
    )
    resource["identifier"] = [{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:" + "1" * 32}]
    return resource


def _post(client, resource):
    return client.post("/fhir/Observation", json=resource, headers=FHIR_JSON)


def _issues(response) -> str:
    return " ".join(i["diagnostics"] for i in response.json["issue"])


def test_the_decision_and_next_date_are_stored_and_in_everything(client, fhir):
    patient = fhir.patient()
    goal = fhir.goal(patient, status="active")
    after = evaluations.goal_after(
        goal,
        decision="sustaining",
        reason="Du har nået målet.",
        next_evaluation=date(2027, 3, 1),
        held=date(2026, 11, 30),
        new_wording=None,
        author_ref="Practitioner/p1",
    )
    stored_goal = fhir.update(after)
    assert stored_goal["achievementStatus"]["coding"][0]["code"] == "sustaining"
    assert evaluations.next_evaluation_of(stored_goal) == date(2027, 3, 1)
    assert stored_goal["statusDate"] == "2026-11-30"
    response = _post(client, _evaluation(patient, goal))
    assert response.status_code == 201, response.json
    bundle = client.get(f"/fhir/Patient/{patient['id']}/$everything").json
    found = evaluations.from_resources(
        [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Goal"],
        [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"],
    )[goal["id"]]
    assert found.next_evaluation == date(2027, 3, 1)
    assert found.latest.decision == "sustaining"
    assert found.latest.on_time
    # The version before the decision is still there: nothing is overwritten.
    assert client.get(f"/fhir/Goal/{goal['id']}/_history/1").json == goal


def test_an_ended_goal_needs_no_next_date(client, fhir):
    patient = fhir.patient()
    goal = fhir.goal(patient, status="active")
    response = _post(client, _evaluation(patient, goal, decision="ended", next_evaluation=None))
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r.pop("focus"), "focus must name a Goal"),
        (lambda r: r["valueCodeableConcept"]["coding"][0].update(code="maybe"), "one decision"),
        (lambda r: r["component"].pop(2), "needs a reason"),  # citizen, caseworker, reason, …
        (lambda r: r["component"].pop(3), "next evaluation date"),
        (lambda r: r["component"][3].update(valueDateTime="2027-02-30"), "next-evaluation needs"),
        (lambda r: r["component"][2].update(valueString="   "), "needs a reason"),
    ],
)
def test_a_malformed_evaluation_is_refused_with_what_is_wrong(client, fhir, change, expected):
    patient = fhir.patient()
    goal = fhir.goal(patient, status="active")
    resource = _evaluation(patient, goal)
    change(resource)
    response = _post(client, resource)
    assert response.status_code == 400
    assert expected in _issues(response)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda g: g["extension"].append(copy.deepcopy(g["extension"][0])), "may appear once"),
        (lambda g: g["extension"][0].update(valueDate="soon"), "needs a valueDate"),
        (
            lambda g: g.update(
                achievementStatus={
                    "coding": [{"system": evaluations.fhir.CS_GOAL_ACHIEVEMENT, "code": "done"}]
                }
            ),
            "not a goal-achievement code",
        ),
        (lambda g: g.update(statusDate="yesterday"), "statusDate must be a date"),
    ],
)
def test_a_malformed_goal_decision_is_refused(client, fhir, change, expected):
    goal = fhir.goal(fhir.patient(), status="active")
    changed = evaluations.with_next_evaluation(goal, date(2027, 1, 1))
    change(changed)
    response = client.put(
        f"/fhir/Goal/{goal['id']}", json=changed, headers={**FHIR_JSON, "If-Match": 'W/"1"'}
    )
    assert response.status_code == 400
    assert expected in _issues(response)
    assert client.get(f"/fhir/Goal/{goal['id']}").json == goal
