"""The portal's credential at the plan API, against the reference plan service on a real port.

The portal finds the token endpoint by discovery, gets one token and keeps it, renews it once when the
API answers 401 (here: the plan service restarted with a new signing key), and gets nothing with a key the
API does not know.
"""

from __future__ import annotations

import os
import stat

import pytest
from joserfc.jwk import ECKey, OctKey

from citizen_app.plan_api import PlanAPIRejected
from citizen_app.plan_api.smart import SmartBackendAuth, configured_client, load_private_key


def _patient(client) -> str:
    import uuid

    return client.create(
        {"resourceType": "Patient", "name": [{"text": "T"}]}, uuid.uuid4()
    ).reference


def test_the_portal_gets_one_token_and_keeps_it(plan_service) -> None:
    client = plan_service.plan_client()
    try:
        ref = _patient(client)
        for _ in range(5):
            client.read(*ref.split("/"))
        assert client.auth.tokens_fetched == 1
        # Discovery found the endpoint the service advertises.
        assert client.auth.token_url == f"{plan_service.fhir_url}/auth/token"
    finally:
        client.close()


def test_a_401_renews_the_token_once_and_the_request_goes_through(plan_service) -> None:
    client = plan_service.plan_client()
    try:
        ref = _patient(client)
        # The plan service restarts with a new signing key: every token it gave out is now void.
        plan_service.app.extensions["plan_service.token_key"] = OctKey.generate_key(256)
        calls_before = client.calls
        assert client.read(*ref.split("/")).resource["id"] == ref.split("/")[1]
        assert client.auth.tokens_fetched == 2
        assert client.calls == calls_before + 2  # refused once, then sent again with the new token
    finally:
        client.close()


def test_a_key_the_plan_api_does_not_know_gets_nothing(plan_service, tmp_path) -> None:
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(ECKey.generate_key("P-384").as_pem(private=True))
    client = configured_client(
        {
            **plan_service.portal_config(),
            "PLAN_API_PRIVATE_KEY_FILE": str(stranger),
            "PLAN_API_CONNECT_TIMEOUT": 0.5,
            "PLAN_API_READ_TIMEOUT": 3.0,
        }
    )
    try:
        with pytest.raises(PlanAPIRejected) as refused:
            client.search("Patient", {})
        assert refused.value.status == 401
    finally:
        client.close()


def test_a_scope_narrower_than_the_interaction_is_refused_by_the_api(plan_service) -> None:
    auth = plan_service.auth("system/Goal.rs")
    reader = configured_client(
        {
            **plan_service.portal_config(),
            "PLAN_API_CONNECT_TIMEOUT": 0.5,
            "PLAN_API_READ_TIMEOUT": 3,
        }
    )
    reader.auth.close()
    reader._http.auth = auth  # the same client with a narrower credential
    try:
        assert reader.search("Goal", {}) == []
        with pytest.raises(PlanAPIRejected) as refused:
            reader.search("Patient", {})
        assert refused.value.status == 403
        assert isinstance(auth, SmartBackendAuth) and auth.tokens_fetched == 1
    finally:
        reader.close()
        auth.close()


def test_the_embedded_default_makes_its_key_once_and_keeps_it_private(
    tmp_path, monkeypatch
) -> None:
    import embedded

    monkeypatch.delenv("PLAN_API_CLIENT_ID", raising=False)
    monkeypatch.delenv("PLAN_API_PRIVATE_KEY_FILE", raising=False)
    first = embedded._portal_credential(tmp_path)
    second = embedded._portal_credential(tmp_path)
    assert first == second  # the same key after a restart: the registration stays valid
    key_file = tmp_path / "plan_api_client.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert os.environ["PLAN_API_PRIVATE_KEY_FILE"] == str(key_file)
    assert "d" not in first["keys"][0]  # only the public half is registered
    assert load_private_key(key_file).kid == first["keys"][0]["kid"]
