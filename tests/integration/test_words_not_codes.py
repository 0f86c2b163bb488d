"""Words, not codes (#16.6): no internal code is shown to anyone. Every page a citizen, a relative and a
caseworker reach from their start page (following the links, as a person would; the goal conversation's steps
added) is fetched in Danish, English and Arabic, its visible text read (no script, style or attribute), and
checked against the portal's codes: the keys of every label table in citizen_app/labels.py, the policy's
actions (the audit log's keys), outbox states, delegation kinds and scopes, the goal conversation's question
keys, plan-system statuses. A code with a hyphen or a colon ("first-sign", "in-progress",
"citizen:plan:read") may appear in no language; a one-word code ("pending", "booked") in neither Danish nor
Arabic text, where no English word belongs. `test_the_check_itself_finds_a_code` shows the check failing."""

from __future__ import annotations

import re
from collections import deque
from types import SimpleNamespace
from typing import Any

import html5lib
import pytest

from citizen_app import labels
from citizen_app.authz import Action
from citizen_app.journeys import goal_conversation
from citizen_app.models import AccountKind, DelegationKind, OutboxState
from citizen_app.models.delegation import Scope
from citizen_app.plan_api import fhir
from tests.conftest import sign_in_as
from tests.delegation_helpers import delegate

NS = "{http://www.w3.org/1999/xhtml}"
HIDDEN = {"script", "style", "template", "noscript", "head"}
# One-word codes that are also ordinary Danish words ("for sent", "bad om", "video", "neutral") or a name.
DANISH_TOO = {"sent", "bad", "video", "neutral", "plan", "phone"}


def _codes() -> set[str]:
    found: set[str] = set()
    for name, value in vars(labels).items():
        if name.isupper() and isinstance(value, dict):
            found |= {k for k in value if isinstance(k, str)}
    found |= {a.value for a in Action}
    found |= {s.value for s in OutboxState} | {k.value for k in DelegationKind}
    found |= {s.value for s in Scope} | {k.value for k in AccountKind}
    found |= set(goal_conversation.CODES)
    found |= {v for v in vars(fhir).get("TASK_STATUS_BY_STEP", {}).values() if isinstance(v, str)}
    return {c for c in found if len(c) >= 4}


CODES = _codes()
MARKED = sorted(c for c in CODES if re.search(r"[-:]", c))
PLAIN = sorted(c for c in CODES if not re.search(r"[-:]", c) and c not in DANISH_TOO)


def visible_text(html: str) -> str:
    """The text a person sees: text nodes outside script, style and the like, with a space between."""
    root = html5lib.parse(html)
    parts: list[str] = []

    def walk(element: Any) -> None:
        tag = element.tag[len(NS) :] if isinstance(element.tag, str) else ""
        if tag in HIDDEN or element.get("hidden") is not None:
            return
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(root)
    return " ".join(" ".join(parts).split())


def codes_in(text: str, language: str) -> list[str]:
    """The codes shown in `text`: whole tokens, as written (a code is lower case)."""
    found = [
        c for c in MARKED if re.search(rf"(?<![\w-])(?<!\w:){re.escape(c)}(?![\w-]|:\w)", text)
    ]
    if language != "en":
        found += [c for c in PLAIN if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]
    return found


def test_the_check_itself_finds_a_code() -> None:
    page = (
        "<!doctype html><html lang='da'><head><title>t</title><script>var s='pending'</script></head>"
        "<body><main><h1>Forberedelse</h1><dl><dt>first-sign:</dt><dd>Jeg går ud</dd></dl>"
        "<p>Status: pending</p><p>account:sign-in:manage</p><p hidden>in-progress</p></main></body></html>"
    )
    text = visible_text(page)
    assert "var s" not in text and "in-progress" not in text
    assert set(codes_in(text, "da")) == {"first-sign", "pending", "account:sign-in:manage"}
    assert set(codes_in(text, "en")) == {"first-sign", "account:sign-in:manage"}
    assert (
        codes_in(
            visible_text(page.replace("pending", "venter").replace("first-sign", "Hvad")).replace(
                "account:sign-in:manage", "Konto"
            ),
            "da",
        )
        == []
    )


SKIP = re.compile(
    r"^(https?:|mailto:|tel:|#)|^/(static|language|sign-out|logout)\b|/download|\.(zip|json|pdf)"
)


def crawl(client: Any, starts: list[str], limit: int = 60) -> dict[str, str]:
    """Every page reachable by a GET link from `starts` (Danish), as path → HTML."""
    seen: dict[str, str] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        path = queue.popleft().split("#")[0]
        if not path or path in seen or SKIP.search(path):
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            seen[path] = ""
            continue
        html = response.get_data(as_text=True)
        seen[path] = html
        queue.extend(re.findall(r'<a\b[^>]*\bhref="(/[^"]*)"', html))
    return {p: h for p, h in seen.items() if h}


def problems_on(client: Any, paths: list[str], who: str) -> list[str]:
    problems = []
    for language, accept in (("da", "da"), ("en", "en-GB"), ("ar", "ar")):
        for path in paths:
            response = client.get(path, headers={"Accept-Language": accept})
            if response.status_code != 200:
                continue
            shown = codes_in(visible_text(response.get_data(as_text=True)), language)
            problems += [f"{who} {path} [{language}]: the code {c!r} is shown" for c in shown]
    return problems


@pytest.fixture
def busy(app, demo) -> dict[str, Any]:
    """Sara has written a message and a goal and Jonas has answered; she has prepared the next meeting (a
    choice and words for a goal, topics), said how the last one was, and complained, all delivered; and she has
    noted a sign that waits to be sent."""
    from datetime import date

    from citizen_app import db
    from citizen_app.data import drafts
    from citizen_app.models import utcnow
    from citizen_app.services import contact, meetings
    from citizen_app.services.plan_reading import read_plan
    from citizen_app.services.progress_signs import note_progress_sign
    from tests.browser.test_matrix import deliver, sara_writes_and_jonas_answers

    portal = SimpleNamespace(app=app)
    sara, jonas = demo["sara"], demo["jonas"]
    sara_writes_and_jonas_answers(portal, demo, answer=True)
    with app.app_context():
        session = db.session()
        plan = read_plan(session, sara.fhir_ref).plan
        goal = plan.goals[0]
        coming = plan.next_meeting(utcnow())
        earlier = next(m for m in plan.meetings if not m.upcoming(utcnow()))
        draft = drafts.save(
            session,
            account_id=sara.id,
            citizen_ref=sara.fhir_ref,
            kind=meetings.KIND,
            step="topics",
            updates={
                f"progress-{goal.id}": "bit-closer",
                f"note-{goal.id}": "Jeg handlede selv",
                "topics": "Bussen",
            },
        )
        in_plan = [g for g in plan.goals if g.in_plan]
        meetings.send(
            session,
            draft=draft,
            patient_ref=sara.fhir_ref,
            author_ref=sara.fhir_ref,
            appointment_id=coming.id,
            goals=in_plan,
            account_id=sara.id,
        )
        contact.send_feedback(
            session,
            patient_ref=sara.fhir_ref,
            author_ref=sara.fhir_ref,
            about_ref=f"Appointment/{earlier.id}",
            score="very-good",
            comment="Godt møde",
            account_id=sara.id,
        )
        contact.send_complaint(
            session,
            patient_ref=sara.fhir_ref,
            sender_ref=sara.fhir_ref,
            recipient_ref=jonas.fhir_ref,
            text="Jeg venter for længe",
            account_id=sara.id,
        )
        session.commit()  # services only flush: the test is the request's boundary here
    deliver(portal)
    with app.app_context():
        note_progress_sign(
            db.session(),
            patient_ref=sara.fhir_ref,
            goal_id=goal.id,
            value="bit-closer",
            when=date.today(),
            note="Jeg gik selv i Netto",
            author_ref=sara.fhir_ref,
            account_id=sara.id,
        )
        db.session().commit()
    return demo


def test_no_page_shows_a_code_to_a_citizen(app, busy) -> None:
    client = app.test_client()
    sign_in_as(client, busy["sara"])
    steps = [f"/goals/new/{code}" for code in goal_conversation.CODES]
    pages = list(crawl(client, ["/plan", "/account/passkeys", *steps]))
    assert len(pages) >= 12, pages
    problems = problems_on(client, pages, "citizen")
    assert not problems, "\n".join(problems)


def test_no_page_shows_a_code_to_a_relative(app, busy) -> None:
    _, peter = delegate(
        app, busy["sara"], "Peter Jensen", {"read", "message", "write"}, relative=busy["peter"]
    )
    client = app.test_client()
    sign_in_as(client, peter)
    pages = list(crawl(client, ["/plan", "/account/passkeys"]))
    assert len(pages) >= 5, pages
    problems = problems_on(client, pages, "relative")
    assert not problems, "\n".join(problems)


def test_no_page_shows_a_code_to_a_caseworker(app, busy) -> None:
    client = app.test_client()
    sign_in_as(client, busy["jonas"])
    crawled = crawl(client, ["/caseworker/"], limit=40)
    pages = list(crawled)
    assert len(pages) >= 4, pages
    # Sara's page has her preparation (each question with its answer), her complaint and her view.
    assert any("Bussen" in html and "Jeg venter for længe" in html for html in crawled.values())
    problems = problems_on(client, pages, "caseworker")
    assert not problems, "\n".join(problems)
