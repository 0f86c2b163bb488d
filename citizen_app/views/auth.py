"""Sign-in pages: activation with a code, the first passkey, sign-in with a passkey, sign-out, staying signed in.

The passkey steps are JSON endpoints the page's script calls (CSRF in a header). Without JavaScript passkeys
cannot work; the pages say so plainly and say how to get help.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask import Response as FlaskResponse
from flask_babel import gettext as _

from .. import db
from ..audit import record_account_event
from ..auth import activation, relying_party
from ..auth import service as auth_service
from ..auth.passkeys import PasskeyError
from ..data import accounts as account_data
from ..forms.auth import ActivationForm, PasskeyNameForm
from ..forms.common import PlainForm
from ..forms.delegations import InvitationCodeForm
from ..identity import current_actor, saml, session_id, sign_in, sign_out
from ..models import Account, AccountKind, utcnow
from ..plan_api import PlanAPIError
from ..ratelimit import activation_limit, limiter, sign_in_limit
from ..services import delegations as delegation_service
from ..services.plan_reading import plan_client
from ._guard import ACTING_FOR, public
from .device_names import device_name
from .safety import safe_next

bp = Blueprint("auth", __name__)
ACTIVATING = "activating_account"
ACTIVATION_WINDOW_SECONDS = 15 * 60


def home_for(account: Account | Any) -> str:
    """Citizens and those acting for them land on the plan (the guard asks whose, if several)."""
    if account.kind in (AccountKind.CITIZEN, AccountKind.RELATIVE):
        return url_for("citizen.plan")
    return url_for("caseworker.caseload")


def ceremony_body() -> tuple[dict[str, Any], dict[str, Any]]:
    """The page's script posts {"credential": <PublicKeyCredential.toJSON()>, "name"?: …, "next"?: …}."""
    body = request.get_json(silent=True)
    credential = body.get("credential") if isinstance(body, dict) else None
    if not isinstance(credential, dict):
        abort(400)
    return credential, body


def refused(message: str, status: int = 400) -> tuple[FlaskResponse, int]:
    return jsonify({"error": message}), status


def register_passkey(account: Account, default_name: str) -> tuple[FlaskResponse, int] | None:
    """Finish a registration ceremony for `account` and log it; the refusal to send back, or None."""
    credential, body = ceremony_body()
    try:
        auth_service.finish_registration(
            db.session(),
            session_id=ceremony_session(),
            account=account,
            credential=credential,
            rp_id=relying_party.rp_id(),
            origin=relying_party.origin(),
            name=str(body.get("name") or default_name),
        )
    except PasskeyError:
        record_account_event(account, "auth:passkey:added", "Passkey", "denied")
        return refused(_("We could not save the passkey. Please try again."))
    record_account_event(account, "auth:passkey:added", "Passkey", "allowed")
    return None


def ceremony_session() -> uuid.UUID:
    row_id = session_id()
    if row_id is None:
        abort(400)  # no session: cookies are off, or this is not the page's own script
    return row_id


# -- sign-in ---------------------------------------------------------------------------------------


@bp.get("/sign-in")
@public
def sign_in_page() -> str:
    timed_out = request.args.get("timeout") == "1"
    needs_level = request.args.get("level") == "1"
    return render_template(
        "auth/sign_in.html",
        next=safe_next(request.args.get("next"), ""),
        timed_out=timed_out,
        needs_level=needs_level,
        mitid=saml.enabled(),
    )


@bp.post("/sign-in/options")
@public
@limiter.limit(sign_in_limit)
def sign_in_options() -> FlaskResponse:
    options = auth_service.begin_assertion(
        db.session(),
        session_id=ceremony_session(),
        purpose="sign-in",
        rp_id=relying_party.rp_id(),
        account=None,
    )
    return current_app.response_class(options, mimetype="application/json")


@bp.post("/sign-in/verify")
@public
@limiter.limit(sign_in_limit)
def sign_in_verify() -> FlaskResponse | tuple[FlaskResponse, int]:
    credential, body = ceremony_body()
    try:
        account = auth_service.finish_assertion(
            db.session(),
            session_id=ceremony_session(),
            purpose="sign-in",
            credential=credential,
            rp_id=relying_party.rp_id(),
            origin=relying_party.origin(),
        )
    except PasskeyError:
        record_account_event(None, "auth:sign-in", "Session", "denied")
        return refused(
            _(
                "We could not sign you in with that passkey. Try again, or ask your caseworker for a new activation code."
            )
        )
    sign_in(account)
    record_account_event(account, "auth:sign-in", "Session", "allowed")
    target = safe_next(str(body.get("next") or ""), home_for(account))
    return jsonify({"redirect": target})


@bp.post("/sign-out")
@public
def sign_out_post() -> FlaskResponse:
    actor = current_actor()
    if PlainForm().validate_on_submit() and not actor.anonymous:
        account = account_data.by_id(db.session(), actor.account_id)
        nemlogin_logout = saml.logout_redirect()  # a MitID session also ends at NemLog-in
        sign_out()
        record_account_event(account, "auth:sign-out", "Session", "allowed")
        flash(_("You are signed out."))
        if nemlogin_logout:
            return redirect(nemlogin_logout, code=303)
    return redirect(url_for("public.index"), code=303)


@bp.post("/session/extend")
@public
def extend_session() -> FlaskResponse:
    """The "stay signed in" button: any request keeps a session alive; this one exists to be pressed."""
    if current_actor().anonymous:
        abort(401)
    session["extended_at"] = utcnow().isoformat()
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"ok": True})
    return redirect(safe_next(request.form.get("next"), url_for("public.index")), code=303)


# -- activation: code, then the first passkey ------------------------------------------------------


@bp.route("/activate", methods=["GET", "POST"])
@public
@limiter.limit(activation_limit, methods=["POST"])
def activate() -> str | FlaskResponse | tuple[str, int]:
    form = ActivationForm()
    if form.validate_on_submit():
        account = activation.redeem(
            db.session(), form.code.data or "", secret_key=current_app.config["SECRET_KEY"]
        )
        if account is not None:
            record_account_event(account, "auth:activation-code:used", "ActivationCode", "allowed")
            session.clear()
            session[ACTIVATING] = {"account": str(account.id), "at": utcnow().timestamp()}
            session.rotate = True  # type: ignore[attr-defined]
            return redirect(url_for("auth.activate_passkey"), code=303)
        record_account_event(None, "auth:activation-code:used", "ActivationCode", "denied")
        form.code.errors.append(
            _(
                "This code does not work. It may already be used, or it is too old. Check it, or ask for a new one."
            )
        )
    return render_template("auth/activate.html", form=form), 400 if form.errors else 200


def _activating_account() -> Account | None:
    pending = session.get(ACTIVATING)
    if not isinstance(pending, dict):
        return None
    if utcnow().timestamp() - float(pending.get("at", 0)) > ACTIVATION_WINDOW_SECONDS:
        return None
    try:
        return account_data.by_id(db.session(), uuid.UUID(str(pending.get("account"))))
    except ValueError:
        return None


@bp.get("/activate/passkey")
@public
def activate_passkey() -> str | FlaskResponse:
    if _activating_account() is None:
        flash(_("Please start again with your activation code."))
        return redirect(url_for("auth.activate"), code=303)
    return render_template("auth/activate_passkey.html", form=PasskeyNameForm())


@bp.post("/activate/passkey/options")
@public
@limiter.limit(sign_in_limit)
def activate_passkey_options() -> FlaskResponse | tuple[FlaskResponse, int]:
    account = _activating_account()
    if account is None:
        return refused(_("Please start again with your activation code."), 403)
    options = auth_service.begin_registration(
        db.session(),
        session_id=ceremony_session(),
        account=account,
        rp_id=relying_party.rp_id(),
        rp_name=relying_party.rp_name(),
    )
    return current_app.response_class(options, mimetype="application/json")


@bp.post("/activate/passkey/verify")
@public
@limiter.limit(sign_in_limit)
def activate_passkey_verify() -> FlaskResponse | tuple[FlaskResponse, int]:
    account = _activating_account()
    if account is None:
        return refused(_("Please start again with your activation code."), 403)
    failed = register_passkey(account, default_name=device_name(request.user_agent.string))
    if failed is not None:
        return failed
    sign_in(account, method="activation-code")
    record_account_event(account, "auth:sign-in", "Session", "allowed")
    flash(_("Your passkey is ready. Next time you sign in with it."))
    return jsonify({"redirect": home_for(account)})


# -- an invitation to act for someone ---------------------------------------------------------------


@bp.route("/invitation", methods=["GET", "POST"])
@public
@limiter.limit(activation_limit, methods=["POST"])
def invitation() -> str | FlaskResponse | tuple[str, int]:
    form = InvitationCodeForm()
    if form.validate_on_submit():
        actor = current_actor()
        relative = (
            account_data.by_id(db.session(), actor.account_id) if not actor.anonymous else None
        )
        if relative is not None and relative.kind is not AccountKind.RELATIVE:
            relative = None  # a citizen's or caseworker's account never becomes a relative's
            sign_out()
        try:
            accepted = delegation_service.accept(
                db.session(),
                plan_client(),
                code=form.code.data or "",
                secret_key=current_app.config["SECRET_KEY"],
                relative=relative,
            )
        except PlanAPIError:
            form.code.errors.append(_("We cannot finish this right now. Please try again later."))
            accepted = None
        if accepted is not None:
            delegation, account = accepted
            record_account_event(account, "delegation:accepted", "Delegation", "allowed")
            if relative is not None:
                session[ACTING_FOR] = str(delegation.id)
                return redirect(url_for("citizen.plan"), code=303)
            session.clear()
            session[ACTING_FOR] = str(delegation.id)
            session[ACTIVATING] = {"account": str(account.id), "at": utcnow().timestamp()}
            session.rotate = True  # type: ignore[attr-defined]
            return redirect(url_for("auth.activate_passkey"), code=303)
        if not form.code.errors:
            record_account_event(None, "delegation:accepted", "Delegation", "denied")
            form.code.errors.append(
                _(
                    "This code does not work. It may already be used, or it is too old. Ask for a new one."
                )
            )
    return render_template("auth/invitation.html", form=form), 400 if form.errors else 200
