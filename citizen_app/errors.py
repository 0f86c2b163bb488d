"""Error pages: translated, in the site's layout, and never a stack trace. A refused form keeps its text."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .cross_site import leave_session_untouched, same_origin
from .restore import keep_pending

log = logging.getLogger(__name__)

RESUBMITTABLE_FIELDS_LIMIT = 50


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


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int] | Response:
        from .identity import current_actor  # identity → authz → guard → identity: import when used

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
