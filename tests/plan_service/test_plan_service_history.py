"""`_history`: the change feed a reader with its own copy follows (`_since`, oldest first, paged)."""

from __future__ import annotations

from urllib.parse import quote

import pytest


def _feed(client, query: str) -> dict:
    response = client.get(f"/fhir/_history?{query}")
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/fhir+json"
    assert response.json["type"] == "history"
    return response.json


def test_every_version_since_an_instant_oldest_first_and_paged_with_next_links(client, fhir):
    before = _feed(client, "_count=1")["meta"]["lastUpdated"]
    patient = fhir.patient()
    role = fhir.role(fhir.practitioner())
    team = fhir.care_team(patient, role)
    changed = fhir.update({**team, "note": [{"text": "hand-over planned"}]})
    feed = _feed(client, f"_since={quote(before)}&_sort=_lastUpdated&_count=2")
    assert feed["total"] == 5  # patient, practitioner, role, team v1, team v2
    seen = [(e["resource"]["resourceType"], e["response"]["etag"]) for e in feed["entry"]]
    following = [link["url"] for link in feed["link"] if link["relation"] == "next"]
    while following:
        page = client.get(following[0].replace("http://localhost", "")).json
        seen += [(e["resource"]["resourceType"], e["response"]["etag"]) for e in page["entry"]]
        following = [link["url"] for link in page["link"] if link["relation"] == "next"]
    assert seen == [
        ("Patient", 'W/"1"'),
        ("Practitioner", 'W/"1"'),
        ("PractitionerRole", 'W/"1"'),
        ("CareTeam", 'W/"1"'),
        ("CareTeam", 'W/"2"'),
    ]
    # The next read of the feed, from this one's time, has only what was written since.
    since = feed["meta"]["lastUpdated"]
    assert _feed(client, f"_since={quote(since)}&_sort=_lastUpdated")["total"] == 0
    fhir.update({**changed, "note": [{"text": "again"}]})
    later = _feed(client, f"_since={quote(since)}&_sort=_lastUpdated")
    assert [e["request"]["method"] for e in later["entry"]] == ["PUT"]
    assert later["entry"][0]["resource"]["note"][0]["text"] == "again"


def test_type_history_and_the_default_order_newest_first(client, fhir):
    first, second = fhir.patient(), fhir.patient()
    fhir.role(fhir.practitioner())
    feed = client.get("/fhir/Patient/_history").json
    assert [e["resource"]["id"] for e in feed["entry"]] == [second["id"], first["id"]]
    assert client.get("/fhir/Medication/_history").status_code == 404


@pytest.mark.parametrize(
    "query", ["_since=yesterday", "_since=2026-01-01T00:00:00", "_count=x", "_sort=id", "name=x"]
)
def test_bad_history_parameters_are_400_outcomes(client, query):
    response = client.get(f"/fhir/_history?{query}")
    assert response.status_code == 400
    assert response.json["resourceType"] == "OperationOutcome"


def test_include_and_revinclude_add_the_referenced_and_referring_resources_once(client, fhir):
    """A caseworker's teams with their roles in one call; a citizen with their care teams in one call."""
    role = fhir.role(fhir.practitioner())
    first, second = fhir.patient(), fhir.patient()
    fhir.care_team(first, role)
    fhir.care_team(second, role)
    member = role["id"]
    bundle = fhir.search(
        f"CareTeam?participant=PractitionerRole/{member}&_include=CareTeam:participant"
    )
    modes = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in bundle["entry"]]
    assert modes == [("CareTeam", "match"), ("CareTeam", "match"), ("PractitionerRole", "include")]
    assert bundle["total"] == 2  # total counts matches only
    rev = fhir.search(f"Patient?_id={first['id']}&_revinclude=CareTeam:patient")
    assert [(e["resource"]["resourceType"], e["search"]["mode"]) for e in rev["entry"]] == [
        ("Patient", "match"),
        ("CareTeam", "include"),
    ]
    assert "_revinclude=CareTeam:patient" in rev["link"][0]["url"]
    statement = client.get("/fhir/metadata").json
    care_team = next(r for r in statement["rest"][0]["resource"] if r["type"] == "CareTeam")
    assert "CareTeam:participant" in care_team["searchInclude"]
    patient = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Patient")
    assert "CareTeam:patient" in patient["searchRevInclude"]


@pytest.mark.parametrize(
    "query",
    [
        "CareTeam?_include=CareTeam:status",
        "CareTeam?_include=Goal:patient",
        "Patient?_revinclude=CareTeam:nothing",
        "Practitioner?_revinclude=Goal:patient",
    ],
)
def test_bad_includes_are_400_outcomes(client, query):
    response = client.get(f"/fhir/{query}")
    assert response.status_code == 400
    assert response.json["resourceType"] == "OperationOutcome"
