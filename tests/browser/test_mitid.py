"""MitID in Chromium: the portal's sign-in page, the NemLog-in simulator (a real SAML IdP on its own port and
site), back to the portal. Sara sees her plan, with scripts off as on an old phone; Peter, with Sara's power of
attorney from Digital Fuldmagt, acts for her; the new pages are axe-clean (axe needs scripts on)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.nemlogin import Simulator

from .conftest import assert_accessible, new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def mitid_portal(make_portal: Any, tmp_path: Path) -> Iterator[Any]:
    simulator = Simulator(tmp_path / "nemlogin")
    portal = make_portal(SAML_IDP_METADATA=simulator.metadata_url)
    portal.app.config["SAML_SP_BASE_URL"] = portal.url
    portal.app.instance_path = str(tmp_path / "sp")
    simulator.trust(portal.app)
    yield portal
    simulator.stop()


def _sign_in_as(page: Page, portal: Any, person: str) -> None:
    page.goto(portal.url + "/sign-in")
    page.get_by_role("link", name="Log ind med MitID").click()
    expect(page.get_by_text("SIMULATOR – dette er ikke NemLog-in")).to_be_visible()
    page.locator(f"input[name=person][value={person}]").check()
    page.get_by_role("button", name="Log ind (simuleret MitID)").click()
    page.get_by_role("button", name="Fortsæt til Borgerens Plan").click()


def test_sara_signs_in_through_the_simulator_and_sees_her_plan(
    browser: Browser, mitid_portal: Any
) -> None:
    page = new_page(browser, locale="da-DK", javascript=False)
    _sign_in_as(page, mitid_portal, "sara")
    page.wait_for_url("**/plan")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Jeg vil gerne")
    expect(page.get_by_role("status").first).to_contain_text("adgangsnøgle")
    page.context.close()


def test_a_relative_with_a_fuldmagt_acts_for_sara(browser: Browser, mitid_portal: Any) -> None:
    page = new_page(browser, locale="da-DK")
    page.goto(mitid_portal.url + "/sign-in")
    assert_accessible(page, "sign-in with MitID offered")
    _sign_in_as(page, mitid_portal, "peter")
    page.wait_for_url("**/plan")
    expect(page.get_by_role("region", name="Hvem du handler for")).to_contain_text(
        "Du handler for Sara Jensen som den, der har fuldmagt."
    )
    assert_accessible(page, "plan on behalf of, through a fuldmagt")
    page.context.close()


@pytest.mark.parametrize(
    ("person", "heading"),
    [("low", "Vi kunne ikke logge dig ind"), ("nobody", "Vi kan ikke finde en plan til dig")],
)
def test_the_refusal_pages_are_plain_and_accessible(
    browser: Browser, mitid_portal: Any, person: str, heading: str
) -> None:
    page = new_page(browser, locale="da-DK")
    _sign_in_as(page, mitid_portal, person)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page, f"MitID refused: {person}")
    page.context.close()
