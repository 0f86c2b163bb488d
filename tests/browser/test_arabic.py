"""Arabic, right to left: every citizen page says dir="rtl", reads without missing strings and is axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from .conftest import activate, assert_accessible, new_page, open_menu

pytestmark = pytest.mark.browser
PAGES = [
    "/plan",
    "/messages",
    "/messages/new",
    "/goals/new/goal",
    "/delegations",
    "/who-has-looked",
    "/account/passkeys",
    "/cases",
    "/meetings",
    "/complaints/new",
]


def test_citizen_pages_in_arabic_are_right_to_left_and_accessible(browser: Browser, portal) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    open_menu(page)
    page.get_by_role("button", name="العربية").click()
    for path in PAGES:
        page.goto(portal.url + path)
        assert page.evaluate("document.documentElement.dir") == "rtl", path
        assert page.evaluate("document.documentElement.lang") == "ar", path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert_accessible(page)
    page.goto(portal.url + "/plan")
    goal_link = page.locator(".goal a[href^='/plan/goals/']:not([href$='/progress'])").first
    goal_link.click()
    assert page.locator("svg.chart").first.is_visible()
    assert_accessible(page)
    page.context.close()
