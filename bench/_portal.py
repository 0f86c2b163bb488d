"""The portal running for real on a port, with the demo data and a signed-in session: shared by the page
benchmarks (bench/page_weight.py, bench/lighthouse.py).

    with running_portal() as portal:
        portal.base_url          # http://localhost:<port>
        portal.cookie_header     # "portal_session=<token>": Sara's session, for real HTTP clients and browsers
        portal.first_goal_id     # the first goal linked from Sara's plan page
        for page in portal.pages(): ...

Everything lives in a temporary folder: the portal's SQLite database (schema from the Alembic migrations, as
in production), the reference plan service's own SQLite database, and the demo data loaded through the
portal's own plan-API client, as `make run` does. The portal is served by a threaded Werkzeug server in this
process (plan_service.server.ThreadedServer works for any WSGI app), in the development configuration
(plain-http cookie named "portal_session"). Nothing under instance/ is touched.

The session is made the way tests/conftest.py `sign_in_as` makes it: the app's own test client writes
account_id and authenticated_at into a fresh server-side session, and its cookie is handed to the real clients.
That is what a passkey sign-in leaves behind; the sign-in ceremony itself is not part of what is measured.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Danish is the portal's default and its citizens' language; real clients and Chrome (which would otherwise
# send en-US) are told so, so that every figure is of the Danish pages.
ACCEPT_LANGUAGE = "da-DK,da;q=0.9"
USER_AGENT = "borgerens-plan-bench/1"


@dataclass(frozen=True)
class Page:
    path: str
    # Public pages (front page, sign-in, activation) are measured as a visitor who is not signed in sees them.
    signed_in: bool = True
    # /goals/new/check shows the answers of a draft goal: one answer is posted just before it is visited.
    needs_draft: bool = False
    # How tables show it: the goal's id replaced by "<goal>".
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.path


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes  # exactly as received (still compressed if the server compressed it)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Portal:
    base_url: str
    cookie_name: str
    cookie_value: str
    sara_account_id: str
    goal_ids: list[str]
    next_meeting_id: str = ""
    _draft_made: bool = field(default=False, repr=False)

    @property
    def cookie_header(self) -> str:
        return f"{self.cookie_name}={self.cookie_value}"

    @property
    def first_goal_id(self) -> str:
        return self.goal_ids[0]

    def url(self, path: str) -> str:
        return self.base_url + path

    def headers(self, signed_in: bool) -> dict[str, str]:
        headers = {"Accept-Language": ACCEPT_LANGUAGE}
        if signed_in:
            headers["Cookie"] = self.cookie_header
        return headers

    def pages(self) -> list[Page]:
        goal = f"/plan/goals/{self.first_goal_id}"
        return [
            Page("/plan"),
            Page(goal, label="/plan/goals/<goal>"),
            Page(f"{goal}/progress", label="/plan/goals/<goal>/progress"),
            Page(f"{goal}/my-words", label="/plan/goals/<goal>/my-words"),
            Page("/goals/new/goal"),
            Page("/goals/new/check", needs_draft=True),
            Page("/messages"),
            Page("/messages/new"),
            Page("/delegations"),
            Page("/delegations/new"),
            Page("/who-has-looked"),
            Page("/my-data"),
            Page("/account/passkeys"),
            Page("/cases"),
            Page("/meetings"),
            Page(
                f"/meetings/{self.next_meeting_id}/prepare/goals",
                label="/meetings/<meeting>/prepare/goals",
            ),
            Page("/complaints/new"),
            Page("/sign-in", signed_in=False),
            Page("/activate", signed_in=False),
            Page("/", signed_in=False),
        ]

    def fetch(
        self,
        url_or_path: str,
        *,
        signed_in: bool = True,
        accept_encoding: str | None = None,
        data: dict[str, str] | None = None,
    ) -> Response:
        """One request, no redirect followed, no cookie jar: the body as it came over the wire."""
        url = url_or_path if "://" in url_or_path else self.url(url_or_path)
        headers = {"User-Agent": USER_AGENT, **self.headers(signed_in)}
        if accept_encoding:
            headers["Accept-Encoding"] = accept_encoding
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with _OPENER.open(request, timeout=30) as reply:
                return Response(
                    reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
                )
        except urllib.error.HTTPError as reply:
            return Response(
                reply.code, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
            )

    def prepare(self, page: Page) -> None:
        """What must exist before `page` can be shown (once): a draft goal for the check page."""
        if page.needs_draft and not self._draft_made:
            self.make_goal_draft()

    def make_goal_draft(self) -> None:
        """Answers the first question of the goal conversation over HTTP, as the citizen would."""
        form = self.fetch("/goals/new/goal")
        token = _csrf_token(form.body.decode("utf-8"))
        reply = self.fetch(
            "/goals/new/goal",
            data={
                "csrf_token": token,
                "answer": "Jeg vil gerne kunne handle ind selv.",
                "go": "next",
            },
        )
        if reply.status != 303:
            raise RuntimeError(f"answering the first goal question gave {reply.status}, not 303")
        self._draft_made = True


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no csrf_token in the goal form")
    return unescape(match.group(1))


def _quiet_logging() -> None:
    # create_app configures INFO logging; request lines and migration chatter would drown the figures.
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("werkzeug", "alembic", "citizen_app", "plan_service"):
        logging.getLogger(name).setLevel(logging.WARNING)


def plan_api_credential(plan_app: Any, folder: str) -> dict[str, str]:
    """Register a fresh key pair of the portal with the reference plan service (SMART Backend Services, as
    embedded.py does) and return the portal settings that use it."""
    from pathlib import Path

    from joserfc.jwk import ECKey

    from citizen_app.plan_api.smart import public_jwks
    from plan_service.auth import register_client

    key = ECKey.generate_key("P-384", auto_kid=True)
    key_file = Path(folder) / "plan_api_client.pem"
    key_file.write_bytes(key.as_pem(private=True))
    register_client(
        plan_app.extensions["plan_service"], "portal", public_jwks(key), "system/*.crus"
    )
    return {"PLAN_API_CLIENT_ID": "portal", "PLAN_API_PRIVATE_KEY_FILE": str(key_file)}


@contextmanager
def running_portal() -> Iterator[Portal]:
    from citizen_app import create_app, db
    from citizen_app.cli import upgrade_database
    from citizen_app.demo_data import load
    from citizen_app.models import Account
    from citizen_app.services.plan_reading import plan_client
    from plan_service import create_app as create_plan_service
    from plan_service.server import ThreadedServer

    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        plan_app = create_plan_service(
            {"PLAN_SERVICE_DATABASE_URL": f"sqlite:///{tmp}/plan_service.sqlite"}
        )
        credential = plan_api_credential(plan_app, tmp)
        plan_server = ThreadedServer(plan_app, "127.0.0.1", 0)
        plan_server.start()
        portal_server = None
        app = None
        try:
            app = create_app(
                {
                    "ENVIRONMENT": "development",  # what PORTAL_ENV=development gives
                    "SECRET_KEY": secrets.token_hex(32),
                    "DATABASE_URL": f"sqlite:///{tmp}/portal.sqlite",
                    "PLAN_API_URL": plan_server.api_url,
                    **credential,
                    # Nothing is written during the benchmarks but one draft; no delivery thread needed.
                    "OUTBOX_DISPATCH": "worker",
                }
            )
            _quiet_logging()
            upgrade_database(app)
            _quiet_logging()
            with app.app_context():
                load(db.session(), plan_client(), secret_key=app.config["SECRET_KEY"])
                sara = db.session().query(Account).filter_by(username="sara").one()
                sara_id = str(sara.id)

            client = app.test_client()
            with client.session_transaction() as session:
                session["account_id"] = sara_id
                session["authenticated_at"] = datetime.now(UTC).isoformat()
            cookie_name = app.config["SESSION_COOKIE_NAME"]
            cookie = client.get_cookie(cookie_name)
            if cookie is None:
                raise RuntimeError(f"the test client got no {cookie_name} cookie")

            portal_server = ThreadedServer(app, "127.0.0.1", 0)
            portal_server.start()
            # The name localhost, not 127.0.0.1: in development the portal's passkey endpoints refuse any
            # other host (citizen_app/auth/relying_party.py), as browsers allow passkeys on plain http only there.
            base_url = f"http://localhost:{portal_server.port}"
            portal = Portal(base_url, cookie_name, cookie.value, sara_id, [])
            plan = portal.fetch("/plan")
            if plan.status != 200:
                raise RuntimeError(
                    f"/plan as Sara answered {plan.status}: the session did not work"
                )
            html = plan.body.decode("utf-8")
            portal.goal_ids = list(
                dict.fromkeys(re.findall(r'href="/plan/goals/([^/"?#]+)"', html))
            )
            if not portal.goal_ids:
                raise RuntimeError("Sara's plan page links no goal")
            meetings = portal.fetch("/meetings").body.decode("utf-8")
            found = re.search(r'href="/meetings/([^/"]+)/prepare/goals"', meetings)
            if not found:
                raise RuntimeError("Sara's meetings page links no meeting to prepare")
            portal.next_meeting_id = found.group(1)
            yield portal
        finally:
            if portal_server is not None:
                portal_server.stop()
            plan_server.stop()
            if app is not None:
                app.extensions["citizen_app.plan_client"].close()
                db.engine(app).dispose()
