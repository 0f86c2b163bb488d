"""Blueprints per audience. Every route declares its guard (see authz.guard; tests/meta checks it)."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from .citizen import bp as citizen
    from .public import bp as public

    app.register_blueprint(public)
    app.register_blueprint(citizen)
    if app.config["DEMO_MODE"]:
        from .demo import bp as demo

        app.register_blueprint(demo)
