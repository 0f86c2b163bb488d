"""SMART Backend Services at the plan API: who may call it, for what, and every refusal.

The CapabilityStatement and the SMART configuration are public; everything else needs a bearer token
from the token endpoint, obtained with a private_key_jwt client assertion of a registered client.
"""

from __future__ import annotations

import time
import uuid

from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from plan_service.auth import issue_access_token, register_client
from tests.smart_helpers import (
    CLIENT_ID,
    CLIENT_KEY,
    TOKEN_URL,
    authorised,
    client_assertion,
    request_token,
)

FHIR = "application/fhir+json"


def _refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["resourceType"] == "OperationOutcome"
    assert response.json["issue"][0]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def _oauth_refused(response, error: str = "invalid_client") -> None:
    assert response.status_code in (400, 401), response.get_data(as_text=True)
    assert response.json["error"] == error
    assert "access_token" not in response.json
    assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_callers_read_and_write_nothing(anonymous, fhir):
    patient = fhir.patient(name=[{"text": "Sara"}])
    for path in ("/fhir/Patient", "/fhir/Communication", f"/fhir/Patient/{patient['id']}"):
        response = anonymous.get(path)
        _refused(response, 401, "login")
        assert "Sara" not in response.get_data(as_text=True)
    observation = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}
    _refused(anonymous.post("/fhir/Observation", json=observation), 401, "login")
    _refused(anonymous.get(f"/fhir/Patient/{patient['id']}/$everything"), 401, "login")
    # Not a bearer token at all:
    response = anonymous.get("/fhir/Patient", headers={"Authorization": "Basic cG9ydGFsOnB3"})
    _refused(response, 401, "login")


def test_how_to_authenticate_is_public(anonymous):
    capability = anonymous.get("/fhir/metadata")
    assert capability.status_code == 200
    security = capability.json["rest"][0]["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    uris = security["extension"][0]["extension"]
    assert {"url": "token", "valueUri": TOKEN_URL} in uris
    configuration = anonymous.get("/fhir/.well-known/smart-configuration")
    assert configuration.status_code == 200
    assert configuration.json["token_endpoint"] == TOKEN_URL
    assert configuration.json["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert "client-confidential-asymmetric" in configuration.json["capabilities"]


def test_a_registered_client_gets_a_short_lived_token_with_the_scopes_asked_for(anonymous, fhir):
    response = request_token(anonymous, "system/Goal.rs system/Patient.r")
    assert response.status_code == 200
    assert response.json["token_type"] == "bearer"
    assert 0 < response.json["expires_in"] <= 300
    assert response.json["scope"] == "system/Goal.rs system/Patient.r"
    patient = fhir.patient()
    headers = {"Authorization": f"Bearer {response.json['access_token']}"}
    assert anonymous.get(f"/fhir/Patient/{patient['id']}", headers=headers).status_code == 200


def test_an_expired_token_is_refused(app, anonymous):
    an_hour_ago = int(time.time()) - 3600
    token = issue_access_token(app, CLIENT_ID, "system/*.cruds", issued_at=an_hour_ago)
    response = anonymous.get("/fhir/Patient", headers={"Authorization": f"Bearer {token}"})
    _refused(response, 401, "login")


def test_a_remembered_token_is_still_refused_once_it_expires(app, anonymous):
    """A verified token is remembered (plan_service.auth._verified_claims), never past its expiry."""
    from plan_service.auth import TOKEN_SECONDS

    almost_over = int(time.time()) - TOKEN_SECONDS + 2  # expires in 2 s
    token = issue_access_token(app, CLIENT_ID, "system/*.cruds", issued_at=almost_over)
    headers = {"Authorization": f"Bearer {token}"}
    assert anonymous.get("/fhir/Patient", headers=headers).status_code == 200
    assert anonymous.get("/fhir/Patient", headers=headers).status_code == 200  # remembered
    time.sleep(3.1)
    _refused(anonymous.get("/fhir/Patient", headers=headers), 401, "login")


def test_a_token_not_signed_by_the_service_is_refused(app, anonymous):
    genuine = issue_access_token(app, CLIENT_ID, "system/*.cruds")
    claims = jwt.decode(genuine, app.extensions["plan_service.token_key"]).claims
    forged = jwt.encode({"alg": "HS256"}, claims, OctKey.generate_key(256))
    response = anonymous.get("/fhir/Patient", headers={"Authorization": f"Bearer {forged}"})
    _refused(response, 401, "login")
    # Nor a token with its signature stripped ("alg": "none").
    header, payload, _ = genuine.split(".")
    unsigned = f"{header}.{payload}."
    response = anonymous.get("/fhir/Patient", headers={"Authorization": f"Bearer {unsigned}"})
    _refused(response, 401, "login")


def test_a_scope_that_does_not_cover_the_interaction_is_refused(anonymous, fhir):
    patient = fhir.patient()
    goal = fhir.goal(patient)
    reader = authorised(anonymous, "system/Goal.rs")
    assert reader.get(f"/fhir/Goal/{goal['id']}").status_code == 200
    assert reader.get("/fhir/Goal", query_string={"patient": patient["id"]}).status_code == 200
    _refused(reader.get(f"/fhir/Patient/{patient['id']}"), 403, "forbidden")
    _refused(reader.get("/fhir/Communication"), 403, "forbidden")
    _refused(reader.get(f"/fhir/Patient/{patient['id']}/$everything"), 403, "forbidden")
    _refused(
        reader.post("/fhir/Goal", json={**goal, "id": None}, headers={"Content-Type": FHIR}),
        403,
        "forbidden",
    )
    _refused(
        reader.put(
            f"/fhir/Goal/{goal['id']}",
            json={**goal, "lifecycleStatus": "active"},
            headers={"Content-Type": FHIR, "If-Match": 'W/"1"'},
        ),
        403,
        "forbidden",
    )
    assert reader.get(f"/fhir/Goal/{goal['id']}").json["lifecycleStatus"] == "proposed"


def test_a_client_gets_no_scope_beyond_its_registration(app, anonymous):
    register_client(
        app.extensions["plan_service"],
        CLIENT_ID,
        {"keys": [CLIENT_KEY.as_dict(private=False)]},
        "system/*.rs",
    )
    _oauth_refused(request_token(anonymous, "system/Goal.c"), "invalid_scope")
    narrowed = request_token(anonymous, "system/Goal.c system/Goal.rs")
    assert narrowed.status_code == 200
    assert narrowed.json["scope"] == "system/Goal.rs"


def test_an_assertion_with_the_wrong_signature_is_refused(anonymous):
    impostor = ECKey.generate_key("P-384")
    # Signed by another key, but naming the registered key's kid and the registered client.
    forged = jwt.encode(
        {"alg": "ES384", "kid": CLIENT_KEY.kid},
        {
            "iss": CLIENT_ID,
            "sub": CLIENT_ID,
            "aud": TOKEN_URL,
            "exp": int(time.time()) + 60,
            "jti": str(uuid.uuid4()),
        },
        impostor,
        algorithms=["ES384"],
    )
    _oauth_refused(request_token(anonymous, client_assertion=forged))


def test_an_assertion_for_another_audience_is_refused(anonymous):
    for aud in ("https://other-server.example/token", "http://localhost/fhir/metadata"):
        _oauth_refused(request_token(anonymous, client_assertion=client_assertion(aud=aud)))


def test_a_reused_assertion_is_refused(anonymous):
    assertion = client_assertion()
    assert request_token(anonymous, client_assertion=assertion).status_code == 200
    _oauth_refused(request_token(anonymous, client_assertion=assertion))


def test_expired_long_lived_or_incomplete_assertions_are_refused(anonymous):
    now = int(time.time())
    for claims in (
        {"exp": now - 120},  # expired
        {"exp": now + 3600},  # SMART allows at most five minutes
        {"jti": None},  # no jti: replay could not be detected
        {"sub": "someone-else"},  # iss and sub must both be the client
        {"exp": None},
    ):
        _oauth_refused(request_token(anonymous, client_assertion=client_assertion(**claims)))


def test_unknown_clients_and_other_grants_are_refused(anonymous):
    stranger = ECKey.generate_key("P-384", auto_kid=True)
    unknown = client_assertion(key=stranger, client_id="stranger")
    _oauth_refused(request_token(anonymous, client_assertion=unknown))
    _oauth_refused(request_token(anonymous, grant_type="password"), "unsupported_grant_type")
    _oauth_refused(request_token(anonymous, client_assertion_type="urn:other"))
    _oauth_refused(request_token(anonymous, client_assertion="not-a-jwt"))
    # An assertion signed with a symmetric key (alg confusion) is not accepted either.
    symmetric = jwt.encode(
        {"alg": "HS256"},
        {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": TOKEN_URL, "exp": int(time.time()) + 60},
        OctKey.generate_key(256),
    )
    _oauth_refused(request_token(anonymous, client_assertion=symmetric))
