"""Blueprints per audience. Every route declares its guard (see authz.guard; tests/meta checks it)."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from .account import bp as account
    from .acting import bp as acting
    from .auth import bp as auth
    from .caseworker import bp as caseworker
    from .citizen import bp as citizen
    from .public import bp as public
    from .saml import bp as saml

    for blueprint in (public, auth, saml, account, acting, citizen, caseworker):
        app.register_blueprint(blueprint)
