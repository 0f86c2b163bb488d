"""The citizen's "who has looked" page (issue #14, item 5): others' looks first, the citizen's own visits folded
away, plain words for every kind of event."""

from __future__ import annotations

import re
from html import unescape

from tests.delegation_helpers import delegate


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


def test_others_first_own_visits_folded_away_and_plain_words(app, client, demo) -> None:
    from tests.conftest import sign_in_as

    _, relative = delegate(app, demo["sara"], "Peter Jensen", {"read"})
    peter = app.test_client()
    sign_in_as(peter, relative)
    assert peter.get("/plan").status_code == 200
    sign_in_as(client, demo["sara"])
    client.get("/plan")
    client.get("/account/passkeys")  # her own sign-in settings: an event with no plain words before
    page = client.get("/who-has-looked").get_data(as_text=True)
    others, _, folded = page.partition('<details class="own-visits"')
    assert "Peter Jensen</span>, din pårørende" in others and "så din plan" in others
    assert ">Dig<" not in others  # her own visits are not in the first table
    assert "Dine egne besøg" in folded and "så din plan" in folded
    assert "så eller ændrede, hvordan de logger ind" in folded
    # Plain words only: no internal keys such as account:sign-in:manage anywhere on the page.
    assert not re.search(r"\b[a-z-]+:[a-z-]+(:[a-z-]+)?\b", text_of(client.get("/who-has-looked")))
