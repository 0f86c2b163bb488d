"""Issue #16 on a phone: every citizen, relative and caseworker page at 360 × 740 in Danish, English and Arabic, with three
checkers run in the page: no word rendered across two lines (each word's client rects), the header with the
quick exit and the menu at most 120 px tall, no sideways scrolling. Each checker is first shown to fail on a
deliberately broken page. One page load per page and language; every problem is collected and reported
together. The menu (a <details>) is used by keyboard with scripts off."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import Portal, new_page
from .test_matrix import sara_writes_and_jonas_answers, signed_in

pytestmark = pytest.mark.browser

LOCALES = {"da": "da-DK", "en": "en-GB", "ar": "ar"}
HEADER_LIMIT = 120
GOAL_LINK = ".goal a[href^='/plan/goals/']:not([href$='/progress'])"

# Every word of visible text (split at spaces, hyphens and slashes: the breaks a reader accepts) whose client
# rects lie on more than one line. Text for screen readers only (a box of 1 px), inside a closed <details>,
# and text the browser hyphenates on purpose (hyphens: auto, with a visible hyphen) are left out.
SPLIT_WORDS = r"""() => {
  const found = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const e = node.parentElement;
    if (!e || e.closest("script, style, textarea, select, svg, [hidden], .visually-hidden")) { continue; }
    if (e.closest("details:not([open]) > :not(summary)")) { continue; }  // folded away, not shown
    const s = getComputedStyle(e);
    if (s.visibility !== "visible" || s.hyphens === "auto") { continue; }
    const box = e.getBoundingClientRect();
    if (box.width <= 2 || box.height <= 2) { continue; }
    const words = /[^\s\-\u2010-\u2015\/]+/gu;
    for (let m = words.exec(node.textContent); m; m = words.exec(node.textContent)) {
      if (m[0].length < 2) { continue; }
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (rects.length > 1 && rects.some((r) => Math.abs(r.top - rects[0].top) > rects[0].height / 2)) {
        found.push(`"${m[0]}" is split across lines`);
      }
    }
  }
  return found;
}"""

HEADER_BOTTOM = """() => {
  const header = document.querySelector("header");
  return header ? Math.round(header.getBoundingClientRect().bottom + window.scrollY) : 0;
}"""

SIDEWAYS = """() => document.documentElement.scrollWidth - window.innerWidth"""

# A box in the page that scrolls sideways on its own (a table too wide for its wrapper): its name and how far.
SCROLLING_BOXES = """() => [...document.querySelectorAll("main *")]
  .filter((e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
  .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} scrolls sideways by ${e.scrollWidth - e.clientWidth} px`)"""


def phone_problems(page: Page) -> list[str]:
    problems = list(page.evaluate(SPLIT_WORDS))
    if (bottom := page.evaluate(HEADER_BOTTOM)) > HEADER_LIMIT:
        problems.append(f"the header takes {bottom} px (at most {HEADER_LIMIT})")
    if (extra := page.evaluate(SIDEWAYS)) > 0:
        problems.append(f"scrolls sideways by {extra} px")
    return problems + page.evaluate(SCROLLING_BOXES)


BROKEN = """<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width">
<style>
 body { margin: 0; font: 18px/1.5 sans-serif; }
 header { block-size: 200px; background: #0b4f6c; }
 table { inline-size: 100%; } td { overflow-wrap: anywhere; }
 .wide { inline-size: 500px; }
</style></head><body>
<header>Borgerens Plan</header>
<main><table><tr><td>You wrote it</td><td>Much closer</td><td>Citizen</td><td>Jensen</td><td>Overdue</td>
<td>Fixed caseworker</td><td>Waiting</td></tr></table>
<div class="wide">A box wider than the phone</div>
<div style="overflow-x: auto"><p class="wide">Scrolls in its own box</p></div></main>
</body></html>"""

FIXED = BROKEN.replace("block-size: 200px", "block-size: 100px").replace(
    "overflow-wrap: anywhere", "overflow-wrap: break-word"
)


def test_the_checkers_catch_a_broken_page(browser: Browser) -> None:
    page = new_page(browser, locale="en-GB")
    page.set_content(BROKEN)
    problems = phone_problems(page)
    assert any("split across lines" in p for p in problems), problems
    assert any("the header takes 200 px" in p for p in problems), problems
    assert any(p.startswith("scrolls sideways") for p in problems), problems
    assert any(p.startswith("div. scrolls sideways by 140 px") for p in problems), problems
    # The same page with the header cut down and words kept whole: only the wide boxes are left.
    page.set_content(FIXED)
    assert phone_problems(page) == [
        "scrolls sideways by 140 px",
        "div. scrolls sideways by 140 px",
    ]
    page.context.close()


def walk(browser: Browser, portal: Portal, state: Any, paths: list[str]) -> list[str]:
    problems = []
    for language, locale in LOCALES.items():
        page = new_page(browser, locale=locale, storage_state=state)
        for path in paths:
            page.goto(portal.url + path)
            expect(page.locator("h1")).to_have_count(1)
            problems += [f"{path} [{language}, 360 px]: {p}" for p in phone_problems(page)]
        page.context.close()
    return problems


def test_every_citizen_page_reads_on_a_phone(
    browser: Browser, portal: Portal, demo: dict[str, Any]
) -> None:
    sara_writes_and_jonas_answers(portal, demo, answer=True)
    page, state = signed_in(browser, portal, "sara")
    page.goto(portal.url + "/plan")
    goal = page.locator(GOAL_LINK).first.get_attribute("href")
    page.goto(portal.url + "/messages")
    conversation = page.locator("main a[href^='/messages/']:not([href$='/new'])").first
    conversation_path = conversation.get_attribute("href")
    page.goto(portal.url + "/meetings")
    preparation = page.locator("main a[href$='/prepare/goals']").first.get_attribute("href")
    page.goto(portal.url + str(preparation))
    # The meeting preparation's longest step: about two screens (at most 2.3 × 740 px) to its buttons, one
    # goal open at a time (it was 4,050 px with every goal's choices open; 1,633 px after session 3).
    height = page.evaluate(
        "() => Math.round(document.querySelector('main form').getBoundingClientRect().bottom + scrollY)"
    )
    assert height <= 2.3 * 740, f"the preparation's first step is {height} px to its buttons"
    page.context.close()
    assert goal and conversation_path and preparation
    paths = [
        "/plan",
        goal,
        "/goals/new/goal",
        "/messages",
        conversation_path,
        "/messages/new",
        "/delegations",
        "/who-has-looked",
        "/my-data",
        "/account/passkeys",
        "/cases",
        "/meetings",
        "/complaints/new",
        preparation,
    ]
    problems = walk(browser, portal, state, paths)
    assert not problems, "\n".join(problems)


def test_every_caseworker_page_reads_on_a_phone(
    browser: Browser, portal: Portal, demo: dict[str, Any]
) -> None:
    sara_writes_and_jonas_answers(portal, demo, answer=False)
    page, state = signed_in(browser, portal, "jonas")
    page.goto(portal.url + "/caseworker/")
    citizen = page.locator("main table a").first.get_attribute("href")
    page.goto(portal.url + str(citizen))
    evaluation = page.locator("main a[href$='/evaluation']").first.get_attribute(
        "href"
    )  # issue #18
    page.context.close()
    assert citizen and evaluation
    paths = ["/caseworker/", citizen, evaluation, "/caseworker/team", "/caseworker/absence"]
    problems = walk(browser, portal, state, paths)
    assert not problems, "\n".join(problems)


def test_every_relative_page_reads_on_a_phone(
    browser: Browser, portal: Portal, demo: dict[str, Any]
) -> None:
    """Peter, who may see Sara's plan: the pages he reaches, which speak of Sara by name."""
    from tests.delegation_helpers import delegate

    delegate(portal.app, demo["sara"], "Peter Jensen", {"read", "message"}, relative=demo["peter"])
    page, state = signed_in(browser, portal, "peter")
    page.goto(portal.url + "/plan")
    goal = page.locator(GOAL_LINK).first.get_attribute("href")
    page.context.close()
    assert goal
    paths = ["/plan", goal, "/messages", "/meetings", "/cases", "/account/passkeys"]
    problems = walk(browser, portal, state, paths)
    assert not problems, "\n".join(problems)


def test_the_menu_by_keyboard_without_javascript(browser: Browser, portal: Portal) -> None:
    """Closed, the menu's links are out of sight and out of the tab order; Enter on "Menu" opens it, the
    current page is marked, and a link is reached and followed by keyboard alone."""
    page, state = signed_in(browser, portal, "sara")
    page.context.close()
    page = new_page(browser, locale="da-DK", javascript=False, storage_state=state)
    page.goto(portal.url + "/plan")
    menu = page.locator("header details")
    expect(page.get_by_role("link", name="Beskeder")).to_be_hidden()
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # quick exit
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    expect(page.locator("header summary")).to_be_focused()
    expect(page.locator("header summary")).to_have_text("Menu")
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    expect(page.get_by_role("link", name="Min plan")).to_have_attribute("aria-current", "page")
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()").startswith("Beskeder"):
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/messages")
    expect(page.locator("header details")).not_to_have_attribute("open", "")
    page.context.close()


def test_a_half_typed_step_is_kept_as_it_is_typed(browser: Browser, portal: Portal) -> None:
    """With scripts on: typed into the goal conversation's first step, never pressed "Next", left. On another
    device (a second sign-in), the words are there."""
    words = "Jeg vil kunne gå en tur hver dag"
    page, _state = signed_in(browser, portal, "sara")
    page.goto(portal.url + "/goals/new/goal")
    page.get_by_label("Hvad vil du gerne arbejde hen imod?").fill(words)
    expect(page.get_by_role("status").filter(has_text="er gemt")).to_be_visible()
    page.context.close()  # a phone call, a locked screen: the page is gone

    other, _ = signed_in(browser, portal, "sara")
    other.goto(portal.url + "/goals/new/goal")
    expect(other.get_by_label("Hvad vil du gerne arbejde hen imod?")).to_have_value(words)
    other.context.close()


def test_a_message_is_kept_by_a_button_without_javascript(browser: Browser, portal: Portal) -> None:
    """With scripts off: "Save and come back later" keeps the message; it is back on the next visit, on
    another device, and gone once it is sent."""
    page, state = signed_in(browser, portal, "sara")
    page.context.close()
    page = new_page(browser, locale="da-DK", javascript=False, storage_state=state)
    page.goto(portal.url + "/messages/new")
    page.get_by_label("Emne (du kan springe det over)").fill("Bussen")
    page.get_by_label("Din besked").fill("Jeg kan ikke finde mit buskort.")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem og kom tilbage senere").click()
    expect(page.get_by_text("Din besked er gemt.")).to_be_visible()
    page.context.close()

    other, _ = signed_in(browser, portal, "sara")
    other.goto(portal.url + "/messages/new")
    expect(other.get_by_label("Emne (du kan springe det over)")).to_have_value("Bussen")
    expect(other.get_by_label("Din besked")).to_have_value("Jeg kan ikke finde mit buskort.")
    with other.expect_navigation():
        other.get_by_role("button", name="Send").click()
    other.goto(portal.url + "/messages/new")
    expect(other.get_by_label("Din besked")).to_have_value("")
    other.context.close()
