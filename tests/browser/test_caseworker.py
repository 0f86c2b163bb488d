"""The caseworker area in Chromium at a desktop size, axe-clean in Danish and English."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .conftest import activate, assert_accessible, new_page, open_menu

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("language", ["Dansk", "English"])
def test_caseload_review_and_absence_pages(browser: Browser, portal, language: str) -> None:
    sara = new_page(browser, locale="da-DK")
    activate(sara, portal)
    sara.goto(portal.url + "/messages/new")
    sara.locator("textarea").fill("Hej Jonas, kan vi mødes?")
    sara.locator("main button[type=submit]:not([value=later])").click()
    # Sent: her conversations. Waited for, not only checked: closing a context while Chromium commits a
    # navigation can hang for ever (microsoft/playwright#42366), which held a whole CI run once.
    sara.wait_for_url("**/messages")
    sara.context.close()
    from citizen_app.outbox import Dispatcher

    Dispatcher(portal.app, portal.app.extensions["citizen_app.plan_client"]).dispatch_due()

    page = new_page(browser, locale="da-DK", viewport=DESKTOP)
    activate(page, portal, username="jonas")  # caseworkers sign in with passkeys like everyone
    if language == "English":
        open_menu(page)
        page.get_by_role("button", name="English").click()
    page.goto(portal.url + "/caseworker/")
    assert_accessible(page)
    page.locator("main table a").first.click()
    expect(page.get_by_text("Hej Jonas, kan vi mødes?")).to_be_visible()
    assert_accessible(page)
    page.locator("main form[action$='/reply'] button").click()  # empty answer: an error, accessible
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.goto(portal.url + "/caseworker/absence")
    assert_accessible(page)
    page.context.close()
