"""Fixtures shared by every test level: a real database, the real reference plan service on a real port,
the portal app, and a page-checking test client with role-named sign-in.

Database: SQLite in a temporary folder by default; with PORTAL_TEST_DATABASE=external the suite creates a
fresh database on the server named by TEST_DATABASE_URL (PostgreSQL in CI) and drops it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from joserfc.jwk import ECKey
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL

from citizen_app import create_app, db
from citizen_app.cli import upgrade_database
from citizen_app.models import Account, Base
from citizen_app.plan_api import PlanClient
from citizen_app.plan_api.smart import SmartBackendAuth, configured_client, public_jwks
from plan_service import create_app as create_plan_service
from plan_service.auth import register_client
from plan_service.server import ThreadedServer
from tests.helpers import register_api, unregister_api
from tests.pagecheck import CheckingClient


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that uses the portal's database (directly or through any fixture built on it) is marked
    `portal_db`. The PostgreSQL pass of `make test` runs exactly those, minus the browser suite: the other tests
    (plan service, pure units, browser pages) do not behave differently on another portal database, so running
    them twice would test nothing new."""
    for item in items:
        if "migrated" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.portal_db)
        elif item.get_closest_marker("blns"):
            # `make test` leaves the blns runs out of the SQLite pass when the PostgreSQL pass follows, which
            # runs only portal_db tests: one that were not would run in neither (tests/blns.py).
            raise pytest.UsageError(f"{item.nodeid} is marked blns but uses no portal database")


def _external_database() -> Iterator[str]:
    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"portal_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("PORTAL_TEST_DATABASE") == "external":
        if not os.environ.get("TEST_DATABASE_URL"):
            pytest.fail("PORTAL_TEST_DATABASE=external needs TEST_DATABASE_URL")
        yield from _external_database()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.sqlite'}"


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    """The schema comes from the Alembic migrations, as in production, once per run."""
    app = create_app(_config(database_url, "http://127.0.0.1:9/fhir"))
    upgrade_database(app)
    db.engine(app).dispose()
    return database_url


def _config(database_url: str, plan_api_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "ENVIRONMENT": "development",
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "PLAN_API_URL": plan_api_url,
        "PLAN_API_CONNECT_TIMEOUT": 0.5,
        "PLAN_API_READ_TIMEOUT": 10.0,  # generous: a busy CI machine must not turn a slow answer into a failure
        "OUTBOX_DISPATCH": "worker",
        "OUTBOX_BASE_DELAY_SECONDS": 0.0,
        # Tests write into the plan service and look at once: every view asks (test_plan_freshness.py
        # turns the change feed on).
        "PLAN_FEED_SECONDS": 0,
        # Every page the memo gives is rendered again and compared: an input its key misses fails a test.
        "PAGE_MEMO_VERIFY": True,
        **extra,
    }


PORTAL_CLIENT_ID = "portal"
# One key pair for the whole run (making one takes a moment); each plan service registers its public half.
_PORTAL_KEY = ECKey.generate_key("P-384", auto_kid=True)


class PlanService:
    """The reference plan service on a real port; can be stopped and started again on the same port.

    It answers only authorised callers (SMART Backend Services). Tests that call it themselves use ONE of:
    `plan_service.headers()` (an Authorization header, for httpx.get(..., headers=...)),
    `plan_service.client()` (an httpx.Client on the FHIR base with a renewing token) or
    `plan_service.plan_client()` (the portal's PlanClient). tests/helpers.py's count_at_api and
    search_at_api authorise themselves. `plan_service.portal_config()` is what make_app passes to the portal.
    """

    def __init__(self, db_path: Path, **config: Any) -> None:
        self.app = create_plan_service(
            {"PLAN_SERVICE_DATABASE_URL": f"sqlite:///{db_path}", **config}
        )
        self.key_file = db_path.with_name("plan_api_client.pem")
        self.key_file.write_bytes(_PORTAL_KEY.as_pem(private=True))
        register_client(
            self.app.extensions["plan_service"],
            PORTAL_CLIENT_ID,
            public_jwks(_PORTAL_KEY),
            "system/*.cruds",
        )
        self.server = ThreadedServer(self.app, "127.0.0.1", 0)
        self.server.start()
        self.port = int(self.server.url.rsplit(":", 1)[1])
        self._tokens: dict[str, str] = {}
        register_api(self.fhir_url, self.headers)

    @property
    def fhir_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/fhir"

    def portal_config(self) -> dict[str, Any]:
        return {
            "PLAN_API_URL": self.fhir_url,
            "PLAN_API_CLIENT_ID": PORTAL_CLIENT_ID,
            "PLAN_API_PRIVATE_KEY_FILE": str(self.key_file),
        }

    def auth(self, scope: str = "system/*.cruds") -> SmartBackendAuth:
        """A fresh credential of the registered portal client (through the real token endpoint)."""
        return SmartBackendAuth(
            base_url=self.fhir_url, client_id=PORTAL_CLIENT_ID, key=_PORTAL_KEY, scope=scope
        )

    def headers(self, scope: str = "system/*.cruds") -> dict[str, str]:
        """{"Authorization": "Bearer …"} for httpx calls of a test (a token per scope, kept)."""
        if scope not in self._tokens:
            auth = self.auth(scope)
            try:
                self._tokens[scope] = auth.token()
            finally:
                auth.close()
        return {"Authorization": f"Bearer {self._tokens[scope]}"}

    def client(self, scope: str = "system/*.cruds") -> httpx.Client:
        """An httpx.Client on the FHIR base URL that sends a valid token (close it, or use `with`)."""
        return httpx.Client(base_url=self.fhir_url, auth=self.auth(scope), timeout=10)

    def plan_client(self) -> PlanClient:
        """The portal's own PlanClient, authorised as the portal is."""
        return configured_client(
            {**self.portal_config(), "PLAN_API_CONNECT_TIMEOUT": 0.5, "PLAN_API_READ_TIMEOUT": 3.0}
        )

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server = ThreadedServer(self.app, "127.0.0.1", self.port)
        self.server.start()


@pytest.fixture
def plan_service(tmp_path: Path) -> Iterator[PlanService]:
    service = PlanService(tmp_path / "plan_service.sqlite")
    yield service
    service.stop()
    unregister_api(service.fhir_url)
    service.app.extensions["plan_service"].dispose()


def _empty_tables(app: Flask) -> None:
    engine = db.engine(app)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def make_app(migrated: str, plan_service: PlanService) -> Iterator[Any]:
    apps: list[Flask] = []

    def factory(**extra: Any) -> Flask:
        app = create_app(
            _config(migrated, plan_service.fhir_url, **{**plan_service.portal_config(), **extra})
        )
        app.test_client_class = CheckingClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        inline = app.extensions.get("citizen_app.outbox.inline")
        if inline is not None:
            inline.stop()
        app.extensions["citizen_app.plan_client"].close()
    if apps:
        _empty_tables(apps[0])
        for app in apps:
            db.engine(app).dispose()


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()


@pytest.fixture
def demo(app: Flask) -> dict[str, Account]:
    """The demo people and Sara's plan, loaded through the portal's own client into the plan service."""
    from citizen_app.demo_data import load
    from citizen_app.services.plan_reading import plan_client

    with app.app_context():
        load(db.session(), plan_client(), secret_key=app.config["SECRET_KEY"])
        accounts = {a.username: a for a in db.session().query(Account).all()}
    return accounts


@pytest.fixture
def client(app: Flask) -> CheckingClient:
    return app.test_client()  # type: ignore[return-value]


def sign_in_as(client: CheckingClient, account: Account, recent: bool = True) -> None:
    """A server-side session signed in as `account`, as a passkey sign-in would leave it (tests of the
    sign-in itself go through the real ceremony in tests/integration/test_sign_in.py)."""
    from datetime import timedelta

    from citizen_app.models import utcnow

    when = utcnow() if recent else utcnow() - timedelta(hours=1)
    with client.session_transaction() as session:
        kept = {
            k: v for k, v in session.items() if k.startswith("draft:")
        }  # as identity.sign_in does
        session.clear()
        session.update(kept)
        session["account_id"] = str(account.id)
        session["authenticated_at"] = when.isoformat()


@pytest.fixture
def as_sara(client: CheckingClient, demo: dict[str, Account]) -> CheckingClient:
    sign_in_as(client, demo["sara"])
    return client


__all__ = ["URL", "PlanService", "sign_in_as"]
