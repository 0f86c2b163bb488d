"""How many SQL queries and plan-API calls the plan page costs, for a small plan and a large one.

    python bench/queries.py          (or: make bench)

Builds two citizens in a fresh reference plan service (its own SQLite file, on a real port): one with 3 goals,
one with 100 goals and 2,000 progress signs. Then fetches each plan page three times as the signed-in citizen: a
first visit (the plan is read in full) and a repeat one within PLAN_FEED_SECONDS (the change feed, started
before the first visit, says the plan is unchanged: no plan-API call at all; services/plan_freshness.py).
`--feed-off` (PLAN_FEED_SECONDS=0) gives the repeat visit as a conditional read answered 304 instead. Prints the counts and the
time per request. The counts must be equal for both plans: nothing may grow with the plan. Exits 1
when they are not.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._portal import plan_api_credential  # noqa: E402
from citizen_app import create_app, db  # noqa: E402
from citizen_app.cli import upgrade_database  # noqa: E402
from citizen_app.models import Account, AccountKind  # noqa: E402
from citizen_app.plan_api import PlanClient, fhir, observations  # noqa: E402
from citizen_app.plan_api import goals as goal_json  # noqa: E402
from citizen_app.services.plan_freshness import plan_freshness  # noqa: E402
from plan_service import create_app as create_plan_service  # noqa: E402
from plan_service.server import ThreadedServer  # noqa: E402


def build_plan(client: PlanClient, name: str, goals: int, signs: int) -> str:
    patient = client.create(
        {"resourceType": "Patient", "name": [{"text": name}]}, uuid.uuid4()
    ).reference
    now = datetime.now(UTC)
    goal_refs = []
    for i in range(goals):
        goal = {
            "resourceType": "Goal",
            "lifecycleStatus": "active",
            "description": {"text": f"Faglig formulering {i}"},
            "subject": {"reference": patient},
            "expressedBy": {"reference": patient},
            "extension": [
                goal_json.wording_extension("citizen", f"Mine egne ord {i}", patient, now)
            ],
        }
        goal_refs.append(client.create(goal, uuid.uuid4()).reference)
    for j in range(signs):
        sign = observations.progress_sign(
            patient_ref=patient,
            goal_ref=goal_refs[j % goals],
            value=fhir.PROGRESS_SCALE[j % len(fhir.PROGRESS_SCALE)],
            when=date.today() - timedelta(days=j % 300),
            note=None,
            performer_ref=patient,
        )
        client.create(sign, uuid.uuid4())
    client.create(
        {
            "resourceType": "CarePlan",
            "status": "active",
            "intent": "plan",
            "subject": {"reference": patient},
            "goal": [{"reference": g} for g in goal_refs],
        },
        uuid.uuid4(),
    )
    return patient


def measure(app: Any, account: Account) -> list[tuple[str, int, int, float, int]]:
    queries = 0

    def count(*_args: Any) -> None:
        nonlocal queries
        queries += 1

    engine = db.engine(app)
    event.listen(engine, "before_cursor_execute", count)
    client = app.test_client()
    with client.session_transaction() as session:
        session["account_id"] = str(account.id)
    plan_client: PlanClient = app.extensions["citizen_app.plan_client"]
    # What the plan API answered, to prove the next visit is a conditional read.
    statuses: list[int] = []
    plan_client._http.event_hooks["response"].append(lambda r: statuses.append(r.status_code))
    rows = []
    repeat = [304] if not app.config["PLAN_FEED_SECONDS"] else []
    expected = {"first visit": [200], "repeat visit": repeat}
    for visit, want in expected.items():
        queries, calls_before = 0, plan_client.calls
        statuses.clear()
        started = time.perf_counter()
        response = client.get("/plan")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        if statuses != want:
            raise SystemExit(f"{visit}: the plan API answered {statuses}, expected {want}")
        rows.append((visit, queries, plan_client.calls - calls_before, elapsed, len(response.data)))
    event.remove(engine, "before_cursor_execute", count)
    return rows


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        plan_app = create_plan_service(
            {"PLAN_SERVICE_DATABASE_URL": f"sqlite:///{tmp}/plan.sqlite"}
        )
        credential = plan_api_credential(plan_app, tmp)
        service = ThreadedServer(plan_app, "127.0.0.1", 0)
        service.start()
        app = create_app(
            {
                "ENVIRONMENT": "development",
                "DATABASE_URL": f"sqlite:///{tmp}/portal.sqlite",
                "PLAN_API_URL": service.url + "/fhir",
                **credential,
                "OUTBOX_DISPATCH": "worker",
                # One feed read per visit at most (three visits within a second would share one).
                "PLAN_FEED_SECONDS": 0 if "--feed-off" in sys.argv else 60,
            }
        )
        upgrade_database(app)
        client = app.extensions["citizen_app.plan_client"]
        with app.app_context():
            plan_freshness().current(client)  # the feed read before any plan is
        print("building the plans in the reference plan service ...", flush=True)
        plans = {
            "small (3 goals, 6 signs)": build_plan(client, "Lille", 3, 6),
            "large (100 goals, 2,000 signs)": build_plan(client, "Stor", 100, 2000),
        }
        accounts = {}
        with app.app_context():
            session = db.session()
            for label, patient in plans.items():
                accounts[label] = Account(
                    username=f"bench-{uuid.uuid4().hex[:8]}",
                    kind=AccountKind.CITIZEN,
                    display_name=label,
                    fhir_ref=patient,
                )
                session.add(accounts[label])
            session.commit()
        # Requests run outside any app context, as in a server: each gets its own.
        results = {label: measure(app, account) for label, account in accounts.items()}
        service.stop()

    print(
        f"\n{'plan':<32}{'visit':<13}{'SQL queries':>12}{'plan-API calls':>16}{'ms':>9}{'HTML bytes':>12}"
    )
    for label, rows in results.items():
        for visit, queries, calls, elapsed, size in rows:
            print(f"{label:<32}{visit:<13}{queries:>12}{calls:>16}{elapsed * 1000:>9.1f}{size:>12}")
    small, large = ([(q, c) for _, q, c, _, _ in rows] for rows in results.values())
    equal = small == large
    print(f"\ncounts equal for the small and the large plan: {'yes' if equal else 'NO'}")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
