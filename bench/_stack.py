"""The portal as it runs in production, for the throughput and load benchmarks.

    with running_stack() as stack:
        stack.build_citizen(goals=3, signs=6)          # -> Citizen (patient ref, account)
        stack.build_unit(caseworkers=20, citizens_each=50)
        stack.start_portal()                           # gunicorn, 2 workers
        stack.cookie(account_id)                       # "__Host-session=<token>"

- PostgreSQL: a fresh portal database (BENCH_DATABASE_URL's server, default
  postgresql+psycopg://postgres@127.0.0.1:5432), made from the Alembic migrations and dropped at the end.
- The reference plan service in its own process (gunicorn, one gthread worker: keep-alive connections as a
  production FHIR server gives; `python -m plan_service` closes each), on its own SQLite file (the
  embedded default's database; PLAN_DB=postgres puts it on PostgreSQL too).
- gunicorn, `--no-control-socket -w 2`, sync workers, serving bench/_wsgi.py (the app + one bare route),
  PORTAL_ENV=development only because production refuses a plan API without https (the reference service
  speaks plain HTTP here), with static files read once at start-up as in production and the portal's SMART
  Backend Services credential registered with the plan service (as embedded.py does).
- Data is built through the plan API with the portal's own client, as a case system would leave it, and the
  accounts in the portal's database. Sessions are made as tests/conftest.py `sign_in_as` makes them (the app's
  test client writes account_id and authenticated_at into a server-side session); gunicorn reads them from the
  same database. When `demo-data --unit-size N` lands (issue 13, `scale`), `build_unit` can call it instead.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _portal import plan_api_credential  # noqa: E402

from citizen_app import create_app, db  # noqa: E402
from citizen_app.cli import upgrade_database  # noqa: E402
from citizen_app.models import Account, AccountKind  # noqa: E402
from citizen_app.plan_api import PlanClient, communications, fhir, observations  # noqa: E402
from citizen_app.plan_api import goals as goal_json  # noqa: E402
from plan_service import create_app as create_plan_service  # noqa: E402

PG_SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
UNIT = "Bench-enheden"
BUILD_THREADS = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        PG_SERVER.replace("postgresql+psycopg://", "postgresql://") + "/postgres", autocommit=True
    ) as conn:
        conn.execute(sql)


@dataclass
class Citizen:
    patient_ref: str
    account_id: str
    goal_ids: list[str] = field(default_factory=list)


@dataclass
class Stack:
    tmp: Path
    portal_db_url: str
    plan_api_url: str
    secret_key: str
    app: Any
    client: PlanClient
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    credential: dict[str, str] = field(default_factory=dict)
    base_url: str = ""
    cookie_name: str = "__Host-session"

    # -- building data through the plan API -------------------------------------------------------
    def _create(self, resource: dict[str, Any]) -> str:
        return self.client.create(resource, uuid.uuid4()).reference

    def _account(self, kind: AccountKind, name: str, ref: str) -> str:
        with self.app.app_context():
            session = db.session()
            account = Account(
                username=f"bench-{uuid.uuid4().hex[:10]}",
                kind=kind,
                display_name=name,
                fhir_ref=ref,
            )
            session.add(account)
            session.commit()
            return str(account.id)

    def build_citizen(self, goals: int, signs: int, name: str = "Borger") -> Citizen:
        """A citizen with `goals` goals in the plan (own words and staff wording) and `signs` signs."""
        patient = self._create({"resourceType": "Patient", "name": [{"text": name}]})
        now = datetime.now(UTC)

        def goal(i: int) -> str:
            return self._create(
                {
                    "resourceType": "Goal",
                    "lifecycleStatus": "active",
                    "description": {"text": f"Faglig formulering {i}"},
                    "subject": {"reference": patient},
                    "expressedBy": {"reference": patient},
                    "extension": [
                        goal_json.wording_extension("citizen", f"Mine egne ord {i}", patient, now)
                    ],
                }
            )

        with ThreadPoolExecutor(BUILD_THREADS) as pool:
            goal_refs = list(pool.map(goal, range(goals)))

            def sign(j: int) -> str:
                return self._create(
                    observations.progress_sign(
                        patient_ref=patient,
                        goal_ref=goal_refs[j % goals],
                        value=fhir.PROGRESS_SCALE[j % len(fhir.PROGRESS_SCALE)],
                        when=date.today() - timedelta(days=j % 300),
                        note=None,
                        performer_ref=patient,
                    )
                )

            list(pool.map(sign, range(signs)))
        self._create(
            {
                "resourceType": "CarePlan",
                "status": "active",
                "intent": "plan",
                "subject": {"reference": patient},
                "goal": [{"reference": g} for g in goal_refs],
            }
        )
        account = self._account(AccountKind.CITIZEN, name, patient)
        return Citizen(patient, account, [g.split("/", 1)[1] for g in goal_refs])

    def build_unit(
        self, caseworkers: int, citizens_each: int, citizen_accounts: bool = False
    ) -> tuple[str, list[Citizen]]:
        """A unit of `caseworkers` fixed caseworkers with `citizens_each` citizens each, every citizen with a
        proposed goal and a message waiting. Returns the first caseworker's account id and their citizens
        (with portal accounts when `citizen_accounts`)."""
        today, now = date.today(), datetime.now(UTC)
        roles = []
        for i in range(caseworkers):
            practitioner = self._create(
                {"resourceType": "Practitioner", "name": [{"text": f"Sagsbehandler {i}"}]}
            )
            roles.append(
                self._create(
                    {
                        "resourceType": "PractitionerRole",
                        "active": True,
                        "practitioner": {"reference": practitioner},
                        "organization": {"display": UNIT},
                        "telecom": [{"system": "phone", "value": "33 17 40 00", "use": "work"}],
                    }
                )
            )

        def citizen(n: int) -> str:
            role = roles[n // citizens_each]
            patient = self._create({"resourceType": "Patient", "name": [{"text": f"Borger {n}"}]})
            self._create(
                {
                    "resourceType": "CareTeam",
                    "status": "active",
                    "subject": {"reference": patient},
                    "participant": [
                        {
                            "role": [
                                {
                                    "coding": [
                                        {"system": fhir.CS_CARE_ROLE, "code": "fixed-caseworker"}
                                    ]
                                }
                            ],
                            "member": {"reference": role},
                            "period": {"start": (today - timedelta(days=100)).isoformat()},
                        }
                    ],
                }
            )
            self._create(
                goal_json.proposed_goal(
                    patient_ref=patient,
                    author_ref=patient,
                    own_words="Jeg vil gerne kunne handle ind selv.",
                    notes={},
                    written=now - timedelta(days=n % 7),
                )
            )
            self._create(
                communications.message(
                    patient_ref=patient,
                    sender_ref=patient,
                    recipient_ref=role,
                    text="Hej, kan vi tale om min plan?",
                    subject="Min plan",
                    sent=now - timedelta(days=n % 9),
                )
            )
            return patient

        with ThreadPoolExecutor(BUILD_THREADS) as pool:
            patients = list(pool.map(citizen, range(caseworkers * citizens_each)))
        account = self._account(AccountKind.CASEWORKER, "Sagsbehandler 0", roles[0])
        mine = [
            Citizen(
                p,
                self._account(AccountKind.CITIZEN, f"Borger {n}", p) if citizen_accounts else "",
            )
            for n, p in enumerate(patients[:citizens_each])
        ]
        return account, mine

    # -- the portal -------------------------------------------------------------------------------
    def env(self, port: int) -> dict[str, str]:
        return {
            **os.environ,
            # Development only because production refuses a plan API without https, and the reference
            # service here speaks plain HTTP on the loopback; _wsgi.py turns off the one development-only
            # cost (static files looked at again on each request).
            "PORTAL_ENV": "development",
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            **self.credential,
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.portal_db_url,
            "PLAN_API_URL": self.plan_api_url,
            "OUTBOX_DISPATCH": "worker",
        }

    def start_portal(self, workers: int = 2) -> None:
        port = free_port()
        log = open(self.tmp / "gunicorn.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "--no-control-socket",
                    "-w",
                    str(workers),
                    "-b",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "300",
                    "--chdir",
                    str(ROOT / "bench"),
                    "_wsgi:app",
                ],
                env=self.env(port),
                stdout=log,
                stderr=log,
            )
        )
        self.base_url = f"http://127.0.0.1:{port}"
        _wait_for(self.base_url + "/bench/bare")

    def cookie(self, account_id: str) -> str:
        client = self.app.test_client()
        with client.session_transaction() as session:
            session["account_id"] = account_id
            session["authenticated_at"] = datetime.now(UTC).isoformat()
        cookie = client.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None
        return f"{self.app.config['SESSION_COOKIE_NAME']}={cookie.value}"


def _quiet() -> None:
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("httpx", "werkzeug", "alembic", "citizen_app", "plan_service"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextmanager
def running_stack() -> Iterator[Stack]:
    name = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
    portal_db_url = f"{PG_SERVER}/{name}"
    plan_db_name = name + "_plan"
    _admin(f'CREATE DATABASE "{name}"')
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="portal-stack-") as tmp_name:
        tmp = Path(tmp_name)
        if os.environ.get("PLAN_DB") == "postgres":
            _admin(f'CREATE DATABASE "{plan_db_name}"')
            plan_db_url = f"{PG_SERVER}/{plan_db_name}"
        else:
            plan_db_url = f"sqlite:///{tmp}/plan_service.sqlite"
        # The portal's SMART Backend Services credential, registered in the plan service's database before
        # it starts (as embedded.py does).
        plan_admin = create_plan_service({"PLAN_SERVICE_DATABASE_URL": plan_db_url})
        credential = plan_api_credential(plan_admin, str(tmp))
        plan_admin.extensions["plan_service"].dispose()
        plan_port = free_port()
        plan_log = open(tmp / "plan_service.log", "wb")  # noqa: SIM115
        processes.append(
            subprocess.Popen(
                # gunicorn with one threaded worker, not `python -m plan_service` (Werkzeug's server, which
                # closes every connection): a FHIR server in production keeps connections alive, and the
                # portal's httpx client reuses them.
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "--no-control-socket",
                    "-k",
                    "gthread",
                    "-w",
                    "1",
                    "--threads",
                    "8",
                    "--keep-alive",
                    "30",
                    "-b",
                    f"127.0.0.1:{plan_port}",
                    "plan_service:create_app()",
                ],
                cwd=ROOT,
                env={
                    **os.environ,
                    "PLAN_SERVICE_DATABASE_URL": plan_db_url,
                },
                stdout=plan_log,
                stderr=plan_log,
            )
        )
        plan_api_url = f"http://127.0.0.1:{plan_port}/fhir"
        app = None
        try:
            _wait_for(plan_api_url + "/metadata")
            secret = secrets.token_hex(32)
            app = create_app(
                {
                    "ENVIRONMENT": "development",
                    "STATIC_ASSETS_RELOAD": False,
                    **credential,
                    "SECRET_KEY": secret,
                    "DATABASE_URL": portal_db_url,
                    "PLAN_API_URL": plan_api_url,
                    "PLAN_API_READ_TIMEOUT": 60.0,
                    "OUTBOX_DISPATCH": "worker",
                }
            )
            _quiet()
            upgrade_database(app)
            _quiet()
            stack = Stack(
                tmp,
                portal_db_url,
                plan_api_url,
                secret,
                app,
                app.extensions["citizen_app.plan_client"],
                processes,
                credential,
            )
            yield stack
        finally:
            for process in reversed(processes):
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            if app is not None:
                app.extensions["citizen_app.plan_client"].close()
                db.engine(app).dispose()
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _admin(f'DROP DATABASE IF EXISTS "{plan_db_name}" WITH (FORCE)')


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by the nearest-rank method; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]
