"""Settings from the environment. The embedded default (SQLite, in-process plan service, demo data) needs none."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def from_environment() -> dict[str, Any]:
    env = os.environ
    return {
        # "development" only when asked for: anything else is treated as production and refuses demo mode.
        "ENVIRONMENT": env.get("PORTAL_ENV", "production"),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'portal.sqlite'}"),
        "PLAN_API_URL": env.get("PLAN_API_URL", "http://127.0.0.1:5001/fhir"),
        "PLAN_API_CONNECT_TIMEOUT": float(env.get("PLAN_API_CONNECT_TIMEOUT", "2")),
        "PLAN_API_READ_TIMEOUT": float(env.get("PLAN_API_READ_TIMEOUT", "5")),
        "DEMO_MODE": _bool(env.get("DEMO_MODE")),
        # "inline": deliver right after commit in a background thread of this process (embedded default);
        # "worker": leave it to `flask --app citizen_app outbox run` processes.
        "OUTBOX_DISPATCH": env.get("OUTBOX_DISPATCH", "worker"),
        "OUTBOX_MAX_ATTEMPTS": _int("OUTBOX_MAX_ATTEMPTS", 8),
        "OUTBOX_BASE_DELAY_SECONDS": float(env.get("OUTBOX_BASE_DELAY_SECONDS", "2")),
        "OUTBOX_MAX_DELAY_SECONDS": float(env.get("OUTBOX_MAX_DELAY_SECONDS", "600")),
        "OUTBOX_BACKLOG_UNHEALTHY": _int("OUTBOX_BACKLOG_UNHEALTHY", 500),
        "CASEWORKER_PHONE": env.get("CASEWORKER_PHONE", "33 17 33 17"),
    }


def finalise(config: dict[str, Any]) -> dict[str, Any]:
    """Fill what is derived and refuse unsafe combinations, whatever the source of the settings."""
    production = config["ENVIRONMENT"] != "development"
    if config.get("DEMO_MODE") and production:
        raise RuntimeError(
            "DEMO_MODE is refused outside PORTAL_ENV=development: the demo chooser signs anyone in."
        )
    if not config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("SECRET_KEY must be set outside development.")
        # Development: a fresh key per process is fine, sessions are short-lived there.
        config["SECRET_KEY"] = secrets.token_hex(32)
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_SECURE", production)
    config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    config.setdefault("MAX_CONTENT_LENGTH", 256 * 1024)
    config.setdefault("BABEL_DEFAULT_LOCALE", "da")
    config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Copenhagen")
    return config
