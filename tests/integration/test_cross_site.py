"""Cross-site POSTs and missing form tokens (issue #14, item 4).

A POST from another site is refused (403, a plain translated page) before any session, draft or form is
made; a signed-in person's POST without a valid token keeps their own words only for them and never comes
back as a form with a fresh token around fields the portal did not render; an anonymous POST makes no session
and no draft.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from citizen_app import db
from citizen_app.models import UserSession, utcnow
from tests.conftest import sign_in_as
from tests.helpers import csrf_token

ATTACK = {"name": "Angriber", "contact": "evil@example.com", "scopes": "read", "ends_on": ""}
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def _sessions(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(UserSession))


def _delegation_names(client) -> str:
    return client.get("/delegations").get_data(as_text=True)


def test_a_cross_site_post_with_the_victims_cookie_is_refused_before_anything(
    app, client, demo
) -> None:
    sign_in_as(client, demo["sara"])
    token = csrf_token(client, "/delegations/new")
    sessions = _sessions(app)
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling sub-domain is another site too
        {"Origin": "https://evil.example"},  # a browser without Fetch Metadata
        {"Origin": "null"},
    ):
        # Even with a valid token (as if stolen), the cross-site POST does nothing.
        for data in (ATTACK, {**ATTACK, "csrf_token": token}):
            response = client.post("/delegations/new", data=data, headers=headers)
            assert response.status_code == 403, headers
            page = response.get_data(as_text=True)
            assert "Det kom fra en anden hjemmeside" in page
            assert "Angriber" not in page and 'name="name"' not in page
            assert "Set-Cookie" not in response.headers
    assert "Angriber" not in _delegation_names(client)
    assert _sessions(app) == sessions


def test_a_cross_site_post_without_a_cookie_makes_no_session_and_no_draft(app, demo) -> None:
    stranger = app.test_client()
    sessions = _sessions(app)
    response = stranger.post(
        "/messages/new",
        data={"subject": "Hej", "text": "Ring til dette nummer"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
    assert _sessions(app) == sessions


def test_an_anonymous_same_site_post_makes_no_session_and_no_draft(app, demo) -> None:
    stranger = app.test_client()
    sessions = _sessions(app)
    for headers in ({}, SAME_ORIGIN):
        response = stranger.post(
            "/messages/new", data={"subject": "Hej", "text": "Ring til mig"}, headers=headers
        )
        assert response.status_code == 303
        assert "/sign-in" in response.headers["Location"]
        assert "Set-Cookie" not in response.headers
    assert _sessions(app) == sessions


def test_a_missing_token_never_comes_back_as_a_form_with_a_fresh_token(app, client, demo) -> None:
    sign_in_as(client, demo["sara"])
    client.get("/delegations")
    # A POST that does not say where it came from (no Fetch Metadata, no Origin): nothing is kept or shown.
    response = client.post("/delegations/new", data=ATTACK)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Angriber" not in page
    assert 'action="/delegations/new"' not in page and 'name="scopes"' not in page
    assert "Angriber" not in _delegation_names(client)


def test_a_signed_in_persons_own_words_are_kept_for_them_alone(app, client, demo) -> None:
    sign_in_as(client, demo["sara"])
    client.get("/messages/new")
    words = "Kan vi flytte mødet til fredag?"
    response = client.post(
        "/messages/new", data={"subject": "Møde", "text": words}, headers=SAME_ORIGIN
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert words in page  # shown as text to copy …
    assert 'name="text"' not in page and 'type="hidden"' not in page.split("<main", 1)[1]
    again = client.get("/messages/new").get_data(as_text=True)
    assert words in again  # … and back in the real form, which the person sends themselves
    # The words were kept for Sara only: Mads signing in on this browser does not get them.
    client.post("/messages/new", data={"subject": "Møde", "text": words}, headers=SAME_ORIGIN)
    sign_in_as(client, demo["mads"])
    assert words not in client.get("/messages/new").get_data(as_text=True)


def test_a_timed_out_session_keeps_the_words_only_for_its_own_account(app, client, demo) -> None:
    sign_in_as(client, demo["sara"])
    token = csrf_token(client, "/messages/new")
    with app.app_context():
        db.session().execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
        db.session().commit()
    words = "Det skrev jeg lige før, jeg blev logget ud"
    response = client.post(
        "/messages/new",
        data={"csrf_token": token, "subject": "", "text": words},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 303 and "timeout=1" in response.headers["Location"]
    sign_in_as(client, demo["mads"])  # someone else signs in on this browser
    assert words not in client.get("/messages/new").get_data(as_text=True)
