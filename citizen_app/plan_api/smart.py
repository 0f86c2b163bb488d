"""The portal's credential at the plan API: SMART Backend Services (OAuth 2.0 client credentials).

The portal proves who it is with a `private_key_jwt` client assertion signed by its private key,
gets a short-lived bearer token from the token endpoint (found by discovery at
`<PLAN_API_URL>/.well-known/smart-configuration` unless PLAN_API_TOKEN_URL is set), keeps it until
shortly before it expires, and renews it once when the plan API answers 401 (the API restarted, the
token was revoked). One `SmartBackendAuth` is shared by every request of the app's PlanClient: the
pages' reads, the outbox dispatcher and the caseworker's direct writes. The JOSE work is joserfc's.
"""

from __future__ import annotations

import ssl
import threading
import time
import uuid
from collections.abc import Generator
from pathlib import Path
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from .client import PlanClient
from .errors import PlanAPIError, PlanAPIRejected, PlanAPIUnavailable

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_SECONDS = 60
# A token is renewed this long before it expires, so that a request never leaves with one about to die.
RENEW_BEFORE_SECONDS = 30
DEFAULT_SCOPE = "system/*.crus"


def load_private_key(path: str | Path) -> ECKey | RSAKey:
    """A PEM private key (EC P-384 for ES384, or RSA for RS384) with its RFC 7638 thumbprint as kid."""
    pem = Path(path).read_bytes()
    key: ECKey | RSAKey
    try:
        key = ECKey.import_key(pem)
    except Exception:
        key = RSAKey.import_key(pem)
    key.ensure_kid()
    if not key.is_private:
        raise ValueError(f"{path} holds a public key; the portal needs its private key.")
    return key


def algorithm_for(key: ECKey | RSAKey) -> str:
    return "ES384" if isinstance(key, ECKey) else "RS384"


def public_jwks(key: ECKey | RSAKey) -> dict[str, Any]:
    """What the plan API's operator registers for the portal."""
    public = key.as_dict(private=False)
    return {"keys": [{**public, "alg": algorithm_for(key), "use": "sig"}]}


class SmartBackendAuth(httpx.Auth):
    """httpx authentication: a cached bearer token, renewed before it expires and once on a 401."""

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        key: ECKey | RSAKey,
        scope: str = DEFAULT_SCOPE,
        token_url: str | None = None,
        verify: Any = True,
        cert: Any = None,
        timeout: httpx.Timeout | float = 5.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.key = key
        self.scope = scope
        self.token_url = token_url
        self.tokens_fetched = 0  # for tests and diagnostics: how often a token was obtained
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self._http = httpx.Client(verify=verify, cert=cert, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            # The token may have been revoked or the API restarted with a new signing key: renew once.
            request.headers["Authorization"] = f"Bearer {self.token(stale=token)}"
            yield request

    def token(self, stale: str | None = None) -> str:
        with self._lock:
            fresh = (
                self._token is not None and time.time() < self._expires_at - RENEW_BEFORE_SECONDS
            )
            if fresh and self._token != stale:
                return self._token  # type: ignore[return-value]
            self._token, self._expires_at = self._fetch()
            self.tokens_fetched += 1
            return self._token

    def _discover(self) -> str:
        if self.token_url is None:
            configuration = self._call("GET", f"{self.base_url}/.well-known/smart-configuration")
            endpoint = configuration.get("token_endpoint")
            if not isinstance(endpoint, str) or not endpoint:
                raise PlanAPIRejected("the plan API's SMART configuration names no token endpoint")
            self.token_url = endpoint
        return self.token_url

    def _assertion(self, token_url: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": token_url,
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
            "jti": str(uuid.uuid4()),
        }
        header = {"alg": algorithm_for(self.key), "kid": self.key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.key, algorithms=[header["alg"]])

    def _fetch(self) -> tuple[str, float]:
        token_url = self._discover()
        body = self._call(
            "POST",
            token_url,
            data={
                "grant_type": "client_credentials",
                "scope": self.scope,
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self._assertion(token_url),
            },
        )
        token, lifetime = body.get("access_token"), body.get("expires_in", 300)
        if not isinstance(token, str) or not token or not isinstance(lifetime, int | float):
            raise PlanAPIError("the plan API's token endpoint answered no token")
        return token, time.time() + float(lifetime)

    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            raise PlanAPIUnavailable(
                f"plan API token endpoint unreachable ({type(exc).__name__})"
            ) from exc
        if response.status_code >= 500:
            raise PlanAPIUnavailable(
                f"plan API token endpoint answered {response.status_code}", response.status_code
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or not isinstance(body, dict):
            # 400/401 from a token endpoint: the portal's credential or scope is wrong (configuration).
            code = body.get("error") if isinstance(body, dict) else None
            status = 401 if response.status_code in (400, 401) else response.status_code
            raise PlanAPIRejected(
                f"plan API refused the portal's credential ({response.status_code} {code or ''})".strip(),
                status,
                code,
            )
        return body


def tls_options(config: dict[str, Any]) -> dict[str, Any]:
    """httpx's verify/cert from PLAN_API_CA_BUNDLE and PLAN_API_CLIENT_CERT (+ PLAN_API_CLIENT_CERT_KEY)."""
    options: dict[str, Any] = {}
    if config.get("PLAN_API_CA_BUNDLE"):
        options["verify"] = ssl.create_default_context(cafile=config["PLAN_API_CA_BUNDLE"])
    if config.get("PLAN_API_CLIENT_CERT"):
        cert = config["PLAN_API_CLIENT_CERT"]
        key = config.get("PLAN_API_CLIENT_CERT_KEY")
        if "verify" not in options:
            options["verify"] = ssl.create_default_context()
        options["verify"].load_cert_chain(cert, key)
    return options


def configured_client(config: dict[str, Any]) -> PlanClient:
    """The app's PlanClient from its settings (see docs/plan-api.md, "Authentication")."""
    tls = tls_options(config)
    timeout = httpx.Timeout(
        config["PLAN_API_READ_TIMEOUT"], connect=config["PLAN_API_CONNECT_TIMEOUT"]
    )
    auth = None
    if config.get("PLAN_API_CLIENT_ID"):
        auth = SmartBackendAuth(
            base_url=config["PLAN_API_URL"],
            client_id=config["PLAN_API_CLIENT_ID"],
            key=load_private_key(config["PLAN_API_PRIVATE_KEY_FILE"]),
            scope=config.get("PLAN_API_SCOPE") or DEFAULT_SCOPE,
            token_url=config.get("PLAN_API_TOKEN_URL") or None,
            timeout=timeout,
            **tls,
        )
    return PlanClient(
        config["PLAN_API_URL"],
        connect_timeout=config["PLAN_API_CONNECT_TIMEOUT"],
        read_timeout=config["PLAN_API_READ_TIMEOUT"],
        auth=auth,
        **tls,
    )
