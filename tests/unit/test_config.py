from __future__ import annotations

import pytest

from citizen_app import config as settings


def _base(**overrides: object) -> dict:
    cfg = settings.from_environment()
    cfg.update(overrides)
    return cfg


def test_demo_mode_cannot_be_turned_on_in_production() -> None:
    with pytest.raises(RuntimeError, match="DEMO_MODE"):
        settings.finalise(_base(ENVIRONMENT="production", DEMO_MODE=True, SECRET_KEY="x"))


def test_production_needs_a_secret_key_and_secure_cookies() -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        settings.finalise(_base(ENVIRONMENT="production", SECRET_KEY=None))
    cfg = settings.finalise(_base(ENVIRONMENT="production", SECRET_KEY="k"))
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["SESSION_COOKIE_HTTPONLY"] is True


def test_unknown_environment_counts_as_production() -> None:
    with pytest.raises(RuntimeError):
        settings.finalise(_base(ENVIRONMENT="staging", DEMO_MODE=True, SECRET_KEY="k"))
