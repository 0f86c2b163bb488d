"""The outbox's delivery rate against the reference plan service's raw create rate, on PostgreSQL.

    python bench/outbox.py [--rows 5000] [--stored 50000] [--server postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

In one run, side by side, with fresh PostgreSQL databases for the portal and for the plan service (dropped at
the end) and the plan service in its own process (`python -m plan_service`, threaded Werkzeug) on a real port:

1. raw create: `rows` idempotent creates (POST with If-None-Exist, the portal's own PlanClient, one at a time)
   of the same mix the outbox carries (progress signs, messages, goals over 100 citizens), at 0 stored;
2. drain, 1 worker: `rows` such writes committed to the outbox at once, delivered by one
   `flask --app citizen_app outbox run` process (started before, idle); time from commit to an empty queue;
3. drain, 2 workers: the same with two worker processes;
4. raw create again after the plan service holds `stored` more resources of those types (written in bulk,
   then ANALYZE), enough creates for psycopg to have prepared its statements (it does after 5).

Prints rows/s for each and the ratios the issue sets targets for: drain ≥ 0.8 × raw create; 2 workers ≥ 1.7 ×
one; raw create at `stored` within 20 % of the rate at 0. Every process shares this machine's CPUs (the plan
service, the workers, PostgreSQL and this script), so quote `uptime` with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, insert, make_url, select, text  # noqa: E402

from citizen_app import create_app, db  # noqa: E402
from citizen_app.cli import upgrade_database  # noqa: E402
from citizen_app.models import OutboxMessage, OutboxState  # noqa: E402
from citizen_app.outbox import enqueue  # noqa: E402
from citizen_app.plan_api import PlanClient, fhir  # noqa: E402
from citizen_app.plan_api.client import CLIENT_ID_SYSTEM  # noqa: E402

CITIZENS = 100
PYTHON = sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database(server: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _drop(server: str, url: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _wait_for(url: str) -> None:
    import httpx

    for _ in range(200):
        try:
            httpx.get(url + "/metadata", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"the plan service did not start at {url}")


class Mix:
    """The writes the outbox carries, over CITIZENS citizens, each with a goal to point at."""

    def __init__(self, client: PlanClient) -> None:
        self.citizens: list[tuple[str, str]] = []
        for i in range(CITIZENS):
            patient = client.create(
                {"resourceType": "Patient", "name": [{"text": f"Borger {i}"}]}, uuid.uuid4()
            )
            goal = client.create(
                fhir.proposed_goal(
                    patient_ref=patient.reference,
                    author_ref=patient.reference,
                    own_words=f"Mål {i}",
                    notes={},
                    written=datetime.now(UTC),
                ),
                uuid.uuid4(),
            )
            self.citizens.append((patient.reference, goal.reference))

    def resource(self, i: int) -> tuple[str, str, dict[str, Any]]:
        patient, goal = self.citizens[i % CITIZENS]
        kind = i % 4
        if kind in (0, 1):
            return (
                patient,
                "progress-sign",
                fhir.progress_sign(
                    patient_ref=patient,
                    goal_ref=goal,
                    value="bit-closer",
                    when=date.today(),
                    note=f"Skridt {i}",
                    performer_ref=patient,
                ),
            )
        if kind == 2:
            return (
                patient,
                "message",
                fhir.message(
                    patient_ref=patient,
                    sender_ref=patient,
                    recipient_ref=patient,
                    text=f"Besked {i}",
                    subject=None,
                    sent=datetime.now(UTC),
                ),
            )
        return (
            patient,
            "goal",
            fhir.proposed_goal(
                patient_ref=patient,
                author_ref=patient,
                own_words=f"Et nyt mål {i}",
                notes={"why": "fordi"},
                written=datetime.now(UTC),
            ),
        )


def raw_create(client: PlanClient, mix: Mix, rows: int, offset: int) -> float:
    started = time.perf_counter()
    for i in range(rows):
        _, _, resource = mix.resource(offset + i)
        client.create(resource, uuid.uuid4())
    return rows / (time.perf_counter() - started)


def drain(app: Any, env: dict[str, str], mix: Mix, rows: int, workers: int, offset: int) -> float:
    procs = [
        subprocess.Popen(
            [PYTHON, "-m", "flask", "--app", "citizen_app", "outbox", "run", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        time.sleep(4)  # the workers are up and idle
        with app.app_context():
            session = db.session()
            for i in range(rows):
                plan_key, purpose, resource = mix.resource(offset + i)
                enqueue(
                    session, plan_key=plan_key, purpose=purpose, resource=resource, account_id=None
                )
            session.commit()
            started = time.perf_counter()
            while True:
                pending = session.scalar(
                    select(func.count()).where(OutboxMessage.state == OutboxState.PENDING)
                )
                session.commit()
                if not pending:
                    break
                time.sleep(0.05)
            took = time.perf_counter() - started
            dead = session.scalar(
                select(func.count()).where(OutboxMessage.state == OutboxState.DEAD)
            )
            if dead:
                raise SystemExit(f"{dead} rows were dead-lettered")
            session.close()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
    return rows / took


def fill(plan_url: str, stored: int) -> None:
    """`stored` more Observations with client identifiers, in bulk (what is measured is the lookup)."""
    from plan_service.models import IdentifierRow, ResourceRow

    engine = create_engine(plan_url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch = 5000
    with engine.begin() as conn:
        for first in range(0, stored, batch):
            ids = [str(uuid.uuid4()) for _ in range(min(batch, stored - first))]
            conn.execute(
                insert(ResourceRow),
                [
                    {
                        "resource_type": "Observation",
                        "id": rid,
                        "version_id": 1,
                        "last_updated": start + timedelta(seconds=first + n),
                        "deleted": False,
                        "content": f'{{"resourceType":"Observation","id":"{rid}"}}',
                    }
                    for n, rid in enumerate(ids)
                ],
            )
            conn.execute(
                insert(IdentifierRow),
                [
                    {
                        "resource_type": "Observation",
                        "system": CLIENT_ID_SYSTEM,
                        "value": f"urn:uuid:{rid}",
                        "resource_id": rid,
                    }
                    for rid in ids
                ],
            )
        conn.execute(text("ANALYZE"))
    engine.dispose()


def main() -> int:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--stored", type=int, default=50000)
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "BENCH_DATABASE_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    portal_url = _database(args.server, "bench_portal")
    plan_url = _database(args.server, "bench_plan")
    port = _free_port()
    fhir_url = f"http://127.0.0.1:{port}/fhir"
    service = subprocess.Popen(
        [PYTHON, "-m", "plan_service"],
        cwd=ROOT,
        env={**os.environ, "PLAN_PORT": str(port), "PLAN_SERVICE_DATABASE_URL": plan_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    config = {
        "DATABASE_URL": portal_url,
        "PLAN_API_URL": fhir_url,
        "SECRET_KEY": "bench",
        "ENVIRONMENT": "development",
        "OUTBOX_DISPATCH": "worker",
    }
    env = {
        **os.environ,
        "DATABASE_URL": portal_url,
        "PLAN_API_URL": fhir_url,
        "SECRET_KEY": "bench",
        "PORTAL_ENV": "development",
        "OUTBOX_DISPATCH": "worker",
        "NOTIFY_POLL_SECONDS": "100000",
    }
    try:
        _wait_for(fhir_url)
        app = create_app(config)
        upgrade_database(app)
        client = PlanClient(fhir_url)
        mix = Mix(client)
        rows = args.rows
        raw_0 = raw_create(client, mix, rows, 0)
        one = drain(app, env, mix, rows, 1, rows)
        two = drain(app, env, mix, rows, 2, 2 * rows)
        fill(plan_url, args.stored)
        raw_n = raw_create(client, mix, rows, 3 * rows)
        client.close()
    finally:
        service.terminate()
        service.wait(timeout=10)
        with contextlib.suppress(Exception):
            db.engine(app).dispose()  # type: ignore[possibly-undefined]
        _drop(args.server, portal_url)
        _drop(args.server, plan_url)

    load = os.getloadavg()
    print(
        f"outbox bench on PostgreSQL, {rows} mixed writes, load average {load[0]:.2f} {load[1]:.2f}"
    )
    print(f"  raw create, 0 stored            {raw_0:8.1f} /s")
    print(
        f"  outbox drain, 1 worker          {one:8.1f} /s   {one / raw_0:5.2f} x raw   (target >= 0.8)"
    )
    print(
        f"  outbox drain, 2 workers         {two:8.1f} /s   {two / one:5.2f} x one   (target >= 1.7)"
    )
    print(
        f"  raw create, {args.stored + 3 * rows + 2 * CITIZENS:,} stored "
        f"{raw_n:8.1f} /s   {raw_n / raw_0:5.2f} x at 0 (target 0.8-1.2)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
