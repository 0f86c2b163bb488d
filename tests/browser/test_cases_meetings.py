"""My cases, meeting preparation, contact feedback and complaints in Chromium, in Danish, axe-clean at every
step and error state; the caseworker's hand-over and team pages at a desktop size."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .conftest import activate, assert_accessible, new_page, open_menu

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}


def test_sara_reads_her_case_and_prepares_her_meeting(browser: Browser, portal) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    open_menu(page)
    page.get_by_role("link", name="Mine sager").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine sager")
    expect(page.get_by_text("Din sagsbehandler kigger på den")).to_be_visible()
    expect(page.get_by_text("Du får en afgørelse senest")).to_be_visible()
    assert_accessible(page)

    open_menu(page)
    page.get_by_role("link", name="Møder").click()
    assert_accessible(page)
    page.get_by_role("link", name="Forbered mødet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvordan er det gået med dine mål?")
    assert_accessible(page)
    first_goal = page.locator("main section.card").first
    first_goal.get_by_label("Lidt tættere på").check()
    first_goal.locator("textarea").fill("Jeg har handlet alene to gange")
    page.get_by_role("button", name="Næste").click()
    page.get_by_label("Hvad vil du tale om?").fill("Min økonomi")
    assert_accessible(page)
    page.get_by_role("button", name="Næste").click()
    page.get_by_label("Vil du have nogen med? Hvem?").fill("Min bror")
    page.get_by_role("button", name="Næste").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se dine svar, før du sender dem")
    expect(page.get_by_text("Jeg har handlet alene to gange")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send til min sagsbehandler").click()
    expect(page.get_by_text("Tak. Din sagsbehandler får dine svar før mødet.")).to_be_visible()
    assert_accessible(page)
    page.context.close()


def test_feedback_is_optional_and_a_complaint_gets_a_receipt(browser: Browser, portal) -> None:
    page = new_page(browser, locale="da-DK")
    activate(page, portal)
    page.goto(portal.url + "/meetings")
    page.get_by_role("link", name="Hvordan var mødet?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvordan var din kontakt med os?")
    assert_accessible(page)
    page.get_by_label("Er der noget, du vil sige til os?").fill("Godt møde")
    page.get_by_role("button", name="Send").click()  # no answer chosen: an error, words kept
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Er der noget, du vil sige til os?")).to_have_value("Godt møde")
    assert_accessible(page)
    page.get_by_label("Meget god").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Tak, fordi du fortalte os det.")).to_be_visible()

    page.goto(portal.url + "/messages")
    page.get_by_role("link", name="Skriv en klage").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send klagen").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Hvad vil du klage over?").fill("Jeg ventede for længe på svar.")
    page.get_by_role("button", name="Send klagen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kvittering for din klage")
    expect(page.get_by_text("Kvitteringsnummer", exact=True)).to_be_visible()
    assert_accessible(page)
    page.context.close()


def test_the_caseworker_pages_for_cases_hand_over_and_team(browser: Browser, portal) -> None:
    page = new_page(browser, locale="da-DK", viewport=DESKTOP)
    activate(page, portal, username="jonas")
    page.goto(portal.url + "/caseworker/")
    page.locator("main table a", has_text="Sara").click()
    case = page.locator("main section.card", has=page.locator("select")).first
    case.locator("input[type=date]").fill("2031-01-31")
    case.get_by_role("button", name="Gem sagen").click()  # a new date without a reason: an error
    # In the error summary, linked to the case's own reason field, and at the field.
    summary_link = page.locator(".error-summary a", has_text="Skriv, hvorfor datoen ændres.")
    expect(summary_link).to_be_visible()
    reason = page.locator(summary_link.get_attribute("href") or "")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error", has_text="Skriv, hvorfor datoen ændres.")).to_be_visible()
    assert_accessible(page)
    page.goto(portal.url + "/caseworker/team")
    assert_accessible(page)
    page.goto(portal.url + "/caseworker/hand-over")
    assert_accessible(page)
    page.get_by_role("button", name="Overdrag").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.context.close()
