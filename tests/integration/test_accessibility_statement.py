"""The accessibility statement (tilgængelighedserklæring): at /tilgaengelighed and at /was (where Danish public
sites keep it), with a phone number and an e-mail address to report a problem, and linked from every footer."""

from __future__ import annotations

import re
from html import unescape

from citizen_app.views.public import ACCESSIBILITY_EMAIL_DEFAULT, COMPLAINTS_URL

FOOTER = re.compile(r"<footer\b.*?</footer>", re.S)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


def test_the_statement_answers_at_both_addresses(client) -> None:
    page = client.get("/tilgaengelighed")
    assert page.status_code == 200
    short = client.get("/was")
    assert short.status_code == 301 and short.headers["Location"] == "/tilgaengelighed"
    followed = client.get("/was", follow_redirects=True)
    assert followed.status_code == 200 and followed.request.path == "/tilgaengelighed"


def test_the_statement_says_in_danish_how_to_report_a_problem_and_where_to_complain(
    app, client
) -> None:
    page = text_of(client.get("/tilgaengelighed"))
    assert ">Tilgængelighedserklæring</h1>" in page
    assert "WCAG 2.2, niveau AA" in page
    assert f"Ring til os på {app.config['CASEWORKER_PHONE']}" in page
    assert (
        f'<a href="mailto:{ACCESSIBILITY_EMAIL_DEFAULT}">{ACCESSIBILITY_EMAIL_DEFAULT}</a>' in page
    )
    assert "Digitaliseringsstyrelsen" in page and f'href="{COMPLAINTS_URL}"' in page
    for limit in ("adgangsnøgle", "arabiske", "tabel"):
        assert limit in page


def test_the_phone_and_e_mail_come_from_the_settings(make_app) -> None:
    app = make_app(CASEWORKER_PHONE="70 10 20 30", ACCESSIBILITY_EMAIL="web@kommune.dk")
    page = text_of(app.test_client().get("/tilgaengelighed"))
    assert "70 10 20 30" in page and 'href="mailto:web@kommune.dk"' in page


def test_the_statement_in_english(client) -> None:
    client.set_cookie("lang", "en")
    page = text_of(client.get("/tilgaengelighed"))
    assert ">Accessibility statement</h1>" in page
    assert "Danish Agency for Digital Government" in page


def test_every_footer_links_to_the_statement_also_on_the_plan_page(as_sara, client) -> None:
    plan = as_sara.get("/plan")
    assert plan.status_code == 200
    (footer,) = FOOTER.findall(text_of(plan))
    assert '<a href="/tilgaengelighed">Tilgængelighedserklæring</a>' in footer
    for path in ("/", "/sign-in", "/activate", "/tilgaengelighed"):
        (footer,) = FOOTER.findall(text_of(client.get(path)))
        assert 'href="/tilgaengelighed"' in footer, path
