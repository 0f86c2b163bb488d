"""Sign-in with MitID through NemLog-in: SP metadata, the signed AuthnRequest, the assertion consumer, logout.

The assertion consumer takes a cross-site POST from NemLog-in: it is exempt from the CSRF token (the signed,
single-use SAML response is what proves the request) and carries no session cookie; see identity.saml.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from .. import csrf, db
from ..audit import record_account_event
from ..auth.service import passkeys_of
from ..identity import current_actor, mitid, saml, sign_in, sign_out
from ..plan_api import PlanAPIError
from ..ratelimit import limiter, sign_in_limit
from ..services.plan_reading import plan_client
from ._guard import ACTING_FOR, public
from .auth import home_for
from .safety import safe_next

bp = Blueprint("saml", __name__, url_prefix="/saml")


def _enabled() -> None:
    if not saml.enabled():
        abort(404)


@bp.get("/metadata")
@public
def metadata() -> Response:
    _enabled()
    return Response(saml.metadata_xml(current_app), mimetype="application/samlmetadata+xml")


@bp.get("/login")
@public
@limiter.limit(sign_in_limit)
def login() -> Response | tuple[str, int]:
    """A link, not a form: the browser follows the redirect to NemLog-in, which the CSP's form-action 'self'
    would refuse after a form post. It only starts a sign-in (a row that expires unused), and is rate-limited."""
    _enabled()
    next_path = safe_next(request.args.get("next"), "")
    try:
        location = saml.begin(db.session(), next_path)
    except Exception:  # NemLog-in's metadata cannot be read: say so, do not show a 500
        current_app.logger.exception("MitID sign-in could not start")
        return render_template("auth/mitid_refused.html", reason="unavailable"), 503
    return redirect(location, code=303)


@bp.post("/acs")
@csrf.exempt
@public
@limiter.limit(sign_in_limit)
def acs() -> Response | tuple[str, int]:
    _enabled()
    raw = request.form.get("SAMLResponse", "")
    if not raw:
        return render_template("auth/mitid_refused.html", reason="invalid"), 400
    try:
        person, next_path = saml.finish(db.session(), raw)
        account, delegations = mitid.account_for(
            db.session(),
            plan_client(),
            person,
            key=current_app.config["CPR_HASH_KEY"],
            privilege_prefix=current_app.config["FULDMAGT_PRIVILEGE_PREFIX"],
        )
    except saml.SignInRefused as refused:
        record_account_event(None, f"auth:mitid:{refused.reason}", "Session", "denied")
        return render_template("auth/mitid_refused.html", reason=refused.reason), 400
    except (mitid.NoPatient, mitid.StaffAccount):
        record_account_event(None, "auth:mitid:no-citizen", "Session", "denied")
        return render_template("auth/mitid_no_patient.html"), 403
    except PlanAPIError:
        return render_template("auth/mitid_refused.html", reason="unavailable"), 503
    sign_in(account, method="mitid", level=person.level)
    session[saml.SAML_SESSION] = {"name_id": person.name_id, "session_index": person.session_index}
    if delegations:
        session[ACTING_FOR] = str(delegations[0].id)
        for _delegation in delegations:
            record_account_event(account, "delegation:fuldmagt", "Delegation", "allowed")
    record_account_event(account, "auth:sign-in:mitid", "Session", "allowed")
    if not passkeys_of(db.session(), account.id):
        # Passkeys stay the quick way back: offered right after MitID, while the sign-in is fresh.
        flash(
            _(
                "You are signed in with MitID. Next time is quicker with a passkey: add one on this phone under Sign-in settings."
            )
        )
    return redirect(safe_next(next_path, home_for(account)), code=303)


@bp.get("/slo")
@public
def slo() -> Response:
    """NemLog-in's answer to our logout (we signed out here already), or its own logout request."""
    _enabled()
    if "SAMLRequest" in request.args and saml.logout_request_is_genuine(request.args):
        actor = current_actor()
        if not actor.anonymous:
            sign_out()
        flash(_("You are signed out."))
    return redirect(url_for("public.index"), code=303)
