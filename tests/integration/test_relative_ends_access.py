"""A relative ends his own access to a citizen's plan: from the acting banner, a page that says what happens,
a confirmation (POST, CSRF), a page that says it is done. The citizen is told (a receipt, the content-free
notice), sees it on "People who help you" and in "Who has looked"; the relative's other delegations go on."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from citizen_app import db
from citizen_app.models import AuditEvent, DelegatedActReceipt, Delegation, DelegationKind
from tests.conftest import sign_in_as
from tests.delegation_helpers import delegate
from tests.helpers import csrf_token, post_form
from tests.integration.test_cases_meetings import opt_in, sent_kinds, signed_in
from tests.integration.test_delegated_act_receipts import receipts_section, text_of_html

ENDED = "delegation:ended-by-relative"


def text(response) -> str:
    return text_of_html(response.get_data(as_text=True))


def delegation_of(app, delegation_id) -> Delegation:
    with app.app_context():
        found = db.session().get(Delegation, delegation_id)
        db.session().expunge(found)
        return found


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*where))


def test_peter_ends_his_access_and_sara_is_told(app, demo) -> None:
    opt_in(app, demo["sara"])
    to_sara, peter = delegate(app, demo["sara"], "Peter Jensen", {"read", "write"})
    helper = signed_in(app, peter)

    # The acting banner leads to the page; the page says plainly what happens.
    plan = helper.get("/plan").get_data(as_text=True)
    end_url = f"/acting-for/{to_sara.id}/end"
    assert f'href="{end_url}"' in plan
    page = helper.get(end_url)
    assert page.status_code == 200
    words = text(page)
    assert "Afslut min adgang til planen for Sara Jensen" in words
    assert "Du kan ikke længere se planen for Sara Jensen." in words
    assert "Sara Jensen får besked om, at du har afsluttet din adgang." in words
    assert (
        "Du kan ikke selv fortryde det. Vil du hjælpe igen, skal Sara Jensen invitere dig igen."
        in words
    )
    assert "Du hjælper stadig de andre" not in words  # he helps no one else
    assert "Sara" not in end_url  # no personal data in the URL: an opaque id

    done = post_form(helper, end_url, {})
    assert done.status_code == 303
    assert done.headers["Location"] == f"/acting-for/{to_sara.id}/ended"
    words = text(helper.get(done.headers["Location"]))
    assert "Du har afsluttet din adgang til planen for Sara Jensen" in words
    assert "Du hjælper ikke andre her lige nu." in words

    # His next request is refused, with the plain "access closed" message, nothing else of hers.
    refused = helper.get("/plan")
    assert refused.status_code == 404
    assert "Du har afsluttet din adgang til planen for Sara Jensen" in text(refused)
    assert "Vil du hjælpe Sara Jensen igen, skal Sara Jensen invitere dig igen." in text(refused)

    ended = delegation_of(app, to_sara.id)
    assert ended.revoked_at is not None and ended.revoked_by == peter.id

    # Sara is told: the content-free notice, a receipt on her plan (no "end access" button: it has ended),
    # "Stopped by Peter Jensen" among the people who help her, and the event in "Who has looked".
    assert sent_kinds(app) == ["helper-acted"]
    sara = signed_in(app, demo["sara"])
    section = receipts_section(sara.get("/plan").get_data(as_text=True))
    assert "Peter Jensen har selv stoppet sin adgang til din plan." in text_of_html(section)
    assert "/revoke" not in section
    assert "Stoppet af Peter Jensen" in text(sara.get("/delegations"))
    looked = text(sara.get("/who-has-looked"))
    assert "Peter Jensen , din pårørende stoppede selv sin adgang til din plan" in looked
    with app.app_context():
        (event,) = db.session().scalars(select(AuditEvent).where(AuditEvent.action == ENDED))
    assert event.citizen_ref == demo["sara"].fhir_ref
    assert event.actor_account_id == peter.id and event.actor_role == "relative"
    assert event.outcome == "allowed"

    # "See it" on the receipt opens the people who help her.
    receipt = re.search(r'action="/plan/receipts/([0-9a-f-]+)"', section).group(1)
    opened = post_form(sara, f"/plan/receipts/{receipt}", {"go": "open"}, page="/plan")
    assert opened.headers["Location"] == "/delegations"


def test_pressing_twice_changes_nothing_more(app, demo) -> None:
    opt_in(app, demo["sara"])
    to_sara, peter = delegate(app, demo["sara"], "Peter Jensen", {"read"})
    helper = signed_in(app, peter)
    end_url = f"/acting-for/{to_sara.id}/end"
    token = csrf_token(helper, end_url)
    first = helper.post(end_url, data={"csrf_token": token})
    when = delegation_of(app, to_sara.id).revoked_at
    second = helper.post(end_url, data={"csrf_token": token})  # the same form again (back, resend)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == f"/acting-for/{to_sara.id}/ended"
    assert delegation_of(app, to_sara.id).revoked_at == when
    assert count(app, DelegatedActReceipt) == 1
    assert count(app, AuditEvent, AuditEvent.action == ENDED) == 1
    assert sent_kinds(app) == ["helper-acted"]
    # The page itself, once ended, goes to the page that says so.
    again = helper.get(end_url)
    assert again.status_code == 303 and again.headers["Location"].endswith("/ended")


def test_nobody_else_ends_a_relatives_access_through_this_page(app, demo) -> None:
    to_sara, _peter = delegate(app, demo["sara"], "Peter Jensen", {"read"})
    _, lise = delegate(app, demo["sara"], "Lise Hansen", {"read", "write"})
    _, grethe = delegate(app, demo["sara"], "Grethe Værge", {"read"}, kind=DelegationKind.GUARDIAN)
    end_url = f"/acting-for/{to_sara.id}/end"
    for account in (lise, grethe, demo["sara"], demo["jonas"], demo["mads"]):
        other = signed_in(app, account)
        assert other.get(end_url).status_code == 404
        assert other.get(f"/acting-for/{to_sara.id}/ended").status_code == 404
        posted = other.post(end_url, data={"csrf_token": _page_token(other)})
        assert posted.status_code == 404, account.username
    assert delegation_of(app, to_sara.id).revoked_at is None
    assert count(app, AuditEvent, AuditEvent.action == ENDED) == 0
    assert (
        count(
            app,
            AuditEvent,
            AuditEvent.action == "account:sign-in:manage",
            AuditEvent.resource_type == "Delegation",
            AuditEvent.outcome == "denied",
        )
        == 15
    )  # every refusal is in the access log


def _page_token(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_without_the_csrf_token_nothing_ends(app, demo) -> None:
    to_sara, peter = delegate(app, demo["sara"], "Peter Jensen", {"read"})
    helper = signed_in(app, peter)
    refused = helper.post(f"/acting-for/{to_sara.id}/end", data={})
    assert refused.status_code == 400
    assert delegation_of(app, to_sara.id).revoked_at is None
    assert helper.get("/plan").status_code == 200


def test_his_access_for_someone_else_goes_on(app, demo) -> None:
    to_sara, peter = delegate(app, demo["sara"], "Peter Jensen", {"read"})
    delegate(app, demo["mads"], "Peter Jensen", {"read"}, relative=peter)
    helper = app.test_client()
    sign_in_as(helper, peter)
    token = csrf_token(helper, "/acting-for")
    helper.post(
        "/acting-for", data={"csrf_token": token, "delegation": str(to_sara.id), "next": "/plan"}
    )
    end_url = f"/acting-for/{to_sara.id}/end"
    assert "Du hjælper stadig de andre, du hjælper nu." in text(helper.get(end_url))
    done = post_form(helper, end_url, {})
    words = text(helper.get(done.headers["Location"]))
    assert "Du hjælper stadig" in words and "Mads Nielsen" in words
    assert "Gå til planen for Mads Nielsen" in words
    # The one left is the one he acts through now: Mads's plan, with Mads in the banner.
    plan = helper.get("/plan")
    assert plan.status_code == 200
    assert "Du handler for Mads Nielsen som pårørende." in text(plan)
    assert "Sara Jensen" not in text(plan)
