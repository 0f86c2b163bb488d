"""MitID through NemLog-in (OIOSAML 3): the portal's SAML service provider against the local simulator, a
real SAML identity provider on a real port, and the reference plan service: who signs in, and every refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from citizen_app.models import Account
from tests.nemlogin import Simulator, choose_person, post_to_acs, saml_config, start_sign_in


@pytest.fixture(scope="session")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = Simulator(tmp_path_factory.mktemp("nemlogin"))
    yield sim
    sim.stop()


@pytest.fixture
def mitid_app(make_app: Any, simulator: Simulator, tmp_path: Path) -> Flask:
    app = make_app(**saml_config(simulator))
    app.instance_path = str(tmp_path)
    simulator.trust(app)
    simulator.app.extensions["nemlogin_sim.server"].__closure__  # noqa: B018
    return app


def test_sara_signs_in_with_mitid_and_sees_her_plan(
    mitid_app: Flask, demo: dict[str, Account]
) -> None:
    client = mitid_app.test_client()
    acs, response, _relay = choose_person(start_sign_in(client), person="sara")
    answer = post_to_acs(client, acs, response)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert answer.headers["Location"] == "/plan"
    page = client.get("/plan")
    assert page.status_code == 200
    assert "Sara" in page.get_data(as_text=True)
