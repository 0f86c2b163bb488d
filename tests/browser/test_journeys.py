"""The citizen journeys in Chromium: the goal conversation by keyboard alone, and axe on every step and
error state, in Danish and English."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .conftest import (
    activate,
    assert_accessible,
    new_page,
    open_menu,
    signed_in_without_javascript,
    tab_to,
)

pytestmark = pytest.mark.browser


def test_the_goal_conversation_by_keyboard_alone(browser: Browser, portal) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    tab_to(page, "Skriv et nyt mål med dine egne ord")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvad vil du gerne arbejde hen imod?")
    assert_accessible(page)
    # Nothing written: the error summary takes focus-able links to the field.
    tab_to(page, "Næste")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Skriv et svar")
    assert_accessible(page)
    answers = [
        "Jeg vil kunne tage bussen alene",
        "Jeg kommer selv ud",
        "Et stop med Peter",
        "Peter",
    ]
    for text in answers:
        page.get_by_role("textbox").focus()
        page.keyboard.type(text)
        tab_to(page, "Næste")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tjek dit mål, før du sender det")
    for text in answers:
        expect(page.get_by_text(text, exact=True)).to_be_visible()
    tab_to(page, "Send til min sagsbehandler")
    page.keyboard.press("Enter")
    page.wait_for_url("**/plan")
    expect(page.get_by_text("Jeg vil kunne tage bussen alene").first).to_be_visible()
    assert_accessible(page)
    page.context.close()


@pytest.mark.parametrize("language", ["Dansk", "English"])
def test_every_journey_page_and_error_state_is_accessible(
    browser: Browser, portal, language
) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    if language == "English":
        open_menu(page)
        page.get_by_role("button", name="English").click()
    base = portal.url
    # The goal conversation: a step, its error, the check page, the resume page.
    page.goto(base + "/goals/new/goal")
    assert_accessible(page)
    page.locator("button[value=next]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.locator("textarea").fill("Et mål")
    page.locator("button[value=next]").click()
    page.goto(base + "/goals/new/check")
    assert_accessible(page)
    page.goto(base + "/goals/new")
    assert_accessible(page)
    # A goal's page with its chart and table, its sign form and its feedback form with an error.
    page.goto(base + "/plan")
    page.locator(".goal a[href$='/progress']").first.wait_for()
    goal_link = page.locator(".goal a[href^='/plan/goals/']:not([href$='/progress'])").first
    goal_link.click()
    expect(page.locator("svg.chart").first).to_be_visible()
    assert_accessible(page)
    page.locator("a[href$='/my-words']").click()
    assert_accessible(page)
    page.locator("main button[type=submit]:not([value=later])").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    # Messages: overview, new with an error, then sent.
    page.goto(base + "/messages")
    assert_accessible(page)
    page.goto(base + "/messages/new")
    assert_accessible(page)
    page.locator("main button[type=submit]:not([value=later])").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.locator("textarea").fill("Hej Jonas")
    page.locator("main button[type=submit]:not([value=later])").click()
    page.wait_for_url("**/messages")
    assert_accessible(page)
    page.goto(base + "/account/notifications")
    assert_accessible(page)
    page.context.close()


def test_the_counter_counts_down_and_warns_when_over(browser: Browser, portal) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    page.goto(portal.url + "/goals/new/goal")
    page.locator("textarea").fill("abc")
    expect(page.locator(".counter")).to_have_text("Du kan skrive 497 bogstaver mere.")
    page.locator("textarea").fill("x" * 499)
    expect(page.locator(".counter")).to_have_text("Du kan skrive 1 bogstav mere.")
    page.locator("textarea").fill("x" * 505)
    expect(page.locator(".counter")).to_have_text("Du har skrevet 5 bogstaver for meget.")
    # Arabic has six plural forms; the counter picks the one for the number (Intl.PluralRules).
    open_menu(page)  # signed in, the language switch is in the Menu
    page.get_by_role("button", name="العربية").click()
    page.goto(portal.url + "/goals/new/goal")
    for length, words in [
        (498, "بقي لك حرفان."),
        (495, "بقي لك 5 أحرف."),
        (480, "بقي لك 20 حرفًا."),
    ]:
        page.locator("textarea").fill("x" * length)
        expect(page.locator(".counter")).to_have_text(words)
    page.locator("textarea").fill("x" * 501)
    expect(page.locator(".counter")).to_have_text("كتبت حرفًا واحدًا أكثر من المسموح.")
    page.context.close()


def test_the_journeys_work_without_javascript(browser: Browser, portal) -> None:
    page = signed_in_without_javascript(browser, portal, locale="da-DK")
    page.goto(portal.url + "/goals/new/goal")
    for text in ["Mit mål uden JavaScript", "", "", ""]:
        page.locator("textarea").fill(text)
        page.locator("button[value=next]").click()
    page.get_by_role("button", name="Send til min sagsbehandler").click()
    page.wait_for_url("**/plan")
    page.goto(portal.url + "/messages/new")
    page.locator("textarea").fill("Besked uden JavaScript")
    page.locator("main button[type=submit]:not([value=later])").click()
    page.wait_for_url("**/messages")
    expect(page.get_by_text("Venter på at blive sendt").first).to_be_visible()
    page.context.close()
