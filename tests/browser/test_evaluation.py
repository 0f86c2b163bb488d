"""Issue #18: the caseworker records an evaluation with a decision, by keyboard alone, with JavaScript off, at
360 px; it shows on Sara's plan (also without JavaScript, at 360 px)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, expect

from .conftest import Portal, activate, new_page, signed_in_without_javascript, tab_to
from .test_matrix_journeys import press_enter_and_wait, type_into

pytestmark = pytest.mark.browser


def test_jonas_evaluates_a_goal_by_keyboard_without_javascript_and_sara_reads_it(
    browser: Browser, portal: Portal
) -> None:
    signing_in = new_page(browser, locale="da-DK")
    activate(signing_in, portal, "jonas")
    state = signing_in.context.storage_state()
    signing_in.context.close()
    page = new_page(browser, locale="da-DK", javascript=False, storage_state=state)
    page.goto(portal.url + "/caseworker/")
    citizen = page.locator("main a[href^='/caseworker/citizens/']", has_text="Sara Jensen").first
    page.goto(portal.url + citizen.get_attribute("href"))

    tab_to(page, "Evaluér dette mål")
    press_enter_and_wait(page, "**/evaluation")
    expect(page.get_by_role("heading", name="Evaluér målet")).to_be_visible()
    # Saved empty first: the error summary, and nothing is lost.
    tab_to(page, "Gem evalueringen")
    press_enter_and_wait(page)
    expect(page.locator(".error-summary")).to_be_visible()
    type_into(page, "Sådan ser borgeren det", "Sara siger, at hun handler selv hver uge.")
    type_into(page, "Sådan ser du det", "Jeg er enig.")
    tab_to(page, "Fortsæt som aftalt")
    for _ in range(3):  # down the radio group to "reached, now keeping it up"
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Nået – nu holdes det fast")).to_be_checked()
    type_into(page, "Hvorfor?", "Du handler selv hver uge nu.")
    page.locator("#next_evaluation").fill((date.today() + timedelta(days=90)).isoformat())
    tab_to(page, "Gem evalueringen")
    press_enter_and_wait(page, "**/caseworker/citizens/*")
    expect(page.get_by_role("status").first).to_be_visible()
    page.context.close()

    sara = signed_in_without_javascript(browser, portal)
    sara.goto(portal.url + "/plan")
    expect(sara.get_by_text("Du handler selv hver uge nu.")).to_be_visible()
    expect(sara.get_by_text("Du har nået målet. Nu holder du fast i det.").first).to_be_visible()
    expect(sara.get_by_text("Vi ser på målet igen").first).to_be_visible()
    width = sara.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width  # no sideways scrolling at 360 px
    sara.context.close()
