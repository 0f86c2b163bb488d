"""Error pages: translated, in the site's layout, and never a stack trace. A refused form keeps its text."""

from __future__ import annotations

import logging

from flask import Flask, Response, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .restore import keep_pending

log = logging.getLogger(__name__)

RESUBMITTABLE_FIELDS_LIMIT = 50


def _keep_and_sign_in() -> Response:
    """The session ended while the person was writing: keep the words, ask them to sign in, bring them back."""
    keep_pending(request.path, list(request.form.items(multi=False)))
    return redirect(url_for("auth.sign_in_page", timeout=1, next=request.path), code=303)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int] | Response:
        from .identity import current_actor  # identity → authz → guard → identity: import when used

        if current_actor().anonymous and request.method == "POST":
            return _keep_and_sign_in()
        # The form token expired in a live session: show what was typed, ready to send again.
        fields = [
            (key, value) for key, value in request.form.items(multi=True) if key != "csrf_token"
        ][:RESUBMITTABLE_FIELDS_LIMIT]
        return render_template("errors/resubmit.html", fields=fields, action=request.path), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | Response:
        code = error.code or 500
        if code == 401 and request.method == "POST" and request.form:
            return _keep_and_sign_in()
        template = f"errors/{code}.html" if code in {401, 404, 413, 429} else "errors/generic.html"
        return render_template(template, code=code), code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        # Logged without request data: the form may hold personal text.
        log.exception("unexpected error on %s %s", request.method, request.endpoint)
        return render_template("errors/generic.html", code=500), 500
