"""Receipts for delegated acts: when someone acting for Sara writes for her, Sara is told that it happened and
by whom, on her plan page and (if she opted in) in her own channel, never what was written. Through the
portal's pages and the real reference plan service."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from citizen_app import db
from citizen_app.models import DelegatedActReceipt, DelegationKind, OutboxMessage
from citizen_app.notify import notifier
from tests.conftest import sign_in_as
from tests.delegation_helpers import delegate
from tests.helpers import post_form
from tests.integration.test_cases_meetings import opt_in, sent_kinds, signed_in
from tests.integration.test_citizen_journeys import deliver
from tests.integration.test_delegation import saras_goal

SECRET = "Sara har det svært med trapperne"


def receipts_section(page: str) -> str:
    found = re.search(r'<section aria-labelledby="receipts-title".*?</section>', page, re.S)
    return found.group(0) if found else ""


def receipt_ids(page: str) -> list[str]:
    return re.findall(r'action="/plan/receipts/([0-9a-f-]+)"', page)


def test_peter_writes_for_sara_who_sees_content_free_receipts_and_dismisses_them(
    app, demo, plan_service
) -> None:
    opt_in(app, demo["sara"])
    _, peter = delegate(app, demo["sara"], "Peter Jensen", {"write", "message"})
    helper = app.test_client()
    sign_in_as(helper, peter)
    goal = saras_goal(app, demo)
    assert post_form(helper, "/messages/new", {"text": SECRET}).status_code == 303
    sign = {"value": "bit-closer", "note": SECRET, "when": date.today().isoformat()}
    assert post_form(helper, f"/plan/goals/{goal.id}/progress", sign).status_code == 303
    deliver(app)
    # Peter, reading Sara's plan, sees no receipts: they are Sara's.
    assert receipts_section(helper.get("/plan").get_data(as_text=True)) == ""

    # One notice for the two acts (none while one is unseen), and it says nothing of what or who.
    assert sent_kinds(app) == ["helper-acted"]
    with app.app_context():
        (notice,) = notifier().sent
    assert notice.to == "sara@example.org"
    assert "Someone who helps you did something in Borgerens Plan" in notice.body
    assert SECRET not in notice.body and "Peter" not in notice.body + notice.subject

    sara = signed_in(app, demo["sara"])
    page = sara.get("/plan").get_data(as_text=True)
    section = text_of_html(receipts_section(page))
    assert "Peter Jensen sendte en besked for dig." in section
    assert "Peter Jensen skrev et tegn på fremgang for dig." in section
    assert SECRET not in section and "trapperne" not in section
    newest, older = receipt_ids(page)  # the sign, then the message
    # Peter cannot mark Sara's receipts seen: the same answer as for something that does not exist.
    assert (
        post_form(helper, f"/plan/receipts/{older}", {"go": "dismiss"}, page="/plan").status_code
        == 404
    )

    # "See it" on the message's receipt opens her messages and marks it seen; "OK, I know" dismisses the other.
    opened = post_form(sara, f"/plan/receipts/{older}", {"go": "open"}, page="/plan")
    assert opened.status_code == 303 and opened.headers["Location"] == "/messages"
    dismissed = post_form(sara, f"/plan/receipts/{newest}", {"go": "dismiss"}, page="/plan")
    assert dismissed.status_code == 303
    assert receipts_section(sara.get("/plan").get_data(as_text=True)) == ""
    with app.app_context():
        assert (
            db.session().scalar(
                select(func.count()).where(DelegatedActReceipt.seen_at.is_not(None))
            )
            == 2
        )


def test_from_a_receipt_sara_ends_peters_access_in_one_step(app, demo) -> None:
    _, peter = delegate(app, demo["sara"], "Peter Jensen", {"message"})
    helper = app.test_client()
    sign_in_as(helper, peter)
    assert post_form(helper, "/messages/new", {"text": SECRET}).status_code == 303
    sara = signed_in(app, demo["sara"])
    page = sara.get("/plan").get_data(as_text=True)
    end = re.search(r'action="(/delegations/[0-9a-f-]+/revoke)"', receipts_section(page))
    assert end is not None and "Stop adgangen for Peter Jensen" in text_of_html(page)
    assert post_form(sara, end.group(1), {}, page="/plan").status_code == 303
    assert helper.get("/plan").status_code == 404


def test_a_parent_of_a_child_leaves_no_receipt_and_sends_no_notice(app, demo) -> None:
    opt_in(app, demo["sara"])
    _, parent = delegate(
        app, demo["sara"], "Mor Jensen", {"write", "message"}, kind=DelegationKind.PARENT
    )
    helper = app.test_client()
    sign_in_as(helper, parent)
    goal = saras_goal(app, demo)
    sign = {"value": "same", "when": date.today().isoformat()}
    assert post_form(helper, f"/plan/goals/{goal.id}/progress", sign).status_code == 303
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(OutboxMessage)) == 1
        assert db.session().scalar(select(func.count()).select_from(DelegatedActReceipt)) == 0
    assert sent_kinds(app) == []
    sara = signed_in(app, demo["sara"])
    assert receipts_section(sara.get("/plan").get_data(as_text=True)) == ""


def test_sara_writing_herself_leaves_no_receipt(app, demo) -> None:
    sara = signed_in(app, demo["sara"])
    assert post_form(sara, "/messages/new", {"text": SECRET}).status_code == 303
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(DelegatedActReceipt)) == 0


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".")


def test_a_relative_reads_saras_meetings_cases_and_messages_as_hers(app, demo) -> None:
    """Issue 16 item 7: the relative's pages speak of Sara by name, not as if they were the relative's own."""
    _, peter = delegate(app, demo["sara"], "Peter Jensen", {"read", "message"})
    helper = app.test_client()
    sign_in_as(helper, peter)
    meetings = text_of_html(helper.get("/meetings").get_data(as_text=True))
    assert "Møderne for Sara Jensen" in meetings and "Det næste møde for Sara Jensen" in meetings
    assert "Dit næste møde" not in meetings
    cases = text_of_html(helper.get("/cases").get_data(as_text=True))
    assert "Sagerne for Sara Jensen" in cases and "Mine sager" not in cases
    assert "Skriv til sagsbehandleren for Sara Jensen" in cases
    messages = text_of_html(helper.get("/messages").get_data(as_text=True))
    assert "Beskederne for Sara Jensen" in messages
    assert "Samtalerne for Sara Jensen" in messages and "Dine samtaler" not in messages
    # Sara's own pages still speak to her.
    sara = signed_in(app, demo["sara"])
    assert "Dine samtaler" in text_of_html(sara.get("/messages").get_data(as_text=True))
    assert "Mine sager" in text_of_html(sara.get("/cases").get_data(as_text=True))
