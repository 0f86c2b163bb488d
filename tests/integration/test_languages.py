"""The three languages: Danish by default, English and Arabic complete, Arabic right to left."""

from __future__ import annotations

import re


def test_arabic_by_accept_language_is_right_to_left(as_sara) -> None:
    page = as_sara.get("/plan", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    # No English msgid leaked through: the page's own words are Arabic.
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert re.search(r"[\u0600-\u06FF]", heading), heading


def test_arabic_pages_say_by_the_language_switch_that_no_person_checked_them(as_sara) -> None:
    arabic = as_sara.get("/plan", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    header = re.search(r'<header class="site-header">(.*?)</header>', arabic, re.S).group(1)
    note = re.search(r'<p class="language-note" data-translation-unreviewed>(.*?)</p>', header)
    assert note and "بمساعدة آلة" in note.group(1)
    # right after the language switch (which is in the Menu when signed in)
    assert header.index('class="language-switch"') < header.index("language-note")
    for language in ("da", "en"):
        page = as_sara.get("/plan", headers={"Accept-Language": language}).get_data(as_text=True)
        assert "data-translation-unreviewed" not in page, language


def test_the_counter_carries_every_plural_form_of_the_page_language(as_sara) -> None:
    arabic = as_sara.get("/goals/new/goal", headers={"Accept-Language": "ar"}).get_data(
        as_text=True
    )
    left = dict(re.findall(r'data-left-(\w+)="([^"]*)"', arabic))
    assert left == {
        "zero": "بقي لك %(num)s حرف.",
        "one": "بقي لك حرف واحد.",
        "two": "بقي لك حرفان.",
        "few": "بقي لك %(num)s أحرف.",
        "many": "بقي لك %(num)s حرفًا.",
        "other": "بقي لك %(num)s حرف.",
    }
    danish = as_sara.get("/goals/new/goal", headers={"Accept-Language": "da"}).get_data(
        as_text=True
    )
    assert 'data-left-one="Du kan skrive %(num)s bogstav mere."' in danish
    assert 'data-left-other="Du kan skrive %(num)s bogstaver mere."' in danish
    assert "Du kan skrive op til 500 bogstaver." in danish
