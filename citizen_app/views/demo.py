"""The demo chooser: pick a demo citizen without signing in. Only registered in demo mode, on localhost.

Demo mode is refused at start-up outside PORTAL_ENV=development (config.finalise), and each request is
checked to come from the local machine, so this can never be on in a production configuration.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request
from flask import Response as FlaskResponse
from wtforms import SelectChoice

from .. import db
from ..authz import public
from ..data import accounts
from ..forms.common import DemoSignInForm, PlainForm
from ..identity import sign_in, sign_out

bp = Blueprint("demo", __name__, url_prefix="/demo")
LOCAL = {"127.0.0.1", "::1"}


@bp.before_request
def _only_from_this_machine() -> None:
    if request.remote_addr not in LOCAL:
        abort(404)


def _form() -> DemoSignInForm:
    form = DemoSignInForm()
    form.account.choices = [
        SelectChoice(a.username, a.display_name) for a in accounts.citizens(db.session())
    ]
    return form


@bp.get("/")
@public
def choose() -> str:
    form = _form()
    return render_template("public/demo.html", form=form)


@bp.post("/")
@public
def choose_post() -> FlaskResponse | tuple[str, int]:
    form = _form()
    if not form.validate_on_submit():
        return render_template("public/demo.html", form=form), 400
    account = accounts.by_username(db.session(), form.account.data)
    if account is None:
        abort(404)
    sign_in(account)
    return redirect("/plan", code=303)


@bp.post("/sign-out")
@public
def sign_out_post() -> FlaskResponse:
    if PlainForm().validate_on_submit():
        sign_out()
    return redirect("/", code=303)
