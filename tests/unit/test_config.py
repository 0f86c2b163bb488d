from __future__ import annotations

import pytest

from citizen_app import config as settings


def _base(**overrides: object) -> dict:
    cfg = settings.from_environment()
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
