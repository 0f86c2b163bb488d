"""Issue #7's layout and preference checks: no sideways scrolling at 320 px (da, ar); nothing clipped with
200 % text at 360 and 1280 px; no motion with prefers-reduced-motion; focus, borders and the chart still
drawn with forced colours. Each checker is a small function run in the page, and each is shown to fail on a
deliberately broken page first (the `*_catches_*` tests)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import (
    Portal,
    activate,
    assert_accessible,
    assert_focus_visible,
    new_page,
    tab_to,
)

pytestmark = pytest.mark.browser

LOCALES = {"da": "da-DK", "ar": "ar"}
GOAL_LINK = ".goal a[href^='/plan/goals/']:not([href$='/progress'])"
CITIZEN_PAGES = [
    "/",
    "/plan",
    "/goals/new/goal",
    "/messages",
    "/messages/new",
    "/delegations",
    "/delegations/new",
    "/who-has-looked",
    "/my-data",
    "/account/passkeys",
    "/account/notifications",
    "/tilgaengelighed",
    "/cases",
    "/meetings",
    "/complaints/new",
]
# Forms whose error state is checked too: sent empty, the error summary at the top.
ERROR_PAGES = ["/messages/new", "/delegations/new", "/goals/new/goal", "/complaints/new"]

SIDEWAYS = """() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })"""

# Every rendered element with its own visible text, and every ancestor of it that clips (overflow hidden or
# clip): the text must lie inside that ancestor's box, and the ancestor must not have more content than room.
CLIPPED = """() => {
  const clips = (v) => v === "hidden" || v === "clip";
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (e.classList.length ? "." + [...e.classList].join(".") : "");
  const found = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const e = node.parentElement;
    if (!node.textContent.trim() || !e || seen.has(e)) { continue; }
    seen.add(e);
    // Hidden on purpose: not rendered, or text for screen readers only.
    // A stacked table's heading row is hidden from sight only, under 40em (its cells carry the labels).
    if (e.closest("script, style, textarea, select, [hidden], .visually-hidden, .table--stack thead")) { continue; }
    if (!e.getClientRects().length || getComputedStyle(e).visibility !== "visible") { continue; }
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (!r.width || !r.height) { continue; }
    for (let a = e; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      const x = clips(s.overflowX), y = clips(s.overflowY);
      if (!x && !y) { continue; }
      const box = a.getBoundingClientRect();
      const outside = (x && (r.left < box.left - 1 || r.right > box.right + 1))
        || (y && (r.top < box.top - 1 || r.bottom > box.bottom + 1));
      const overflowing = (x && a.scrollWidth > a.clientWidth + 1)
        || (y && a.scrollHeight > a.clientHeight + 1);
      if (outside || overflowing) {
        found.push(`${name(e)} "${node.textContent.trim().slice(0, 40)}" is cut by ${name(a)}`);
        break;
      }
    }
  }
  return found;
}"""

# Every element and its ::before and ::after: a transition or an animation longer than 0.01 s.
MOVING = """() => {
  const seconds = (list) => list.split(",").map((v) => v.trim().endsWith("ms")
    ? parseFloat(v) / 1000 : parseFloat(v));
  const found = [];
  for (const e of document.querySelectorAll("*")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const s = getComputedStyle(e, pseudo);
      const transition = Math.max(...seconds(s.transitionDuration));
      const animation = s.animationName === "none" ? 0 : Math.max(...seconds(s.animationDuration));
      if (transition > 0.01 || animation > 0.01) {
        found.push(`${e.tagName.toLowerCase()}${pseudo || ""}.${e.className}: transition ${s.transitionDuration}, animation ${s.animationDuration}`);
      }
    }
  }
  return found;
}"""

# A computed colour that paints something: not "none", not transparent.
PAINTED = """(c) => !!c && c !== "none" && c !== "transparent" && !/rgba\\(.*,\\s*0\\)$/.test(c)"""


def no_sideways_scrolling(page: Page) -> str | None:
    size = page.evaluate(SIDEWAYS)
    if size["scrollWidth"] > size["innerWidth"]:
        return f"scrolls sideways: {size['scrollWidth']} px wide in {size['innerWidth']} px"
    return None


def clipped_text(page: Page) -> list[str]:
    return page.evaluate(CLIPPED)


def moving_elements(page: Page) -> list[str]:
    return page.evaluate(MOVING)


def signed_in_state(browser: Browser, portal: Portal, username: str = "sara") -> Any:
    page = new_page(browser, locale="da-DK")
    activate(page, portal, username)
    state = page.context.storage_state()
    page.context.close()
    return state


def goal_page(page: Page, portal: Portal) -> str:
    page.goto(portal.url + "/plan")
    href = page.locator(GOAL_LINK).first.get_attribute("href")
    assert href
    return href


def submit_empty(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main form[novalidate] button[type=submit]").first.click()
    expect(page.locator(".error-summary")).to_be_visible()


@pytest.mark.parametrize("language", list(LOCALES))
def test_no_sideways_scrolling_at_320px(browser: Browser, portal: Portal, language) -> None:
    state = signed_in_state(browser, portal)
    page = new_page(
        browser,
        locale=LOCALES[language],
        viewport={"width": 320, "height": 640},
        storage_state=state,
    )
    goal = goal_page(page, portal)
    problems = []
    for path in [*CITIZEN_PAGES, goal, goal + "/my-words"]:
        page.goto(portal.url + path)
        if problem := no_sideways_scrolling(page):
            problems.append(f"{path} [{language}, 320 px]: {problem}")
    page.goto(portal.url + "/plan")
    page.locator(".goal a[href$='/progress']").first.click()
    page.wait_for_load_state()
    for path in [page.url.removeprefix(portal.url), *ERROR_PAGES]:
        page.goto(portal.url + path)
        submit_empty(page)
        if problem := no_sideways_scrolling(page):
            problems.append(f"{path}, error [{language}, 320 px]: {problem}")
    page.context.close()
    assert not problems, "\n".join(problems)


def test_nothing_is_clipped_with_200_percent_text(browser: Browser, portal: Portal) -> None:
    """The root font size at 200 % (as a browser's text-size setting does); Danish and Arabic."""
    state = signed_in_state(browser, portal)
    problems = []
    for language in LOCALES:
        page = new_page(browser, locale=LOCALES[language], storage_state=state, bypass_csp=True)
        goal = goal_page(page, portal)
        for path in [
            *CITIZEN_PAGES,
            goal,
            goal + "/my-words",
            *[f"{p}#error" for p in ERROR_PAGES],
        ]:
            page.goto(portal.url + path.removesuffix("#error"))
            if path.endswith("#error"):
                submit_empty(page)
            page.add_style_tag(content="html { font-size: 200% !important; }")
            assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
            for width in (360, 1280):
                page.set_viewport_size({"width": width, "height": 800})
                where = f"{path} [{language}, {width} px, 200 % text]"
                problems += [f"{where}: {p}" for p in clipped_text(page)]
                if width == 1280 and (problem := no_sideways_scrolling(page)):
                    problems.append(f"{where}: {problem}")
            page.set_viewport_size({"width": 360, "height": 740})
        page.context.close()
    assert not problems, "\n".join(problems)


def test_no_motion_when_reduced_motion_is_asked_for(browser: Browser, portal: Portal) -> None:
    state = signed_in_state(browser, portal)
    page = new_page(browser, storage_state=state, reduced_motion="reduce")
    goal = goal_page(page, portal)
    problems = []
    for path in ["/", "/plan", goal, "/messages/new", "/tilgaengelighed"]:
        page.goto(portal.url + path)
        problems += [f"{path}: {p}" for p in moving_elements(page)]
    page.context.close()
    assert not problems, "\n".join(problems)


def test_forced_colours_keep_focus_borders_and_the_chart(browser: Browser, portal: Portal) -> None:
    state = signed_in_state(browser, portal)
    page = new_page(browser, storage_state=state, forced_colors="active")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    goal = goal_page(page, portal)
    page.goto(portal.url + "/plan")
    assert_accessible(page, "plan, forced colours")
    # Focus on a link (the skip link, then the quick exit) and on a button (the language switch).
    page.keyboard.press("Tab")
    assert assert_focus_visible(page)["tag"] == "a"
    page.keyboard.press("Tab")
    expect(page.locator(".quick-exit")).to_be_focused()
    assert_focus_visible(page)
    tab_to(page, "Menu")  # the language switch is in the menu for a signed-in person
    page.keyboard.press("Enter")
    tab_to(page, "English")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    assert_focus_visible(page)
    # The quick exit keeps a visible edge.
    edge = page.evaluate(
        f"""() => {{ const painted = {PAINTED};
            const s = getComputedStyle(document.querySelector('.quick-exit'));
            return {{ style: s.borderTopStyle, width: parseFloat(s.borderTopWidth),
                      painted: painted(s.borderTopColor), colour: s.borderTopColor }}; }}"""
    )
    assert edge["style"] != "none" and edge["width"] > 0 and edge["painted"], edge
    # The progress chart: its line and points are still drawn.
    page.goto(portal.url + goal)
    expect(page.locator("svg.chart").first).to_be_visible()
    strokes = page.evaluate(
        f"""() => {{ const painted = {PAINTED};
            return [...document.querySelectorAll('svg.chart .chart__line, svg.chart .chart__point')]
              .map((e) => {{ const s = getComputedStyle(e);
                return {{ cls: e.getAttribute('class'), stroke: s.stroke, fill: s.fill,
                  width: parseFloat(s.strokeWidth),
                  drawn: (painted(s.stroke) && parseFloat(s.strokeWidth) > 0) || painted(s.fill) }}; }}); }}"""
    )
    assert strokes and all(s["drawn"] for s in strokes), strokes
    assert any(s["cls"] == "chart__line" for s in strokes), strokes
    assert_accessible(page, "goal page with its chart, forced colours")
    page.context.close()


# The checkers themselves, on pages made to fail them.


def test_the_sideways_check_catches_a_page_too_wide(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.set_content(
        '<html lang="da"><body><div style="inline-size: 30rem">bred</div></body></html>'
    )
    assert no_sideways_scrolling(page) is not None


def test_the_clipping_check_catches_cut_text(page: Page) -> None:
    page.set_content(
        '<html lang="da"><body><div style="inline-size: 8rem; block-size: 1.5rem; overflow: hidden">'
        "<p>En lang tekst, der ikke kan være i en lav boks</p></div>"
        '<span class="visually-hidden" style="position:absolute;inline-size:1px;block-size:1px;'
        'overflow:hidden">skjult med vilje</span></body></html>'
    )
    problems = clipped_text(page)
    assert len(problems) == 1 and "En lang tekst" in problems[0], problems


def test_the_motion_check_catches_a_transition_and_an_animation(browser: Browser) -> None:
    page = new_page(browser, reduced_motion="reduce")
    page.set_content(
        "<html><head><style>@keyframes spin { to { rotate: 1turn; } }"
        ".fade { transition: opacity 300ms; } .spin::after { content: 'x'; animation: spin 2s infinite; }"
        '</style></head><body><p class="fade">a</p><p class="spin">b</p><p>c</p></body></html>'
    )
    problems = moving_elements(page)
    assert len(problems) == 2, problems
    page.context.close()


def test_the_focus_check_catches_an_invisible_focus(page: Page) -> None:
    page.set_content(
        "<html><head><style>a:focus { outline: none; box-shadow: none; }"
        "button:focus { outline: 3px solid transparent; }</style></head>"
        '<body><a href="#x">Et link</a> <button>En knap</button></body></html>'
    )
    page.keyboard.press("Tab")
    with pytest.raises(AssertionError, match="not visible"):
        assert_focus_visible(page)
    with pytest.raises(AssertionError, match="not visible"):
        tab_to(page, "En knap")
