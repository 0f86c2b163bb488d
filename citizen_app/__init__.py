"""Borgerens Plan citizen portal: the app factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask_compress import Compress
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from . import audit, cross_site, db, i18n, identity, notify, ratelimit, security, static_assets
from . import config as settings
from .auth import sessions
from .outbox import Dispatcher, InlineDispatch
from .outbox.enqueue import on_enqueue
from .plan_api.smart import configured_client
from .services.caseload import current_coverage
from .services.notifications import poll_answers
from .services.plan_freshness import plan_freshness_of
from .services.plan_reading import CLIENT_KEY
from .services.provenance import from_request as provenance_from_request
from .services.receipts import note_delegated_act

ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    merged = settings.from_environment()
    merged.update(config or {})
    app.config.update(settings.finalise(merged))
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops > 0:
        # The client address (rate limits, logs) and scheme as the trusted proxies saw them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if app.config.get("STATIC_FOLDER"):  # tests point this at a copy of static/
        app.static_folder = app.config["STATIC_FOLDER"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    db.init_app(app)
    # The lower floors expose hooks; the higher ones are wired into them here, where the app is assembled
    # (docs/architecture.md, tests/meta/test_floors.py): no arrow runs back up.
    # A refused or failed request's audit events are written alone after its rollback.
    db.keep_through_rollback(app, audit.take_pending, audit.write_alone)
    # Whom a caseworker covers, read from the plan API by the caseload service.
    identity.load_staff_coverage_with(
        app, lambda role_ref: current_coverage(db.session(), app.extensions[CLIENT_KEY], role_ref)
    )
    # A delegated act leaves the citizen a receipt, in the same transaction as the write.
    on_enqueue(app, note_delegated_act)
    sessions.init_app(app)
    cross_site.init_app(app)  # before the CSRF check: a cross-site POST never reaches it
    csrf.init_app(app)
    ratelimit.init_app(app)
    notify.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    static_assets.init_app(app)
    _init_compression(app)
    app.extensions[CLIENT_KEY] = configured_client(app.config)
    app.extensions[CLIENT_KEY].provenance_source = provenance_from_request
    # What this process writes to a plan, it asks for again on the plan's next view (plan_freshness.py).
    app.extensions[CLIENT_KEY].written.append(plan_freshness_of(app).wrote)

    # Imported here, once `csrf` above exists: the views and the error handlers import it from this package.
    from . import cli, errors, templating
    from .views import register_blueprints

    templating.init_app(app)
    errors.init_app(app)
    db.answer_failed_commit_with(app, errors.database_error_response)
    register_blueprints(app)
    cli.init_app(app)
    # Last of the after_request functions, so it runs first: the commit's outcome decides the answer before
    # the security headers and compression are added to it.
    app.after_request(db.end_request_transaction)
    if app.config["OUTBOX_DISPATCH"] == "inline":
        _start_inline_dispatch(app)
    return app


def _init_compression(app: Flask) -> None:
    """Flask-Compress for what is made per request (pages, JSON). Not for static files: static_assets sends
    those precompressed (or, when the client takes neither br nor gzip, as they are). Nothing either when the
    client refuses both with q=0: Flask-Compress 1.25 would still pick one of them."""
    app.config["COMPRESS_REGISTER"] = False
    compress = Compress(app)  # one per app: it keeps the app's settings

    @app.after_request
    def _compress(response: Response) -> Response:
        if request.endpoint == "static":
            return response
        accepted = request.accept_encodings
        if not any(accepted[encoding] > 0 for encoding in app.config["COMPRESS_ALGORITHM"]):
            response.vary.add("Accept-Encoding")
            return response
        return compress.after_request(response)


def _start_inline_dispatch(app: Flask) -> None:
    inline = InlineDispatch(
        app,
        Dispatcher(app, app.extensions[CLIENT_KEY]),
        extra=lambda: poll_answers(app),
        extra_every=app.config["NOTIFY_POLL_SECONDS"],
    )
    app.extensions["citizen_app.outbox.inline"] = inline
    inline.start()
