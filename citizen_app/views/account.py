"""My sign-in settings: passkeys (list, rename, add, remove) and sessions on other devices.

Adding or removing a passkey needs a sign-in within the last few minutes (RECENT_SIGN_IN_MINUTES); otherwise
the person confirms with a passkey first and comes straight back.
"""

from __future__ import annotations

import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import db
from ..audit import record_account_event
from ..auth import relying_party
from ..auth import service as auth_service
from ..auth.passkeys import PasskeyError
from ..auth.sessions import end_sessions_of
from ..authz import Action
from ..forms.auth import NotificationForm, PasskeyNameForm, RenameForm
from ..forms.common import PlainForm, item_form, item_prefix
from ..identity import confirm_presence, current_account, recently_authenticated, session_id
from ..services.notifications import opt_in
from ._guard import guarded
from .auth import ceremony_body, ceremony_session, refused, register_passkey
from .device_names import device_name
from .safety import safe_next

bp = Blueprint("account", __name__, url_prefix="/account")


def _confirm_first(next_path: str) -> FlaskResponse:
    return redirect(url_for("account.confirm", next=next_path), code=303)


def _render_passkeys(account_id: uuid.UUID, submitted: RenameForm | None = None) -> str:
    """The page with one rename form per passkey (prefix "rename-<id>"), the one just sent kept as typed."""
    passkeys = auth_service.passkeys_of(db.session(), account_id)
    return render_template(
        "account/passkeys.html",
        passkeys=passkeys,
        rename_forms={
            p.id: item_form(RenameForm, "rename", p.id, submitted, name=p.name) for p in passkeys
        },
        rename_form=submitted,
        plain_form=PlainForm(),
        add_form=PasskeyNameForm(),
        recent=recently_authenticated(),
    )


@bp.get("/passkeys")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Passkey")
def passkeys() -> str:
    account = current_account()
    assert account is not None
    return _render_passkeys(account.id)


@bp.post("/passkeys/<uuid:passkey_id>/rename")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Passkey")
def rename(passkey_id: uuid.UUID) -> FlaskResponse | tuple[str, int]:
    account = current_account()
    assert account is not None
    owned = {p.id for p in auth_service.passkeys_of(db.session(), account.id)}
    if passkey_id not in owned:
        abort(
            404
        )  # someone else's passkey (or none): as if it did not exist, before any form check
    form = RenameForm(prefix=item_prefix("rename", passkey_id))
    if not form.validate_on_submit():
        return _render_passkeys(account.id, form), 400
    if not auth_service.rename(db.session(), account.id, passkey_id, form.name.data or ""):
        abort(404)
    record_account_event(account, "auth:passkey:renamed", "Passkey", "allowed")
    flash(_("The passkey has a new name."))
    return redirect(url_for("account.passkeys"), code=303)


@bp.post("/passkeys/<uuid:passkey_id>/remove")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Passkey")
def remove(passkey_id: uuid.UUID) -> FlaskResponse:
    account = current_account()
    assert account is not None
    if not PlainForm().validate_on_submit():
        abort(400)
    if not recently_authenticated():
        return _confirm_first(url_for("account.passkeys"))
    outcome = auth_service.remove(db.session(), account.id, passkey_id)
    if outcome == "not-found":
        abort(404)
    if outcome == "last":
        record_account_event(account, "auth:passkey:removed", "Passkey", "denied")
        flash(
            _(
                "You cannot remove your only passkey: without one you cannot sign in. If you have "
                "lost the device, ask your caseworker for a new activation code."
            )
        )
    else:
        record_account_event(account, "auth:passkey:removed", "Passkey", "allowed")
        flash(_("The passkey is removed."))
    return redirect(url_for("account.passkeys"), code=303)


@bp.post("/passkeys/options")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Passkey")
def add_options() -> FlaskResponse | tuple[FlaskResponse, int]:
    account = current_account()
    assert account is not None
    if not recently_authenticated():
        return refused(_("Please confirm it is you first."), 403)
    options = auth_service.begin_registration(
        db.session(),
        session_id=ceremony_session(),
        account=account,
        rp_id=relying_party.rp_id(),
        rp_name=relying_party.rp_name(),
    )
    return current_app.response_class(options, mimetype="application/json")


@bp.post("/passkeys/verify")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Passkey")
def add_verify() -> FlaskResponse | tuple[FlaskResponse, int]:
    account = current_account()
    assert account is not None
    if not recently_authenticated():
        return refused(_("Please confirm it is you first."), 403)
    failed = register_passkey(account, default_name=device_name(request.user_agent.string))
    if failed is not None:
        return failed
    flash(_("Your new passkey is saved."))
    return jsonify({"redirect": url_for("account.passkeys")})


@bp.get("/confirm")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Session")
def confirm() -> str:
    return render_template("account/confirm.html", next=safe_next(request.args.get("next"), ""))


@bp.post("/confirm/options")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Session")
def confirm_options() -> FlaskResponse:
    options = auth_service.begin_assertion(
        db.session(),
        session_id=ceremony_session(),
        purpose="confirm",
        rp_id=relying_party.rp_id(),
        account=current_account(),
    )
    return current_app.response_class(options, mimetype="application/json")


@bp.post("/confirm/verify")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Session")
def confirm_verify() -> FlaskResponse | tuple[FlaskResponse, int]:
    credential, body = ceremony_body()
    try:
        account = auth_service.finish_assertion(
            db.session(),
            session_id=ceremony_session(),
            purpose="confirm",
            credential=credential,
            rp_id=relying_party.rp_id(),
            origin=relying_party.origin(),
        )
    except PasskeyError:
        record_account_event(current_account(), "auth:confirm", "Session", "denied")
        return refused(_("We could not confirm it is you. Please try again."))
    confirm_presence()
    record_account_event(account, "auth:confirm", "Session", "allowed")
    return jsonify(
        {"redirect": safe_next(str(body.get("next") or ""), url_for("account.passkeys"))}
    )


@bp.post("/sessions/end-others")
@guarded(Action.OWN_ACCOUNT_MANAGE, "Session")
def end_others() -> FlaskResponse:
    account = current_account()
    assert account is not None
    if not PlainForm().validate_on_submit():
        abort(400)
    db_session = db.session()
    ended = end_sessions_of(db_session, account.id, "other-devices", keep=session_id())
    record_account_event(account, "auth:sessions:ended", "Session", "allowed")
    flash(
        ngettext(
            "You are signed out on %(num)d other device.",
            "You are signed out on %(num)d other devices.",
            ended,
        )
    )
    return redirect(url_for("account.passkeys"), code=303)


@bp.route("/notifications", methods=["GET", "POST"])
@guarded(Action.OWN_ACCOUNT_MANAGE, "Account")
def notifications() -> str | FlaskResponse | tuple[str, int]:
    account = current_account()
    assert account is not None
    form = NotificationForm()
    if request.method == "GET":
        form.email.data = account.notify_email or ""
    elif form.validate_on_submit():
        email = (form.email.data or "").strip() or None
        opt_in(db.session(), account, email)
        record_account_event(account, "account:notifications:changed", "Account", "allowed")
        flash(
            _("We will send you an e-mail when you get an answer.")
            if email
            else _("We will not send you e-mails.")
        )
        return redirect(url_for("account.notifications"), code=303)
    return render_template(
        "account/notifications.html", form=form, on=bool(account.notify_email)
    ), (400 if form.errors else 200)
