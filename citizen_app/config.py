"""Settings from the environment. The embedded default (SQLite, in-process plan service, demo data) needs none."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


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
        # The portal's credential at the plan API (SMART Backend Services, docs/plan-api.md): its client
        # id, its private key (PEM, EC P-384 or RSA), the scopes it asks for, and the token endpoint
        # (found by discovery when not set). TLS: a CA bundle, and a client certificate for mutual TLS.
        **{
            key: env[key]
            for key in (
                "PLAN_API_CLIENT_ID",
                "PLAN_API_PRIVATE_KEY_FILE",
                "PLAN_API_SCOPE",
                "PLAN_API_TOKEN_URL",
                "PLAN_API_CA_BUNDLE",
                "PLAN_API_CLIENT_CERT",
                "PLAN_API_CLIENT_CERT_KEY",
            )
            if env.get(key)
        },
        # "inline": deliver right after commit in a background thread of this process (embedded default);
        # "worker": leave it to `flask --app citizen_app outbox run` processes.
        "OUTBOX_DISPATCH": env.get("OUTBOX_DISPATCH", "worker"),
        # "Unavailable" answers are retried until the plan API decides; only after this long without an
        # answer is a row dead-lettered (alerting from OUTBOX_ALERT_AFTER_MINUTES on). See docs/plan-api.md.
        "OUTBOX_GIVE_UP_AFTER_HOURS": float(env.get("OUTBOX_GIVE_UP_AFTER_HOURS", "168")),
        "OUTBOX_ALERT_AFTER_MINUTES": float(env.get("OUTBOX_ALERT_AFTER_MINUTES", "60")),
        "OUTBOX_PROBE_SECONDS": float(env.get("OUTBOX_PROBE_SECONDS", "2")),
        "OUTBOX_HOLD_RETRY_SECONDS": float(env.get("OUTBOX_HOLD_RETRY_SECONDS", "30")),
        # Plans' first rows claimed and committed together (creates only; an update ends its batch).
        "OUTBOX_BATCH_SIZE": _int("OUTBOX_BATCH_SIZE", 20),
        "OUTBOX_BASE_DELAY_SECONDS": float(env.get("OUTBOX_BASE_DELAY_SECONDS", "2")),
        "OUTBOX_MAX_DELAY_SECONDS": float(env.get("OUTBOX_MAX_DELAY_SECONDS", "600")),
        "OUTBOX_BACKLOG_UNHEALTHY": _int("OUTBOX_BACKLOG_UNHEALTHY", 500),
        "CASEWORKER_PHONE": env.get("CASEWORKER_PHONE", "33 17 33 17"),
        # Notifications (citizen_app/notify): "console" or "smtp"; no personal content either way.
        **{
            key: env[key]
            for key in (
                "NOTIFY_BACKEND",
                "NOTIFY_SMTP_HOST",
                "NOTIFY_SMTP_PORT",
                "NOTIFY_SMTP_USERNAME",
                "NOTIFY_SMTP_PASSWORD",
                "NOTIFY_SMTP_STARTTLS",
                "NOTIFY_SMTP_TIMEOUT",
                "NOTIFY_FROM",
                "NOTIFY_DIGITALPOST_URL",
                "NOTIFY_DIGITALPOST_SENDER_ID",
                "NOTIFY_DIGITALPOST_SENDER_LABEL",
                "NOTIFY_DIGITALPOST_ATTEMPTS",
                "NOTIFY_DIGITALPOST_BACKOFF_SECONDS",
            )
            if key in env
        },
        "NOTIFY_POLL_SECONDS": float(env.get("NOTIFY_POLL_SECONDS", "60")),
        # Where "leave this page quickly" goes, and where accessibility problems can be reported in writing.
        "QUICK_EXIT_URL": env.get("QUICK_EXIT_URL", "https://www.dr.dk/"),
        "ACCESSIBILITY_EMAIL": env.get("ACCESSIBILITY_EMAIL", "tilgaengelighed@borgerensplan.dk"),
        # Working days (Danish public holidays excluded) within which a message is answered.
        "ANSWER_WORKING_DAYS": _int("ANSWER_WORKING_DAYS", 3),
        "COMPLAINT_WORKING_DAYS": _int("COMPLAINT_WORKING_DAYS", 20),
        # https://… where citizens reach the portal; passkeys are bound to its host. Required in production.
        "PUBLIC_URL": env.get("PUBLIC_URL"),
        # Mapped plans kept per process, keyed by citizen and ETag (services/plan_cache.py).
        "PLAN_CACHE_ENTRIES": _int("PLAN_CACHE_ENTRIES", 256),
        # The change feed is read at most this often per process; a plan it shows unchanged is shown
        # without asking the plan API (services/plan_freshness.py). 0: ask on every view.
        "PLAN_FEED_SECONDS": float(env.get("PLAN_FEED_SECONDS", "1")),
        # ... and a plan is asked for again at least this often, whatever the feed says.
        "PLAN_TRUST_SECONDS": float(env.get("PLAN_TRUST_SECONDS", "60")),
        # Rendered pages kept per process by everything they are made of (views/_memo.py); 0: none.
        "PAGE_MEMO_ENTRIES": _int("PAGE_MEMO_ENTRIES", 256),
        "PAGE_MEMO_SECONDS": float(env.get("PAGE_MEMO_SECONDS", "300")),
        "SESSION_IDLE_MINUTES": float(env.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_WARNING_SECONDS": _int("SESSION_WARNING_SECONDS", 300),
        "SESSION_ABSOLUTE_HOURS": float(env.get("SESSION_ABSOLUTE_HOURS", "12")),
        "RECENT_SIGN_IN_MINUTES": float(env.get("RECENT_SIGN_IN_MINUTES", "5")),
        "ACTIVATION_CODE_DAYS": _int("ACTIVATION_CODE_DAYS", 14),
        # The access log is kept this long, then `flask --app citizen_app audit purge` removes it.
        "AUDIT_RETENTION_DAYS": _int("AUDIT_RETENTION_DAYS", 5 * 365),
        # memory:// in one process; redis://… when several processes must share the counters.
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL", "memory://"),
        # How many reverse proxies in front of the portal set X-Forwarded-For/-Proto (werkzeug ProxyFix).
        # 0 (default): the address the connection came from is the client's; forwarded headers are ignored.
        # Set it to exactly the number of proxies you run, never more: a higher number lets a client choose
        # its own address (and so its own rate-limit bucket).
        "TRUSTED_PROXY_HOPS": _int("TRUSTED_PROXY_HOPS", 0),
        "RATELIMIT_ACTIVATION": env.get("RATELIMIT_ACTIVATION", "5 per minute; 20 per hour"),
        "RATELIMIT_SIGN_IN": env.get("RATELIMIT_SIGN_IN", "20 per minute; 100 per hour"),
        # MitID through NemLog-in (OIOSAML 3), see docs/sign-in.md. Off while SAML_IDP_METADATA is empty.
        # SAML_IDP_METADATA: NemLog-in's metadata, a file path or an https URL.
        **{
            key: env[key]
            for key in (
                "SAML_IDP_METADATA",
                "SAML_SP_BASE_URL",
                "SAML_SP_ENTITY_ID",
                "SAML_SP_KEY_FILE",
                "SAML_SP_CERT_FILE",
                "SAML_SP_ENCRYPTION_KEY_FILE",
                "SAML_SP_ENCRYPTION_CERT_FILE",
                "CPR_HASH_KEY",
            )
            if key in env
        },
        # The NSIS level a MitID sign-in must reach: "Low", "Substantial" (default) or "High".
        "SAML_MIN_LEVEL": env.get("SAML_MIN_LEVEL", "Substantial"),
        # The rights ("borgerfuldmagt") the portal defines in Digital Fuldmagt: <prefix>see-plan|write|message.
        "FULDMAGT_PRIVILEGE_PREFIX": env.get(
            "FULDMAGT_PRIVILEGE_PREFIX", "https://borgerensplan.dk/privilege/"
        ),
        # Actions (permission names, space-separated) that need a session at NSIS Substantial or higher;
        # empty: every sign-in method may do everything its person may (docs/sign-in.md).
        "SUBSTANTIAL_REQUIRED_FOR": env.get("SUBSTANTIAL_REQUIRED_FOR", ""),
    }


def finalise(config: dict[str, Any]) -> dict[str, Any]:
    """Fill what is derived and refuse unsafe combinations, whatever the source of the settings."""
    production = config["ENVIRONMENT"] != "development"
    if production and not config.get("PUBLIC_URL"):
        raise RuntimeError(
            "PUBLIC_URL must be set outside development: passkeys are bound to its host."
        )
    if production and not str(config.get("PLAN_API_URL", "")).startswith("https://"):
        raise RuntimeError(
            "PLAN_API_URL must be https://… outside development: the plan API carries citizens' data."
        )
    if production and not (
        config.get("PLAN_API_CLIENT_ID") and config.get("PLAN_API_PRIVATE_KEY_FILE")
    ):
        raise RuntimeError(
            "PLAN_API_CLIENT_ID and PLAN_API_PRIVATE_KEY_FILE must be set outside development: the plan"
            " API accepts no anonymous caller."
        )
    if not config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("SECRET_KEY must be set outside development.")
        # Development: a fresh key per process is fine, sessions are short-lived there.
        config["SECRET_KEY"] = secrets.token_hex(32)
    if config.get("SAML_MIN_LEVEL") not in ("Low", "Substantial", "High"):
        raise RuntimeError("SAML_MIN_LEVEL must be Low, Substantial or High.")
    if not config.get("CPR_HASH_KEY"):
        # Its own key in production, so that SECRET_KEY can be rotated without losing who is who.
        if production and config.get("SAML_IDP_METADATA"):
            raise RuntimeError("CPR_HASH_KEY must be set outside development when MitID is on.")
        config["CPR_HASH_KEY"] = "cpr-hash:" + config["SECRET_KEY"]
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_SECURE", production)
    # __Host- makes the browser refuse the cookie unless it is Secure, host-only and for the whole site.
    config.setdefault("SESSION_COOKIE_NAME", "__Host-session" if production else "portal_session")
    config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    config.setdefault("MAX_CONTENT_LENGTH", 256 * 1024)
    config.setdefault("BABEL_DEFAULT_LOCALE", "da")
    config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Copenhagen")
    # Static files are read, fingerprinted and compressed once at start-up (citizen_app/static_assets.py);
    # in development they are looked at again on each request so that edits show at once.
    config.setdefault("STATIC_ASSETS_RELOAD", not production)
    # Flask-Compress for responses made per request (pages, JSON): brotli, else gzip; nothing under 500 bytes
    # (its default). Static files come precompressed from static_assets and are left alone by it.
    config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    return config
