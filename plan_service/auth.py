"""SMART Backend Services: who may call the plan API, and for what.

A system client (the portal, a case system) is registered with its public keys (a JWKS) and the
SMART v2 system scopes it may be given (`system/*.crus`, `system/Goal.rs`, ...). It asks the token
endpoint for an access token with the OAuth 2.0 client-credentials grant, proving who it is with a
`private_key_jwt` client assertion signed by its private key (RS384 or ES384). The token is a short-lived
bearer token (a JWT signed by this service); every FHIR interaction except the CapabilityStatement
and the SMART configuration needs one whose scopes cover the interaction. Refusals are 401 (no or
bad token) and 403 (a scope that does not cover the interaction), each an OperationOutcome.

The JOSE work (keys, signatures, claims) is done by joserfc.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey
from sqlalchemy.exc import IntegrityError

from plan_service.db import Database
from plan_service.errors import FhirError
from plan_service.models import ClientRow, UsedAssertionRow

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Verified access tokens remembered per app (see _verified_claims).
VERIFIED_KEY = "plan_service.verified_tokens"
VERIFIED_TOKENS = 256
_VERIFIED_LOCK = threading.Lock()
ASSERTION_ALGORITHMS = ("RS384", "ES384")
TOKEN_ALGORITHM = "HS256"  # noqa: S105 - an algorithm name, not a secret
TOKEN_SECONDS = 300
# SMART: a client assertion's exp is at most five minutes ahead.
MAX_ASSERTION_SECONDS = 300
LEEWAY_SECONDS = 30
TOKEN_PATH = "/auth/token"  # noqa: S105 - a path, not a secret
SMART_CONFIGURATION_PATH = "/.well-known/smart-configuration"
# Interactions anyone may call: how to authenticate must be discoverable without authenticating.
PUBLIC_ENDPOINTS = frozenset({"fhir.metadata", "fhir.smart_configuration", "fhir.token"})

_SCOPE = re.compile(r"system/(\*|[A-Z][A-Za-z]{0,63})\.(c?r?u?d?s?)")


@dataclass(frozen=True)
class Scope:
    """One SMART v2 system scope: a resource type (or *) and the permitted interactions (cruds)."""

    resource_type: str
    permissions: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Scope | None:
        match = _SCOPE.fullmatch(text)
        if match is None or not match.group(2):
            return None
        return cls(match.group(1), frozenset(match.group(2)))

    def covers(self, resource_type: str, permission: str) -> bool:
        return self.resource_type in ("*", resource_type) and permission in self.permissions

    def within(self, other: Scope) -> bool:
        return (
            other.resource_type in ("*", self.resource_type)
            and self.permissions <= other.permissions
        )


def parse_scopes(text: str) -> list[Scope]:
    return [s for s in (Scope.parse(part) for part in text.split()) if s is not None]


# -- registration ---------------------------------------------------------------------------------


def register_client(database: Database, client_id: str, jwks: dict[str, Any], scope: str) -> None:
    """Register (or update) a system client: its public keys and the scopes it may be given."""
    KeySet.import_key_set(jwks)  # refuse what is not a key set now, not at the first token request
    if not parse_scopes(scope):
        raise ValueError(f"No SMART v2 system scope in {scope!r} (e.g. system/*.rs).")
    public = {"keys": [_public(key) for key in jwks["keys"]]}
    with database.session() as session, session.begin():
        row = session.get(ClientRow, client_id)
        if row is None:
            session.add(ClientRow(client_id=client_id, jwks=json.dumps(public), scope=scope))
        else:
            row.jwks, row.scope = json.dumps(public), scope


def _public(key: dict[str, Any]) -> dict[str, Any]:
    private_members = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
    return {name: value for name, value in key.items() if name not in private_members}


# -- the token endpoint ---------------------------------------------------------------------------


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def _database() -> Database:
    return current_app.extensions["plan_service"]


def _signing_key() -> OctKey:
    return current_app.extensions["plan_service.token_key"]


def token_url() -> str:
    configured = current_app.config.get("PLAN_SERVICE_TOKEN_URL")
    if configured:
        return configured
    return request.host_url.rstrip("/") + current_app.config["PLAN_SERVICE_BASE_PATH"] + TOKEN_PATH


def audience() -> str:
    """What the access tokens are for: this FHIR API (the same whatever host name reached it)."""
    return "plan-service:" + (current_app.config["PLAN_SERVICE_BASE_PATH"] or "/")


def token_endpoint() -> Response:
    try:
        body = _issue_from_request()
    except OAuthError as error:
        response = jsonify(error=error.error, error_description=error.description)
        response.status_code = error.status
    else:
        response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _issue_from_request() -> dict[str, Any]:
    form = request.form
    if form.get("grant_type") != "client_credentials":
        raise OAuthError(
            "unsupported_grant_type", "Only grant_type=client_credentials is supported."
        )
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise OAuthError("invalid_client", f"client_assertion_type must be {ASSERTION_TYPE}.", 401)
    assertion = form.get("client_assertion", "")
    client_id, claims = _verified_assertion(assertion)
    if form.get("client_id") not in (None, client_id):
        raise OAuthError("invalid_client", "client_id does not match the assertion.", 401)
    registered = parse_scopes(_client(client_id).scope)
    requested = parse_scopes(form.get("scope", ""))
    granted = [s for s in requested if any(s.within(r) for r in registered)]
    if not granted:
        raise OAuthError(
            "invalid_scope", "None of the requested scopes may be given to this client."
        )
    _remember_jti(client_id, str(claims["jti"]), int(claims["exp"]))
    scope = " ".join(_format(s) for s in granted)
    token = issue_access_token(current_app, client_id, scope)
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": current_app.config.get("PLAN_SERVICE_TOKEN_SECONDS", TOKEN_SECONDS),
        "scope": scope,
    }


def _format(scope: Scope) -> str:
    return f"system/{scope.resource_type}." + "".join(p for p in "cruds" if p in scope.permissions)


def _client(client_id: str) -> ClientRow:
    with _database().session() as session:
        row = session.get(ClientRow, client_id)
        if row is None:
            raise OAuthError("invalid_client", "Unknown client.", 401)
        session.expunge(row)
        return row


def _verified_assertion(assertion: str) -> tuple[str, dict[str, Any]]:
    try:
        unverified = jwt.decode(assertion, _any_key, algorithms=list(ASSERTION_ALGORITHMS))
    except _Unregistered:
        raise OAuthError("invalid_client", "Unknown client.", 401) from None
    except (JoseError, ValueError) as error:
        raise OAuthError(
            "invalid_client", f"The client assertion is not valid ({error}).", 401
        ) from None
    claims = unverified.claims
    client_id = claims.get("iss")
    if not isinstance(client_id, str) or claims.get("sub") != client_id:
        raise OAuthError(
            "invalid_client", "The assertion's iss and sub must be the client id.", 401
        )
    now = int(time.time())
    exp, jti = claims.get("exp"), claims.get("jti")
    if not isinstance(exp, int | float) or exp < now - LEEWAY_SECONDS:
        raise OAuthError("invalid_client", "The client assertion has expired.", 401)
    if exp > now + MAX_ASSERTION_SECONDS + LEEWAY_SECONDS:
        raise OAuthError("invalid_client", "The client assertion lives more than 5 minutes.", 401)
    if not isinstance(jti, str) or not jti:
        raise OAuthError("invalid_client", "The client assertion needs a jti.", 401)
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if token_url() not in audiences:
        raise OAuthError(
            "invalid_client", "The client assertion's aud is not this token endpoint.", 401
        )
    return client_id, claims


class _Unregistered(Exception):
    pass


def _any_key(token: Any) -> Any:
    """The registered key the assertion names (kid), found through its unverified iss."""
    claims = json.loads(token.payload)
    client_id = claims.get("iss") if isinstance(claims, dict) else None
    if not isinstance(client_id, str):
        raise _Unregistered
    with _database().session() as session:
        row = session.get(ClientRow, client_id)
        if row is None:
            raise _Unregistered
        keys = KeySet.import_key_set(json.loads(row.jwks))
    return keys


def _remember_jti(client_id: str, jti: str, exp: int) -> None:
    now = datetime.now(UTC)
    try:
        with _database().session() as session, session.begin():
            session.query(UsedAssertionRow).filter(UsedAssertionRow.expires_at < now).delete()
            session.add(
                UsedAssertionRow(
                    client_id=client_id,
                    jti=jti[:255],
                    expires_at=datetime.fromtimestamp(exp, UTC) + timedelta(seconds=LEEWAY_SECONDS),
                )
            )
    except IntegrityError:
        raise OAuthError(
            "invalid_client", "This client assertion (jti) was used before.", 401
        ) from None


def issue_access_token(app: Flask, client_id: str, scope: str, issued_at: int | None = None) -> str:
    """A bearer token for `client_id` with `scope` (tests pass an earlier issued_at for an expired one)."""
    with app.app_context():
        now = int(time.time()) if issued_at is None else issued_at
        seconds = app.config.get("PLAN_SERVICE_TOKEN_SECONDS", TOKEN_SECONDS)
        claims = {
            "iss": "plan-service",
            "aud": audience(),
            "sub": client_id,
            "scope": scope,
            "iat": now,
            "exp": now + seconds,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode({"alg": TOKEN_ALGORITHM}, claims, _signing_key())


# -- guarding the FHIR interactions ---------------------------------------------------------------


def _unauthorised(description: str) -> FhirError:
    challenge = (
        f'Bearer realm="plan-service", error="invalid_token", error_description="{description}"'
    )
    return FhirError(401, "login", description, headers={"WWW-Authenticate": challenge})


def require_token() -> None:
    """before_request of the FHIR blueprint: a valid bearer token, whose scopes cover the interaction."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorised("A bearer token is required (SMART Backend Services).")
    try:
        claims = _verified_claims(token.strip())
    except (JoseError, ValueError):
        raise _unauthorised("The bearer token is not valid or has expired.") from None
    scopes = parse_scopes(str(claims.get("scope", "")))
    g.plan_client_id = claims["sub"]
    for resource_type, permission in _needed():
        if not any(s.covers(resource_type, permission) for s in scopes):
            raise FhirError(
                403,
                "forbidden",
                f"The token's scopes do not allow this: it needs system/{resource_type}.{permission}.",
                headers={
                    "WWW-Authenticate": 'Bearer realm="plan-service", error="insufficient_scope"'
                },
            )


def _verified_claims(token: str) -> dict[str, Any]:
    """The token's claims, its signature and claims checked. A client sends the same token on every call
    until it renews it, so a verified token is remembered (per app and audience, VERIFIED_TOKENS at most):
    a repeat costs a dictionary lookup and the expiry check, not the HMAC and the claims parsing again.
    Only tokens that passed every check are remembered; an expired one is refused as before."""
    cache: OrderedDict[tuple[str, str], tuple[OctKey, dict[str, Any]]] = current_app.extensions[
        VERIFIED_KEY
    ]
    key = (token, audience())
    signing_key = _signing_key()
    with _VERIFIED_LOCK:
        entry = cache.get(key)
        if entry is not None:
            cache.move_to_end(key)
    # Verified with the signing key in use now: a new key (a restart, a rotation) verifies afresh.
    claims = entry[1] if entry is not None and entry[0] is signing_key else None
    if claims is not None:
        if claims["exp"] < int(time.time()):
            with _VERIFIED_LOCK:
                cache.pop(key, None)
            raise ValueError("expired")
        return claims
    decoded = jwt.decode(token, signing_key, algorithms=[TOKEN_ALGORITHM])
    jwt.JWTClaimsRegistry(
        leeway=0,
        iss={"essential": True, "value": "plan-service"},
        aud={"essential": True, "value": key[1]},
        exp={"essential": True},
        sub={"essential": True},
    ).validate(decoded.claims)
    claims = dict(decoded.claims)
    if not isinstance(claims.get("exp"), int | float):
        raise ValueError("exp is not a number")
    with _VERIFIED_LOCK:
        cache[key] = (signing_key, claims)
        while len(cache) > VERIFIED_TOKENS:
            cache.popitem(last=False)
    return claims


def _needed() -> list[tuple[str, str]]:
    """(resource type, SMART permission) pairs the current interaction needs."""
    args = request.view_args or {}
    resource_type = str(args.get("resource_type", ""))
    endpoint = (request.endpoint or "").removeprefix("fhir.")
    if endpoint == "patient_everything":
        from plan_service.resource_types import EVERYTHING_TYPES

        wanted = [t for v in request.args.getlist("_type") for t in v.split(",")]
        return [("Patient", "r")] + [(t, "r") for t in (wanted or EVERYTHING_TYPES)]
    if endpoint == "system_history":  # the change feed: every version of every type
        return [("*", "r")]
    if endpoint == "type_history":
        return [(resource_type, "r")]
    permission = {
        "search": "s",
        "search_by_post": "s",
        "read": "r",
        "vread": "r",
        "create": "c",
        "update": "u",
    }.get(endpoint, "cruds")
    if permission == "cruds":  # an interaction this table does not know: refuse rather than allow
        return [(resource_type or "*", "x")]
    needed = [(resource_type, permission)]
    if endpoint == "create" and request.headers.get("If-None-Exist"):
        needed.append((resource_type, "s"))  # a conditional create searches first
    if endpoint in ("create", "update") and request.headers.get("X-Provenance"):
        needed.append(("Provenance", "c"))  # the Provenance written with it
    return needed


def smart_configuration() -> dict[str, Any]:
    return {
        "token_endpoint": token_url(),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGORITHMS),
        "scopes_supported": ["system/*.cruds", "system/*.rs"],
        "capabilities": ["client-confidential-asymmetric"],
    }


def security_statement() -> dict[str, Any]:
    """`rest.security` of the CapabilityStatement."""
    return {
        "cors": False,
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }
                ],
                "text": "SMART Backend Services (OAuth 2.0 client credentials, private_key_jwt)",
            }
        ],
        "extension": [
            {
                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                "extension": [{"url": "token", "valueUri": token_url()}],
            }
        ],
        "description": (
            "Every interaction except GET metadata and GET .well-known/smart-configuration needs a "
            "bearer token from the token endpoint; SMART v2 system scopes decide what it may do."
        ),
    }


def init_app(app: Flask) -> None:
    secret = app.config.get("PLAN_SERVICE_TOKEN_KEY")
    key = (
        OctKey.import_key(bytes.fromhex(secret))
        if secret
        else OctKey.import_key(secrets.token_bytes(32))
    )
    app.extensions["plan_service.token_key"] = key
    app.extensions[VERIFIED_KEY] = OrderedDict()
