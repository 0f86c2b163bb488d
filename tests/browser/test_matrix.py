"""Issue #7's axe matrix: every page a citizen, a relative acting for someone, a visitor and a caseworker
reach, in its states (empty, filled, error, and with the session warning shown) × Danish, English, Arabic ×
360 and 1280 px, checked by axe-core for WCAG 2.2 A and AA.

Each test signs its person in once (passkey, Danish) and carries the cookies into a fresh context per
language (`storage_state`), where the language comes from Accept-Language as it does for a real browser. The
two widths are checked on the same page, one after the other (the viewport is resized, the page is not
reloaded, so a filled-in form is checked at both widths). Every failure is collected and reported together,
each headed by the page, its state, the language and the width.

The session warning is made to appear without waiting half an hour: the context's clock is Playwright's fake
clock (`clock.install`), which runs in real time until the test moves it on past the warning time; the
portal's timers (static/js/session.js) then fire exactly as they would have.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import Portal, activate, assert_accessible

pytestmark = pytest.mark.browser

LOCALES = {"da": "da-DK", "en": "en-GB", "ar": "ar"}
NARROW = {"width": 360, "height": 740}
WIDE = {"width": 1280, "height": 800}
GOAL_LINK = ".goal a[href^='/plan/goals/']:not([href$='/progress'])"
CONVERSATION_LINK = "main a[href^='/messages/']:not([href$='/new'])"


class Matrix:
    """One person, one language: goes to pages, brings them into a state, runs axe at both widths."""

    def __init__(
        self, browser: Browser, portal: Portal, language: str, state: Any | None = None
    ) -> None:
        locale = LOCALES[language]
        self.portal = portal
        self.language = language
        self.context = browser.new_context(
            viewport=NARROW,
            locale=locale,
            extra_http_headers={"Accept-Language": locale},
            storage_state=state,
        )
        self.context.clock.install()  # runs in real time until fast_forward (the session warning)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.failures: list[str] = []

    def goto(self, path: str) -> Page:
        response = self.page.goto(self.portal.url + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return self.page

    def check(self, what: str) -> None:
        for size in (NARROW, WIDE):
            self.page.set_viewport_size(size)
            try:
                assert_accessible(self.page, f"{what} [{self.language}, {size['width']} px]")
            except AssertionError as failure:
                self.failures.append(str(failure))
        self.page.set_viewport_size(NARROW)

    def submit(self, selector: str = "main form[novalidate] button[type=submit]") -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()

    def error(self, what: str) -> None:
        expect(self.page.locator(".error-summary")).to_be_visible()
        self.check(what)

    def session_warning(self, what: str) -> None:
        """Move the page's clock on to the warning time: the warning shows, and is checked with the page."""
        config = self.portal.app.config
        idle = config["SESSION_IDLE_MINUTES"] * 60
        warn_after = idle - min(config["SESSION_WARNING_SECONDS"], idle / 2)
        self.page.clock.fast_forward(int(warn_after * 1000) + 1000)
        expect(self.page.locator("#session-warning")).to_be_visible()
        expect(self.page.locator("#session-warning button")).to_be_focused()
        self.check(f"{what}, with the session warning")

    def close(self) -> None:
        self.context.close()
        assert not self.failures, "\n\n".join(self.failures)


def signed_in(browser: Browser, portal: Portal, username: str) -> tuple[Page, Any]:
    page = browser.new_context(viewport=NARROW, locale="da-DK").new_page()
    page.set_default_timeout(10_000)
    activate(page, portal, username)
    return page, page.context.storage_state()


def deliver(portal: Portal) -> None:
    from citizen_app.outbox import Dispatcher

    dispatcher = Dispatcher(portal.app, portal.app.extensions["citizen_app.plan_client"])
    while dispatcher.dispatch_due().attempted:
        pass


def bury_waiting(portal: Portal) -> None:
    """Every waiting write dead-lettered, as when the plan API refuses it."""
    from sqlalchemy import update

    from citizen_app import db
    from citizen_app.models import OutboxMessage, OutboxState

    with portal.app.app_context():
        db.session().execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.PENDING)
            .values(state=OutboxState.DEAD, last_error="refused: plan API answered 422")
        )
        db.session().commit()


def sara_writes_and_jonas_answers(portal: Portal, demo: dict[str, Any], answer: bool) -> None:
    """A message and a goal from Sara, sent through the outbox; an answer from Jonas when `answer`."""
    from citizen_app import db
    from citizen_app.data import drafts
    from citizen_app.services import messages, review
    from citizen_app.services.goals import propose_goal
    from citizen_app.services.plan_reading import plan_client, read_plan

    sara, jonas = demo["sara"], demo["jonas"]
    with portal.app.app_context():
        session = db.session()
        messages.send(
            session,
            patient_ref=sara.fhir_ref,
            sender_ref=sara.fhir_ref,
            recipient_ref=jonas.fhir_ref,
            text="Hej Jonas, kan vi mødes på torsdag?",
            subject="Et møde",
            account_id=sara.id,
        )
        draft = drafts.save(
            session,
            account_id=sara.id,
            citizen_ref=sara.fhir_ref,
            kind="goal",
            step="helpers",
            updates={"goal": "Jeg vil kunne tage bussen alene", "different": "Jeg kommer ud"},
        )
        propose_goal(
            session,
            draft=draft,
            patient_ref=sara.fhir_ref,
            author_ref=sara.fhir_ref,
            account_id=sara.id,
        )
        session.commit()  # services only flush: the caller commits
    deliver(portal)
    if answer:
        with portal.app.app_context():
            plan = read_plan(db.session(), sara.fhir_ref).plan
            assert plan is not None and plan.conversations
            review.reply(
                plan_client(),
                plan=plan,
                conversation=plan.conversations[0],
                text="Ja, torsdag klokken 10 passer fint.",
                sender_ref=jonas.fhir_ref,
                message_id=uuid.uuid4(),
            )


def a_relative_wrote_for_sara(portal: Portal, demo: dict[str, Any]) -> None:
    """A receipt on Sara's plan page: Peter sent a message for her (as outbox.enqueue records it)."""
    from citizen_app import db
    from citizen_app.models import DelegatedActReceipt
    from tests.delegation_helpers import delegate

    delegation, _ = delegate(portal.app, demo["sara"], "Peter Jensen", {"message"})
    with portal.app.app_context():
        db.session().add(
            DelegatedActReceipt(
                citizen_account_id=demo["sara"].id, delegation_id=delegation.id, purpose="message"
            )
        )
        db.session().commit()


@pytest.fixture
def sara(browser: Browser, portal: Portal, demo: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Sara signed in, with an answered conversation; the addresses of her first goal's pages."""
    sara_writes_and_jonas_answers(portal, demo, answer=True)
    page, state = signed_in(browser, portal, "sara")
    page.goto(portal.url + "/plan")
    progress = page.locator(".goal a[href$='/progress']").first.get_attribute("href")
    goal = page.locator(GOAL_LINK).first.get_attribute("href")
    page.goto(portal.url + "/messages")
    conversation = page.locator(CONVERSATION_LINK).first.get_attribute("href")
    page.context.close()
    yield {"state": state, "progress": progress, "goal": goal, "conversation": conversation}


@pytest.mark.parametrize("language", list(LOCALES))
def test_every_citizen_page_and_state(
    browser: Browser, portal: Portal, demo, sara, language
) -> None:
    m = Matrix(browser, portal, language, sara["state"])
    m.goto("/")
    m.check("front page, signed in")
    m.goto("/plan")
    m.check("plan")
    m.session_warning("plan")
    a_relative_wrote_for_sara(portal, demo)
    m.goto("/plan")
    expect(m.page.locator("#receipts-title")).to_be_visible()
    m.check("plan with a receipt of what a relative did")
    m.submit("main button[value=dismiss]")
    expect(m.page.locator("#receipts-title")).to_have_count(0)
    m.goto(sara["goal"])
    expect(m.page.locator("svg.chart").first).to_be_visible()
    m.check("goal page with its chart and table")
    # Issue #18: a goal with an evaluation (the demo's rhythm goal, the second on the plan).
    m.goto("/plan")
    evaluated = m.page.locator(GOAL_LINK).nth(1).get_attribute("href")
    m.goto(evaluated)
    expect(m.page.locator(".evaluation")).to_be_visible()
    m.check("goal page with its last evaluation")

    # Goal Attainment Scaling (the first goal has levels and three voices in the demo data).
    m.goto(sara["goal"] + "/levels/less")
    m.check("levels conversation, a question")
    m.goto(sara["goal"] + "/levels/expected")
    m.page.locator("textarea").fill("")
    m.submit("main form button[value=next]")
    m.error("levels conversation, the reached level left empty")
    m.goto(sara["goal"] + "/levels/check")
    m.check("levels conversation, check before saving")
    m.goto(sara["goal"] + "/rate")
    m.check("rate a goal, empty")
    m.submit()
    m.error("rate a goal, nothing chosen")

    # A progress sign: empty, filled, error.
    m.goto(sara["progress"])
    m.check("progress sign form, empty")
    m.page.locator("input[type=radio]").nth(1).check()
    m.page.locator("textarea").fill("Jeg handlede selv i dag")
    m.check("progress sign form, filled")
    m.goto(sara["progress"])
    m.submit()
    m.error("progress sign form, error")

    # My own words and view on a goal: empty, filled, error.
    my_words = sara["goal"] + "/my-words"
    m.goto(my_words)
    m.check("own words on a goal, empty")
    m.page.locator("textarea").first.fill("Jeg vil handle ind uden panik")
    m.page.locator("input[type=radio]").first.check()
    m.check("own words on a goal, filled")
    m.goto(my_words)
    m.submit()
    m.error("own words on a goal, error")

    # The goal conversation: a step empty, in error, filled; the next step; the check page; resuming.
    m.goto("/goals/new/goal")
    m.check("goal conversation, first question, empty")
    m.submit("button[value=next]")
    m.error("goal conversation, first question, error")
    m.page.locator("textarea").fill("Jeg vil kunne tage bussen alene")
    m.check("goal conversation, first question, filled")
    m.submit("button[value=next]")
    m.check("goal conversation, second question")
    m.goto("/goals/new/check")
    m.check("goal conversation, check before sending")
    m.goto("/goals/new")
    m.check("goal conversation, resume a draft")

    # Messages: the overview, a conversation with an answer, a reply in error, a new message in every state.
    m.goto("/messages")
    m.check("messages")
    m.goto(sara["conversation"])
    m.check("conversation with an answer")
    m.submit()
    m.error("conversation, empty reply")
    m.goto("/messages/new")
    m.check("new message, empty")
    m.page.locator("main input[type=text]").fill("Et møde")
    m.page.locator("textarea").fill("Hej Jonas, kan vi mødes?")
    m.check("new message, filled")
    m.session_warning("new message, filled")
    m.goto("/messages/new")
    # What was typed before is kept (the draft, saved as it was typed): empty the form to see the error.
    m.page.locator("main input[type=text]").fill("")
    m.page.locator("textarea").fill("")
    m.submit()
    m.error("new message, error")
    m.page.locator("textarea").fill("Hej Jonas, kan vi mødes?")
    m.submit()
    m.check("messages, after sending")
    # That message refused by the plan system: plain words, the text kept, a button to send it again.
    bury_waiting(portal)
    m.goto("/plan")
    m.check("plan with an item that could not be delivered")
    m.goto("/messages")
    m.check("messages with an item that could not be delivered")

    # People who help: the overview, an invitation in every state, its code, changing it.
    m.goto("/delegations")
    m.check("people who help")
    m.goto("/delegations/new")
    m.check("invite a relative, empty")
    m.page.locator("#name").fill("Peter Jensen")
    m.page.locator("#ends_on").fill((date.today() + timedelta(days=60)).isoformat())
    m.check("invite a relative, filled")
    m.page.locator("#name").fill("")
    m.submit()
    m.error("invite a relative, error")
    m.page.locator("#name").fill("Peter Jensen")
    m.submit()
    expect(m.page.locator(".activation-code")).to_be_visible()
    m.check("invite a relative, the code")
    m.goto("/delegations")
    m.check("people who help, with an invitation")
    m.page.locator("main a[href^='/delegations/']:not([href$='/new'])").first.click()
    m.page.wait_for_load_state()
    m.check("change what a relative may do")

    # Privacy and the account.
    for path, what in (
        ("/who-has-looked", "who has looked"),
        ("/my-data", "my data"),
        ("/account/passkeys", "sign-in settings"),
    ):
        m.goto(path)
        m.check(what)
    # My cases, meetings and preparing the next one, the optional feedback, a complaint and its receipt.
    m.goto("/cases")
    m.check("my cases")
    m.goto("/meetings")
    m.check("meetings")
    with m.page.expect_navigation():
        m.page.locator("main a[href$='/prepare/goals']").first.click()
    m.check("meeting preparation, goals, empty")
    m.page.locator("main input[type=radio]").first.check()
    m.page.locator("main textarea").first.fill("Jeg har handlet alene")
    m.check("meeting preparation, goals, filled")
    m.submit("button[value=next]")
    m.check("meeting preparation, what to talk about, empty")
    m.page.locator("textarea").fill("x" * 1001)
    m.submit("button[value=next]")
    m.error("meeting preparation, what to talk about, too long")
    m.page.locator("textarea").fill("Min økonomi")
    m.session_warning("meeting preparation, what to talk about, filled")
    m.submit("button[value=next]")
    m.check("meeting preparation, who to bring")
    m.submit("button[value=next]")
    m.check("meeting preparation, check before sending")
    feedback = sara["conversation"].replace("/messages/", "/feedback/conversation/")
    m.goto(feedback)
    m.check("how was the contact, empty")
    m.page.locator("main input[type=radio]").first.check()
    m.check("how was the contact, filled")
    m.goto(feedback)
    m.submit()
    m.error("how was the contact, error")
    m.goto("/complaints/new")
    m.check("complaint, empty")
    m.submit()
    m.error("complaint, error")
    m.page.locator("textarea").fill("Jeg ventede for længe på svar.")
    m.check("complaint, filled")
    m.submit()
    m.check("complaint, receipt")

    m.goto("/account/notifications")
    m.check("e-mail notifications, empty")
    m.page.locator("input[type=email]").fill("sara@example.org")
    m.check("e-mail notifications, filled")
    m.page.locator("input[type=email]").fill("not an address")
    m.submit()
    m.error("e-mail notifications, error")
    m.close()


@pytest.fixture
def line(browser: Browser, portal: Portal, demo: dict[str, Any]) -> dict[str, Any]:
    """Line, Emil's mother, whom Sara has also invited: she chooses Emil on the page for choosing."""
    from tests.delegation_helpers import delegate

    to_sara, _ = delegate(portal.app, demo["sara"], "Line Larsen", {"read"}, relative=demo["line"])
    page, _ = signed_in(browser, portal, "line")
    page.goto(portal.url + "/acting-for")
    with page.expect_navigation():
        page.locator("main button", has_text="Emil Larsen").click()
    goal = page.locator(GOAL_LINK).first.get_attribute("href")
    progress = page.locator(".goal a[href$='/progress']").first.get_attribute("href")
    state = page.context.storage_state()
    page.context.close()
    return {"state": state, "goal": goal, "progress": progress, "to_sara": str(to_sara.id)}


@pytest.mark.parametrize("language", list(LOCALES))
def test_every_page_of_a_relative_acting_for_someone(
    browser: Browser, portal: Portal, line, language
) -> None:
    m = Matrix(browser, portal, language, line["state"])
    m.goto("/acting-for")
    m.check("relative: choose whom to act for")
    m.goto("/plan")
    expect(m.page.locator(".acting-banner")).to_be_visible()
    m.check("relative: Emil's plan")
    m.session_warning("relative: Emil's plan")
    m.goto(line["goal"])
    m.check("relative: Emil's goal")
    m.goto(line["progress"])
    m.check("relative: progress sign, empty")
    m.submit()
    m.error("relative: progress sign, error")
    m.goto(line["goal"] + "/my-words")
    m.submit()
    m.error("relative: words on Emil's goal, error")
    m.goto("/goals/new/goal")
    m.submit("button[value=next]")
    m.error("relative: a goal for Emil, error")
    m.goto("/messages")
    m.check("relative: messages")
    m.goto("/messages/new")
    m.check("relative: new message, empty")
    m.page.locator("textarea").fill("Emil har haft en god uge.")
    m.check("relative: new message, filled")
    m.goto("/messages/new")
    m.page.locator("textarea").fill("")  # the kept draft, emptied
    m.submit()
    m.error("relative: new message, error")
    m.goto("/cases")
    m.check("relative: Emil's cases (none)")
    m.goto("/meetings")
    m.check("relative: Emil's meetings (none)")
    m.goto("/account/passkeys")
    m.check("relative: sign-in settings")
    # Last, since it ends her access to Sara's plan (Emil's goes on): what happens, then done.
    m.goto(f"/acting-for/{line['to_sara']}/end")
    m.check("relative: end my access to Sara's plan")
    m.submit("main form button[type=submit]")
    expect(m.page).to_have_url(f"{portal.url}/acting-for/{line['to_sara']}/ended")
    m.check("relative: my access to Sara's plan has ended")
    m.close()


@pytest.mark.parametrize("language", list(LOCALES))
def test_every_page_a_visitor_reaches(browser: Browser, portal: Portal, language) -> None:
    m = Matrix(browser, portal, language)
    m.goto("/")
    m.check("front page")
    m.goto("/tilgaengelighed")
    m.check("accessibility statement")
    m.goto("/sign-in")
    m.check("sign in")
    m.goto("/sign-in?timeout=1")
    m.check("sign in, after a timeout")
    m.goto("/activate")
    m.check("activation code, empty")
    m.page.locator("#code").fill("ABCD-EFGH-JKLM")
    m.check("activation code, filled")
    m.submit()
    m.error("activation code, error")
    m.page.locator("#code").fill(portal.code("mads"))
    m.submit()
    m.page.wait_for_url("**/activate/passkey")
    m.check("activation, make a passkey")
    m.goto("/invitation")
    m.check("invitation code, empty")
    m.submit()
    m.error("invitation code, error")
    response = m.page.goto(portal.url + "/no-such-page")
    assert response is not None and response.status == 404
    m.check("page not found")
    m.close()


@pytest.fixture
def jonas(browser: Browser, portal: Portal, demo: dict[str, Any]) -> dict[str, Any]:
    """Jonas signed in, with a message and a proposed goal from Sara waiting on her review page."""
    sara_writes_and_jonas_answers(portal, demo, answer=False)
    page, state = signed_in(browser, portal, "jonas")
    page.goto(portal.url + "/caseworker/")
    review = page.locator("main table a").first.get_attribute("href")
    page.context.close()
    return {"state": state, "review": review}


def _colleague_marks_seen(portal: Portal, sign_id: str) -> None:
    """A colleague marks the sign as seen in the case system while Jonas has the page open."""
    from citizen_app.models import utcnow
    from citizen_app.plan_api import observations
    from tests.helpers import api

    url = f"{portal.app.config['PLAN_API_URL']}/Observation/{sign_id}"
    sign = api.get(url).json()
    sign["extension"] = [
        observations.seen_extension("PractitionerRole/x", utcnow(), "Set af en kollega")
    ]
    version = sign["meta"]["versionId"]
    api.put(url, json=sign, headers={"If-Match": f'W/"{version}"'}).raise_for_status()


@pytest.mark.parametrize("language", list(LOCALES))
def test_every_caseworker_page_and_state(browser: Browser, portal: Portal, jonas, language) -> None:
    m = Matrix(browser, portal, language, jonas["state"])
    m.goto("/caseworker/")
    m.check("caseload")
    m.session_warning("caseload")
    m.goto(jonas["review"])
    expect(m.page.get_by_text("Hej Jonas, kan vi mødes på torsdag?")).to_be_visible()
    m.check("a citizen's review page")
    m.page.locator("main form[action$='/reply'] textarea").fill("Ja, det passer.")
    m.check("a citizen's review page, an answer filled in")
    m.goto(jonas["review"])
    m.submit("main form[action$='/reply'] button")
    m.error("a citizen's review page, empty answer")
    m.goto(jonas["review"])
    m.page.locator("details:has(form[action$='/decline']) summary").first.click()
    m.submit("main form[action$='/decline'] button")
    m.error("a citizen's review page, declined without a reason")
    m.goto(jonas["review"])
    sign_form = m.page.locator("main form[action*='/signs/']").first
    _colleague_marks_seen(
        portal, sign_form.get_attribute("action").split("/signs/")[1].split("/")[0]
    )
    sign_form.locator("textarea").fill("Godt set")
    m.submit("main form[action*='/signs/'] button")
    expect(m.page.locator("#seen-conflict")).to_be_visible()
    m.check("a citizen's review page, a sign a colleague marked as seen first (412)")
    m.goto(jonas["review"])
    m.page.locator("details:has(form[action$='/representatives']) summary").click()
    m.submit("main form[action$='/representatives'] button")
    expect(m.page.locator(".field--error").first).to_be_visible()  # the errors are by the fields
    m.check("a citizen's review page, representative without a name")
    m.goto("/caseworker/absence")
    m.check("absence, empty")
    m.page.locator("#start").fill(date.today().isoformat())
    m.page.locator("#end").fill((date.today() + timedelta(days=14)).isoformat())
    m.check("absence, filled")
    m.page.locator("#end").fill((date.today() - timedelta(days=1)).isoformat())  # before the start
    m.submit()
    m.error("absence, error")
    m.goto(jonas["review"])
    m.page.locator("main form[action*='/cases/'] input[type=date]").first.fill("2031-01-31")
    m.submit("main form[action*='/cases/'] button")
    expect(m.page.locator("[aria-invalid=true]").first).to_be_visible()
    m.check("a citizen's review page, a new decision date without a reason")
    # Issue #18: evaluating a goal: empty, filled, error.
    m.goto(jonas["review"])
    evaluation = m.page.locator("main a[href$='/evaluation']").first.get_attribute("href")
    m.goto(evaluation)
    m.check("evaluate a goal, empty")
    m.page.locator("#citizen_view").fill("Hun siger, at det går godt")
    m.page.locator("input[name=decision]").first.check()
    m.check("evaluate a goal, filled")
    m.goto(evaluation)
    m.submit()
    m.error("evaluate a goal, error")
    # Goal Attainment Scaling: a goal's levels, ratings side by side, the wording and rating forms.
    m.goto(jonas["review"])
    m.goto(m.page.locator("main a[href$='/levels']").first.get_attribute("href"))
    expect(m.page.locator("svg.chart")).to_be_visible()
    m.check("a goal's levels and ratings")
    m.submit("main form[action$='/levels/rate'] button")
    m.error("a goal's levels and ratings, a rating with no level")
    m.goto("/caseworker/team")
    m.check("team: satisfaction and complaints")
    m.goto("/caseworker/hand-over")
    m.check("hand over, empty")
    m.submit()
    m.error("hand over, error")
    m.close()
