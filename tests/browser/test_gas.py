"""Goal Attainment Scaling in Chromium, at 360 px: Sara, by keyboard alone, writes the levels of a goal in her
own words and rates it (axe on every new page on the way); the caseworker, without JavaScript, rates it two
levels apart; the goal is then on the next meeting's agenda for both, with the reason. (axe and the focus
checks run scripts in the page, so they run where JavaScript is on; the caseworker's page has axe in the
page matrix.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from citizen_app import db
from citizen_app.services.plan_reading import read_plan

from .conftest import Portal, activate, assert_accessible, new_page, tab_to

pytestmark = pytest.mark.browser

LEVELS = [
    "Jeg står op ved middagstid.",
    "Jeg står op kl. 8 på hverdage.",
    "Jeg står også op kl. 8 i weekenden.",
    "Jeg går en tur hver morgen.",
    "Jeg bliver i sengen hele dagen.",
]


def without_javascript(browser: Browser, portal: Portal, username: str) -> Page:
    """Signed in with scripts on (passkeys need them), then the cookies in a context with scripts off."""
    signing_in = new_page(browser, locale="da-DK")
    activate(signing_in, portal, username)
    state = signing_in.context.storage_state()
    signing_in.context.close()
    return new_page(browser, locale="da-DK", javascript=False, storage_state=state)


def press_enter_on(page: Page, name: str) -> None:
    tab_to(page, name)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def deliver(portal: Portal) -> None:
    from citizen_app.outbox import Dispatcher

    dispatcher = Dispatcher(portal.app, portal.app.extensions["citizen_app.plan_client"])
    while dispatcher.dispatch_due().attempted:
        pass


def test_levels_ratings_in_two_voices_and_the_agenda_by_keyboard_without_javascript(
    browser: Browser, portal: Portal, demo
) -> None:
    with portal.app.app_context():
        plan = read_plan(db.session(), demo["sara"].fhir_ref).plan
    goal = next(g for g in plan.goals if "rytme" in g.citizen_wording.text)
    patient_id = demo["sara"].fhir_ref.split("/", 1)[1]

    sara = new_page(browser, locale="da-DK")
    activate(sara, portal, "sara")
    sara.goto(f"{portal.url}/plan/goals/{goal.id}")
    assert_accessible(sara, "goal page without levels")
    press_enter_on(sara, "Skriv niveauerne med dine egne ord")
    for number, text in enumerate(LEVELS, start=1):
        expect(sara.locator(".progress-steps")).to_have_text(f"Spørgsmål {number} af 5")
        if number == 1:
            assert_accessible(sara, "levels conversation, first question")
        sara.get_by_role("textbox").focus()
        sara.keyboard.type(text)
        press_enter_on(sara, "Næste")
    expect(sara.get_by_role("heading", level=1)).to_have_text(
        "Se niveauerne igennem, før du gemmer dem"
    )
    assert_accessible(sara, "levels conversation, check")
    press_enter_on(sara, "Gem niveauerne")
    deliver(portal)
    sara.goto(f"{portal.url}/plan/goals/{goal.id}")
    expect(sara.get_by_text(LEVELS[1]).first).to_be_visible()
    press_enter_on(sara, "Vurdér, hvor målet står nu")
    assert_accessible(sara, "rate a goal, empty")
    # No choice: the error summary, and the form again.
    press_enter_on(sara, "Gem vurderingen")
    expect(sara.get_by_role("alert")).to_contain_text("Vælg det niveau, der passer bedst.")
    assert_accessible(sara, "rate a goal, error")
    # The radios from the best level down: Tab into the group, then arrows to "Mindre end ventet".
    tab_to(sara, "Meget bedre end ventet")
    for _ in range(3):
        sara.keyboard.press("ArrowDown")
    expect(sara.get_by_role("radio", name="Mindre end ventet", exact=True)).to_be_checked()
    sara.get_by_label("En kort note (du kan springe over)").focus()
    sara.keyboard.type("Jeg sover stadig længe")
    press_enter_on(sara, "Gem vurderingen")
    deliver(portal)

    jonas = without_javascript(browser, portal, "jonas")
    jonas.goto(f"{portal.url}/caseworker/citizens/{patient_id}/goals/{goal.id}/levels")
    expect(jonas.get_by_text("Jeg sover stadig længe")).to_be_visible()
    rating = jonas.locator("main form[action$='/levels/rate']")
    rating.get_by_role("radio", name="Bedre end ventet", exact=True).check()
    with jonas.expect_navigation():
        rating.get_by_role("button", name="Gem min vurdering").click()
    expect(jonas.get_by_text("Målet er på dagsordenen til næste møde")).to_be_visible()
    jonas.goto(f"{portal.url}/caseworker/citizens/{patient_id}")
    expect(jonas.get_by_text("På dagsordenen").first).to_be_visible()

    sara.goto(f"{portal.url}/plan/goals/{goal.id}")
    expect(sara.get_by_text("Målet er på dagsordenen til næste møde")).to_be_visible()
    expect(sara.get_by_text("to niveauer eller mere fra hinanden").first).to_be_visible()
    assert_accessible(sara, "goal page, on the agenda")
    sara.goto(f"{portal.url}/meetings")
    expect(sara.get_by_role("heading", name="På dagsordenen")).to_be_visible()
    assert_accessible(sara, "meetings, a goal on the agenda")
    sara.context.close()
    jonas.context.close()
