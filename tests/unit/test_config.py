from __future__ import annotations

import pytest

from citizen_app import config as settings


def _base(**overrides: object) -> dict:
    cfg = settings.from_environment()
    cfg.update(
        PLAN_API_URL="https://plan-api.example.dk/fhir",
        PLAN_API_CLIENT_ID="portal",
        PLAN_API_PRIVATE_KEY_FILE="/etc/portal/plan-api-key.pem",
    )
    cfg.update(overrides)
    return cfg


def test_production_needs_a_secret_key_and_secure_cookies() -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        settings.finalise(
            _base(ENVIRONMENT="production", SECRET_KEY=None, PUBLIC_URL="https://plan.example.dk")
        )
    cfg = settings.finalise(
        _base(ENVIRONMENT="production", SECRET_KEY="k", PUBLIC_URL="https://plan.example.dk")
    )
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["SESSION_COOKIE_HTTPONLY"] is True
    assert cfg["SESSION_COOKIE_NAME"] == "__Host-session"


def test_production_needs_the_public_url_passkeys_are_bound_to() -> None:
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        settings.finalise(_base(ENVIRONMENT="production", SECRET_KEY="k", PUBLIC_URL=None))


def test_unknown_environment_counts_as_production() -> None:
    cfg = settings.finalise(
        _base(ENVIRONMENT="staging", SECRET_KEY="k", PUBLIC_URL="https://plan.example.dk")
    )
    assert cfg["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_a_plan_api_over_plain_http() -> None:
    with pytest.raises(RuntimeError, match="PLAN_API_URL must be https"):
        settings.finalise(
            _base(
                ENVIRONMENT="production",
                SECRET_KEY="k",
                PUBLIC_URL="https://plan.example.dk",
                PLAN_API_URL="http://plan-api.example.dk/fhir",
            )
        )


def test_production_refuses_to_call_the_plan_api_anonymously() -> None:
    with pytest.raises(RuntimeError, match="PLAN_API_CLIENT_ID"):
        settings.finalise(
            _base(
                ENVIRONMENT="production",
                SECRET_KEY="k",
                PUBLIC_URL="https://plan.example.dk",
                PLAN_API_CLIENT_ID=None,
            )
        )


def test_development_accepts_the_embedded_plain_http_plan_api() -> None:
    cfg = settings.finalise(
        _base(ENVIRONMENT="development", PLAN_API_URL="http://127.0.0.1:5001/fhir")
    )
    assert cfg["PLAN_API_URL"].startswith("http://")
