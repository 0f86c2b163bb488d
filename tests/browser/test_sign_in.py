"""Passkeys in a real browser: Chromium's virtual authenticator, axe-clean in Danish and English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from .conftest import (
    activate,
    add_virtual_authenticator,
    assert_accessible,
    new_page,
    open_menu,
    set_presence,
)

pytestmark = pytest.mark.browser


def test_a_new_user_finds_activation_registers_signs_out_and_signs_in_without_a_username(
    browser: Browser, portal
) -> None:
    page = new_page(browser, locale="en-GB")
    cdp, authenticator = add_virtual_authenticator(page)
    page.goto(portal.url + "/")
    assert_accessible(page)
    page.get_by_role("link", name="Start with your activation code").click()
    assert_accessible(page)
    page.get_by_label("Your activation code").fill(portal.code("sara"))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/activate/passkey")
    assert_accessible(page)
    page.get_by_label("Name for this passkey", exact=False).fill("My phone")
    page.get_by_role("button", name="Make passkey").click()
    page.wait_for_url("**/plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("My plan")

    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status").first).to_contain_text("signed out")
    set_presence(cdp, authenticator, False)
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_label("Your passkey")).to_be_visible()  # autofill offered (conditional UI)
    assert_accessible(page)
    set_presence(cdp, authenticator, True)
    page.get_by_role("button", name="Sign in with passkey").click()
    page.wait_for_url("**/plan")
    expect(page.get_by_text("Jeg vil kunne handle ind selv", exact=False).first).to_be_visible()
    page.context.close()


def test_the_code_cannot_be_used_twice(browser: Browser, portal) -> None:
    code = portal.code("sara")
    first = new_page(browser, locale="da-DK")
    add_virtual_authenticator(first)
    first.goto(portal.url + "/activate")
    first.get_by_label("Din aktiveringskode").fill(code)
    first.get_by_role("button", name="Videre").click()
    first.wait_for_url("**/activate/passkey")
    second = new_page(browser, locale="da-DK")
    second.goto(portal.url + "/activate")
    second.get_by_label("Din aktiveringskode").fill(code)
    second.get_by_role("button", name="Videre").click()
    expect(second.get_by_role("alert")).to_be_visible()
    assert_accessible(second)
    first.context.close()
    second.context.close()


@pytest.mark.parametrize("locale", ["da-DK", "en-GB"])
def test_add_a_second_passkey_and_the_settings_page_is_accessible(
    browser: Browser, portal, locale
) -> None:
    page = new_page(browser, locale="da-DK")
    cdp, phone = activate(page, portal)
    if locale == "en-GB":
        open_menu(page)
        page.get_by_role("button", name="English").click()
    page.goto(portal.url + "/account/passkeys")
    assert_accessible(page)
    # The same device refuses a second passkey for the same person (excludeCredentials): say so plainly.
    page.locator("[data-passkey=register] button").click()
    expect(page.locator(".passkey__status")).not_to_be_empty()
    assert_accessible(page)
    # Another device can: the phone's authenticator goes away, a tablet's comes.
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": phone})
    add_virtual_authenticator(page)
    name = "Tablet"
    page.locator("#name").fill(name)
    page.locator("[data-passkey=register] button").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    assert page.locator("section.card").count() == 2
    assert_accessible(page)
    page.context.close()


def test_the_idle_warning_appears_and_extend_keeps_the_session(
    browser: Browser, make_portal
) -> None:
    portal = make_portal(
        SESSION_IDLE_MINUTES=0.25, SESSION_WARNING_SECONDS=10
    )  # warn after 5 s of 15
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_visible(timeout=12_000)
    expect(page.get_by_role("button", name="Bliv logget ind")).to_be_focused()
    assert_accessible(page)
    seen_before = _last_seen(portal)
    page.get_by_role("button", name="Bliv logget ind").click()
    expect(warning).to_be_hidden()
    # The button really reached the server: the session's last-seen time moved (no wall-clock race: a button
    # that only hid the dialog leaves it where it was, and the session would end at the old deadline).
    for _ in range(50):
        if _last_seen(portal) > seen_before:
            break
        page.wait_for_timeout(100)
    assert _last_seen(portal) > seen_before
    # And the page's own timer started again: no warning straight after.
    page.wait_for_timeout(1_000)
    expect(warning).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Min plan")
    page.context.close()


def _last_seen(portal):
    from sqlalchemy import func, select

    from citizen_app import db
    from citizen_app.models import UserSession

    with portal.app.app_context():
        return db.session().scalar(select(func.max(UserSession.last_seen_at)))


def test_without_javascript_the_sign_in_page_says_what_to_do(browser: Browser, portal) -> None:
    page = new_page(browser, locale="da-DK", javascript=False)
    page.goto(portal.url + "/sign-in")
    expect(page.get_by_text(re.compile("JavaScript"))).to_be_visible()
    expect(page.get_by_role("button", name="Log ind med adgangsnøgle")).to_be_hidden()
    assert_accessible_no_js = page.locator(".passkey__nojs")
    expect(assert_accessible_no_js).to_be_visible()
    expect(page.locator(".passkey-autofill")).to_be_hidden()
    expect(page.locator(".passkey__unsupported")).to_be_hidden()
    page.context.close()


def test_nothing_on_the_sign_in_page_moves_when_the_passkey_script_runs(
    browser: Browser, portal
) -> None:
    """Lighthouse measured CLS 0.18 here when the script swapped the no-JavaScript notice for the button and
    then showed the autofill field; both now keep their place from the first paint."""
    # No virtual authenticator: with one, Chromium ends the pending autofill request at once and the page says
    # "Nothing happened" (a shift that a real browser, which waits for the person, does not make).
    page = new_page(browser, locale="da-DK")
    page.goto(portal.url + "/sign-in")
    expect(page.get_by_label("Din adgangsnøgle")).to_be_visible()
    expect(page.get_by_role("button", name="Log ind med adgangsnøgle")).to_be_visible()
    page.wait_for_timeout(300)
    shifts = page.evaluate(
        """() => new Promise((resolve) => {
            new PerformanceObserver((list) => resolve(list.getEntries().map((e) => e.value)))
              .observe({ type: "layout-shift", buffered: true });
            setTimeout(() => resolve([]), 500);
        })"""
    )
    assert sum(shifts) == 0, shifts
    assert page.locator(".passkey__unsupported").is_hidden()
    assert_accessible(page)
    page.context.close()


def test_a_browser_without_passkeys_says_so_instead_of_showing_the_button(
    browser: Browser, portal
) -> None:
    page = new_page(browser, locale="en-GB")
    page.add_init_script("delete window.PublicKeyCredential;")
    page.goto(portal.url + "/sign-in")
    expect(page.get_by_text("This browser cannot use passkeys", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in with passkey")).to_be_hidden()
    expect(page.locator(".passkey-autofill")).to_be_hidden()
    assert_accessible(page)
    page.context.close()
