"""A caseworker's grants (who they work for now) are remembered between requests, and asked of the plan API
again whenever they can have changed: a CareTeam or PractitionerRole written or deleted straight in the case
system (the change feed shows it), the day, or an absence of a colleague who named them as substitute
beginning or ending. After every change the pages let each caseworker see exactly the citizens that asking
the plan API on that request gives (services/caseload.py `coverage`), and nobody is let in when the plan API
cannot be reached."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from citizen_app.services.caseload import coverage
from tests.conftest import sign_in_as
from tests.helpers import api, search_at_api


def _citizen_page(client, patient_ref: str) -> int:  # type: ignore[no-untyped-def]
    return client.get(f"/caseworker/citizens/{patient_ref.split('/')[1]}").status_code


def _care_team(plan_service, patient_ref: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    (team,) = search_at_api(plan_service.fhir_url, "CareTeam", patient=patient_ref)
    return team


def _put(plan_service, resource: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    url = f"{plan_service.fhir_url}/{resource['resourceType']}/{resource['id']}"
    version = resource["meta"]["versionId"]
    api.put(url, json=resource, headers={"If-Match": f'W/"{version}"'}).raise_for_status()


def _role(plan_service, role_ref: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = api.get(f"{plan_service.fhir_url}/{role_ref}")
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def _absence(
    plan_service,  # type: ignore[no-untyped-def]
    role_ref: str,
    start: datetime | None,
    end: datetime | None,
    substitute_ref: str | None,
) -> None:
    """The absence and the substitute, written in the case system (not through the portal)."""
    from citizen_app.plan_api import fhir

    role = _role(plan_service, role_ref)
    role["notAvailable"] = (
        [{"description": "fravær", "during": {"start": start.isoformat(), "end": end.isoformat()}}]
        if start and end
        else []
    )
    role["extension"] = [
        e for e in role.get("extension", []) if e.get("url") != fhir.EXT_SUBSTITUTE
    ]
    if substitute_ref:
        role["extension"].append(
            {"url": fhir.EXT_SUBSTITUTE, "valueReference": {"reference": substitute_ref}}
        )
    _put(plan_service, role)


def _hand_over(plan_service, patient_ref: str, to_ref: str) -> None:  # type: ignore[no-untyped-def]
    """Today the fixed caseworker of this citizen becomes `to_ref`: the old period ends yesterday."""
    team = _care_team(plan_service, patient_ref)
    today = date.today()
    for participant in team["participant"]:
        roles = [c.get("code") for r in participant.get("role", []) for c in r.get("coding", [])]
        if "fixed-caseworker" in roles and not (participant.get("period") or {}).get("end"):
            participant["period"] = {
                **(participant.get("period") or {}),
                "end": (today - timedelta(days=1)).isoformat(),
            }
            team["participant"].append(
                {
                    "role": participant["role"],
                    "member": {"reference": to_ref},
                    "period": {"start": today.isoformat()},
                }
            )
            break
    _put(plan_service, team)


def test_a_repeat_caseload_view_asks_only_the_change_feed(app, demo) -> None:
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    assert jonas.get("/caseworker/").status_code == 200
    plan_client = app.extensions["citizen_app.plan_client"]
    sara_page = f"/caseworker/citizens/{demo['sara'].fhir_ref.split('/')[1]}"
    assert jonas.get(sara_page).status_code == 200
    calls = plan_client.calls
    assert jonas.get("/caseworker/").status_code == 200
    # The feed, and nothing for the grants (before: the feed and three searches).
    assert plan_client.calls - calls == 1
    calls = plan_client.calls
    assert jonas.get(sara_page).status_code == 200
    assert plan_client.calls - calls == 2  # the feed and Sara's plan (a conditional read)


def test_after_each_change_in_the_case_system_the_pages_grant_what_the_plan_api_says(
    app, demo, plan_service
) -> None:
    clients = {}
    for name in ("jonas", "amina"):
        clients[name] = app.test_client()
        sign_in_as(clients[name], demo[name])
    citizens = [demo["sara"].fhir_ref, demo["mads"].fhir_ref]
    jonas_ref, amina_ref = demo["jonas"].fhir_ref, demo["amina"].fhir_ref
    now = datetime.now(UTC)
    changes = [
        ("nothing changed", lambda: None),
        (
            "Jonas away, Amina his substitute",
            lambda: _absence(
                plan_service, jonas_ref, now - timedelta(days=1), now + timedelta(days=5), amina_ref
            ),
        ),
        ("Jonas back", lambda: _absence(plan_service, jonas_ref, None, None, None)),
        (
            "Jonas away again, nobody named",
            lambda: _absence(
                plan_service, jonas_ref, now - timedelta(days=1), now + timedelta(days=5), None
            ),
        ),
        (
            "Amina named afterwards",
            lambda: _absence(
                plan_service, jonas_ref, now - timedelta(days=1), now + timedelta(days=5), amina_ref
            ),
        ),
        ("Jonas back for good", lambda: _absence(plan_service, jonas_ref, None, None, None)),
        (
            "Sara handed over to Amina today",
            lambda: _hand_over(plan_service, citizens[0], amina_ref),
        ),
        (
            "Sara's CareTeam ended",
            lambda: _put(
                plan_service, {**_care_team(plan_service, citizens[0]), "status": "inactive"}
            ),
        ),
        (
            "Mads's CareTeam entered in error",
            lambda: _put(
                plan_service,
                {**_care_team(plan_service, citizens[1]), "status": "entered-in-error"},
            ),
        ),
    ]
    client = plan_service.plan_client()
    compared = 0
    for label, change in changes:
        change()
        for name, role_ref in (("jonas", jonas_ref), ("amina", amina_ref)):
            granted = {g.citizen_ref for g in coverage(client, role_ref).grants}
            for citizen in citizens:
                status = _citizen_page(clients[name], citizen)
                assert status == (200 if citizen in granted else 404), (
                    label,
                    name,
                    citizen,
                    status,
                )
                compared += 1
    assert compared == len(changes) * 2 * 2


def test_an_absence_that_begins_later_grants_the_substitute_when_it_begins(
    app, demo, plan_service
) -> None:
    """No write happens when the absence begins: the grants remembered must end by themselves."""
    amina = app.test_client()
    sign_in_as(amina, demo["amina"])
    sara = demo["sara"].fhir_ref
    begins = datetime.now(UTC) + timedelta(seconds=3)
    _absence(
        plan_service,
        demo["jonas"].fhir_ref,
        begins,
        begins + timedelta(days=2),
        demo["amina"].fhir_ref,
    )
    assert _citizen_page(amina, sara) == 404  # not yet: remembered from here on
    assert _citizen_page(amina, sara) == 404
    time.sleep(max(0.0, (begins - datetime.now(UTC)).total_seconds()) + 0.3)
    assert _citizen_page(amina, sara) == 200


def test_grants_remembered_are_not_used_when_the_plan_api_cannot_be_reached(
    app, demo, plan_service
) -> None:
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    sara = demo["sara"].fhir_ref
    assert _citizen_page(jonas, sara) == 200
    assert _citizen_page(jonas, sara) == 200  # remembered
    plan_service.stop()
    try:
        assert _citizen_page(jonas, sara) != 200
        assert "Sara Jensen" not in jonas.get("/caseworker/").get_data(as_text=True)
    finally:
        plan_service.start()
    assert _citizen_page(jonas, sara) == 200
