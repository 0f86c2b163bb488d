"""The software authenticator against py_webauthn's real verification."""

from __future__ import annotations

import json
from typing import Any

import pytest
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidBackupFlags,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)
from webauthn.registration.verify_registration_response import VerifiedRegistration

from tests.softauthn import SoftAuthenticator, SoftAuthenticatorError, unb64url

RP_ID = "localhost"
ORIGIN = "http://localhost:5000"
USER_ID = b"user-0001"
REQUIRED = UserVerificationRequirement.REQUIRED


def _registration_options(exclude: list[bytes] | None = None) -> tuple[str, bytes]:
    options = generate_registration_options(
        rp_id=RP_ID,
        rp_name="Test portal",
        user_name="citizen@example.org",
        user_id=USER_ID,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=REQUIRED
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=i) for i in exclude or []],
    )
    return options_to_json(options), options.challenge


def _register(auth: SoftAuthenticator, origin: str = ORIGIN) -> VerifiedRegistration:
    options_json, challenge = _registration_options()
    return verify_registration_response(
        credential=auth.create(options_json, origin),
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        require_user_verification=True,
    )


def _authentication_options(allow: list[bytes] | None = None) -> tuple[str, bytes]:
    options = generate_authentication_options(
        rp_id=RP_ID,
        user_verification=REQUIRED,
        allow_credentials=[PublicKeyCredentialDescriptor(id=i) for i in allow or []],
    )
    return options_to_json(options), options.challenge


def _verify_get(
    credential: dict[str, Any], challenge: bytes, reg: VerifiedRegistration, stored_count: int
) -> Any:
    return verify_authentication_response(
        credential=credential,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        credential_public_key=reg.credential_public_key,
        credential_current_sign_count=stored_count,
        require_user_verification=True,
    )


def test_registration_verifies_with_user_verification_required() -> None:
    auth = SoftAuthenticator()
    options_json, challenge = _registration_options()
    posted = auth.create(options_json, ORIGIN)
    assert posted["type"] == "public-key"
    assert posted["authenticatorAttachment"] == "platform"
    assert posted["response"]["transports"] == ["internal"]
    client_data = json.loads(unb64url(posted["response"]["clientDataJSON"]))
    assert client_data["type"] == "webauthn.create"
    assert client_data["challenge"] == json.loads(options_json)["challenge"]

    reg = verify_registration_response(
        credential=json.dumps(posted),
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        require_user_verification=True,
    )
    assert reg.credential_id in auth.credentials
    assert reg.fmt == "none"
    assert reg.user_verified is True
    assert reg.sign_count == 0
    assert reg.aaguid == "00000000-0000-0000-0000-000000000000"
    assert auth.credentials[reg.credential_id].user_handle == USER_ID


def test_discoverable_authentication_verifies_and_counts_up() -> None:
    auth = SoftAuthenticator()
    reg = _register(auth)
    stored = reg.sign_count
    for expected in (1, 2):
        options_json, challenge = _authentication_options()
        posted = auth.get(options_json, ORIGIN)
        assert unb64url(posted["response"]["userHandle"]) == USER_ID
        verified = _verify_get(posted, challenge, reg, stored)
        assert verified.credential_id == reg.credential_id
        assert verified.user_verified is True
        assert verified.new_sign_count == expected
        stored = verified.new_sign_count


def test_allow_credentials_and_explicit_credential_pick_the_right_key() -> None:
    auth = SoftAuthenticator()
    first, second = _register(auth), _register(auth)
    options_json, _ = _authentication_options()
    with pytest.raises(SoftAuthenticatorError, match="2 usable credentials"):
        auth.get(options_json, ORIGIN)

    options_json, challenge = _authentication_options(allow=[second.credential_id])
    assert _verify_get(auth.get(options_json, ORIGIN), challenge, second, 0).new_sign_count == 1

    options_json, challenge = _authentication_options()
    posted = auth.get(options_json, ORIGIN, credential_id=first.credential_id)
    assert _verify_get(posted, challenge, first, 0).credential_id == first.credential_id
    # The signature is real: another credential's public key does not verify it.
    with pytest.raises(InvalidAuthenticationResponse, match="Could not verify authentication sig"):
        _verify_get(posted, challenge, second, 0)


def test_exclude_credentials_is_honoured() -> None:
    auth = SoftAuthenticator()
    reg = _register(auth)
    options_json, _ = _registration_options(exclude=[reg.credential_id])
    with pytest.raises(SoftAuthenticatorError, match="InvalidStateError"):
        auth.create(options_json, ORIGIN)


def test_unverified_user_is_refused_at_registration() -> None:
    with pytest.raises(InvalidRegistrationResponse, match="User verification is required"):
        _register(SoftAuthenticator(user_verified=False))


def test_unverified_user_is_refused_at_authentication() -> None:
    auth = SoftAuthenticator()
    reg = _register(auth)
    auth.user_verified = False
    options_json, challenge = _authentication_options()
    with pytest.raises(InvalidAuthenticationResponse, match="User verification is required"):
        _verify_get(auth.get(options_json, ORIGIN), challenge, reg, 0)


def test_wrong_origin_is_refused() -> None:
    with pytest.raises(InvalidRegistrationResponse, match="Unexpected client data origin"):
        _register(SoftAuthenticator(), origin="http://evil.example:5000")

    auth = SoftAuthenticator()
    reg = _register(auth)
    options_json, challenge = _authentication_options()
    posted = auth.get(options_json, "http://localhost:5001")
    with pytest.raises(InvalidAuthenticationResponse, match="Unexpected client data origin"):
        _verify_get(posted, challenge, reg, 0)


def test_other_or_replayed_challenge_is_refused() -> None:
    auth = SoftAuthenticator()
    options_json, _ = _registration_options()
    _, other_challenge = _registration_options()
    with pytest.raises(InvalidRegistrationResponse, match="challenge was not expected"):
        verify_registration_response(
            credential=SoftAuthenticator().create(options_json, ORIGIN),
            expected_challenge=other_challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
        )

    reg = _register(auth)
    options_json, challenge = _authentication_options()
    replayed = auth.get(options_json, ORIGIN)
    _verify_get(replayed, challenge, reg, 0)
    _, fresh_challenge = _authentication_options()
    with pytest.raises(InvalidAuthenticationResponse, match="challenge was not expected"):
        _verify_get(replayed, fresh_challenge, reg, 1)


def test_sign_count_regression_is_refused() -> None:
    auth = SoftAuthenticator()
    reg = _register(auth)
    options_json, challenge = _authentication_options()
    # The server has seen a higher count than the authenticator now reports (1).
    with pytest.raises(InvalidAuthenticationResponse, match="sign count of 1 was not greater"):
        _verify_get(auth.get(options_json, ORIGIN), challenge, reg, 5)

    # A cloned authenticator: the counter is rewound, so it repeats a count already seen.
    options_json, challenge = _authentication_options()
    stored = _verify_get(auth.get(options_json, ORIGIN), challenge, reg, 1).new_sign_count
    assert stored == 2
    auth.set_sign_count(reg.credential_id, 1)
    options_json, challenge = _authentication_options()
    with pytest.raises(InvalidAuthenticationResponse, match="sign count of 2 was not greater"):
        _verify_get(auth.get(options_json, ORIGIN), challenge, reg, stored)


@pytest.mark.parametrize(
    ("eligible", "backed_up", "device_type"),
    [
        (False, False, CredentialDeviceType.SINGLE_DEVICE),
        (True, False, CredentialDeviceType.MULTI_DEVICE),
        (True, True, CredentialDeviceType.MULTI_DEVICE),
    ],
)
def test_backup_flags_surface_in_registration(
    eligible: bool, backed_up: bool, device_type: CredentialDeviceType
) -> None:
    auth = SoftAuthenticator(backup_eligible=eligible, backed_up=backed_up)
    reg = _register(auth)
    assert reg.credential_device_type == device_type
    assert reg.credential_backed_up is backed_up

    options_json, challenge = _authentication_options()
    verified = _verify_get(auth.get(options_json, ORIGIN), challenge, reg, 0)
    assert verified.credential_device_type == device_type
    assert verified.credential_backed_up is backed_up


def test_backed_up_without_backup_eligibility_is_refused() -> None:
    # py_webauthn raises InvalidBackupFlags itself here, not InvalidRegistrationResponse.
    with pytest.raises(InvalidBackupFlags, match="Single-device credential"):
        _register(SoftAuthenticator(backup_eligible=False, backed_up=True))
