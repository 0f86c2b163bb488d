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
    page = client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    answer = client.post("/saml/login", data={"csrf_token": token})
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
