"""Issue #16, item 4, in a real browser with scripts on: a reply typed in a conversation and never sent is kept
by static/js/keep.js as it is typed; after leaving the page, and on another device, the words are back."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from .conftest import Portal
from .test_matrix import CONVERSATION_LINK, sara_writes_and_jonas_answers, signed_in

pytestmark = pytest.mark.browser


def test_a_half_typed_reply_is_there_after_leaving_and_coming_back(
    browser: Browser, portal: Portal, demo: dict[str, Any]
) -> None:
    words = "Torsdag passer godt, men først efter klokken 14"
    sara_writes_and_jonas_answers(portal, demo, answer=False)
    page, _state = signed_in(browser, portal, "sara")
    page.goto(portal.url + "/messages")
    page.locator(CONVERSATION_LINK).first.click()
    conversation = page.url
    page.get_by_label("Dit svar").fill(words)
    expect(page.get_by_role("status").filter(has_text="er gemt")).to_be_visible()
    page.get_by_role("link", name="Tilbage til beskeder").click()  # away, without "Send"
    expect(page.get_by_role("heading", level=1)).to_have_text("Beskeder")
    page.goto(conversation)
    expect(page.get_by_label("Dit svar")).to_have_value(words)
    page.context.close()

    other, _ = signed_in(browser, portal, "sara")  # another device
    other.goto(conversation)
    expect(other.get_by_label("Dit svar")).to_have_value(words)
    other.context.close()
