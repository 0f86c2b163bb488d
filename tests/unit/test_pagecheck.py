"""The page checker (tests/pagecheck.py) fails on a page broken on purpose, one rule at a time, and passes the
same page unbroken: a check that cannot fail would make every test that fetches a page claim too much."""

from __future__ import annotations

import pytest

from tests.pagecheck import PageProblem, check_page

NONCE = "abc123"
CSP = f"default-src 'self'; script-src 'self' 'nonce-{NONCE}'; style-src 'self'"


def page(body: str, head: str = "") -> str:
    return (
        '<!doctype html><html lang="da" dir="ltr"><head><meta charset="utf-8"><title>Planen</title>'
        f"{head}</head><body><main><h1>Din plan</h1>{body}</main></body></html>"
    )


GOOD = page(
    '<form method="post" action="/x"><input type="hidden" name="csrf_token" value="t">'
    '<label for="t">Tekst</label><textarea id="t" name="text" aria-describedby="t-hint"></textarea>'
    '<p id="t-hint">Skriv <strong>kort</strong>.</p><label>Ja <input type="checkbox" name="ok"></label>'
    "<button>Send</button></form><ul><li>En</li></ul><dl><dt>Navn</dt><dd>Sara</dd></dl>"
    "<table><tr><th>a</th><td>b</td></tr></table><details><summary><h2>Mere</h2></summary><div>x</div>"
    "</details>",
    head=f'<script src="/static/js/a.js" nonce="{NONCE}" defer></script>',
)

BROKEN = {
    "parse error": page("<p>a</p></div>"),
    "no title": GOOD.replace("<title>Planen</title>", ""),
    "two h1": page("<h1>Igen</h1>"),
    "duplicate id": page('<p id="a">x</p><p id="a">y</p>'),
    "missing id reference": page('<p aria-describedby="nowhere">x</p>'),
    "label for nothing": page('<label for="nowhere">x</label>'),
    "unlabelled field": page('<form><input type="text" name="q"></form>'),
    "unlabelled select": page('<form><select name="s"><option>1</option></select></form>'),
    "form in form": page('<form><div><form method="get"></form></div></form>'),
    "link in button": page('<button><a href="/">x</a></button>'),
    "button in link": page('<a href="/"><button>x</button></a>'),
    "div in span": page("<span><div>x</div></span>"),
    "list in label": page('<label for="i">x<ul><li>y</li></ul></label><input id="i" name="i">'),
    "li outside a list": page("<div><li>x</li></div>"),
    "dd outside a dl": page("<div><dd>x</dd></div>"),
    "inline style": page('<p style="color:red">x</p>'),
    "inline handler": page('<p onclick="x()">x</p>'),
    "inline script": page("", head=f'<script nonce="{NONCE}">alert(1)</script>'),
    "script without nonce": page("", head='<script src="/a.js"></script>'),
    "nonce not in CSP": page("", head='<script src="/a.js" nonce="other"></script>'),
    "style element": page("", head="<style>p{}</style>"),
    "post form without CSRF": page(
        '<form method="post"><label for="n">N</label><input id="n" name="n"></form>'
    ),
}


def test_the_unbroken_page_passes() -> None:
    check_page(GOOD, "/good", csp=CSP)


@pytest.mark.parametrize("broken", list(BROKEN), ids=list(BROKEN))
def test_each_rule_fails_on_a_page_broken_on_purpose(broken: str) -> None:
    with pytest.raises(PageProblem):
        check_page(BROKEN[broken], f"/{broken}", csp=CSP)


def test_a_script_on_a_page_without_a_csp_header_fails() -> None:
    with pytest.raises(PageProblem, match="nonce"):
        check_page(GOOD, "/no-csp", csp=None)
