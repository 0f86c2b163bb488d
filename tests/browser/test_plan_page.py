"""The plan page in a real browser, on a phone-sized screen, checked by axe-core in Danish and English."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, expect

from .conftest import activate, assert_accessible, new_page, open_menu, signed_in_without_javascript

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("locale", "heading", "own_words_label"),
    [("da-DK", "Min plan", "Med dine egne ord"), ("en-GB", "My plan", "In your own words")],
)
def test_plan_page_is_accessible_at_360px(
    browser: Browser, portal, locale, heading, own_words_label
) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    if locale == "en-GB":
        open_menu(page)
        page.get_by_role("button", name="English").click()  # the language switch, as a person would
    page.goto(portal.url + "/")
    assert_accessible(page)
    page.goto(portal.url + "/plan")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_text(own_words_label).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    assert_accessible(page)
    page.context.close()


def test_note_a_progress_sign_with_an_error_first(browser: Browser, portal) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    page.get_by_role("link", name="Skriv et tegn på fremgang").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skriv et tegn på fremgang")
    assert_accessible(page)
    page.get_by_label("Hvad skete der?", exact=False).fill("Jeg handlede selv i dag")
    page.get_by_role("button", name="Gem tegnet").click()
    # The error summary is announced and links to the field; what was typed is still there.
    expect(page.get_by_role("alert")).to_contain_text("Vælg, hvordan det går.")
    expect(page.get_by_label("Hvad skete der?", exact=False)).to_have_value(
        "Jeg handlede selv i dag"
    )
    assert_accessible(page)
    page.get_by_label("Lidt tættere på").check()
    page.get_by_role("button", name="Gem tegnet").click()
    page.wait_for_url("**/plan#goal-*")
    expect(page.get_by_role("status").first).to_be_visible()
    expect(
        page.get_by_text("Venter på at blive sendt")
        .or_(page.get_by_text("Sendt", exact=True))
        .first
    ).to_be_visible()
    assert_accessible(page)
    page.context.close()


def test_the_plan_works_without_javascript(browser: Browser, portal) -> None:
    """Signed in with scripts on (passkeys need them), then the journey with scripts off."""
    page = signed_in_without_javascript(browser, portal, locale="en-GB")
    page.goto(portal.url + "/plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("My plan")
    open_menu(page)
    page.get_by_role("button", name="Dansk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Min plan")
    page.get_by_role("link", name="Skriv et tegn på fremgang").first.click()
    page.get_by_label("Meget tættere på").check()
    page.get_by_label("Hvornår?").fill(date.today().isoformat())
    page.get_by_role("button", name="Gem tegnet").click()
    page.wait_for_url("**/plan#goal-*")
    page.context.close()


def test_skip_link_is_first_and_moves_focus_to_main(browser: Browser, portal) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Gå til indhold"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.context.close()


def test_the_accessibility_check_itself_catches_a_violation(page) -> None:
    """Guards the guard: an unlabeled field and poor contrast must fail assert_accessible."""
    page.set_content(
        '<html lang="da"><head><title>t</title></head><body><main><h1>x</h1>'
        '<input type="text"><p class="c">grå</p></main></body></html>'
    )
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)
