"""Any Unicode round-trips exactly through create, read and search."""

from __future__ import annotations

import json

from sqlalchemy import select

from plan_service.models import ResourceRow, ResourceVersionRow
from tests import blns

SD = "https://borgerensplan.dk/fhir/StructureDefinition/"

EXTRA = [
    "\x00",
    "før\x00efter",
    "\u200b\u200c\u200d\ufeff",  # zero-width characters and a BOM
    "\u202eRTL override\u202c",
    "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd \u0645\u0631\u062d\u0628\u0627",  # RTL
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466\U0001f3f3\ufe0f\u200d\U0001f308",
    "Z\u0324\u0354\u0367\u0311a\u0308\u0356\u032dl\u036e\u0312g\u030c\u0317o\u0319\u0314",
    "\U0010ffff\U0001d11e",
    "'; DROP TABLE plan_resource; --",
    "\\u0000 is not a NUL",
    "æøå ÆØÅ " * 5_000,
]


def _strings() -> list[str]:
    return [*blns.every(), *EXTRA]


def _goal(patient: dict, text: str) -> dict:
    wording = {
        "url": SD + "goal-wording",
        "extension": [
            {"url": "kind", "valueCode": "citizen"},
            {"url": "text", "valueString": text},
            {"url": "author", "valueReference": {"reference": f"Patient/{patient['id']}"}},
        ],
    }
    return {
        "resourceType": "Goal",
        "lifecycleStatus": "proposed",
        "description": {"text": text},
        "subject": {"reference": f"Patient/{patient['id']}"},
        "extension": [wording],
    }


def _texts(goal: dict) -> tuple[str, str]:
    return goal["description"]["text"], goal["extension"][0]["extension"][1]["valueString"]


def test_every_string_round_trips_through_create_read_and_search(app, client, fhir):
    strings = _strings()
    patient = fhir.patient()
    created_ids = []
    for text in strings:
        response = client.post("/fhir/Goal", json=_goal(patient, text))
        assert response.status_code == 201, repr(text)[:80]
        assert _texts(json.loads(response.data)) == (text, text)
        created_ids.append(response.json["id"])

    for text, goal_id in zip(strings, created_ids, strict=True):
        read = json.loads(client.get(f"/fhir/Goal/{goal_id}").data)
        assert _texts(read) == (text, text), repr(text)[:80]

    found = client.get(f"/fhir/Goal?patient={patient['id']}&_count=500").json["entry"]
    found += client.get(f"/fhir/Goal?patient={patient['id']}&_offset=500").json["entry"]
    assert [_texts(e["resource"])[0] for e in found] == strings

    with app.extensions["plan_service"].session() as session:
        stored = session.scalars(select(ResourceRow.content)).all()
        history = session.scalars(select(ResourceVersionRow.content)).all()
    assert all(content.isascii() for content in [*stored, *history])


def test_all_strings_in_one_goal(client, fhir):
    strings = _strings()
    patient = fhir.patient()
    goal = _goal(patient, "mange formuleringer")
    goal["extension"] = [{"url": SD + "note", "valueString": text} for text in strings]
    created = fhir.create(goal)
    read = json.loads(client.get(f"/fhir/Goal/{created['id']}").data)
    assert [e["valueString"] for e in read["extension"]] == strings
    updated = fhir.update({**read, "lifecycleStatus": "accepted"})
    assert [e["valueString"] for e in updated["extension"]] == strings


def test_escaped_surrogate_pairs_decode_to_the_character(client, fhir):
    patient = fhir.patient()
    raw = (
        '{"resourceType":"Goal","lifecycleStatus":"proposed",'
        '"subject":{"reference":"Patient/' + patient["id"] + '"},'
        '"description":{"text":"\\ud83d\\ude00 \\u00e6"}}'
    )
    response = client.post("/fhir/Goal", data=raw, content_type="application/fhir+json")
    assert response.status_code == 201
    assert response.json["description"]["text"] == "😀 æ"
    assert "😀 æ".encode() in response.data
