"""Goal Attainment Scaling in the reference plan service (plan_service/gas.py, docs/plan-api.md): the PCO
guide's levels on a Goal and the GAS score Observations are stored, and malformed ones are refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.plan_service.conftest import FHIR_JSON, SD, Fhir, ref

LOINC = "http://loinc.org"
EXT_GAS = "http://hl7.org/fhir/us/pco/StructureDefinition/pco-goal-attainment-scaling"
LEVELS = {
    "LA34484-8": "Jeg går slet ikke ud.",
    "LA34483-0": "Jeg handler ind, når min søster kører mig.",
    "LA34481-4": "Jeg handler selv ind to gange om ugen.",
    "LA34480-6": "Jeg handler selv ind og laver mad til min søster.",
    "LA34479-8": "Jeg handler ind for min nabo også.",
}


def level(code: str, text: str, url: str = EXT_GAS, **extra: Any) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        {"url": "level", "valueCoding": {"system": LOINC, "code": code}},
        {"url": "text", "valueString": text},
    ]
    parts += [{"url": k, **v} for k, v in extra.items()]
    return {"url": url, "extension": parts}


def score(patient: dict, goal_ref: str, value: str = "LA34481-4", code: str = "107334-5") -> dict:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": ref(patient),
        "focus": [{"reference": goal_ref}],
        "performer": [ref(patient)],
        "effectiveDateTime": "2026-12-01T10:00:00+00:00",
        "valueCodeableConcept": {"coding": [{"system": LOINC, "code": value}]},
    }


def post(client, resource: dict) -> Any:
    return client.post(
        f"/fhir/{resource['resourceType']}", json=resource, headers={"Content-Type": FHIR_JSON}
    )


@pytest.fixture
def goal_with_levels(fhir: Fhir) -> tuple[dict, dict]:
    patient = fhir.patient()
    goal = fhir.goal(patient)
    goal["extension"] = [level(code, text) for code, text in LEVELS.items()]
    goal["extension"].append(
        level(
            "LA34481-4",
            "Handler selv ind to gange ugentligt",
            url=SD + "gas-level-professional",
            author={"valueReference": {"reference": "PractitionerRole/x"}},
        )
    )
    return patient, fhir.update(goal)


def test_levels_are_stored_and_come_back_in_everything(fhir: Fhir, goal_with_levels) -> None:
    patient, goal = goal_with_levels
    texts = [
        next(p["valueString"] for p in e["extension"] if p["url"] == "text")
        for e in goal["extension"]
        if e["url"] == EXT_GAS
    ]
    assert texts == list(LEVELS.values())
    created = fhir.create(score(patient, f"Goal/{goal['id']}"))
    everything = fhir.search(f"Patient/{patient['id']}/$everything")
    ids = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in everything["entry"]}
    assert ("Goal", goal["id"]) in ids and ("Observation", created["id"]) in ids


@pytest.mark.parametrize(
    "broken",
    [
        lambda e: e["extension"].__setitem__(
            0, {"url": "level", "valueCoding": {"system": LOINC, "code": "LA0-0"}}
        ),
        lambda e: e["extension"].__setitem__(
            0,
            {
                "url": "level",
                "valueCoding": {"system": "http://snomed.info/sct", "code": "LA34481-4"},
            },
        ),
        lambda e: e["extension"].pop(0),
        lambda e: e["extension"].pop(1),
        lambda e: e["extension"].__setitem__(1, {"url": "text", "valueString": "   "}),
        lambda e: e["extension"].__setitem__(1, {"url": "text", "valueInteger": 3}),
        lambda e: e["extension"].append(
            {"url": "level", "valueCoding": {"system": LOINC, "code": "LA34480-6"}}
        ),
    ],
    ids=[
        "unknown-code",
        "other-system",
        "no-level",
        "no-text",
        "blank-text",
        "text-not-string",
        "two-levels",
    ],
)
def test_a_malformed_level_is_refused(fhir: Fhir, goal_with_levels, broken) -> None:
    _patient, goal = goal_with_levels
    changed = copy.deepcopy(goal)
    broken(changed["extension"][0])
    response = fhir.client.put(
        f"/fhir/Goal/{goal['id']}",
        json=changed,
        headers={"If-Match": f'W/"{goal["meta"]["versionId"]}"', "Content-Type": FHIR_JSON},
    )
    assert response.status_code == 400, response.json
    assert response.json["resourceType"] == "OperationOutcome"
    assert "Goal.extension[0]" in response.json["issue"][0]["expression"][0]


def test_the_same_level_twice_is_refused(fhir: Fhir) -> None:
    patient = fhir.patient()
    goal = fhir.goal(patient)
    goal["extension"] = [level("LA34481-4", "a"), level("LA34481-4", "b")]
    response = fhir.client.put(
        f"/fhir/Goal/{goal['id']}",
        json=goal,
        headers={"If-Match": f'W/"{goal["meta"]["versionId"]}"', "Content-Type": FHIR_JSON},
    )
    assert response.status_code == 400
    assert response.json["issue"][0]["code"] == "business-rule"


def test_a_professional_level_is_checked_too(fhir: Fhir) -> None:
    patient = fhir.patient()
    goal = fhir.goal(patient)
    goal["extension"] = [level("LA99999-9", "x", url=SD + "gas-level-professional")]
    response = fhir.client.put(
        f"/fhir/Goal/{goal['id']}",
        json=goal,
        headers={"If-Match": f'W/"{goal["meta"]["versionId"]}"', "Content-Type": FHIR_JSON},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("code", ["107334-5", "107331-1", "107333-7", "107332-9"])
def test_each_voice_is_stored(fhir: Fhir, goal_with_levels, code: str) -> None:
    patient, goal = goal_with_levels
    stored = fhir.create(score(patient, f"Goal/{goal['id']}", "LA34484-8", code))
    assert stored["focus"] == [{"reference": f"Goal/{goal['id']}"}]


def test_a_score_outside_the_value_set_is_refused(fhir: Fhir, goal_with_levels) -> None:
    patient, goal = goal_with_levels
    for value in ("LA6111-4", "", "expected"):
        response = post(fhir.client, score(patient, f"Goal/{goal['id']}", value))
        assert response.status_code == 400, value
        assert response.json["issue"][0]["expression"] == ["Observation.valueCodeableConcept"]


def test_a_score_about_another_patients_goal_is_refused(fhir: Fhir, goal_with_levels) -> None:
    _patient, goal = goal_with_levels
    other = fhir.patient()
    response = post(fhir.client, score(other, f"Goal/{goal['id']}"))
    assert response.status_code == 400
    assert response.json["issue"][0]["expression"] == ["Observation.focus"]


@pytest.mark.parametrize(
    "focus",
    [
        None,
        [],
        [{"reference": "Goal/unknown"}],
        [{"reference": "CarePlan/x"}],
        "Goal/x",
        [{"display": "x"}],
    ],
)
def test_a_score_whose_focus_is_not_a_goal_is_refused(fhir: Fhir, goal_with_levels, focus) -> None:
    patient, goal = goal_with_levels
    resource = score(patient, f"Goal/{goal['id']}")
    if focus is None:
        del resource["focus"]
    else:
        resource["focus"] = focus
    response = post(fhir.client, resource)
    assert response.status_code == 400
    assert "Observation.focus" in response.json["issue"][-1]["expression"]


def test_a_score_needs_a_time(fhir: Fhir, goal_with_levels) -> None:
    patient, goal = goal_with_levels
    resource = score(patient, f"Goal/{goal['id']}")
    del resource["effectiveDateTime"]
    assert post(fhir.client, resource).status_code == 400


def test_a_progress_sign_is_not_a_gas_score(fhir: Fhir) -> None:
    patient = fhir.patient()
    goal = fhir.goal(patient)
    assert fhir.observation(patient, goal)["resourceType"] == "Observation"
