"""Borgerens Plan citizen portal: the app factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect

from . import config as settings
from . import db, i18n, notify, ratelimit, security
from .auth import sessions
from .plan_api import PlanClient
from .services.plan_reading import CLIENT_KEY

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
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    db.init_app(app)
    sessions.init_app(app)
    csrf.init_app(app)
    ratelimit.init_app(app)
    notify.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    app.extensions[CLIENT_KEY] = PlanClient(
        app.config["PLAN_API_URL"],
        connect_timeout=app.config["PLAN_API_CONNECT_TIMEOUT"],
        read_timeout=app.config["PLAN_API_READ_TIMEOUT"],
    )

    from . import cli, errors, templating
    from .views import register_blueprints

    templating.init_app(app)
    errors.init_app(app)
    register_blueprints(app)
    cli.init_app(app)
    if app.config["OUTBOX_DISPATCH"] == "inline":
        _start_inline_dispatch(app)
    return app


def _start_inline_dispatch(app: Flask) -> None:
    from .outbox import Dispatcher, InlineDispatch
    from .services.notifications import poll_answers

    inline = InlineDispatch(
        app,
        Dispatcher(app, app.extensions[CLIENT_KEY]),
        extra=lambda: poll_answers(app),
        extra_every=app.config["NOTIFY_POLL_SECONDS"],
    )
    app.extensions["citizen_app.outbox.inline"] = inline
    inline.start()
