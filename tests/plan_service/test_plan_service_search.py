"""Search: parameters per type, _lastUpdated, paging, sorting, and strict errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from plan_service import store

CS = "https://borgerensplan.dk/fhir/CodeSystem/"


@pytest.fixture
def clock(monkeypatch):
    """Writes happen at the times a test sets, so _lastUpdated results are exact."""

    class Clock:
        now = datetime(2026, 1, 1, tzinfo=UTC)

    monkeypatch.setattr(store, "utcnow", lambda: Clock.now)
    return Clock


def test_patient_matches_subject_and_patient_in_every_form(fhir):
    patient, other = fhir.patient(), fhir.patient()
    goal = fhir.goal(patient)
    relative = fhir.related_person(patient)
    fhir.goal(other)
    fhir.related_person(other)
    pid = patient["id"]
    for value in (f"Patient/{pid}", pid, f"http://localhost/fhir/Patient/{pid}"):
        assert fhir.search_ids(f"Goal?patient={quote(value, safe='/')}") == [goal["id"]]
        assert fhir.search_ids(f"RelatedPerson?patient={value}") == [relative["id"]]


def test_patient_only_indexes_references_to_patients(fhir):
    patient = fhir.patient()
    group_goal = {**fhir.goal(patient), "subject": {"reference": f"Group/{patient['id']}"}}
    fhir.update(group_goal)
    assert fhir.search_ids(f"Goal?patient={patient['id']}") == []


def test_token_values_are_ored_and_parameters_anded(fhir):
    patient, other = fhir.patient(), fhir.patient()
    proposed = fhir.goal(patient, status="proposed")
    accepted = fhir.goal(patient, status="accepted")
    fhir.goal(patient, status="active")
    fhir.goal(other, status="proposed")
    query = f"Goal?patient=Patient/{patient['id']}&lifecycle-status=proposed,accepted"
    assert fhir.search_ids(query) == [proposed["id"], accepted["id"]]
    both = "Goal?lifecycle-status=proposed&lifecycle-status=accepted"
    assert fhir.search_ids(both) == []


def test_status_on_care_plan_care_team_and_communication(fhir):
    patient = fhir.patient()
    active = fhir.care_plan(patient)
    fhir.care_plan(patient, status="draft")
    assert fhir.search_ids("CarePlan?status=active") == [active["id"]]
    team = fhir.care_team(patient, fhir.role(fhir.practitioner()))
    assert fhir.search_ids("CareTeam?status=active") == [team["id"]]
    assert fhir.search_ids("CareTeam?status=inactive") == []
    message = fhir.communication(patient, patient, fhir.role(fhir.practitioner()))
    assert fhir.search_ids("Communication?status=completed") == [message["id"]]


def test_identifier_forms(fhir):
    with_system = fhir.create(
        {"resourceType": "Patient", "identifier": [{"system": "urn:a", "value": "7"}]}
    )
    without_system = fhir.create({"resourceType": "Patient", "identifier": [{"value": "7"}]})
    assert fhir.search_ids("Patient?identifier=urn:a|7") == [with_system["id"]]
    assert fhir.search_ids("Patient?identifier=7") == [with_system["id"], without_system["id"]]
    assert fhir.search_ids("Patient?identifier=|7") == [without_system["id"]]
    assert fhir.search_ids("Patient?identifier=urn:a|") == [with_system["id"]]
    assert fhir.search_ids("Patient?identifier=urn:b|7") == []


def test_escaped_comma_and_bar_are_part_of_the_value(fhir):
    odd = fhir.create(
        {"resourceType": "Patient", "identifier": [{"system": "urn:a", "value": "x,y|z"}]}
    )
    escaped = quote(r"urn:a|x\,y\|z")
    assert fhir.search_ids(f"Patient?identifier={escaped}") == [odd["id"]]


def test_observation_by_code_focus_and_patient(fhir):
    patient = fhir.patient()
    goal, other_goal = fhir.goal(patient), fhir.goal(patient)
    sign = fhir.observation(patient, goal)
    fhir.observation(patient, other_goal)
    assert fhir.search_ids(f"Observation?focus=Goal/{goal['id']}") == [sign["id"]]
    assert fhir.search_ids(f"Observation?focus={goal['id']}") == [sign["id"]]
    kind = f"{CS}observation-kind|progress-sign"
    assert len(fhir.search_ids(f"Observation?code={quote(kind)}")) == 2
    assert len(fhir.search_ids("Observation?code=progress-sign")) == 2
    assert fhir.search_ids("Observation?code=urn:other|progress-sign") == []
    assert len(fhir.search_ids(f"Observation?patient={patient['id']}")) == 2


def test_practitioner_role_and_care_team_participant(fhir):
    caseworker, substitute = fhir.practitioner("Jensen"), fhir.practitioner("Hansen")
    role = fhir.role(caseworker)
    fhir.role(substitute)
    assert fhir.search_ids(f"PractitionerRole?practitioner=Practitioner/{caseworker['id']}") == [
        role["id"]
    ]
    team = fhir.care_team(fhir.patient(), role)
    assert fhir.search_ids(f"CareTeam?participant=PractitionerRole/{role['id']}") == [team["id"]]
    assert fhir.search_ids(f"CareTeam?participant={role['id']}") == [team["id"]]
    assert fhir.search_ids(f"CareTeam?participant=Practitioner/{role['id']}") == []


def test_communication_sender_recipient_and_part_of(fhir):
    patient = fhir.patient()
    role = fhir.role(fhir.practitioner())
    first = fhir.communication(patient, patient, role)
    reply = fhir.communication(patient, role, patient, part_of=first)
    assert fhir.search_ids(f"Communication?sender=Patient/{patient['id']}") == [first["id"]]
    assert fhir.search_ids(f"Communication?recipient=Patient/{patient['id']}") == [reply["id"]]
    assert fhir.search_ids(f"Communication?recipient={role['id']}") == [first["id"]]
    assert fhir.search_ids(f"Communication?part-of=Communication/{first['id']}") == [reply["id"]]


def test_id_with_several_values(fhir):
    first, _, third = fhir.patient(), fhir.patient(), fhir.patient()
    assert fhir.search_ids(f"Patient?_id={first['id']},{third['id']}") == [first["id"], third["id"]]
    assert fhir.search_ids(f"Goal?_id={first['id']}") == []


def test_last_updated_prefixes_and_ranges(fhir, clock):
    ids = []
    for day in (1, 15, 31):
        clock.now = datetime(2026, 1, day, 12, 30, 15, 250000, tzinfo=UTC)
        ids.append(fhir.patient()["id"])
    clock.now = datetime(2026, 2, 1, tzinfo=UTC)
    ids.append(fhir.patient()["id"])
    jan1, jan15, jan31, feb1 = ids

    def found(query: str) -> list[str]:
        return fhir.search_ids(f"Patient?{query}")

    assert found("_lastUpdated=ge2026-01-01&_lastUpdated=lt2026-02-01") == [jan1, jan15, jan31]
    assert found("_lastUpdated=2026-01") == [jan1, jan15, jan31]
    assert found("_lastUpdated=eq2026-01-15") == [jan15]
    assert found("_lastUpdated=gt2026-01-15") == [jan31, feb1]
    assert found("_lastUpdated=le2026-01-15") == [jan1, jan15]
    assert found("_lastUpdated=lt2026-01-15") == [jan1]
    assert found("_lastUpdated=2026") == ids
    assert found("_lastUpdated=2025") == []
    assert found("_lastUpdated=eq2026-01-15T12:30Z") == [jan15]
    assert found("_lastUpdated=eq2026-01-15T12:30:15Z") == [jan15]
    assert found("_lastUpdated=eq2026-01-15T12:30:15.25Z") == [jan15]
    assert found("_lastUpdated=eq2026-01-15T12:30:15.3Z") == []
    assert found(f"_lastUpdated={quote('ge2026-01-31T13:30:00+01:00')}") == [jan31, feb1]
    # An unencoded "+" arrives as a space and still means a positive offset.
    assert found("_lastUpdated=gt2026-01-31T13:30:15+01:00") == [feb1]
    assert found("_lastUpdated=lt2026-01-02,ge2026-02-01") == [jan1, feb1]


def test_paging_follows_next_links_to_every_match(client, fhir, clock):
    created = []
    for minute in range(7):
        clock.now = datetime(2026, 3, 1, 9, minute, tzinfo=UTC)
        created.append(fhir.patient()["id"])
    seen, url, pages = [], "/fhir/Patient?_count=3", 0
    while url:
        bundle = client.get(url).json
        pages += 1
        assert bundle["total"] == 7
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        links = {link["relation"]: link["url"] for link in bundle["link"]}
        assert links["self"].startswith("http://localhost/fhir/Patient?")
        url = links.get("next", "").removeprefix("http://localhost")
    assert pages == 3
    assert seen == created

    middle = fhir.search("Patient?_count=3&_offset=3")
    links = {link["relation"]: link["url"] for link in middle["link"]}
    assert links["previous"].endswith("_count=3&_offset=0")
    assert links["next"].endswith("_count=3&_offset=6")


def test_entries_carry_full_urls(fhir):
    patient = fhir.patient()
    (entry,) = fhir.search("Patient")["entry"]
    assert entry["fullUrl"] == f"http://localhost/fhir/Patient/{patient['id']}"
    assert entry["resource"] == patient
    assert entry["search"] == {"mode": "match"}


def test_sort_newest_first(fhir, clock):
    created = []
    for second in range(3):
        clock.now = datetime(2026, 3, 1, 9, 0, second, tzinfo=UTC)
        created.append(fhir.patient()["id"])
    assert fhir.search_ids("Patient?_sort=-_lastUpdated") == created[::-1]
    assert fhir.search_ids("Patient?_sort=_lastUpdated") == created
    bundle = fhir.search("Patient?_sort=-_lastUpdated&_count=1")
    next_url = next(link["url"] for link in bundle["link"] if link["relation"] == "next")
    assert "_sort=-_lastUpdated" in next_url


def test_same_instant_is_ordered_by_id(fhir, clock):
    ids = sorted(fhir.patient()["id"] for _ in range(4))
    assert fhir.search_ids("Patient") == ids
    assert fhir.search_ids("Patient?_sort=-_lastUpdated") == ids[::-1]


def test_count_zero_gives_only_the_total_and_count_is_capped(fhir, clock):
    for _ in range(3):
        clock.now += timedelta(seconds=1)
        fhir.patient()
    empty = fhir.search("Patient?_count=0")
    assert empty["total"] == 3
    assert empty["entry"] == []
    capped = fhir.search("Patient?_count=100000")
    assert len(capped["entry"]) == 3
    assert "_count=500" in capped["link"][0]["url"]
    assert fhir.search("Patient?_offset=10")["entry"] == []


def test_default_page_size_is_50(fhir, app):
    with app.extensions["plan_service"].session() as session:
        for _ in range(51):
            store.create(session, {"resourceType": "Patient"})
    bundle = fhir.search("Patient")
    assert bundle["total"] == 51
    assert len(bundle["entry"]) == 50


def test_search_only_returns_the_requested_type(fhir):
    patient = fhir.patient()
    fhir.goal(patient)
    assert fhir.search_ids("Patient") == [patient["id"]]


@pytest.mark.parametrize(
    "query",
    [
        "Goal?name=x",
        "Goal?status=active",
        "Goal?patient:missing=true",
        "Goal?_id:exact=1",
        "Goal?_include=Goal:subject",
        "Goal?_count=-1",
        "Goal?_count=ten",
        "Goal?_count=1&_count=2",
        "Goal?_offset=-5",
        "Goal?_offset=" + "9" * 30,
        "Goal?_sort=status",
        "Goal?_lastUpdated=2026-13-01",
        "Goal?_lastUpdated=ne2026-01-01",
        "Goal?_lastUpdated=2026-01-01T10:00:00",
        "Goal?_lastUpdated=yesterday",
        "Goal?lifecycle-status=",
        "Goal?lifecycle-status=a,,b",
        "Goal?identifier=a|b|c",
        "Goal?patient=Patient/",
        "Goal?patient=not%20an%20id",
        "Patient?lifecycle-status=active",
    ],
)
def test_invalid_searches_are_400(client, query):
    response = client.get(f"/fhir/{query}")
    assert response.status_code == 400, query
    assert response.mimetype == "application/fhir+json"
    assert response.json["issue"][0]["severity"] == "error"


def test_search_on_unknown_type_is_404(client):
    response = client.get("/fhir/Medication?code=x")
    assert response.status_code == 404
    assert response.json["resourceType"] == "OperationOutcome"
