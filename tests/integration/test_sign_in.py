"""Activation, passkeys and server-side sessions, through the real endpoints with a software authenticator
that posts exactly what a browser's credential.toJSON() would."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from citizen_app import db
from citizen_app.auth import activation
from citizen_app.models import ActivationCode, AuditEvent, Passkey, UserSession, utcnow
from tests.conftest import sign_in_as
from tests.helpers import csrf_token
from tests.softauthn import SoftAuthenticator

ORIGIN = "http://localhost"


def _token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _json(client, path: str, token: str, body: dict | None = None):
    return client.post(
        path, json=body or {}, headers={"X-CSRFToken": token, "Accept": "application/json"}
    )


def _code(app, username: str) -> str:
    result = app.test_cli_runner().invoke(args=["accounts", "activation-code", username])
    assert result.exit_code == 0, result.output
    return re.search(r"([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", result.output).group(1)


def _activate(client, code: str) -> object:
    token = _token(client, "/activate")
    return client.post("/activate", data={"csrf_token": token, "code": code})


def _register(
    client, authenticator: SoftAuthenticator, name: str = "Min telefon", origin: str = ORIGIN
):
    token = _token(client, "/activate/passkey")
    options = _json(client, "/activate/passkey/options", token)
    assert options.status_code == 200, options.get_data(as_text=True)
    credential = authenticator.create(options.get_json(), origin)
    return _json(
        client, "/activate/passkey/verify", token, {"credential": credential, "name": name}
    )


def _sign_in(
    client, authenticator: SoftAuthenticator, origin: str = ORIGIN, next_path: str | None = None
):
    token = _token(client, "/sign-in")
    options = _json(client, "/sign-in/options", token)
    assert options.status_code == 200
    assert options.get_json()["allowCredentials"] == []  # no username: discoverable credentials
    assert options.get_json()["userVerification"] == "required"
    credential = authenticator.get(options.get_json(), origin)
    return _json(
        client, "/sign-in/verify", token, {"credential": credential, "next": next_path}
    ), credential


def _sign_out(client) -> None:
    token = _token(client, "/")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 303


@pytest.fixture
def sara_with_passkey(app, client, demo):
    authenticator = SoftAuthenticator()
    assert _activate(client, _code(app, "sara")).status_code == 303
    response = _register(client, authenticator)
    assert response.get_json() == {"redirect": "/plan"}
    return authenticator


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session().scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_activate_register_sign_out_and_sign_in_without_a_username(
    app, client, demo, sara_with_passkey
) -> None:
    assert "Jeg vil kunne handle ind selv" in client.get("/plan").get_data(as_text=True)
    _sign_out(client)
    assert client.get("/plan").status_code == 401
    response, _ = _sign_in(client, sara_with_passkey)
    assert response.get_json() == {"redirect": "/plan"}
    assert "Jeg vil kunne handle ind selv" in client.get("/plan").get_data(as_text=True)
    with app.app_context():
        (passkey,) = db.session().scalars(select(Passkey)).all()
    assert passkey.name == "Min telefon" and passkey.sign_count == 1 and passkey.last_used_at
    assert [e.outcome for e in _events(app, "auth:activation-code:used")] == ["allowed"]
    assert [e.outcome for e in _events(app, "auth:passkey:added")] == ["allowed"]
    assert [e.outcome for e in _events(app, "auth:sign-in")] == ["allowed", "allowed"]
    assert [e.outcome for e in _events(app, "auth:sign-out")] == ["allowed"]


def test_a_code_works_once(app, client, demo) -> None:
    code = _code(app, "sara")
    assert _activate(client, code).status_code == 303
    other = app.test_client()
    again = _activate(other, code)
    assert again.status_code == 400
    assert "Koden virker ikke. Den er måske brugt" in again.get_data(as_text=True)
    assert [e.outcome for e in _events(app, "auth:activation-code:used")] == ["allowed", "denied"]


def test_codes_are_readable_stored_hashed_and_forgiving_to_type(app, client, demo) -> None:
    code = _code(app, "sara")
    assert re.fullmatch(r"[ACDEFHJKMNPQRTUVWXY34679]{4}(-[ACDEFHJKMNPQRTUVWXY34679]{4}){2}", code)
    with app.app_context():
        stored = db.session().scalars(select(ActivationCode.code_hash)).all()
    assert activation.normalise(code) not in "".join(stored) and code not in "".join(stored)
    typed = code.lower().replace("-", " ")
    assert _activate(client, typed).status_code == 303


def test_an_expired_code_is_refused(app, client, demo) -> None:
    code = _code(app, "sara")
    with app.app_context():
        db.session().execute(
            update(ActivationCode).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session().commit()
    assert _activate(client, code).status_code == 400


def test_a_new_code_retires_the_old_one(app, client, demo) -> None:
    old = _code(app, "sara")
    _code(app, "sara")
    assert _activate(client, old).status_code == 400


def test_too_many_code_attempts_are_stopped_with_a_translated_message(app, client, demo) -> None:
    responses = [_activate(client, "AAAA-AAAA-AAAA") for _ in range(6)]
    assert [r.status_code for r in responses] == [400] * 5 + [429]
    assert "Der har været for mange forsøg" in responses[5].get_data(as_text=True)


def test_a_replayed_sign_in_is_refused(app, client, demo, sara_with_passkey) -> None:
    _sign_out(client)
    response, credential = _sign_in(client, sara_with_passkey)
    assert response.status_code == 200
    _sign_out(client)
    token = _token(client, "/sign-in")
    replay = _json(client, "/sign-in/verify", token, {"credential": credential})
    assert replay.status_code == 400 and "error" in replay.get_json()
    assert client.get("/plan").status_code == 401


@pytest.mark.parametrize("problem", ["wrong-origin", "no-user-verification", "unknown-credential"])
def test_sign_in_refusals(app, client, demo, sara_with_passkey, problem) -> None:
    _sign_out(client)
    authenticator, origin = sara_with_passkey, ORIGIN
    if problem == "wrong-origin":
        origin = "https://evil.example"
    elif problem == "no-user-verification":
        authenticator.user_verified = False
    else:
        authenticator = SoftAuthenticator()
        authenticator.create(
            {
                "rp": {"id": "localhost", "name": "x"},
                "user": {"id": "AAAA", "name": "x", "displayName": "x"},
                "challenge": "AAAA",
                "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
            },
            ORIGIN,
        )
    response, _ = _sign_in(client, authenticator, origin=origin)
    assert response.status_code == 400
    assert client.get("/plan").status_code == 401
    assert _events(app, "auth:sign-in")[-1].outcome == "denied"


def test_registration_refuses_missing_user_verification_and_a_known_credential(
    app, client, demo, sara_with_passkey, monkeypatch
) -> None:
    # Mads activates; his authenticator tries to register the credential id Sara already has.
    mads = app.test_client()
    assert _activate(mads, _code(app, "mads")).status_code == 303
    careless = SoftAuthenticator(user_verified=False)
    assert _register(mads, careless).status_code == 400
    (sara_credential_id,) = sara_with_passkey.credentials
    monkeypatch.setattr("tests.softauthn.os.urandom", lambda n: sara_credential_id)
    cloned = _register(mads, SoftAuthenticator())
    assert cloned.status_code == 400
    with app.app_context():
        owners = db.session().scalars(select(Passkey.account_id)).all()
    assert owners == [demo["sara"].id]


def test_a_sign_count_going_backwards_is_refused_and_logged(
    app, client, demo, sara_with_passkey, caplog
) -> None:
    _sign_out(client)
    with app.app_context():
        db.session().execute(update(Passkey).values(sign_count=50))
        db.session().commit()
    response, _ = _sign_in(client, sara_with_passkey)
    assert response.status_code == 400
    assert "sign count went backwards" in caplog.text


def test_the_redirect_after_sign_in_stays_on_the_portal(
    app, client, demo, sara_with_passkey
) -> None:
    _sign_out(client)
    response, _ = _sign_in(client, sara_with_passkey, next_path="//evil.example/x")
    assert response.get_json() == {"redirect": "/plan"}
    _sign_out(client)
    response, _ = _sign_in(client, sara_with_passkey, next_path="/account/passkeys")
    assert response.get_json() == {"redirect": "/account/passkeys"}


def test_the_cookie_is_a_random_id_renewed_at_sign_in_and_useless_after_sign_out(
    app, client, demo, sara_with_passkey
) -> None:
    _sign_out(client)
    client.get("/sign-in")
    before = client.get_cookie("portal_session").value
    _sign_in(client, sara_with_passkey)
    cookie = client.get_cookie("portal_session")
    assert cookie.value != before
    assert cookie.http_only and cookie.same_site == "Lax"
    assert len(cookie.value) >= 40 and "sara" not in cookie.value.lower()
    assert demo["sara"].fhir_ref.split("/")[1] not in cookie.value
    stolen = cookie.value
    _sign_out(client)
    thief = app.test_client()
    thief.set_cookie("portal_session", stolen)
    assert thief.get("/plan").status_code == 401


def test_idle_and_absolute_timeouts_end_the_session(app, client, demo) -> None:
    sign_in_as(client, demo["sara"])
    assert client.get("/plan").status_code == 200
    with app.app_context():
        db.session().execute(
            update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        db.session().commit()
    assert client.get("/plan").status_code == 401
    sign_in_as(client, demo["sara"])
    with app.app_context():
        db.session().execute(
            update(UserSession)
            .where(UserSession.ended_at.is_(None))
            .values(created_at=utcnow() - timedelta(hours=13))
        )
        db.session().commit()
    assert client.get("/plan").status_code == 401
    with app.app_context():
        reasons = sorted(r for r in db.session().scalars(select(UserSession.end_reason)) if r)
    assert "idle" in reasons and "absolute" in reasons


def test_extend_keeps_the_session_alive(app, client, demo) -> None:
    sign_in_as(client, demo["sara"])
    token = _token(client, "/plan")
    with app.app_context():
        db.session().execute(
            update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=29))
        )
        db.session().commit()
    assert _json(client, "/session/extend", token).get_json() == {"ok": True}
    with app.app_context():
        db.session().execute(
            update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=29))
        )
        db.session().commit()
    assert client.get("/plan").status_code == 200


def test_sign_out_on_all_other_devices(app, client, demo) -> None:
    phone, computer = app.test_client(), client
    sign_in_as(phone, demo["sara"])
    sign_in_as(computer, demo["sara"])
    token = _token(computer, "/account/passkeys")
    assert (
        computer.post("/account/sessions/end-others", data={"csrf_token": token}).status_code == 303
    )
    assert phone.get("/plan").status_code == 401
    assert computer.get("/plan").status_code == 200


def test_disabling_an_account_ends_its_sessions(app, client, demo) -> None:
    sign_in_as(client, demo["sara"])
    assert client.get("/plan").status_code == 200
    result = app.test_cli_runner().invoke(args=["accounts", "disable", "sara"])
    assert "1 session(s) ended" in result.output
    assert client.get("/plan").status_code == 401


def test_another_citizens_plan_is_not_reachable_with_saras_session(app, client, demo) -> None:
    sign_in_as(client, demo["sara"])
    page = client.get("/plan").get_data(as_text=True)
    assert "fritidsjob" not in page  # Mads's goal
    with app.app_context():
        from citizen_app.services.plan_reading import read_plan

        mads_goal = read_plan(db.session(), demo["mads"].fhir_ref).plan.goals[0].id
    assert client.get(f"/plan/goals/{mads_goal}/progress").status_code == 404


def test_manage_passkeys_rename_add_remove(app, client, demo, sara_with_passkey) -> None:
    with app.app_context():
        (first,) = db.session().scalars(select(Passkey)).all()
    token = _token(client, "/account/passkeys")
    assert (
        client.post(
            f"/account/passkeys/{first.id}/rename",
            data={"csrf_token": token, f"rename-{first.id}-name": "Gammel telefon"},
        ).status_code
        == 303
    )
    page = client.get("/account/passkeys").get_data(as_text=True)
    assert "Gammel telefon" in page
    # The only passkey cannot be removed.
    client.post(f"/account/passkeys/{first.id}/remove", data={"csrf_token": token})
    assert "ny aktiveringskode" in client.get("/account/passkeys").get_data(as_text=True)
    # Add a second one (recently signed in: right after activation).
    tablet = SoftAuthenticator()
    options = _json(client, "/account/passkeys/options", token)
    credential = tablet.create(options.get_json(), ORIGIN)
    assert options.get_json()["excludeCredentials"][0]["id"]  # the first one is excluded
    added = _json(
        client, "/account/passkeys/verify", token, {"credential": credential, "name": "Tablet"}
    )
    assert added.get_json() == {"redirect": "/account/passkeys"}
    assert (
        client.post(f"/account/passkeys/{first.id}/remove", data={"csrf_token": token}).status_code
        == 303
    )
    with app.app_context():
        assert [p.name for p in db.session().scalars(select(Passkey))] == ["Tablet"]
    for action in ("auth:passkey:renamed", "auth:passkey:removed"):
        assert _events(app, action)


def test_adding_or_removing_needs_a_recent_sign_in(app, client, demo, sara_with_passkey) -> None:
    with app.app_context():
        (first,) = db.session().scalars(select(Passkey)).all()
    sign_in_as(client, demo["sara"], recent=False)
    token = _token(client, "/account/passkeys")
    assert _json(client, "/account/passkeys/options", token).status_code == 403
    response = client.post(f"/account/passkeys/{first.id}/remove", data={"csrf_token": token})
    assert response.status_code == 303 and "/account/confirm" in response.headers["Location"]
    # Confirming with the passkey opens the window again.
    options = _json(client, "/account/confirm/options", token)
    assert options.get_json()["allowCredentials"]  # only her own passkeys
    credential = sara_with_passkey.get(options.get_json(), ORIGIN)
    assert (
        _json(
            client,
            "/account/confirm/verify",
            token,
            {"credential": credential, "next": "/account/passkeys"},
        ).status_code
        == 200
    )
    assert _json(client, "/account/passkeys/options", token).status_code == 200


def test_another_accounts_passkey_cannot_confirm(app, client, demo, sara_with_passkey) -> None:
    mads = app.test_client()
    assert _activate(mads, _code(app, "mads")).status_code == 303
    mads_key = SoftAuthenticator()
    _register(mads, mads_key)
    sign_in_as(client, demo["sara"], recent=False)
    token = _token(client, "/account/confirm")
    options = _json(client, "/account/confirm/options", token).get_json()
    (mads_id,) = mads_key.credentials
    options["allowCredentials"] = []
    credential = mads_key.get(options, ORIGIN, credential_id=mads_id)
    assert (
        _json(client, "/account/confirm/verify", token, {"credential": credential}).status_code
        == 400
    )


def test_the_sign_in_page_says_what_to_do_without_javascript(client, demo) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert "JavaScript" in page
    assert "33 17 33 17" in page


def test_a_session_that_times_out_mid_answer_loses_nothing(
    app, client, demo, sara_with_passkey
) -> None:
    """Through the real passkey sign-in (not a test helper): the answer posted after the idle timeout is kept
    and is there again after Sara signs in anew."""
    token = csrf_token(client, "/goals/new/goal")
    with app.app_context():
        db.session().execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
        db.session().commit()
    words = "Det her skrev jeg lige før, jeg blev logget ud"
    response = client.post(
        "/goals/new/goal",
        data={"csrf_token": token, "answer": words, "go": "next"},
        headers={"Sec-Fetch-Site": "same-origin"},  # the portal's own page, as a browser says
    )
    assert response.status_code == 303 and "/sign-in" in response.headers["Location"]
    assert "timeout=1" in response.headers["Location"]
    assert client.get("/goals/new/goal").status_code in (302, 303, 401)  # signed out indeed
    signed_in, _ = _sign_in(client, sara_with_passkey, next_path="/goals/new/goal")
    assert signed_in.status_code == 200, signed_in.get_data(as_text=True)
    back = client.get("/goals/new/goal").get_data(as_text=True)
    assert words in back
