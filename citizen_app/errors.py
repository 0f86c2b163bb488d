"""Error pages: translated, in the site's layout, and never a stack trace. A refused form keeps its text."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, Response, g, make_response, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import (
    DisconnectionError,
    InterfaceError,
    InternalError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from .cross_site import leave_session_untouched, same_origin
from .identity import current_actor
from .restore import keep_pending

log = logging.getLogger(__name__)

RESUBMITTABLE_FIELDS_LIMIT = 50
# What "the portal database cannot be used just now" looks like: unreachable, restarting, read-only, pool empty.
DATABASE_DOWN = (OperationalError, InterfaceError, InternalError, DisconnectionError, PoolTimeout)
RETRY_AFTER_SECONDS = 60


class DatabaseUnavailable(Exception):
    """The session could not be opened: the database was down when the request began."""


def _database_reachable() -> None:
    # Static files need no database: the 503 page keeps its styles.
    if g.get("database_unavailable") and request.endpoint != "static":
        raise DatabaseUnavailable


def _database_down() -> tuple[str, int, dict[str, str]]:
    """503, in the site's layout, without anything read from the database (no name, no counts). A POST's
    fields come back in a form to send again, with the token it came with (its session is still valid)."""
    stale = g.pop("db_session", None)
    if stale is not None:
        with contextlib.suppress(SQLAlchemyError):
            stale.close()
    for key in ("actor", "citizen_ref", "author_ref", "current_account", "session_account"):
        g.pop(key, None)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.method == "POST" and request.form:
        fields = [
            (key, value) for key, value in request.form.items(multi=True) if key != "csrf_token"
        ][:RESUBMITTABLE_FIELDS_LIMIT]
        token = request.form.get("csrf_token", "")
        return (
            render_template(
                "errors/503_resubmit.html", fields=fields, action=request.path, token=token
            ),
            503,
            headers,
        )
    return render_template("errors/503.html"), 503, headers


def _ended_account() -> str | None:
    """The account whose session of this browser ended (idle or absolute timeout) on this very request."""
    ended = g.get("session_ended") or {}
    return str(ended["account_id"]) if ended.get("account_id") else None


def _typed_fields() -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"][
        :RESUBMITTABLE_FIELDS_LIMIT
    ]


def _to_sign_in() -> Response:
    """A POST from someone not signed in. Only when this browser's own signed-in session just timed out, and
    the browser says the POST came from the portal's own page, are the words kept (for that account alone) to
    come back after sign-in. Otherwise nothing is kept and no session is made (issue #14, item 4)."""
    owner = _ended_account()
    if owner is not None and same_origin() is True:
        keep_pending(request.path, list(request.form.items(multi=False)), owner=owner)
        return redirect(url_for("auth.sign_in_page", timeout=1, next=request.path), code=303)
    leave_session_untouched()
    return redirect(url_for("auth.sign_in_page", next=request.path), code=303)


def _answer_database_error(
    error: SQLAlchemyError,
) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    # The type only: SQLAlchemy's text can carry statement parameters (personal data).
    if isinstance(error, DATABASE_DOWN):
        log.error(
            "portal database unavailable on %s %s: %s",
            request.method,
            request.endpoint,
            type(error).__name__,
        )
        return _database_down()
    log.error("database error on %s %s: %s", request.method, request.endpoint, type(error).__name__)
    return render_template("errors/generic.html", code=500), 500


def database_error_response(error: SQLAlchemyError) -> Response:
    """The request's commit failed (citizen_app/db.py): the same answer as a database error in a view."""
    return make_response(_answer_database_error(error))


def init_app(app: Flask) -> None:
    # First of all before-request work (CSRF, the actor): nothing may read a session that did not open.
    app.before_request_funcs.setdefault(None, []).insert(0, _database_reachable)

    @app.errorhandler(DatabaseUnavailable)
    def _unavailable(_error: DatabaseUnavailable) -> tuple[str, int, dict[str, str]]:
        return _database_down()

    @app.errorhandler(SQLAlchemyError)
    def _database_error(
        error: SQLAlchemyError,
    ) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
        return _answer_database_error(error)

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int] | Response:
        actor = current_actor()
        if actor.anonymous and request.method == "POST":
            return _to_sign_in()
        # A signed-in person's form token is missing or expired. Their own words (a POST their browser says
        # came from the portal's page) are kept for the form to show again and listed as plain text; no form
        # with a fresh token is ever put around fields the portal did not render itself.
        kept = same_origin() is True and actor.account_id is not None
        fields = _typed_fields() if kept else []
        if kept:
            keep_pending(request.path, fields, owner=str(actor.account_id))
        return render_template("errors/resubmit.html", fields=fields, action=request.path), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | Response:
        code = error.code or 500
        if code == 401 and request.method == "POST":
            return _to_sign_in()
        template = f"errors/{code}.html" if code in {401, 404, 413, 429} else "errors/generic.html"
        return render_template(template, code=code), code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        # Logged without request data: the form may hold personal text.
        log.exception("unexpected error on %s %s", request.method, request.endpoint)
        return render_template("errors/generic.html", code=500), 500
