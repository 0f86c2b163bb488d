"""Issue #7's journeys: by keyboard alone (Tab, Shift+Tab, Enter, Space and typing) with a visible focus at
every stop, and with JavaScript off. test_journeys.py has the goal conversation by keyboard and, without
JavaScript, the goal conversation and a new message; test_plan_page.py has a progress sign without
JavaScript. Here: the rest of the citizen journeys."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import (
    Portal,
    activate,
    assert_focus_visible,
    new_page,
    signed_in_without_javascript,
    tab_to,
)
from .test_matrix import sara_writes_and_jonas_answers

pytestmark = pytest.mark.browser


def press_enter_and_wait(page: Page, url: Any = "**") -> None:
    with page.expect_navigation(url=url):
        page.keyboard.press("Enter")


def type_into(page: Page, label: str, text: str) -> None:
    """Tab to the field called `label` and type, as a person would."""
    tab_to(page, label)
    page.keyboard.type(text)
    assert_focus_visible(page)


def test_a_message_to_the_caseworker_by_keyboard_alone(browser: Browser, portal: Portal) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    tab_to(page, "Menu")
    page.keyboard.press("Enter")
    tab_to(page, "Beskeder")
    press_enter_and_wait(page, "**/messages")
    tab_to(page, "Skriv til din sagsbehandler")
    press_enter_and_wait(page, "**/messages/new")
    # Sent empty first: the error summary, then the fields.
    tab_to(page, "Send")
    press_enter_and_wait(page)
    expect(page.locator(".error-summary")).to_be_visible()
    type_into(page, "Emne", "Et møde")
    type_into(page, "Din besked", "Hej Jonas, kan vi mødes på torsdag?")
    tab_to(page, "Send")
    press_enter_and_wait(page, "**/messages")
    expect(page.get_by_role("status").first).to_be_visible()
    expect(page.get_by_text("Et møde").first).to_be_visible()
    page.context.close()


def test_a_progress_sign_from_the_plan_by_keyboard_alone(browser: Browser, portal: Portal) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    tab_to(page, "Skriv et tegn på fremgang")
    press_enter_and_wait(page, "**/progress")
    first_choice = page.locator(".radio__label").first.inner_text().strip()
    tab_to(page, first_choice)  # the first radio button of the group
    assert page.evaluate("document.activeElement.type") == "radio"
    page.keyboard.press("Space")
    expect(page.locator("input[type=radio]").first).to_be_checked()
    type_into(page, "Hvad skete der?", "Jeg handlede selv i dag")
    # Back up to the choice with Shift+Tab: it is still chosen, and focus still shows.
    tab_to(page, first_choice, backwards=True)
    expect(page.locator("input[type=radio]").first).to_be_checked()
    tab_to(page, "Gem tegnet")
    press_enter_and_wait(page, "**/plan#goal-*")
    expect(page.get_by_role("status").first).to_be_visible()
    page.context.close()


def test_a_relative_chooses_whom_to_act_for_by_keyboard_alone(
    browser: Browser, portal: Portal, demo: dict[str, Any]
) -> None:
    from tests.delegation_helpers import delegate

    # Line is Emil's mother (demo data); Sara invites her too, so she helps two people.
    delegate(portal.app, demo["sara"], "Line Larsen", {"read"}, relative=demo["line"])
    page = new_page(browser, locale="da-DK")
    activate(page, portal, "line")
    page.goto(portal.url + "/plan")
    page.wait_for_url(lambda url: "/acting-for" in url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvis plan?")
    tab_to(page, "Emil Larsen")
    press_enter_and_wait(page, "**/plan")
    banner = page.get_by_role("region", name="Hvem du handler for")
    expect(banner).to_contain_text("Emil Larsen")
    tab_to(page, "Skift person")
    press_enter_and_wait(page, lambda url: "/acting-for" in url)
    tab_to(page, "Sara Jensen")
    press_enter_and_wait(page, "**/plan")
    expect(banner).to_contain_text("Sara Jensen")
    page.context.close()


def test_the_other_citizen_journeys_work_without_javascript(
    browser: Browser, portal: Portal, demo: dict[str, Any]
) -> None:
    sara_writes_and_jonas_answers(portal, demo, answer=True)
    page = signed_in_without_javascript(browser, portal, locale="da-DK")
    base = portal.url

    # My own words and my view on a goal in the plan.
    page.goto(base + "/plan")
    page.locator(".goal-list .goal__title a").first.click()  # the goal's own page
    page.get_by_role("link", name="Sig det med dine egne ord").click()
    page.locator("textarea").first.fill("Jeg vil handle ind uden at gå i panik")
    page.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Send til min sagsbehandler").click()
    page.wait_for_url("**/plan/goals/*")
    expect(page.get_by_role("status").first).to_be_visible()

    # Reading an answer, and answering it.
    page.goto(base + "/messages")
    page.locator("main a[href^='/messages/']:not([href$='/new'])").first.click()
    expect(page.get_by_text("Ja, torsdag klokken 10 passer fint.")).to_be_visible()
    page.locator("textarea").fill("Tak, vi ses.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url("**/messages/*")
    expect(page.get_by_role("status").first).to_be_visible()
    expect(page.get_by_text("Tak, vi ses.")).to_be_visible()

    # Inviting a relative: the code is shown.
    page.goto(base + "/delegations")
    page.get_by_role("link", name="Invitér en person").click()
    page.locator("#name").fill("Peter Jensen")
    page.locator("#ends_on").fill((date.today() + timedelta(days=60)).isoformat())
    page.locator("main button[type=submit]:not([value=later])").click()
    expect(page.locator(".activation-code")).to_be_visible()

    # E-mail when an answer comes.
    page.goto(base + "/messages")
    page.get_by_role("link", name="Få en e-mail, når du får svar").click()
    page.locator("input[type=email]").fill("sara@example.org")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url("**/account/notifications")
    expect(page.get_by_role("status").first).to_be_visible()
    expect(page.locator("input[type=email]")).to_have_value("sara@example.org")

    # My data, and who has looked.
    page.goto(base + "/my-data")
    expect(page.get_by_text("sara@example.org")).to_be_visible()
    page.get_by_role("link", name="Se listen").click()
    page.wait_for_url("**/who-has-looked")
    expect(page.locator("main table").first).to_be_visible()
    download = page.request.get(base + "/my-data.json")
    assert download.ok and download.json()
    page.context.close()


def test_preparing_a_meeting_by_keyboard_alone(browser: Browser, portal: Portal) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    tab_to(page, "Menu")
    page.keyboard.press("Enter")
    tab_to(page, "Møder")
    press_enter_and_wait(page, "**/meetings")
    tab_to(page, "Forbered mødet")
    press_enter_and_wait(page, "**/prepare/goals")
    first_choice = page.locator("main section.card .radio__label").first.inner_text().strip()
    tab_to(page, first_choice)
    page.keyboard.press("Space")
    expect(page.locator("main section.card input[type=radio]").first).to_be_checked()
    tab_to(page, "Næste")
    press_enter_and_wait(page, "**/prepare/topics")
    type_into(page, "Hvad vil du tale om?", "Min økonomi")
    tab_to(page, "Næste")
    press_enter_and_wait(page, "**/prepare/bring")
    tab_to(page, "Næste")
    press_enter_and_wait(page, "**/prepare/check")
    expect(page.get_by_text("Min økonomi")).to_be_visible()
    tab_to(page, "Send til min sagsbehandler")
    press_enter_and_wait(page, "**/meetings")
    expect(page.get_by_role("status").first).to_be_visible()
    page.context.close()


def test_cases_meetings_feedback_and_a_complaint_without_javascript(
    browser: Browser, portal: Portal
) -> None:
    page = signed_in_without_javascript(browser, portal)
    page.goto(portal.url + "/cases")
    expect(page.get_by_text("Din sagsbehandler kigger på den")).to_be_visible()
    page.goto(portal.url + "/meetings")
    page.get_by_role("link", name="Forbered mødet").click()
    page.locator("main section.card input[type=radio]").first.check()
    page.get_by_role("button", name="Næste").click()
    page.get_by_label("Hvad vil du tale om?").fill("Min bolig")
    page.get_by_role("button", name="Næste").click()
    page.get_by_role("button", name="Tilbage", exact=True).click()  # back keeps what was written
    expect(page.get_by_label("Hvad vil du tale om?")).to_have_value("Min bolig")
    page.get_by_role("button", name="Næste").click()
    page.get_by_role("button", name="Næste").click()
    page.get_by_role("button", name="Send til min sagsbehandler").click()
    expect(page.get_by_text("Tak. Din sagsbehandler får dine svar før mødet.")).to_be_visible()
    page.get_by_role("link", name="Hvordan var mødet?").click()
    page.locator("input[value=good]").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Tak, fordi du fortalte os det.")).to_be_visible()
    page.goto(portal.url + "/complaints/new")
    page.get_by_label("Hvad vil du klage over?").fill("Jeg fik ikke svar.")
    page.get_by_role("button", name="Send klagen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kvittering for din klage")
    page.context.close()
