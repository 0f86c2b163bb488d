"""demo-data is idempotent and complete; /healthz says what is wrong without personal data."""

from __future__ import annotations

from citizen_app import db
from citizen_app.demo_data import load
from citizen_app.services.plan_reading import plan_client, read_plan
from tests.helpers import count_at_api


def test_demo_data_twice_makes_nothing_twice(app, plan_service) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    for name in ("sara", "mads", "emil", "peter", "line", "jonas", "amina"):
        assert name in first.output
    counts = {
        t: count_at_api(plan_service.fhir_url, t)
        for t in ("Patient", "Goal", "Observation", "CarePlan")
    }
    again = runner.invoke(args=["demo-data"])
    assert again.exit_code == 0
    assert {t: count_at_api(plan_service.fhir_url, t) for t in counts} == counts
    assert counts["Patient"] == 3


def test_saras_demo_plan_is_realistic(app, demo) -> None:
    with app.app_context():
        plan = read_plan(db.session(), demo["sara"].fhir_ref).plan
    assert len(plan.goals) == 3
    assert all(g.citizen_wording and g.professional_wording for g in plan.goals)
    assert {g.achievement for g in plan.goals} >= {"improving", "sustaining"}
    assert len(plan.agreements) == 2 and len(plan.services) == 2
    assert all(s.performer and s.contact for s in plan.services)
    assert plan.next_follow_up is not None
    assert plan.caseworker.name == "Jonas Holm"
    # Peter is Sara's brother; Line is Emil's mother.
    assert demo["peter"].kind.value == "relative" and demo["line"].kind.value == "relative"


def test_healthz_ok(client, demo) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "plan_api": "ok",
            "outbox": {"pending": 0, "dead": 0, "status": "ok"},
        },
    }


def test_healthz_503_when_the_plan_api_is_down(client, plan_service) -> None:
    plan_service.stop()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["plan_api"] == "unavailable"


def test_healthz_503_on_a_large_backlog(make_app, demo) -> None:
    app = make_app(OUTBOX_BACKLOG_UNHEALTHY=1)
    from citizen_app.outbox import enqueue

    with app.app_context():
        enqueue(
            db.session(),
            plan_key=demo["sara"].fhir_ref,
            purpose="progress-sign",
            resource={"resourceType": "Observation"},
            account_id=None,
        )
        db.session().commit()
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["outbox"] == {"pending": 1, "dead": 0, "status": "backlog"}


def test_load_returns_a_line_per_person(app) -> None:
    with app.app_context():
        lines = load(db.session(), plan_client(), secret_key="k")
    assert len(lines) == 7
