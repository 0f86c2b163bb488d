"""The caseworker side at municipal scale: plan-API calls, SQL queries and ms per view, for units of 5 to 1,000.

    .venv/bin/python bench/caseworker_scale.py                 (units of 5, 50, 200 and 1,000)
    .venv/bin/python bench/caseworker_scale.py --sizes 5,200   (the scaling check's two sizes)
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/caseworker_scale.py   (the portal on PostgreSQL)

One reference plan service (its own SQLite file, on a real port) and one portal database. The unit grows
in place: `demo_data.load_unit(N)` is idempotent, so going from 5 to 50 adds 45 citizens through the plan API.
At each size Jonas (the first 100 citizens are his) opens his caseload, the page of one of his citizens and
the team page: two visits to let the read model catch up with the change feed (and with what the first
visit wrote), then REPEAT visits measured.
Prints, per view and size, plan-API calls and SQL queries per visit and the median ms, and the ratios
against the smallest unit. Targets (issue #13): calls and queries equal for every size; ms at the largest
≤ 2 × ms at the smallest. Exits 1 when calls or queries differ.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from citizen_app import create_app, db  # noqa: E402
from citizen_app.cli import upgrade_database  # noqa: E402
from citizen_app.demo_data import load, load_unit  # noqa: E402
from citizen_app.models import Account, utcnow  # noqa: E402
from citizen_app.plan_api import PlanClient  # noqa: E402
from plan_service import create_app as create_plan_service  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from _portal import plan_api_credential  # noqa: E402

from plan_service.server import ThreadedServer  # noqa: E402

REPEAT = 20


def _signed_in(app: Any, account: Account) -> Any:
    client = app.test_client()
    with client.session_transaction() as session:
        session["account_id"] = str(account.id)
        session["authenticated_at"] = utcnow().isoformat()
    return client


def measure(app: Any, client: Any, url: str) -> tuple[int, int, float]:
    """(calls, queries, median ms) over REPEAT visits after two warm-ups; calls and queries must not vary."""
    plan_client: PlanClient = app.extensions["citizen_app.plan_client"]
    engine = db.engine(app)
    queries = 0

    def count(*_args: Any) -> None:
        nonlocal queries
        queries += 1

    # Two visits first: the first may write (the citizen page marks the citizen's messages as read by staff)
    # and the read model catches up with the feed; the second catches up with that write.
    for _ in range(2):
        assert client.get(url).status_code == 200, url
    event.listen(engine, "before_cursor_execute", count)
    seen, times = set(), []
    try:
        for _ in range(REPEAT):
            queries, calls = 0, plan_client.calls
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            seen.add((plan_client.calls - calls, queries))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    if len(seen) != 1:
        print(f"  note: {url} varied between visits: {sorted(seen)}")
    calls, counted = max(seen)
    return calls, counted, statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,50,200,1000")
    parser.add_argument(
        "--plan-db",
        help="keep the plan service's SQLite file here; a unit already built in it is not built again",
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    results: dict[int, dict[str, tuple[int, int, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        plan_app = create_plan_service(
            {"PLAN_SERVICE_DATABASE_URL": f"sqlite:///{args.plan_db or tmp + '/plan.sqlite'}"}
        )
        # The plan API answers registered clients only (SMART Backend Services): the portal's key first.
        credential = plan_api_credential(plan_app, tmp)
        service = ThreadedServer(plan_app, "127.0.0.1", 0)
        service.start()
        app = create_app(
            {
                **credential,
                "ENVIRONMENT": "development",
                "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/portal.sqlite",
                "PLAN_API_URL": service.url + "/fhir",
                "OUTBOX_DISPATCH": "worker",
                # The plan page's change feed (services/plan_freshness.py) is read at most once a
                # PLAN_FEED_SECONDS per process, not per view: a long one keeps it out of the visits
                # measured here, so each visit's count is the same (with 1 s, one visit in a second's worth
                # has one call more). The grants' feed read is on every caseworker request regardless.
                "PLAN_FEED_SECONDS": 600,
            }
        )
        upgrade_database(app)
        with app.app_context():
            plan_client = app.extensions["citizen_app.plan_client"]
            load(db.session(), plan_client, secret_key=app.config["SECRET_KEY"])
            jonas = db.session().scalar(select(Account).where(Account.username == "jonas"))
        client = _signed_in(app, jonas)
        for size in sizes:
            started = time.monotonic()

            def teams_from(offset: int) -> bool:
                client_ = app.extensions["citizen_app.plan_client"]
                return bool(client_.search("CareTeam", {"_count": "1", "_offset": str(offset)}))

            if teams_from(size + 3):
                print(f"{args.plan_db} holds a unit bigger than {size}: use a fresh file")
                return 2
            built = teams_from(size + 2)  # Sara's, Mads's and Emil's teams, then the unit's
            if built:  # Sara, Mads and Emil's teams plus `size` more are there already
                print(f"unit of {size}: already in {args.plan_db}", flush=True)
            else:
                with app.app_context():
                    counts = load_unit(app.extensions["citizen_app.plan_client"], size)
                print(
                    f"unit of {counts['citizens']}: built through the plan API in "
                    f"{time.monotonic() - started:.0f} s ({counts['caseworkers']} caseworkers)",
                    flush=True,
                )
            first = client.get("/caseworker/").get_data(as_text=True)
            patient_id = first.split("/caseworker/citizens/", 1)[1].split('"', 1)[0]
            results[size] = {
                "caseload": measure(app, client, "/caseworker/"),
                "citizen page": measure(app, client, f"/caseworker/citizens/{patient_id}"),
                "team page": measure(app, client, "/caseworker/team"),
            }
        service.stop()
    small, large = sizes[0], sizes[-1]
    print()
    print(f"{'view':<14}" + "".join(f"{f'unit {s}':>22}" for s in sizes) + f"{'ms ratio':>10}")
    print(f"{'':<14}" + "".join(f"{'calls/queries/ms':>22}" for _ in sizes))
    equal = True
    for view in ("caseload", "citizen page", "team page"):
        cells = []
        for size in sizes:
            calls, queries, ms = results[size][view]
            cells.append(f"{calls:>8} {queries:>5} {ms:>7.0f}")
        ratio = results[large][view][2] / results[small][view][2]
        print(f"{view:<14}" + "".join(f"{c:>22}" for c in cells) + f"{ratio:>10.2f}")
        if len({results[s][view][:2] for s in sizes}) != 1:
            equal = False
    print()
    print(
        f"calls and queries equal for every size: {'yes' if equal else 'NO'}; "
        f"ms ratio = ms at {large} / ms at {small} (target ≤ 2)"
    )
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
