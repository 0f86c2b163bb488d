"""Browser fixtures: the portal served on a real port, Debian's chromium driven by Playwright, axe-core.

Chromium comes from the system (`chromium` on PATH); `playwright install` is never used. When chromium is
missing these tests fail, never skip: a green run must mean the pages were checked in a browser.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright

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


@pytest.fixture
def portal(make_app: Any, demo: Any) -> Iterator[str]:
    """The portal in demo mode on a real port, with the demo data loaded into the reference plan service."""
    app: Flask = make_app(DEMO_MODE=True)
    server = ThreadedServer(app, "127.0.0.1", 0)
    server.start()
    yield server.url
    server.stop()


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


def assert_accessible(page: Page) -> None:
    """axe-core in the page, WCAG 2.2 A and AA rules: no violation, or the test fails with the report."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def sign_in_with_demo(page: Page, portal: str, name: str = "Sara Jensen") -> None:
    page.goto(portal + "/demo/")
    page.get_by_label(name).check()
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/plan")
