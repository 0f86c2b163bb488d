"""Issue #18: two caseworkers evaluate the same goal from the version they both opened, one after the other
and at the same moment. Counted over ROUNDS rounds each: exactly one is told "saved", the other gets the 409
page with both versions and their own unsaved reason; the Goal holds the winner's reason; exactly one
evaluation is written per round (the loser's is never created). A "silent overwrite" is a round that breaks
any of this; there must be none. Real parts as in test_staff_conflicts.py."""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape

from tests.conftest import sign_in_as
from tests.faults.test_staff_conflicts import _both_at_once
from tests.helpers import api, csrf_token, post_form, search_at_api
from tests.integration.test_evaluations import _version

ROUNDS = 5


def test_two_caseworkers_evaluate_the_same_goal_exactly_one_wins(app, demo, plan_service) -> None:
    fhir_url = plan_service.fhir_url
    sara_ref = demo["sara"].fhir_ref
    goal_id = api.get(f"{fhir_url}/Goal", params={"patient": sara_ref}).json()["entry"][0][
        "resource"
    ]["id"]
    url = f"/caseworker/citizens/{sara_ref.split('/', 1)[1]}/goals/{goal_id}/evaluation"
    jonas, amina = app.test_client(), app.test_client()
    sign_in_as(jonas, demo["jonas"])
    sign_in_as(amina, demo["amina"])
    absence = jonas.get("/caseworker/absence").get_data(as_text=True)
    version = absence.split('name="version" value="', 1)[1].split('"', 1)[0]
    away = post_form(
        jonas,
        "/caseworker/absence",
        {
            "start": (date.today() - timedelta(days=1)).isoformat(),
            "end": (date.today() + timedelta(days=5)).isoformat(),
            "substitute": demo["amina"].fhir_ref,
            "version": version,
        },
    )
    assert away.status_code == 303
    clients = {"jonas": jonas, "amina": amina}
    tokens = {who: csrf_token(c, url) for who, c in clients.items()}

    def post(who: str, action: str, seen: str, n: int) -> tuple[int, str]:
        reason = f"{who} runde {n}"
        response = clients[who].post(
            action,
            data={
                "csrf_token": tokens[who],
                "version": seen,
                "decision": "keep-going",
                "reason": reason,
                "next_evaluation": (date.today() + timedelta(days=30)).isoformat(),
            },
        )
        return response.status_code, (
            unescape(response.get_data(as_text=True)) if response.status_code != 303 else reason
        )

    def evaluations() -> int:
        return len(search_at_api(fhir_url, "Observation", focus=f"Goal/{goal_id}"))

    counts = {"wins": 0, "conflicts": 0, "overwrites": 0}
    for n in range(2 * ROUNDS):
        before = evaluations()
        versions = {who: _version(c, url) for who, c in clients.items()}
        if n % 2 == 0:  # the same stale page, saved one after the other
            answers = {who: post(who, url, versions[who], n) for who in ("jonas", "amina")}
        else:  # both at the same moment
            answers = _both_at_once(post, url, versions, n)
        winners = [text for status, text in answers.values() if status == 303]
        stored = api.get(f"{fhir_url}/Goal/{goal_id}").json().get("statusReason")
        counts["wins"] += len(winners)
        for who, (status, text) in answers.items():
            if status == 409:
                counts["conflicts"] += 1
                assert 'id="evaluation-conflict"' in text
                assert f"{who} runde {n}" in text  # their own words, kept
        if len(winners) != 1 or stored != winners[0] or evaluations() != before + 1:
            counts["overwrites"] += 1
    print(f"evaluations, {2 * ROUNDS} rounds: {counts}")
    assert counts == {"wins": 2 * ROUNDS, "conflicts": 2 * ROUNDS, "overwrites": 0}
