"""Passkeys: one small wrapper over py_webauthn that raises its own error, so views never see the library.

User verification is required everywhere (in the options and when verifying); credentials are discoverable
(resident keys) so sign-in needs no username.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

TIMEOUT_MS = 5 * 60 * 1000


class PasskeyError(Exception):
    """The browser's answer was refused. `reason` is for the log, never shown as such to the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class NewPasskey:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    device_type: str
    backed_up: bool
    transports: list[str]


@dataclass(frozen=True)
class Assertion:
    credential_id: bytes
    new_sign_count: int
    backed_up: bool
    device_type: str


def registration_options(
    *,
    rp_id: str,
    rp_name: str,
    user_handle: bytes,
    username: str,
    display_name: str,
    existing: list[bytes],
) -> tuple[str, bytes]:
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=rp_name,
        user_id=user_handle,
        user_name=username,
        user_display_name=display_name,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=c) for c in existing],
    )
    return options_to_json(options), options.challenge


def authentication_options(*, rp_id: str, allow: list[bytes] | None = None) -> tuple[str, bytes]:
    options = generate_authentication_options(
        rp_id=rp_id,
        timeout=TIMEOUT_MS,
        allow_credentials=[PublicKeyCredentialDescriptor(id=c) for c in allow or []],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options), options.challenge


def credential_id_of(credential: dict[str, Any]) -> bytes:
    try:
        return base64url_to_bytes(str(credential["rawId"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise PasskeyError("no credential id") from exc


def user_handle_of(credential: dict[str, Any]) -> bytes | None:
    handle = (credential.get("response") or {}).get("userHandle")
    try:
        return base64url_to_bytes(handle) if handle else None
    except (ValueError, TypeError):
        return None


def verify_new(
    credential: dict[str, Any], *, challenge: bytes, rp_id: str, origin: str
) -> NewPasskey:
    try:
        verified = verify_registration_response(
            credential=json.dumps(credential),
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError(f"registration refused: {exc}") from exc
    transports = (credential.get("response") or {}).get("transports") or []
    return NewPasskey(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        device_type=verified.credential_device_type.value,
        backed_up=verified.credential_backed_up,
        transports=[str(t)[:20] for t in transports][:8],
    )


def verify_assertion(
    credential: dict[str, Any],
    *,
    challenge: bytes,
    rp_id: str,
    origin: str,
    public_key: bytes,
    sign_count: int,
) -> Assertion:
    try:
        verified = verify_authentication_response(
            credential=json.dumps(credential),
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError(f"sign-in refused: {exc}") from exc
    return Assertion(
        credential_id=verified.credential_id,
        new_sign_count=verified.new_sign_count,
        backed_up=verified.credential_backed_up,
        device_type=verified.credential_device_type.value,
    )
