"""Rate limits (Flask-Limiter) on code entry and sign-in: in memory in one process, Redis when REDIS_URL is set."""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def activation_limit() -> str:
    return current_app.config["RATELIMIT_ACTIVATION"]


def sign_in_limit() -> str:
    return current_app.config["RATELIMIT_SIGN_IN"]


def init_app(app: Flask) -> None:
    limiter.init_app(app)
