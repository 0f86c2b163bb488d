"""Error pages: translated, in the site's layout, and never a stack trace. A refused form keeps its text."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

RESUBMITTABLE_FIELDS_LIMIT = 50


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int]:
        # The form token expired or the session was lost: show what was typed, ready to send again.
        fields = [
            (key, value) for key, value in request.form.items(multi=True) if key != "csrf_token"
        ][:RESUBMITTABLE_FIELDS_LIMIT]
        return render_template("errors/resubmit.html", fields=fields, action=request.path), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        template = f"errors/{code}.html" if code in {401, 404, 413, 429} else "errors/generic.html"
        return render_template(template, code=code), code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        # Logged without request data: the form may hold personal text.
        log.exception("unexpected error on %s %s", request.method, request.endpoint)
        return render_template("errors/generic.html", code=500), 500
