"""Browser fixtures: the portal served on a real port, Debian's chromium driven by Playwright, axe-core.

Chromium comes from the system (`chromium` on PATH); `playwright install` is never used. When chromium is
missing these tests fail, never skip: a green run must mean the pages were checked in a browser.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from plan_service.server import ThreadedServer

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 360, "height": 740}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _settled_close(context: BrowserContext, *, reason: str | None = None) -> None:
    """BrowserContext.close, once every page has come to rest on about:blank. Chromium can acknowledge a
    close that races the commit of a navigation without closing, and Playwright then waits for ever
    (microsoft/playwright#42366): a test that submitted a form and closed its context at once held a whole
    CI run for 90 minutes. A navigation of our own, waited for, ends whatever navigation was under way."""
    for page in context.pages:
        # A page that is closing or has crashed: closing the context is all that is left.
        with contextlib.suppress(PlaywrightError):
            page.goto("about:blank", timeout=5_000)
    _close(context, reason=reason)


_close = BrowserContext.close
BrowserContext.close = _settled_close  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Debian's chromium is not on PATH: run `apt-get install -y chromium` (the CI script does)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield browser
        browser.close()


class Portal:
    """The portal on a real port, reached as http://localhost:<port> (passkeys need the name localhost)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = ThreadedServer(app, "127.0.0.1", 0)
        self.server.start()
        self.url = self.server.url.replace("127.0.0.1", "localhost")

    def code(self, username: str) -> str:
        from citizen_app import db
        from citizen_app.auth import activation
        from citizen_app.data.accounts import by_username

        with self.app.app_context():
            account = by_username(db.session(), username)
            code, _ = activation.issue(
                db.session(), account, secret_key=self.app.config["SECRET_KEY"], days=1
            )
            db.session().commit()  # services only flush: the caller commits
        return code


@pytest.fixture
def make_portal(make_app: Any, demo: Any) -> Iterator[Any]:
    portals: list[Portal] = []

    def factory(**config: Any) -> Portal:
        portals.append(Portal(make_app(**config)))
        return portals[-1]

    yield factory
    for portal in portals:
        portal.server.stop()


@pytest.fixture
def portal(make_portal: Any) -> Portal:
    return make_portal()


def new_page(
    browser: Browser, locale: str = "da-DK", javascript: bool = True, **options: Any
) -> Page:
    context = browser.new_context(
        viewport=options.pop("viewport", PHONE),
        locale=locale,
        java_script_enabled=javascript,
        extra_http_headers={"Accept-Language": locale},
        **options,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = new_page(browser)
    yield page
    page.context.close()


_axe = Axe()


def assert_accessible(page: Page, where: str = "") -> None:
    """axe-core in the page, WCAG 2.2 A and AA rules: no violation, or the test fails with the report,
    headed by `where` (the page, its state, the language and the width) when given. Only violations come back
    in full (passes are counted, not listed): the same rules run, less is carried back from the page."""
    if not page.evaluate(
        "typeof window.axe?.run === 'function'"
    ):  # once per document, not once per run
        page.evaluate(_axe.axe_script)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = AxeResults(page.evaluate("options => axe.run(options)", options))
    heading = f"{where} ({page.url}):\n" if where else ""
    assert results.violations_count == 0, heading + results.generate_report()


# The focused element shows a focus indicator: an outline that is drawn (a style, a width, a colour that is
# not transparent) or a box shadow, on an element that takes up room on the screen.
FOCUS_STATE = r"""() => {
  const e = document.activeElement;
  if (!e || e === document.body) {
    return { text: "", label: "", visible: false, tag: "body", settled: true, picker: false };
  }
  const s = getComputedStyle(e);
  const rect = e.getBoundingClientRect();
  const transparent = (c) => c === "transparent" || /rgba\(.*,\s*0\)$/.test(c);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
    && !transparent(s.outlineColor);
  const shadow = s.boxShadow !== "none" && s.boxShadow !== "";
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  return {
    settled: e.matches(":focus"),
    // Chromium's own calendar button inside a date field: the field stays the active element without
    // :focus; the page cannot style it, and Chromium draws its own thin ring (docs/accessibility.md).
    picker: e.type === "date" && !e.matches(":focus"),
    text: (e.innerText || e.value || e.getAttribute("aria-label") || label || "").trim(),
    label: label.trim(),
    visible: (outline || shadow) && rect.width > 0 && rect.height > 0,
    tag: e.tagName.toLowerCase() + (e.id ? "#" + e.id : ""),
  };
}"""


def focus_state(page: Page) -> dict[str, Any]:
    """The focused element's state, once focus has settled: leaving a date field by Tab, Chromium still
    names the field as the active element for a moment after it has lost :focus."""
    for _ in range(20):
        state = page.evaluate(FOCUS_STATE)
        if state["tag"] == "body" or state["settled"] or state["picker"]:
            return state
        page.wait_for_timeout(25)
    return state


def assert_focus_visible(page: Page) -> dict[str, Any]:
    state = focus_state(page)
    assert state["visible"], (
        f"focus on {state['tag']} {state['text']!r} is not visible ({page.url})"
    )
    return state


def tab_to(page: Page, name: str, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab when `backwards`) until the focused element says `name` (its text, value,
    aria-label or label); fail if focus is invisible at any stop on the way there."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = focus_state(page)
        if state["tag"] == "body" or state["picker"]:
            continue  # past the end of the page, or the browser's own calendar button in a date field
        assert state["visible"], f"focus on {state['tag']} {state['text']!r} is not visible"
        if name in state["text"] or name in state["label"]:
            return
    raise AssertionError(f"never reached {name!r} by Tab")


def open_menu(page: Page) -> None:
    """Open the header's "Menu" disclosure (a signed-in person's links and language switch), as a person
    would: a click on "Menu". Nothing when there is none (a visitor) or it is open already."""
    menu = page.locator("header details.site-menu")
    if menu.count() and menu.get_attribute("open") is None:
        menu.locator("summary").click()


def add_virtual_authenticator(page: Page, user_verified: bool = True) -> tuple[Any, str]:
    """Chromium's virtual platform authenticator (CDP WebAuthn): ctap2, internal, resident keys, UV."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": user_verified,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, result["authenticatorId"]


def set_presence(cdp: Any, authenticator_id: str, present: bool) -> None:
    """With presence simulation off, the virtual authenticator waits like a person who has not touched it:
    that keeps the sign-in page's autofill (conditional) request pending until the button is pressed."""
    cdp.send(
        "WebAuthn.setAutomaticPresenceSimulation",
        {"authenticatorId": authenticator_id, "enabled": present},
    )


def activate(
    page: Page, portal: Portal, username: str = "sara", check: bool = False
) -> tuple[Any, str]:
    """Code → passkey → signed in, in Danish, by the visible labels; axe on every step when `check`.
    Returns the CDP session and the virtual authenticator's id."""
    cdp, authenticator = add_virtual_authenticator(page)
    page.goto(portal.url + "/activate")
    if check:
        assert_accessible(page)
    page.get_by_label("Din aktiveringskode").fill(portal.code(username))
    page.get_by_role("button", name="Videre").click()
    page.wait_for_url("**/activate/passkey")
    if check:
        assert_accessible(page)
    page.get_by_role("button", name="Lav adgangsnøgle").click()
    page.wait_for_url(lambda url: "/activate" not in url)
    return cdp, authenticator


def signed_in_without_javascript(browser: Browser, portal: Portal, locale: str = "da-DK") -> Page:
    """A page with scripts off, signed in as Sara: the sign-in itself needs scripts (passkeys), so it is made
    with them on, and its cookies carried into a context without them."""
    signed_in = new_page(browser, locale="da-DK")
    activate(signed_in, portal)
    state = signed_in.context.storage_state()
    signed_in.context.close()
    return new_page(browser, locale=locale, javascript=False, storage_state=state)
