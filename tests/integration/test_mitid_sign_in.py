"""MitID through NemLog-in (OIOSAML 3): the portal's SAML service provider against the local simulator (a real
pysaml2 identity provider on a real port, with its own key) and the reference plan service: who signs in, what
the session records, and every refusal (forged, replayed, unsolicited, too weak, no CPR)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from citizen_app import db
from citizen_app.models import Account, AuditEvent, UserSession
from tests.nemlogin import (
    SP_BASE,
    Simulator,
    choose_person,
    forge,
    post_to_acs,
    request_id,
    saml_config,
    start_sign_in,
)

SARA_CPR = "0101901234"


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = Simulator(tmp_path_factory.mktemp("nemlogin"))
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def sp_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The portal's development SP keys, made once for the module (they live in the instance folder)."""
    return tmp_path_factory.mktemp("sp-instance")


@pytest.fixture
def mitid_app(make_app: Any, simulator: Simulator, sp_instance: Path) -> Flask:
    app = make_app(**saml_config(simulator))
    app.instance_path = str(sp_instance)
    simulator.trust(app)
    return app


def _refused(answer: Any) -> str:
    assert answer.status_code in (400, 403), answer.status_code
    return answer.get_data(as_text=True)


def _denials(app: Flask) -> list[str]:
    with app.app_context():
        return [
            e.action
            for e in db.session().scalars(select(AuditEvent).where(AuditEvent.outcome == "denied"))
        ]


def test_metadata_is_an_entity_descriptor_with_signing_and_encryption_keys(
    mitid_app: Flask,
) -> None:
    answer = mitid_app.test_client().get("/saml/metadata")
    xml = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert answer.mimetype == "application/samlmetadata+xml"
    assert re.search(r'<(\w+:)?EntityDescriptor[^>]+entityID="http://localhost/saml/metadata"', xml)
    assert re.search(r'AuthnRequestsSigned="true"', xml)
    assert re.search(r'WantAssertionsSigned="true"', xml)
    assert re.search(r'KeyDescriptor use="signing"', xml)
    assert re.search(r'KeyDescriptor use="encryption"', xml)
    assert f'Location="{SP_BASE}/saml/acs"' in xml
    assert f'Location="{SP_BASE}/saml/slo"' in xml


def test_the_authn_request_is_signed_and_asks_for_substantial(mitid_app: Flask) -> None:
    import zlib
    from urllib.parse import parse_qs, urlsplit

    url = start_sign_in(mitid_app.test_client())
    query = parse_qs(urlsplit(url).query)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    assert query["Signature"][0]
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15).decode()
    assert 'Comparison="minimum"' in xml
    assert "https://data.gov.dk/concept/core/nsis/loa/Substantial" in xml


def test_sara_signs_in_with_mitid_and_sees_her_plan(
    mitid_app: Flask, demo: dict[str, Account], caplog: pytest.LogCaptureFixture
) -> None:
    client = mitid_app.test_client()
    acs, response, _relay = choose_person(start_sign_in(client), person="sara")
    answer = post_to_acs(client, acs, response)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/plan"
    page = client.get("/plan")
    assert page.status_code == 200
    assert "Sara" in page.get_data(as_text=True)
    with mitid_app.app_context():
        sara = db.session().get(Account, demo["sara"].id)
        # The demo account is the one linked (found through the Patient), with a keyed hash, not the CPR.
        assert sara.cpr_hash and SARA_CPR not in sara.cpr_hash
        row = (
            db.session()
            .scalars(
                select(UserSession).where(
                    UserSession.account_id == sara.id, UserSession.ended_at.is_(None)
                )
            )
            .one()
        )
        assert (row.auth_method, row.auth_level) == ("mitid", "Substantial")
        texts = " ".join(
            f"{e.action} {e.resource_type} {e.citizen_ref}"
            for e in db.session().scalars(select(AuditEvent))
        )
        assert SARA_CPR not in texts
        assert SARA_CPR not in row.data_json
    # Nor in any log line of the portal, nor in a URL it answered with.
    assert SARA_CPR not in caplog.text
    assert SARA_CPR not in answer.headers["Location"]


def test_a_person_without_a_plan_gets_a_page_that_says_whom_to_call(
    mitid_app: Flask, demo: dict[str, Account]
) -> None:
    client = mitid_app.test_client()
    acs, response, _ = choose_person(start_sign_in(client), person="nobody")
    answer = post_to_acs(client, acs, response)
    assert answer.status_code == 403
    assert "33 17 33 17" in answer.get_data(as_text=True)
    assert client.get("/plan").status_code == 401


def test_a_level_below_the_minimum_is_refused(mitid_app: Flask, demo: dict[str, Account]) -> None:
    client = mitid_app.test_client()
    acs, response, _ = choose_person(start_sign_in(client), person="low")
    _refused(post_to_acs(client, acs, response))
    assert "auth:mitid:level-too-low" in _denials(mitid_app)
    assert client.get("/plan").status_code == 401


def test_a_missing_cpr_is_refused(mitid_app: Flask, demo: dict[str, Account]) -> None:
    client = mitid_app.test_client()
    acs, response, _ = choose_person(
        start_sign_in(client), person="custom", cpr="", name="Uden CPR", level="Substantial"
    )
    _refused(post_to_acs(client, acs, response))
    assert "auth:mitid:no-cpr" in _denials(mitid_app)


def test_a_replayed_assertion_is_refused(mitid_app: Flask, demo: dict[str, Account]) -> None:
    first = mitid_app.test_client()
    acs, response, _ = choose_person(start_sign_in(first), person="sara")
    assert post_to_acs(first, acs, response).status_code == 303
    thief = mitid_app.test_client()
    _refused(post_to_acs(thief, acs, response))
    assert "auth:mitid:replayed" in _denials(mitid_app)
    assert thief.get("/plan").status_code == 401


def test_an_unsolicited_response_is_refused(
    mitid_app: Flask, simulator: Simulator, demo: dict[str, Account]
) -> None:
    client = mitid_app.test_client()
    for in_response_to in (None, "id-we-never-sent"):
        _refused(post_to_acs(client, "/saml/acs", forge(simulator, in_response_to)))
    assert client.get("/plan").status_code == 401
    assert _denials(mitid_app).count("auth:mitid:unsolicited") == 2


@pytest.mark.parametrize(
    "wrong",
    ["stranger-key", "unsigned", "tampered", "destination", "audience", "expired", "not-yet-valid"],
)
def test_forged_or_misdirected_responses_are_refused(
    wrong: str, mitid_app: Flask, simulator: Simulator, demo: dict[str, Account], tmp_path: Path
) -> None:
    client = mitid_app.test_client()
    sent = request_id(start_sign_in(client))
    if wrong == "stranger-key":
        response = forge(simulator, sent, cert_dir=tmp_path / "stranger")
    elif wrong == "unsigned":
        response = forge(simulator, sent, sign=False, encrypt=False)
    elif wrong == "tampered":
        xml = base64.b64decode(forge(simulator, sent, encrypt=False)).decode()
        assert "Sara Jensen" in xml
        response = base64.b64encode(xml.replace("Sara Jensen", "Mads Nielsen").encode()).decode()
    elif wrong == "destination":
        response = forge(simulator, sent, destination="https://elsewhere.example/saml/acs")
    elif wrong == "audience":
        response = forge(simulator, sent, audience="https://another-service.example/saml/metadata")
    elif wrong == "expired":
        response = forge(simulator, sent, lifetime={"minutes": -10})
    else:
        ahead = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        response = forge(simulator, sent, issued_at=ahead)
    _refused(post_to_acs(client, "/saml/acs", response))
    assert client.get("/plan").status_code == 401
    reason = {
        "stranger-key": "bad-signature",
        "unsigned": "bad-signature",
        "tampered": "bad-signature",
        "destination": "invalid",
        "audience": "wrong-audience",
        "expired": "outside-validity",
        "not-yet-valid": "outside-validity",
    }[wrong]
    assert _denials(mitid_app) == [f"auth:mitid:{reason}"]


def test_a_genuine_forge_is_accepted(
    mitid_app: Flask, simulator: Simulator, demo: dict[str, Account]
) -> None:
    """The control for the refusals above: the same forging path, with nothing wrong, signs Sara in."""
    client = mitid_app.test_client()
    sent = request_id(start_sign_in(client))
    assert post_to_acs(client, "/saml/acs", forge(simulator, sent)).status_code == 303
    assert client.get("/plan").status_code == 200


def test_production_never_serves_or_trusts_the_simulator(
    make_app: Any, simulator: Simulator, sp_instance: Path, tmp_path: Path
) -> None:
    import nemlogin_sim

    with pytest.raises(RuntimeError):
        nemlogin_sim.create_app(
            {
                "ENVIRONMENT": "production",
                "SIM_BASE_URL": simulator.url,
                "SIM_CERT_DIR": str(tmp_path),
            }
        )
    keys = {
        "SAML_SP_KEY_FILE": str(sp_instance / "saml" / "sp-signing.key"),
        "SAML_SP_CERT_FILE": str(sp_instance / "saml" / "sp-signing.crt"),
        "SAML_SP_ENCRYPTION_KEY_FILE": str(sp_instance / "saml" / "sp-encryption.key"),
        "SAML_SP_ENCRYPTION_CERT_FILE": str(sp_instance / "saml" / "sp-encryption.crt"),
    }
    from nemlogin_sim.certificates import ensure_pair

    ensure_pair(sp_instance / "saml", "sp-signing", "test")
    ensure_pair(sp_instance / "saml", "sp-encryption", "test")
    app = make_app(
        ENVIRONMENT="production",
        PUBLIC_URL="https://portal.example",
        PLAN_API_URL="https://plan-api.example/fhir",  # production refuses a plain-http plan API
        CPR_HASH_KEY="a-key-of-its-own",
        SAML_IDP_METADATA=simulator.metadata_url,
        **keys,
    )
    assert not [
        r.rule for r in app.url_map.iter_rules() if r.rule.startswith(("/sso", "/nemlogin"))
    ]
    from citizen_app.identity import saml

    with (
        app.app_context(),
        pytest.raises(RuntimeError, match="never trusts the NemLog-in simulator"),
    ):
        saml.client(app)


def test_actions_set_to_need_substantial_ask_for_mitid_first(
    make_app: Any, simulator: Simulator, sp_instance: Path, demo: dict[str, Account]
) -> None:
    from tests.conftest import sign_in_as

    app = make_app(**saml_config(simulator, SUBSTANTIAL_REQUIRED_FOR="citizen:message:write"))
    app.instance_path = str(sp_instance)
    simulator.trust(app)
    with_passkey = app.test_client()
    sign_in_as(with_passkey, demo["sara"])  # a passkey session: no NSIS level
    assert with_passkey.get("/plan").status_code == 200  # other actions as before
    answer = with_passkey.get("/messages/new")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/sign-in?")
    assert "MitID" in with_passkey.get(answer.headers["Location"]).get_data(as_text=True)
    with_mitid = app.test_client()
    acs, response, _ = choose_person(start_sign_in(with_mitid), person="sara")
    post_to_acs(with_mitid, acs, response)
    assert with_mitid.get("/messages/new").status_code == 200
    with app.app_context():
        sara_sessions = db.session().scalars(
            select(UserSession).where(UserSession.account_id == demo["sara"].id)
        )
        assert {(s.auth_method, s.auth_level) for s in sara_sessions} >= {("mitid", "Substantial")}


def test_signing_out_ends_the_session_here_and_at_nemlogin(
    mitid_app: Flask, demo: dict[str, Account]
) -> None:
    import httpx

    client = mitid_app.test_client()
    acs, response, _ = choose_person(start_sign_in(client), person="sara")
    post_to_acs(client, acs, response)
    page = client.get("/plan").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/sign-out", data={"csrf_token": token})
    assert answer.status_code == 303
    logout = answer.headers["Location"]
    assert "/slo?SAMLRequest=" in logout and "Signature=" in logout  # a signed LogoutRequest
    assert client.get("/plan").status_code == 401  # ended here at once
    back = httpx.get(logout, follow_redirects=False)  # NemLog-in (the simulator) answers
    assert back.status_code == 303, back.text
    assert back.headers["Location"].startswith(f"{SP_BASE}/saml/slo?SAMLResponse=")
    path = back.headers["Location"].removeprefix(SP_BASE)
    assert client.get(path).headers["Location"] == "/"


def test_an_unsigned_logout_request_signs_nobody_out(
    mitid_app: Flask, demo: dict[str, Account]
) -> None:
    client = mitid_app.test_client()
    acs, response, _ = choose_person(start_sign_in(client), person="sara")
    post_to_acs(client, acs, response)
    forged = base64.b64encode(b"<samlp:LogoutRequest/>").decode()
    assert client.get("/saml/slo", query_string={"SAMLRequest": forged}).status_code == 303
    assert client.get("/plan").status_code == 200  # still signed in


def test_a_cpr_number_that_leads_to_staff_is_refused(
    mitid_app: Flask, demo: dict[str, Account]
) -> None:
    """Staff accounts stay separate: a caseworker never signs in as a citizen with MitID."""
    from citizen_app.identity.mitid import cpr_hash

    with mitid_app.app_context():
        jonas = db.session().get(Account, demo["jonas"].id)
        jonas.cpr_hash = cpr_hash(mitid_app.config["CPR_HASH_KEY"], "0505801231")
        db.session().commit()
    client = mitid_app.test_client()
    acs, response, _ = choose_person(
        start_sign_in(client), person="custom", cpr="0505801231", name="Jonas Holm"
    )
    assert post_to_acs(client, acs, response).status_code == 403
    assert client.get("/caseworker/").status_code in (401, 404)


@pytest.mark.parametrize("garbage", ["", "not base64 at all", base64.b64encode(b"<x/>").decode()])
def test_garbage_at_the_assertion_consumer_is_a_plain_refusal(
    mitid_app: Flask, demo: dict[str, Account], garbage: str
) -> None:
    answer = mitid_app.test_client().post("/saml/acs", data={"SAMLResponse": garbage})
    assert answer.status_code == 400
    assert "Vi kunne ikke logge dig ind" in answer.get_data(as_text=True)
