"""Forms repeated per item on the caseworker's citizen page (issue #15.4): each item's form is its own (WTForms
prefix="<kind>-<id>-", built in the view), so ids never repeat, an error stays with its item and links to its
field from the error summary, and what was typed comes back in that item's field only."""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest

from citizen_app.forms.caseworker import COMMENT_MAX
from tests import blns
from tests.conftest import sign_in_as
from tests.helpers import csrf_token, item_fields
from tests.integration.test_caseworker import patient_id, sara_sends_a_message_and_a_goal
from tests.integration.test_citizen_journeys import ANSWERS

FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', re.S)
FIELD_NAME = re.compile(r'<(?:input|textarea|select)[^>]* name="([^"]+)"')
KIND = {
    "accept": "accept",
    "decline": "decline",
    "reply": "answer",
    "seen": "seen",
    "cases": "case",
}


def _jonas_on_the_page(app, as_sara, demo):  # type: ignore[no-untyped-def]
    sara_sends_a_message_and_a_goal(app, as_sara)
    jonas = app.test_client()
    sign_in_as(jonas, demo["jonas"])
    url = f"/caseworker/citizens/{patient_id(demo)}"
    return jonas, url, jonas.get(url).get_data(as_text=True)


def _expected_prefix(action: str) -> str | None:
    """ "…/goals/<id>/accept" → "accept-<id>-", "…/cases/<id>" → "case-<id>-"; None for a form of the page."""
    parts = action.rstrip("/").split("/")
    if parts[-1] in KIND and len(parts) >= 2:
        return f"{KIND[parts[-1]]}-{parts[-2]}-"
    if parts[-2] in KIND:
        return f"{KIND[parts[-2]]}-{parts[-1]}-"
    return None


def test_every_item_has_its_own_form_with_its_own_names_and_ids(app, as_sara, demo) -> None:
    _jonas, _url, html = _jonas_on_the_page(app, as_sara, demo)
    ids = re.findall(r'<(?:input|textarea|select)[^>]* id="([^"]+)"', html)
    assert ids and len(ids) == len(set(ids))  # no id twice on the page
    per_item = 0
    for action, body in FORM.findall(html):
        names = [n for n in FIELD_NAME.findall(body) if n != "csrf_token"]
        prefix = _expected_prefix(action)
        if prefix is not None and names:
            per_item += 1
            assert all(n.startswith(prefix) for n in names), (action, names)
        assert body.count('name="csrf_token"') == 1, action  # form_open wrote the one token
    assert per_item >= 5  # accept, decline, a reply, signs seen, a case


def test_an_error_stays_with_its_item_and_the_summary_links_to_its_field(
    app, as_sara, demo
) -> None:
    jonas, url, html = _jonas_on_the_page(app, as_sara, demo)
    conversation_id = re.search(r"/messages/([^/]+)/reply", html).group(1)
    empty = jonas.post(
        f"{url}/messages/{conversation_id}/reply",
        data={
            "csrf_token": csrf_token(jonas, url),
            **item_fields(
                "answer", conversation_id, {"text": "  ", "message_id": str(uuid.uuid4())}
            ),
        },
    )
    assert empty.status_code == 400
    page = empty.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    (target,) = re.findall(r'href="#([^"]+)"', summary)
    assert target == f"answer-{conversation_id}-text"
    assert re.search(rf'<textarea[^>]* id="{target}"[^>]* aria-invalid="true"', page)
    assert page.count('aria-invalid="true"') == 1  # no other item's field is marked
    # The goal's accept form still offers the citizen's own words: untouched by the other form's error.
    assert ANSWERS["goal"] in unescape(page)


@pytest.mark.blns
def test_a_sign_comment_too_long_or_with_control_characters_is_refused_and_kept(
    app, as_sara, demo
) -> None:
    jonas, url, html = _jonas_on_the_page(app, as_sara, demo)
    action = re.search(r'action="(/caseworker/citizens/[^"]+/signs/([^"/]+)/seen)"', html)
    sign_url, sign_id = action.group(1), action.group(2)
    token = csrf_token(jonas, url)
    long = "Godt gået! " * 100
    assert len(long) > COMMENT_MAX
    refused = jonas.post(
        sign_url,
        data={
            "csrf_token": token,
            **item_fields("seen", sign_id, {"comment": long, "version": "1"}),
        },
    )
    assert refused.status_code == 400
    page = unescape(refused.get_data(as_text=True))
    assert f"Skriv højst {COMMENT_MAX} " in page  # the translated limit (forms.common.at_most)
    field = re.search(
        rf'<textarea[^>]* id="seen-{sign_id}-comment"[^>]*>(.*?)</textarea>', page, re.S
    )
    assert field.group(1).strip() == long.strip()  # kept, in this sign's field
    # The Big List of Naughty Strings: refused with a message (control characters) or taken as typed up to
    # the version check (a version that is no number is a plain 400 here); never a 500.
    statuses = {
        jonas.post(
            sign_url,
            data={
                "csrf_token": token,
                **item_fields("seen", sign_id, {"comment": text[:COMMENT_MAX], "version": "x"}),
            },
        ).status_code
        for text in blns.strings()
    }
    assert statuses == {400}
