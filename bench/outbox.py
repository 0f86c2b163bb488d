"""The outbox's delivery rate against the reference plan service's raw create rate, on PostgreSQL.

    python bench/outbox.py [--rows 5000] [--chunk 250] [--stored 50000] [--server postgresql+psycopg://…/postgres]

Everything side by side in one run, on fresh PostgreSQL databases (dropped at the end):
- three reference plan services, each in its own process (`python -m plan_service`) on a real port: A starts
  empty, B is given `stored` resources (written in bulk, then ANALYZE) before anything is measured, C starts
  empty and takes the outbox's deliveries (so A and B get exactly the same writes);
- two portal databases: one drained by one `flask --app citizen_app outbox run` worker process, the other by two
  (started before, idle), both delivering to C.

The measurement goes round in chunks of `chunk` writes of the mix the outbox carries (progress signs, messages,
goals over 100 citizens), so that the machine's changing load hits every figure alike: raw creates on A (the
portal's own PlanClient, POST with If-None-Exist, one at a time), the same on B, a chunk committed to the
1-worker outbox and timed from commit to an empty queue, the same for the 2-worker outbox. After `rows` writes
of each it prints rows/s and the ratios the issue sets targets for: drain ≥ 0.8 × raw create; 2 workers ≥ 1.7 ×
one; raw create at `stored` within 20 % of the rate on the (nearly) empty service. Every process shares this
machine's CPUs (plan services, workers, PostgreSQL, this script, and whatever else runs), so quote `uptime`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
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
from citizen_app.plan_api import PlanClient, communications, observations  # noqa: E402
from citizen_app.plan_api import goals as goal_json  # noqa: E402
from citizen_app.plan_api.client import CLIENT_ID_SYSTEM  # noqa: E402
from citizen_app.plan_api.smart import configured_client  # noqa: E402
from plan_service import create_app as create_plan_service  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from _portal import plan_api_credential  # noqa: E402

CREDENTIALS: dict[str, dict[str, str]] = {}

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
                goal_json.proposed_goal(
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
                observations.progress_sign(
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
                communications.message(
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
            goal_json.proposed_goal(
                patient_ref=patient,
                author_ref=patient,
                own_words=f"Et nyt mål {i}",
                notes={"why": "fordi"},
                written=datetime.now(UTC),
            ),
        )


def raw_create(client: PlanClient, mix: Mix, rows: int, offset: int) -> float:
    """Seconds for `rows` creates, one at a time."""
    started = time.perf_counter()
    for i in range(rows):
        _, _, resource = mix.resource(offset + i)
        client.create(resource, uuid.uuid4())
    return time.perf_counter() - started


def start_workers(env: dict[str, str], count: int) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [PYTHON, "-m", "flask", "--app", "citizen_app", "outbox", "run", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def drain(app: Any, mix: Mix, rows: int, offset: int) -> float:
    """Seconds from committing `rows` writes to the outbox to an empty queue (the workers already run)."""
    with app.app_context():
        session = db.session()
        for i in range(rows):
            plan_key, purpose, resource = mix.resource(offset + i)
            enqueue(session, plan_key=plan_key, purpose=purpose, resource=resource, account_id=None)
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
        dead = session.scalar(select(func.count()).where(OutboxMessage.state == OutboxState.DEAD))
        session.close()
    if dead:
        raise SystemExit(f"{dead} rows were dead-lettered")
    return took


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


def _analyze(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


# A SMART Backend Services key per plan service, registered before it starts (as embedded.py does): the plan
# API answers registered clients only. Keyed by the service's FHIR base URL.


def _plan_service(server: str) -> tuple[str, str, subprocess.Popen[bytes]]:
    url = _database(server, "bench_plan")
    admin = create_plan_service({"PLAN_SERVICE_DATABASE_URL": url})
    credential = plan_api_credential(admin, tempfile.mkdtemp(prefix="bench-outbox-"))
    admin.extensions["plan_service"].dispose()
    port = _free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "plan_service"],
        cwd=ROOT,
        env={**os.environ, "PLAN_PORT": str(port), "PLAN_SERVICE_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    fhir_url = f"http://127.0.0.1:{port}/fhir"
    CREDENTIALS[fhir_url] = credential
    _wait_for(fhir_url)
    return url, fhir_url, process


def _client(fhir_url: str) -> PlanClient:
    return configured_client(
        {
            **CREDENTIALS[fhir_url],
            "PLAN_API_URL": fhir_url,
            "PLAN_API_READ_TIMEOUT": 30.0,
            "PLAN_API_CONNECT_TIMEOUT": 5.0,
        }
    )


def _portal(server: str, fhir_url: str) -> tuple[str, Any, dict[str, str]]:
    url = _database(server, "bench_portal")
    app = create_app(
        {
            **CREDENTIALS[fhir_url],
            "DATABASE_URL": url,
            "PLAN_API_URL": fhir_url,
            "SECRET_KEY": "bench",
            "ENVIRONMENT": "development",
            "OUTBOX_DISPATCH": "worker",
        }
    )
    upgrade_database(app)
    env = {
        **os.environ,
        **CREDENTIALS[fhir_url],
        "DATABASE_URL": url,
        "PLAN_API_URL": fhir_url,
        "SECRET_KEY": "bench",
        "PORTAL_ENV": "development",
        "OUTBOX_DISPATCH": "worker",
        "NOTIFY_POLL_SECONDS": "100000",
    }
    return url, app, env


def main() -> int:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--chunk", type=int, default=250)
    parser.add_argument("--stored", type=int, default=50000)
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "BENCH_DATABASE_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    databases: list[str] = []
    processes: list[subprocess.Popen[bytes]] = []
    apps: list[Any] = []
    try:
        plan_a, fhir_a, service_a = _plan_service(args.server)
        plan_b, fhir_b, service_b = _plan_service(args.server)
        plan_c, fhir_c, service_c = _plan_service(args.server)
        databases += [plan_a, plan_b, plan_c]
        processes += [service_a, service_b, service_c]
        fill(plan_b, args.stored)
        one_url, one_app, one_env = _portal(args.server, fhir_c)
        two_url, two_app, two_env = _portal(args.server, fhir_c)
        databases += [one_url, two_url]
        apps += [one_app, two_app]
        processes += start_workers(one_env, 1) + start_workers(two_env, 2)
        client_a, client_b, client_c = (_client(url) for url in (fhir_a, fhir_b, fhir_c))
        mix_a, mix_b, mix_c = Mix(client_a), Mix(client_b), Mix(client_c)
        for url in (plan_a, plan_b, plan_c):
            _analyze(
                url
            )  # all three start with statistics, as autovacuum gives a database in service
        time.sleep(4)  # the workers are up and idle
        seconds = {"raw A": 0.0, "raw B": 0.0, "drain 1": 0.0, "drain 2": 0.0}
        done = 0
        while done < args.rows:
            n = min(args.chunk, args.rows - done)
            seconds["raw A"] += raw_create(client_a, mix_a, n, done)
            seconds["raw B"] += raw_create(client_b, mix_b, n, done)
            seconds["drain 1"] += drain(one_app, mix_c, n, args.rows + done)
            seconds["drain 2"] += drain(two_app, mix_c, n, 2 * args.rows + done)
            done += n
        for client in (client_a, client_b, client_c):
            client.close()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            with contextlib.suppress(Exception):
                process.wait(timeout=10)
        for app in apps:
            with contextlib.suppress(Exception):
                db.engine(app).dispose()
        for url in databases:
            _drop(args.server, url)

    rate = {name: args.rows / took for name, took in seconds.items()}
    load = os.getloadavg()
    print(
        f"outbox bench on PostgreSQL: {args.rows} mixed writes each, in chunks of {args.chunk}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(f"  raw create, service A (0 stored at the start)  {rate['raw A']:7.1f} /s")
    print(
        f"  raw create, service B ({args.stored:,} stored)       {rate['raw B']:7.1f} /s"
        f"   {rate['raw B'] / rate['raw A']:5.2f} x A        (target 0.8-1.2)"
    )
    print(
        f"  outbox drain, 1 worker                        {rate['drain 1']:7.1f} /s"
        f"   {rate['drain 1'] / rate['raw A']:5.2f} x raw A    (target >= 0.8)"
    )
    print(
        f"  outbox drain, 2 workers                       {rate['drain 2']:7.1f} /s"
        f"   {rate['drain 2'] / rate['drain 1']:5.2f} x 1 worker (target >= 1.7)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
