"""Digital Fuldmagt through the MitID sign-in: privileges in the assertion become delegations for that sign-in,
show as "on behalf of", appear in the citizen's "who has looked", end when the power of attorney is gone, and
never widen a grant the portal registered. Against the NemLog-in simulator and the reference plan service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from citizen_app import db
from citizen_app.models import Account, Delegation, DelegationKind
from tests.conftest import sign_in_as
from tests.delegation_helpers import delegate
from tests.nemlogin import Simulator, choose_person, post_to_acs, saml_config, start_sign_in

SARA_CPR, PETER_CPR = "0101901234", "0303881237"


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = Simulator(tmp_path_factory.mktemp("nemlogin"))
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def sp_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sp-instance")


@pytest.fixture
def mitid_app(make_app: Any, simulator: Simulator, sp_instance: Path) -> Flask:
    app = make_app(**saml_config(simulator))
    app.instance_path = str(sp_instance)
    simulator.trust(app)
    return app


def _peter_signs_in(app: Flask, privileges: str) -> Any:
    client = app.test_client()
    acs, response, _ = choose_person(
        start_sign_in(client),
        person="custom",
        cpr=PETER_CPR,
        name="Peter Jensen",
        level="Substantial",
        privileges=privileges,
    )
    answer = post_to_acs(client, acs, response)
    return client, answer


def test_a_relative_with_a_fuldmagt_acts_for_sara_and_shows_in_her_access_log(
    mitid_app: Flask, demo: dict[str, Account]
) -> None:
    client, answer = _peter_signs_in(mitid_app, f"{SARA_CPR} see-plan message")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/plan"
    page = client.get("/plan").get_data(as_text=True)
    assert "Sara" in page
    assert "acting-banner" in page
    assert client.get("/messages").status_code == 200
    # "write for me" was not given: proposing a goal is refused like a missing page.
    assert client.get("/goals/new").status_code == 404
    sara = mitid_app.test_client()
    sign_in_as(sara, demo["sara"])
    log = sara.get("/who-has-looked").get_data(as_text=True)
    assert "Peter Jensen" in log
    with mitid_app.app_context():
        (delegation,) = db.session().scalars(
            select(Delegation).where(Delegation.kind == DelegationKind.FULDMAGT)
        )
        assert delegation.scope_set == {"read", "message"}
        assert delegation.citizen_ref == demo["sara"].fhir_ref


def test_the_delegation_ends_when_the_power_of_attorney_is_gone(
    mitid_app: Flask, demo: dict[str, Account]
) -> None:
    _peter_signs_in(mitid_app, f"{SARA_CPR} see-plan")
    client, answer = _peter_signs_in(mitid_app, "")
    assert answer.status_code == 303
    assert client.get("/plan").status_code in (403, 404)
    with mitid_app.app_context():
        (delegation,) = db.session().scalars(
            select(Delegation).where(Delegation.kind == DelegationKind.FULDMAGT)
        )
        assert delegation.revoked_at is not None


def test_a_fuldmagt_never_widens_a_grant_the_portal_registered(
    mitid_app: Flask, demo: dict[str, Account]
) -> None:
    from citizen_app.identity.mitid import cpr_hash

    _guardian, peter = delegate(
        mitid_app, demo["sara"], "Peter Jensen", {"read"}, kind=DelegationKind.GUARDIAN
    )
    with mitid_app.app_context():
        account = db.session().get(Account, peter.id)
        account.cpr_hash = cpr_hash(mitid_app.config["CPR_HASH_KEY"], PETER_CPR)
        db.session().commit()
    client, answer = _peter_signs_in(mitid_app, f"{SARA_CPR} see-plan write message")
    assert answer.status_code == 303
    assert client.get("/plan").status_code == 200  # the guardian's own grant
    assert client.get("/messages").status_code == 404  # not widened by the power of attorney
    with mitid_app.app_context():
        assert not list(
            db.session().scalars(
                select(Delegation).where(Delegation.kind == DelegationKind.FULDMAGT)
            )
        )
