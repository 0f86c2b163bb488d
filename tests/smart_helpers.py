"""SMART Backend Services for the plan service's own tests: a registered case system, its client
assertions and tokens, obtained through the real token endpoint."""

from __future__ import annotations

import time
import uuid
from typing import Any

from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import ECKey

# A case system registered as a client (SMART Backend Services), with a key pair made once per run.
CLIENT_ID = "case-system"
CLIENT_KEY = ECKey.generate_key("P-384", auto_kid=True)
TOKEN_URL = "http://localhost/fhir/auth/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def client_assertion(
    *, key: ECKey = CLIENT_KEY, client_id: str = CLIENT_ID, alg: str = "ES384", **claims: Any
) -> str:
    """A private_key_jwt client assertion; `claims` override or (as None) remove the usual ones."""
    now = int(time.time())
    body = {
        "iss": client_id,
        "sub": client_id,
        "aud": TOKEN_URL,
        "exp": now + 60,
        "iat": now,
        "jti": str(uuid.uuid4()),
        **claims,
    }
    body = {name: value for name, value in body.items() if value is not None}
    return jwt.encode({"alg": alg, "kid": key.kid}, body, key, algorithms=[alg])


def request_token(client: FlaskClient, scope: str = "system/*.cruds", **form: str) -> Any:
    return client.post(
        "/fhir/auth/token",
        data={
            "grant_type": "client_credentials",
            "scope": scope,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": client_assertion(),
            **form,
        },
    )


def authorised(client: FlaskClient, scope: str = "system/*.cruds") -> FlaskClient:
    """`client`, sending a bearer token with `scope` on every request from now on."""
    response = request_token(client, scope)
    assert response.status_code == 200, response.json
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {response.json['access_token']}"
    return client
