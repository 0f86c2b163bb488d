"""Reference implementation of the shared plan API (a FHIR R4 subset, docs/plan-api.md).

The citizen portal never imports this package: it talks to it over HTTP only, so a real case
system honouring the same contract can take its place.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from plan_service import auth, errors, views
from plan_service.db import Database, default_database_url
from plan_service.store import utcnow

DEFAULT_BASE_PATH = "/fhir"
MAX_BODY_BYTES = 1024 * 1024

__all__ = ["create_app"]


def _normalise_base_path(path: str) -> str:
    path = path.strip().strip("/")
    return f"/{path}" if path else ""


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The plan service as a Flask app.

    Settings, each from `config`, else the environment variable of the same name, else the
    default: PLAN_SERVICE_DATABASE_URL (SQLite file instance/plan_service.sqlite under the
    current directory) and PLAN_SERVICE_BASE_PATH ("/fhir"). MAX_CONTENT_LENGTH defaults to 1 MiB.
    PLAN_SERVICE_TOKEN_KEY (hex, 32 bytes) signs the access tokens: set it when several processes
    serve the same API; without it each process makes its own (its tokens die with it, and clients
    then fetch a new one). PLAN_SERVICE_TOKEN_URL fixes the token endpoint's URL (the `aud` client
    assertions must name) when a proxy changes the host; PLAN_SERVICE_TOKEN_SECONDS (300) is the
    life of an access token. Clients are registered with `python -m plan_service register-client`.
    """
    app = Flask(__name__, static_folder=None)
    app.config.update(
        PLAN_SERVICE_DATABASE_URL=os.environ.get("PLAN_SERVICE_DATABASE_URL")
        or default_database_url(),
        PLAN_SERVICE_BASE_PATH=os.environ.get("PLAN_SERVICE_BASE_PATH", DEFAULT_BASE_PATH),
        PLAN_SERVICE_TOKEN_KEY=os.environ.get("PLAN_SERVICE_TOKEN_KEY"),
        PLAN_SERVICE_TOKEN_URL=os.environ.get("PLAN_SERVICE_TOKEN_URL"),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
    )
    app.config.update(config or {})
    app.config["PLAN_SERVICE_BASE_PATH"] = _normalise_base_path(
        app.config["PLAN_SERVICE_BASE_PATH"]
    )
    app.config["PLAN_SERVICE_STARTED"] = utcnow()
    # Tables are created here; Database.dispose() closes the pool (tests call it).
    app.extensions["plan_service"] = Database(app.config["PLAN_SERVICE_DATABASE_URL"])
    auth.init_app(app)
    errors.init_app(app)
    app.register_blueprint(views.bp, url_prefix=app.config["PLAN_SERVICE_BASE_PATH"] or None)
    return app
