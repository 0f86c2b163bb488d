"""The NemLog-in simulator on a real port, and a browser-less walk through a MitID sign-in (test client for
the portal, httpx for the simulator: the two are separate servers, as NemLog-in and the portal are)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from flask import Flask

from nemlogin_sim import create_app as create_simulator
from plan_service.server import ThreadedServer

SP_BASE = "http://localhost"


class Simulator:
    def __init__(self, cert_dir: Path) -> None:
        self.app = create_simulator(
            {
                "ENVIRONMENT": "development",
                "SIM_BASE_URL": "http://127.0.0.1:0",
                "SIM_CERT_DIR": str(cert_dir),
            }
        )
        self.server = ThreadedServer(self.app, "127.0.0.1", 0)
        self.server.start()
        self.url = self.server.url
        self.app.config["SIM_BASE_URL"] = self.url

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/metadata"

    def trust(self, portal: Flask) -> None:
        """Give the simulator the portal's SP metadata (NemLog-in gets it uploaded by the municipality)."""
        self.app.config["SIM_SP_METADATA"] = (
            portal.test_client().get("/saml/metadata").get_data(as_text=True)
        )

    def stop(self) -> None:
        self.server.stop()


def saml_config(simulator: Simulator, **extra: Any) -> dict[str, Any]:
    return {"SAML_IDP_METADATA": simulator.metadata_url, "SAML_SP_BASE_URL": SP_BASE, **extra}


def start_sign_in(client: Any) -> str:
    """Press "Log in with MitID": the URL of the signed AuthnRequest at the simulator."""
    assert 'href="/saml/login"' in client.get("/sign-in").get_data(as_text=True)
    answer = client.get("/saml/login")
    assert answer.status_code == 303, answer.status_code
    return answer.headers["Location"]


def choose_person(idp_url: str, **form: str) -> tuple[str, str, str]:
    """At the simulator: choose a person; the (ACS URL, SAMLResponse, RelayState) its page would post."""
    with httpx.Client() as http:
        page = http.get(idp_url)
        assert page.status_code == 200, page.text
        token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
        answer = http.post(idp_url.split("?")[0], data={"token": token, **form})
        assert answer.status_code == 200, answer.text
    action = re.search(r'action="([^"]+)"', answer.text).group(1)
    response = re.search(r'name=SAMLResponse value="([^"]+)"', answer.text).group(1)
    relay = re.search(r'name=RelayState value="([^"]*)"', answer.text).group(1)
    return action, response, relay


def post_to_acs(client: Any, acs_url: str, saml_response: str) -> Any:
    return client.post(urlsplit(acs_url).path, data={"SAMLResponse": saml_response})


def request_id(idp_url: str) -> str:
    """The ID of the AuthnRequest the portal sent (read as the IdP reads it)."""
    import base64
    import zlib
    from urllib.parse import parse_qs

    raw = parse_qs(urlsplit(idp_url).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(raw), -15).decode()
    return re.search(r' ID="([^"]+)"', xml).group(1)


def forge(
    simulator: Simulator,
    in_response_to: str | None,
    *,
    cert_dir: Path | None = None,
    identity: dict[str, list[str]] | None = None,
    destination: str = f"{SP_BASE}/saml/acs",
    audience: str | None = None,
    sign: bool = True,
    encrypt: bool = True,
    issued_at: str | None = None,
    lifetime: dict[str, int] | None = None,
) -> str:
    """A SAMLResponse made with pysaml2 as an IdP would make it, with one thing wrong: a stranger's key
    (cert_dir), no signature, another destination or audience, another clock (issued_at, lifetime)."""
    import base64
    from unittest import mock

    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
    from saml2.server import Server

    from nemlogin_sim import LOA_PREFIX, idp_config
    from nemlogin_sim.attributemaps import oiosaml3 as names

    sp_metadata = simulator.app.config["SIM_SP_METADATA"]
    if (
        audience
    ):  # the IdP also knows another service (with, here, our keys): the assertion is for it
        sp_metadata = re.sub(r'entityID="[^"]+"', f'entityID="{audience}"', sp_metadata)
    metadata = {"inline": [sp_metadata]}
    server = Server(
        config=idp_config(
            simulator.url, cert_dir or Path(simulator.app.config["SIM_CERT_DIR"]), metadata
        )
    )
    sp = re.search(r'entityID="([^"]+)"', sp_metadata).group(1)
    identity = identity or {
        names.CPR: ["0101901234"],
        names.LOA: [LOA_PREFIX + "Substantial"],
        names.FULL_NAME: ["Sara Jensen"],
    }
    from saml2.assertion import Policy

    policy = Policy({"default": {"lifetime": lifetime or {"minutes": 5}}}, mds=server.metadata)
    patches = []
    if issued_at:
        # The IdP's clock is ahead: the assertion says NotBefore in the future.
        patches.append(mock.patch("saml2.assertion.instant", lambda *a, **k: issued_at))
    for patch in patches:
        patch.start()
    try:
        response = server.create_authn_response(
            identity,
            in_response_to,
            destination,
            sp,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text="forged-person"),
            authn={"class_ref": LOA_PREFIX + "Substantial"},
            sign_response=sign,
            sign_assertion=sign,
            encrypt_assertion=encrypt,
            release_policy=policy,
        )
    finally:
        for patch in patches:
            patch.stop()
    return base64.b64encode(str(response).encode()).decode()
