"""A software WebAuthn authenticator for the test suite.

It stands in for a browser plus a platform authenticator: `create` and `get` take the options JSON
the server sends (py_webauthn's `options_to_json` output) and return exactly the JSON a modern
browser's `PublicKeyCredential.toJSON()` posts back, signed with a real P-256 key, so the server's
real py_webauthn verification runs end to end without a browser.

Why not the `soft-webauthn` package: it pins `fido2<2`, which conflicts with webauthn 3 (py_webauthn).
This one needs only `cryptography` and `cbor2`.

Attestation is format "none". Credentials are always discoverable (resident). Tests can tamper: set
`user_verified = False`, pass a wrong `origin`, or rewind a counter with `set_sign_count` to act as
a cloned authenticator. Nothing here checks that the origin matches the rpId, on purpose.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

ES256 = -7
_UP, _UV, _BE, _BS, _AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticatorError(Exception):
    """What a browser would reject with a DOMException (NotAllowedError, InvalidStateError...)."""


@dataclass
class SoftCredential:
    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
        return cbor2.dumps({1: 2, 3: ES256, -1: 1, -2: x, -3: y}, canonical=True)


class SoftAuthenticator:
    def __init__(
        self, *, user_verified: bool = True, backup_eligible: bool = False, backed_up: bool = False
    ) -> None:
        self.user_verified = user_verified
        self.backup_eligible = backup_eligible
        self.backed_up = backed_up
        self.credentials: dict[bytes, SoftCredential] = {}

    def create(self, options_json: str | dict[str, Any], origin: str) -> dict[str, Any]:
        """navigator.credentials.create(): returns RegistrationResponseJSON."""
        options = _load(options_json)
        rp_id = options["rp"].get("id") or urlsplit(origin).hostname or ""
        if not any(p.get("alg") == ES256 for p in options.get("pubKeyCredParams", [])):
            raise SoftAuthenticatorError("NotSupportedError: only ES256 (-7) is offered here")
        for excluded in options.get("excludeCredentials") or []:
            known = self.credentials.get(unb64url(excluded["id"]))
            if known is not None and known.rp_id == rp_id:
                raise SoftAuthenticatorError("InvalidStateError: credential already registered")
        cred = SoftCredential(
            credential_id=os.urandom(16),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=rp_id,
            user_handle=unb64url(options["user"]["id"]),
        )
        self.credentials[cred.credential_id] = cred
        attested = bytes(16) + len(cred.credential_id).to_bytes(2, "big") + cred.credential_id
        auth_data = self._auth_data(cred, _AT) + attested + cred.cose_public_key()
        attestation = cbor2.dumps(
            {"fmt": "none", "attStmt": {}, "authData": auth_data}, canonical=True
        )
        spki = cred.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        response = {
            "clientDataJSON": b64url(_client_data("webauthn.create", options, origin)),
            "authenticatorData": b64url(auth_data),
            "transports": ["internal"],
            "publicKey": b64url(spki),
            "publicKeyAlgorithm": ES256,
            "attestationObject": b64url(attestation),
        }
        return _credential_json(cred, response)

    def get(
        self,
        options_json: str | dict[str, Any],
        origin: str,
        credential_id: bytes | None = None,
    ) -> dict[str, Any]:
        """navigator.credentials.get(): returns AuthenticationResponseJSON (userHandle set).

        With an empty allowCredentials (discoverable flow) it uses `credential_id` or the only
        credential held for the rpId; several and no `credential_id` is an error, like an
        account picker nobody answered.
        """
        options = _load(options_json)
        rp_id = options.get("rpId") or urlsplit(origin).hostname or ""
        allowed = [unb64url(c["id"]) for c in options.get("allowCredentials") or []]
        candidates = [
            c
            for c in self.credentials.values()
            if c.rp_id == rp_id and (not allowed or c.credential_id in allowed)
        ]
        if credential_id is not None:
            candidates = [c for c in candidates if c.credential_id == credential_id]
        if len(candidates) != 1:
            raise SoftAuthenticatorError(
                f"NotAllowedError: {len(candidates)} usable credentials for rpId {rp_id!r}"
            )
        cred = candidates[0]
        cred.sign_count += 1
        auth_data = self._auth_data(cred, 0)
        client_data = _client_data("webauthn.get", options, origin)
        signature = cred.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
            "userHandle": b64url(cred.user_handle),
        }
        return _credential_json(cred, response)

    def set_sign_count(self, credential_id: bytes, sign_count: int) -> None:
        """Rewind (or advance) a credential's counter; the next `get` reports sign_count + 1."""
        self.credentials[credential_id].sign_count = sign_count

    def _auth_data(self, cred: SoftCredential, extra_flags: int) -> bytes:
        flags = _UP | extra_flags
        flags |= (_UV if self.user_verified else 0) | (_BE if self.backup_eligible else 0)
        flags |= _BS if self.backed_up else 0
        rp_id_hash = hashlib.sha256(cred.rp_id.encode()).digest()
        return rp_id_hash + bytes([flags]) + cred.sign_count.to_bytes(4, "big")


def _load(options_json: str | dict[str, Any]) -> dict[str, Any]:
    return json.loads(options_json) if isinstance(options_json, str) else options_json


def _client_data(kind: str, options: dict[str, Any], origin: str) -> bytes:
    data = {"type": kind, "challenge": options["challenge"], "origin": origin, "crossOrigin": False}
    return json.dumps(data, separators=(",", ":")).encode()


def _credential_json(cred: SoftCredential, response: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": b64url(cred.credential_id),
        "rawId": b64url(cred.credential_id),
        "type": "public-key",
        "response": response,
        "clientExtensionResults": {},
        "authenticatorAttachment": "platform",
    }
