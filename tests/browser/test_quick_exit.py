"""The quick exit ("Forlad siden hurtigt") in Chromium: visible at the top at 360 px, reached by Tab right
after the skip link, large enough, and leaving *replaces* the page in the history, so Back does not return
to it. The test machine has no internet: the neutral site is the test portal's own /healthz."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import activate, assert_accessible, new_page

pytestmark = pytest.mark.browser

EXIT = "Forlad siden hurtigt"
FOCUS_VISIBLE = """() => { const s = getComputedStyle(document.activeElement);
    return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; }"""


@pytest.fixture
def exiting_portal(make_portal):
    """A portal whose quick exit leads to its own /healthz (the address is known once the port is)."""
    portal = make_portal()
    portal.app.config["QUICK_EXIT_URL"] = portal.url + "/healthz"
    return portal


def exit_link(page: Page):
    return page.get_by_role("link", name=EXIT)


def assert_big_and_on_top(page: Page, width: int) -> None:
    link = exit_link(page)
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None
    assert box["width"] >= 44 and box["height"] >= 44, box  # WCAG 2.5.5 target size (AAA), 44×44
    assert box["y"] < 100, "the quick exit is at the top of the page"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width


def test_leaving_by_keyboard_replaces_the_page_in_the_history(
    browser: Browser, exiting_portal
) -> None:
    portal = exiting_portal
    page = new_page(browser, locale="da-DK")  # 360 × 740
    activate(page, portal)
    page.goto(portal.url + "/messages")
    page.goto(portal.url + "/plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Min plan")
    assert_big_and_on_top(page, 360)
    assert_accessible(page)
    # From the top of the page: Tab is the skip link, the next Tab the quick exit, with visible focus.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Gå til indhold"
    page.keyboard.press("Tab")
    expect(exit_link(page)).to_be_focused()
    assert page.evaluate(FOCUS_VISIBLE), "focus on the quick exit is not visible"
    entries = page.evaluate("history.length")
    page.keyboard.press("Enter")
    page.wait_for_url(portal.url + "/healthz")
    # Replaced, not added: as many entries as before, and Back skips the plan.
    assert page.evaluate("history.length") == entries
    page.go_back()
    page.wait_for_url(portal.url + "/messages")
    assert not page.url.endswith("/plan")
    page.context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_on_every_page_at_the_top_and_a_click_leaves(
    browser: Browser, exiting_portal, width: int
) -> None:
    portal = exiting_portal
    page = new_page(browser, locale="da-DK", viewport={"width": width, "height": 740})
    for path in ("/", "/tilgaengelighed", "/activate"):
        page.goto(portal.url + path)
        assert_big_and_on_top(page, width)
        assert_accessible(page)
    entries = page.evaluate("history.length")
    # Ctrl+click too: the portal must not stay open in this tab while the neutral site opens in another.
    exit_link(page).click(modifiers=["Control"])
    page.wait_for_url(portal.url + "/healthz")
    assert len(page.context.pages) == 1
    assert page.evaluate("history.length") == entries
    page.go_back()
    page.wait_for_url(portal.url + "/tilgaengelighed")
    page.context.close()


def test_without_javascript_it_is_a_plain_link_to_the_neutral_site(
    browser: Browser, exiting_portal
) -> None:
    portal = exiting_portal
    page = new_page(browser, locale="da-DK", javascript=False)
    page.goto(portal.url + "/tilgaengelighed")
    assert_big_and_on_top(page, 360)
    expect(exit_link(page)).to_have_attribute("href", portal.url + "/healthz")
    exit_link(page).click()
    page.wait_for_url(portal.url + "/healthz")
    # The documented limit: without JavaScript the page stays in the history (docs/accessibility.md).
    page.go_back()
    page.wait_for_url(portal.url + "/tilgaengelighed")
    page.context.close()


def test_the_accessibility_statement_is_linked_from_the_footer(browser: Browser, portal) -> None:
    page = new_page(browser, locale="da-DK")
    page.goto(portal.url + "/")
    page.get_by_role("contentinfo").get_by_role("link", name="Tilgængelighedserklæring").click()
    page.wait_for_url(portal.url + "/tilgaengelighed")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilgængelighedserklæring")
    page.goto(portal.url + "/was")
    page.wait_for_url(portal.url + "/tilgaengelighed")
    page.context.close()
