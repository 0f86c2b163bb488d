"""Plain Danish on every citizen-facing page: LIX of the portal's own copy, and hard words explained.

What is measured (docs/accessibility.md): each page is fetched in Danish (signed in as Sara; the sign-in and
activation pages as a visitor, as citizens meet them), reduced to the text a sighted reader sees
(`citizen_app.lix.visible_text`), and then only the portal's *own copy* is kept: the Danish strings of the
compiled catalogue that the page actually shows. Goals, notes, agreements, services, names and dates come
from the plan and are left out, whoever wrote them. Placeholders in a string (%(name)s, %(date)s …) count as
nothing, which can only raise the score a little. Each string counts once per page, however often it shows.

Run with `pytest -s` to see every page's figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo

from citizen_app import db
from citizen_app.lix import is_long, lix, sentences, visible_text, words
from citizen_app.services.plan_reading import read_plan
from tests.helpers import post_form

# The highest LIX a page's own copy may have. 30 is "easy" on the Danish scale (25–34), the level of
# easy-reading books; see docs/accessibility.md before raising it (never above 35, and never silently).
THRESHOLD = 30.0

# Words a citizen may not know. Wherever one shows on a page (in any form: "indsatsen", "myndigheder"), one of
# the listed strings (English msgids) must explain it on that same page.
EXPLAINED_BY: dict[str, tuple[str, ...]] = {
    "indsats": (
        "The municipality calls this help an “indsats”. Each one is given by a provider you can contact.",
    ),
    "myndighed": (),  # no page uses it yet; add the msgid of an explanation with the first page that does
}

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "citizen_app/i18n/translations/da/LC_MESSAGES/messages.mo"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")
SHORT = 3  # strings of fewer words than this only count when they make up a line on their own


@dataclass(frozen=True)
class Copy:
    text: str  # the Danish string, placeholders left out
    pattern: re.Pattern[str]


def _catalogue() -> Catalog:
    with CATALOGUE.open("rb") as handle:
        return read_mo(handle)


def _pattern(msgstr: str) -> re.Pattern[str] | None:
    """A Danish string as it can appear in a page's text: placeholders inside match anything, placeholders
    at either end are left off, whitespace is flexible; a short string must fill its line."""
    parts = [p.strip() for p in PLACEHOLDER.split(" ".join(msgstr.split()))]
    while parts and not parts[0]:
        parts.pop(0)
    while parts and not parts[-1]:
        parts.pop()
    if not parts or not words(" ".join(parts)):
        return None
    body = r"\s*.+?\s*".join(r"\s+".join(map(re.escape, p.split())) for p in parts)
    if len(words(" ".join(parts))) < SHORT:
        return re.compile(rf"^[\W\d]*{body}[\W\d]*$")
    return re.compile(rf"(?<!\w){body}(?!\w)")


def _copies(catalogue: Catalog) -> list[Copy]:
    found: dict[str, Copy] = {}
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for string in strings:
            pattern = _pattern(string or "")
            if pattern is not None:
                text = " ".join(PLACEHOLDER.sub(" ", string).split())
                found.setdefault(string, Copy(text, pattern))
    # Longest first: a short string never counts inside a longer one that is already found there.
    return sorted(found.values(), key=lambda c: -len(c.pattern.pattern))


def own_copy(visible: str, copies: list[Copy]) -> list[str]:
    """The catalogue strings this page shows, each once, in the order of their length."""
    lines = visible.splitlines()
    shown: list[str] = []
    for copy in copies:
        for index, line in enumerate(lines):
            while (match := copy.pattern.search(line)) and match.end() > match.start():
                if copy.text not in shown:
                    shown.append(copy.text)
                # Blank it out, so that no shorter string is found again inside it.
                line = f"{line[: match.start()]} \x00 {line[match.end() :]}"
            lines[index] = line
    return shown


def _pages(app, client, demo) -> dict[str, str]:
    """Every citizen-facing page in Danish, as HTML, by a short name."""
    with app.app_context():
        plan = read_plan(db.session(), demo["sara"].fhir_ref).plan
        goal_id = plan.goals[0].id
        meeting_id, earlier_meeting_id = plan.meetings[-1].id, plan.meetings[0].id
    client.set_cookie("lang", "da")
    get = {
        "/": "/",
        "/plan": "/plan",
        "goal page": f"/plan/goals/{goal_id}",
        "progress sign form": f"/plan/goals/{goal_id}/progress",
        "goal question 1": "/goals/new/goal",
    }
    pages = {name: client.get(path) for name, path in get.items()}
    # The first question answered: the check page needs it, and the later steps follow it.
    answered = post_form(client, "/goals/new/goal", {"answer": "Jeg vil gå en tur", "go": "next"})
    assert answered.status_code == 303
    for name, path in {
        "goal question 2": "/goals/new/different",
        "goal question 3": "/goals/new/first-sign",
        "goal question 4": "/goals/new/helpers",
        "goal check page": "/goals/new/check",
        "/messages": "/messages",
        "/messages/new": "/messages/new",
        "/delegations": "/delegations",
        "/delegations/new": "/delegations/new",
        "/who-has-looked": "/who-has-looked",
        "/my-data": "/my-data",
        "/account/passkeys": "/account/passkeys",
        "/tilgaengelighed": "/tilgaengelighed",
        "/cases": "/cases",
        "/meetings": "/meetings",
        "meeting question 1": f"/meetings/{meeting_id}/prepare/goals",
        "meeting question 2": f"/meetings/{meeting_id}/prepare/topics",
        "meeting question 3": f"/meetings/{meeting_id}/prepare/bring",
        "/complaints/new": "/complaints/new",
        "contact feedback": f"/feedback/meeting/{earlier_meeting_id}",
    }.items():
        pages[name] = client.get(path)
    post_form(client, f"/meetings/{meeting_id}/prepare/topics", {"answer": "Min bolig"})
    pages["meeting check page"] = client.get(f"/meetings/{meeting_id}/prepare/check")
    sent = post_form(client, "/complaints/new", {"text": "Jeg venter for længe"})
    pages["complaint receipt"] = client.get(sent.headers["Location"])
    visitor = app.test_client()
    visitor.set_cookie("lang", "da")
    for name, path in {
        "/ (visitor)": "/",
        "/sign-in (visitor)": "/sign-in",
        "/activate (visitor)": "/activate",
    }.items():
        pages[name] = visitor.get(path)
    html = {}
    for name, response in pages.items():
        assert response.status_code == 200, f"{name}: {response.status_code}"
        body = response.get_data(as_text=True)
        assert '<html lang="da"' in body, f"{name} is not in Danish"
        html[name] = body
    return html


def _hardest(copy: list[str], count: int = 5) -> list[str]:
    """The strings that push a page's LIX up most: many long words, long sentences."""
    scored = [(lix(text), text) for text in copy if len(words(text)) >= SHORT]
    return [f"{score:5.1f}  {text}" for score, text in sorted(scored, reverse=True)[:count]]


def test_every_citizen_page_is_easy_to_read(app, as_sara, demo) -> None:
    copies = _copies(_catalogue())
    scores: dict[str, float] = {}
    report: list[str] = []
    too_hard: list[str] = []
    for name, body in _pages(app, as_sara, demo).items():
        copy = own_copy(visible_text(body), copies)
        assert copy, f"{name}: no catalogue string found; is the catalogue compiled (make i18n)?"
        text = "\n".join(copy)
        scores[name] = score = lix(text)
        long_share = 100 * sum(1 for w in words(text) if is_long(w)) / len(words(text))
        report.append(
            f"{name:24} LIX {score:5.1f}  ({len(words(text))} words, {len(sentences(text))} sentences, "
            f"{long_share:.0f} % long words, {len(copy)} strings)"
        )
        if score > THRESHOLD:
            too_hard.append(f"{name}: LIX {score:.1f}\n    " + "\n    ".join(_hardest(copy)))
    print(f"\nLIX of the portal's own Danish copy, per page (threshold {THRESHOLD:.0f}):")
    print("\n".join(report))
    assert not too_hard, "Pages above the LIX threshold, and their hardest strings:\n" + "\n".join(
        too_hard
    )


def test_hard_words_are_explained_where_they_appear(app, as_sara, demo) -> None:
    catalogue = _catalogue()
    unexplained: list[str] = []
    for name, body in _pages(app, as_sara, demo).items():
        text = " ".join(visible_text(body).split()).lower()
        for term, msgids in EXPLAINED_BY.items():
            if term not in text:
                continue
            explanations = [" ".join(str(catalogue.get(m).string).split()) for m in msgids]
            if not any(e.lower() in text for e in explanations if e):
                unexplained.append(f"{name}: uses “{term}” without explaining it")
    assert unexplained == []


def test_the_plan_page_explains_indsats() -> None:
    """The check above only means something if the explanation exists and names the word."""
    catalogue = _catalogue()
    (msgid,) = EXPLAINED_BY["indsats"]
    assert "indsats" in str(catalogue.get(msgid).string)


def test_own_copy_leaves_out_what_people_wrote() -> None:
    copies = _copies(_catalogue())
    page = "Min plan\nJeg vil kunne handle ind selv, uden at jeg går i panik i køen.\nDine mål"
    shown = own_copy(page, copies)
    assert "Min plan" in shown
    assert not any("panik" in s for s in shown)
