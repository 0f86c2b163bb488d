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


@pytest.mark.parametrize("locale", ["da-DK", "ar"])
def test_a_relative_ends_his_own_access(browser: Browser, portal, demo, locale: str) -> None:
    """From the acting banner: the page that says what happens, the confirmation, the page that says it is
    done, and the next page he opens. Each axe-clean at 320 px without sideways scrolling, in Danish and
    Arabic. The confirmation is sent from a page with JavaScript off: no script is needed."""
    from tests.delegation_helpers import delegate

    delegation, peter = delegate(portal.app, demo["sara"], "Peter Jensen", {"read", "write"})
    signed_in = new_page(browser, locale="da-DK")
    activate(signed_in, portal, username=peter.username)
    state = signed_in.context.storage_state()
    signed_in.context.close()
    narrow = {"width": 320, "height": 640}
    page = new_page(browser, locale=locale, storage_state=state, viewport=narrow)
    end = f"/acting-for/{delegation.id}/end"

    def check(where: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_contain_text("Sara Jensen")
        assert_accessible(page, f"{where} [{locale}, 320 px]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, where

    page.goto(portal.url + "/plan")
    page.locator(f".acting-banner a[href='{end}']").click()
    page.wait_for_url(f"**{end}")
    check("end my access: what happens")

    no_script = new_page(
        browser, locale=locale, javascript=False, storage_state=state, viewport=narrow
    )
    no_script.goto(portal.url + end)
    no_script.locator("main form button[type=submit]").click()
    no_script.wait_for_url(f"**/acting-for/{delegation.id}/ended")
    no_script.context.close()

    page.goto(portal.url + f"/acting-for/{delegation.id}/ended")
    check("end my access: done")
    page.goto(portal.url + "/plan")  # the next thing he opens: access closed, in plain words
    check("after: access closed")
    page.context.close()
