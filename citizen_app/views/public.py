"""Pages for anyone: the front page, the language switch, the health check, the accessibility statement.

Also the address of the quick-exit button ("Leave this page quickly") for every page: QUICK_EXIT_URL, a
neutral site outside the portal (docs/accessibility.md).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask import Response as FlaskResponse

from .. import db
from ..forms.common import LanguageForm
from ..i18n import COOKIE, LANGUAGES
from ..identity import current_actor
from ..services import health
from ..services.plan_reading import plan_client
from ._guard import public
from .safety import safe_next

bp = Blueprint("public", __name__)

QUICK_EXIT_DEFAULT = "https://www.dr.dk/"
ACCESSIBILITY_EMAIL_DEFAULT = "tilgaengelighed@borgerensplan.dk"
# Where the Danish Agency for Digital Government (Digitaliseringsstyrelsen) tells citizens how to complain.
COMPLAINTS_URL = (
    "https://digst.dk/digital-inklusion/webtilgaengelighed/oplever-du-ikke-tilgaengeligt-indhold/"
)
# Change this date whenever the statement's content changes (the law asks for a review at least yearly).
STATEMENT_UPDATED = date(2026, 11, 22)


def quick_exit_url() -> str:
    """The neutral site the quick-exit button leaves for: an http(s) address or a path, else the default."""
    url = str(current_app.config.get("QUICK_EXIT_URL") or "")
    if url.startswith(("https://", "http://")) or (
        url.startswith("/") and not url.startswith("//")
    ):
        return url
    return QUICK_EXIT_DEFAULT


@bp.app_context_processor
def _quick_exit() -> dict[str, str]:
    return {"quick_exit_url": quick_exit_url()}


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
        db.session(),
        plan_client(),
        current_app.config["OUTBOX_BACKLOG_UNHEALTHY"],
        timedelta(minutes=current_app.config["OUTBOX_ALERT_AFTER_MINUTES"]),
    )
    return jsonify(body), 200 if healthy else 503


@bp.get("/tilgaengelighed")
@public
def accessibility() -> str:
    """The accessibility statement (tilgængelighedserklæring), linked from every page's footer."""
    return render_template(
        "public/accessibility.html",
        phone=current_app.config["CASEWORKER_PHONE"],
        email=current_app.config.get("ACCESSIBILITY_EMAIL", ACCESSIBILITY_EMAIL_DEFAULT),
        complaints_url=COMPLAINTS_URL,
        updated=STATEMENT_UPDATED,
    )


@bp.get("/was")
@public
def accessibility_short() -> FlaskResponse:
    """/was is where Danish public sites keep their statement: a permanent redirect to the one page."""
    return redirect(url_for("public.accessibility"), code=301)
