"""Issue #16: a new passkey is named after the device it was made on, in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask_babel import force_locale

from citizen_app import create_app
from citizen_app.views.device_names import device_name

ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
DAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(
        {
            "ENVIRONMENT": "development",
            "SECRET_KEY": "test",
            "OUTBOX_DISPATCH": "worker",
            "DATABASE_URL": "sqlite://",
        }
    )


@pytest.mark.parametrize(
    ("language", "user_agent", "name"),
    [
        ("en", ANDROID, "Chrome on Android, added 1 December"),
        ("da", ANDROID, "Chrome på Android, tilføjet 1. december"),
        ("en", IPHONE, "Safari on iPhone, added 1 December"),
        ("da", WINDOWS_FIREFOX, "Firefox på Windows, tilføjet 1. december"),
        ("en", "", "Passkey added 1 December"),
        ("da", "curl/8.0", "curl, tilføjet 1. december"),
    ],
)
def test_a_passkey_is_named_after_its_device(
    app: Flask, language: str, user_agent: str, name: str
) -> None:
    with app.test_request_context(), force_locale(language):
        assert device_name(user_agent, DAY) == name
