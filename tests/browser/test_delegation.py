"""Inviting, accepting, acting for and revoking, in Chromium, axe-clean in Danish and English."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, expect

from .conftest import activate, add_virtual_authenticator, assert_accessible, new_page, open_menu

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["Dansk", "English"])
def test_invite_accept_act_for_and_revoke(browser: Browser, portal, language: str) -> None:
    sara = new_page(browser, locale="da-DK")
    activate(sara, portal)
    if language == "English":
        open_menu(sara)
        sara.get_by_role("button", name="English").click()
    sara.goto(portal.url + "/delegations")
    assert_accessible(sara)
    sara.goto(portal.url + "/delegations/new")
    assert_accessible(sara)
    sara.locator(
        "main button[type=submit]:not([value=later])"
    ).click()  # nothing filled in: errors, accessible
    expect(sara.locator(".error-summary")).to_be_visible()
    assert_accessible(sara)
    sara.locator("#name").fill("Peter Jensen")
    sara.locator("#scopes-0").check()
    sara.locator("#ends_on").fill((date.today() + timedelta(days=60)).isoformat())
    sara.locator("main button[type=submit]:not([value=later])").click()
    code = sara.locator(".activation-code").inner_text().strip()
    assert_accessible(sara)

    peter = new_page(browser, locale="da-DK")
    add_virtual_authenticator(peter)
    peter.goto(portal.url + "/")
    peter.get_by_role("link", name="Jeg har fået en invitation").click()
    assert_accessible(peter)
    peter.locator("#code").fill(code)
    peter.locator("main button[type=submit]:not([value=later])").click()
    peter.wait_for_url("**/activate/passkey")
    peter.get_by_role("button", name="Lav adgangsnøgle").click()
    peter.wait_for_url("**/plan")
    expect(peter.get_by_role("region", name="Hvem du handler for")).to_contain_text(
        "Du handler for Sara Jensen som pårørende."
    )
    expect(peter.get_by_text("Skriv et tegn på fremgang")).to_have_count(0)
    assert_accessible(peter)

    sara.goto(portal.url + "/delegations")
    sara.locator("form[action$='/revoke'] button").first.click()
    expect(sara.get_by_role("status").first).to_be_visible()
    assert_accessible(sara)
    peter.reload()
    expect(peter.get_by_role("heading", level=1)).not_to_have_text("Min plan")
    peter.goto(portal.url + "/plan")
    # Told plainly, in his language, that Sara ended it; nothing else of hers.
    assert peter.evaluate("document.title").startswith(
        ("Sara Jensen har lukket for din adgang", "Sara Jensen has ended your access")
    )
    assert_accessible(peter)
    sara.context.close()
    peter.context.close()


def test_access_log_and_my_data_pages_are_accessible(browser: Browser, portal) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    for path in ("/who-has-looked", "/my-data"):
        page.goto(portal.url + path)
        assert_accessible(page)
    open_menu(page)
    page.get_by_role("button", name="English").click()
    for path in ("/who-has-looked", "/my-data"):
        page.goto(portal.url + path)
        assert_accessible(page)
    page.context.close()
