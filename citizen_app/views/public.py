"""Pages for anyone: the front page, the language switch, the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from flask import Response as FlaskResponse

from .. import db
from ..authz import public
from ..forms.common import LanguageForm
from ..i18n import COOKIE, LANGUAGES
from ..identity import current_actor
from ..services import health
from ..services.plan_reading import plan_client
from .safety import safe_next

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def index() -> str:
    return render_template("public/index.html", actor=current_actor())


@bp.post("/language")
@public
def language() -> FlaskResponse:
    form = LanguageForm()
    target = safe_next(request.form.get("next"))
    response = redirect(target, code=303)
    if form.validate_on_submit() and form.language.data in LANGUAGES:
        response.set_cookie(
            COOKIE,
            form.language.data,
            max_age=60 * 60 * 24 * 365,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@bp.get("/healthz")
@public
def healthz() -> tuple[FlaskResponse, int]:
    healthy, body = health.check(
        db.session(), plan_client(), current_app.config["OUTBOX_BACKLOG_UNHEALTHY"]
    )
    return jsonify(body), 200 if healthy else 503
