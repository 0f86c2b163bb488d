"""Blueprints per audience. Every route declares its guard (see views/_guard.py; tests/meta checks it)."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    # Imported when the app is built, not with the package: importing `views._guard` (the templates' `may`)
    # must not load every view, and the views import `csrf` from the half-built app package.
    from .account import bp as account
    from .acting import bp as acting
    from .auth import bp as auth
    from .caseworker import bp as caseworker
    from .citizen import bp as citizen
    from .public import bp as public
    from .saml import bp as saml

    for blueprint in (public, auth, saml, account, acting, citizen, caseworker):
        app.register_blueprint(blueprint)
