"""The citizen's plan page, read from the reference plan service over HTTP."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from citizen_app import db
from citizen_app.models import AuditEvent, PlanSnapshot
from tests.conftest import sign_in_as


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def goal_path(page: str) -> str:
    return re.search(r'href="(/plan/goals/[^"/]+)"', page).group(1)


def test_sara_sees_her_plan_in_danish_by_default(as_sara) -> None:
    """What matters now leads (#16.3): what waits for her, the next meeting, her goals as a short list in her
    own words with the newest sign and a link each; the rest is on each goal's own page."""
    response = as_sara.get("/plan")
    assert response.status_code == 200
    page = text_of(response)
    assert '<html lang="da" dir="ltr">' in page
    assert "Min plan" in page
    waits, meeting, goals = (
        page.index("Det venter på dig"),
        page.index("Dit næste møde"),
        page.index("Mine mål"),
    )
    assert waits < meeting < goals
    assert "Forbered det næste møde" in page  # the next meeting is not prepared yet
    own = "Jeg vil kunne handle ind selv, uden at jeg går i panik i køen."
    professional = "Sara øger sin mestring af indkøb i nærmiljøet, så hun kan handle selvstændigt."
    assert own in page and professional not in page
    assert "Nyeste tegn:" in page and "Meget tættere på" in page
    assert "Jeg holder det ved lige" in page  # the newest sign of the goal she keeps up, in words
    assert "Jonas Holm" in page and "33 17 40 01" in page
    # Agreements and the help, folded away at the end (a <details>).
    assert "Det har vi aftalt, og den hjælp, du får" in page
    # The goal's own page: both wordings, who wrote which, the signs, the agreements and the help.
    goal = text_of(as_sara.get(goal_path(page)))
    assert goal.index(own) < goal.index(professional)
    assert "Med dine egne ord" in goal
    assert "Du skrev det" in goal and "Jonas Holm, sagsbehandler, skrev det" in goal
    assert "Jeg købte mælk alene." in goal
    rhythm = page[page.index("Jeg vil stå op om morgenen") - 300 :]
    assert "Nået – du holder det ved lige" in text_of(as_sara.get(goal_path(rhythm)))
    assert "Bostøtten og Sara laver en madplan hver mandag." in goal
    assert "Værestedet Solsikken" in goal and "35 30 45 45" in goal


def test_english_by_accept_language(as_sara) -> None:
    response = as_sara.get("/plan", headers={"Accept-Language": "en-GB,en;q=0.9"})
    page = text_of(response)
    assert '<html lang="en" dir="ltr">' in page
    assert "My plan" in page and "What waits for you" in page and "My goals" in page
    goal = text_of(as_sara.get(goal_path(page), headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert "In your own words" in goal and "You wrote it" in goal


def test_the_language_cookie_beats_accept_language_and_the_switch_works_without_js(as_sara) -> None:
    page = as_sara.get("/plan", headers={"Accept-Language": "en"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    switched = as_sara.post(
        "/language", data={"csrf_token": token, "language": "da", "next": "/plan"}
    )
    assert switched.status_code == 303 and switched.headers["Location"] == "/plan"
    again = as_sara.get("/plan", headers={"Accept-Language": "en"})
    assert '<html lang="da"' in again.get_data(as_text=True)


def test_language_switch_never_redirects_off_site(as_sara) -> None:
    page = as_sara.get("/plan").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = as_sara.post(
        "/language", data={"csrf_token": token, "language": "en", "next": "//evil.example/x"}
    )
    assert response.headers["Location"] == "/"


def test_the_plan_page_is_read_with_a_conditional_get(app, as_sara) -> None:
    as_sara.get("/plan")
    client = app.extensions["citizen_app.plan_client"]
    with app.app_context():
        etag_before = db.session().scalar(select(PlanSnapshot.etag))
    calls_before = client.calls
    as_sara.get("/plan")
    assert client.calls == calls_before + 1
    with app.app_context():
        assert db.session().scalar(select(PlanSnapshot.etag)) == etag_before


def test_with_the_plan_service_down_the_last_plan_is_shown_with_when_it_was_read(
    as_sara, plan_service
) -> None:
    assert as_sara.get("/plan").status_code == 200
    plan_service.stop()
    page = text_of(as_sara.get("/plan"))
    assert "Vi kan ikke nå plansystemet lige nu" in page
    assert "Jeg vil kunne handle ind selv" in page


def test_with_the_plan_service_down_and_no_copy_a_plain_message_and_a_phone_number(
    as_sara, plan_service
) -> None:
    plan_service.stop()
    response = as_sara.get("/plan")
    assert response.status_code == 200
    page = text_of(response)
    assert "Vi kan ikke vise din plan lige nu" in page
    assert "33 17 33 17" in page


def test_another_citizens_plan_never_shows(client, demo) -> None:
    sign_in_as(client, demo["mads"])
    page = text_of(client.get("/plan"))
    assert "Jeg vil gerne have et fritidsjob." in page
    assert "handle ind selv" not in page and "Sara" not in page


def test_anonymous_is_asked_to_sign_in(client, demo) -> None:
    response = client.get("/plan")
    assert response.status_code == 401
    assert "Log ind" in text_of(response)


def test_every_plan_read_is_audited_without_content(app, as_sara, demo) -> None:
    as_sara.get("/plan")
    as_sara.get("/plan")
    with app.app_context():
        events = db.session().scalars(select(AuditEvent)).all()
    reads = [e for e in events if e.action == "citizen:plan:read"]
    assert len(reads) == 2
    assert all(
        e.actor_account_id == demo["sara"].id and e.citizen_ref == demo["sara"].fhir_ref
        for e in reads
    )
    assert all(e.actor_role == "citizen" and e.outcome == "allowed" for e in reads)


def test_security_headers_on_a_personal_page(as_sara) -> None:
    response = as_sara.get("/plan")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_url_and_the_cookie_carry_no_personal_data(as_sara, demo) -> None:
    response = as_sara.get("/plan")
    assert response.request.path == "/plan"
    for cookie in as_sara._cookies.values():
        assert "Sara" not in cookie.value and demo["sara"].fhir_ref not in cookie.value


def test_audit_log_is_append_only(app, as_sara) -> None:
    import pytest

    as_sara.get("/plan")
    with app.app_context():
        session = db.session()
        event = session.scalars(select(AuditEvent)).first()
        event.action = "tampered"
        with pytest.raises(PermissionError):
            session.flush()
        session.rollback()
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "tampered")
            )
            == 0
        )


def test_during_an_absence_the_plan_names_the_substitute(as_sara, plan_service) -> None:
    import httpx

    from tests.helpers import search_at_api

    base = plan_service.fhir_url
    (jonas,) = [
        r for r in search_at_api(base, "PractitionerRole") if any("extension" in k for k in r)
    ]
    jonas["notAvailable"] = [
        {
            "description": "ferie",
            "during": {"start": "2026-01-01T00:00:00+00:00", "end": "2099-01-31T00:00:00+00:00"},
        }
    ]
    response = httpx.put(
        f"{base}/PractitionerRole/{jonas['id']}",
        json=jonas,
        headers={
            "If-Match": f'W/"{jonas["meta"]["versionId"]}"',
            "Content-Type": "application/fhir+json",
            **plan_service.headers(),
        },
    )
    assert response.status_code == 200, response.text
    page = text_of(as_sara.get("/plan"))
    assert "Jonas Holm er væk til og med" in page
    assert "Amina Haddad" in page and "33 17 40 02" in page


def test_outside_an_absence_the_substitute_is_not_named(as_sara) -> None:
    page = text_of(as_sara.get("/plan"))
    assert "Amina Haddad" not in page
