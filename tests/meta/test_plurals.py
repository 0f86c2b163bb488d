"""Counts in sentences read right in every language: each plural entry, rendered from the compiled catalogue
for 0, 1, 2, 3, 11 and 100, gives a whole sentence with the number (Arabic's six forms included), and no count
is formatted into a sentence without ngettext."""

from __future__ import annotations

import re

import pytest
from babel.support import Translations

from citizen_app.i18n import LANGUAGES, TRANSLATIONS
from citizen_app.i18n.catalogues import extracted_ids, read_catalogue

SAMPLES = (0, 1, 2, 3, 11, 100)
# Arabic (CLDR, and the catalogue's Plural-Forms): 0 zero, 1 one, 2 two, 3–10 few, 11–99 many, 100+ other.
ARABIC_FORM = {0: 0, 1: 1, 2: 2, 3: 3, 11: 4, 100: 5}
# In Arabic the forms for one and two may say the number in the noun itself (حرفًا واحدًا, حرفين).
SPELLED_OUT = {("ar", 1), ("ar", 2)}
# A number directly before a counted noun in an English msgid: that sentence needs ngettext.
COUNTED = re.compile(
    r"(?:%\(\w+\)d|%\(num\)s) (?:more |other )?(?:minute|day|hour|week|month|year|item|character|answer|citizen|"
    r"entr|device|sign|message|goal|meeting|complaint|time)"
)


class _Values(dict):
    """Any other placeholder of a plural string (%(start)s, %(latest)s …) gets a stand-in."""

    def __missing__(self, key: str) -> str:
        return f"<{key}>"


def _plural_ids() -> list[tuple[str, str]]:
    return sorted(m.id for m in read_catalogue("en") if m.id and isinstance(m.id, tuple))


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_plural_string_renders_for_every_sample_count(language: str) -> None:
    translations = Translations.load(str(TRANSLATIONS), [language])
    catalogue = read_catalogue(language)
    plural_ids = _plural_ids()
    assert plural_ids, "no plural entries found"
    for singular, plural in plural_ids:
        forms = catalogue.get(singular).string
        assert len(forms) == catalogue.num_plurals, (language, singular)
        for n in SAMPLES:
            text = translations.ngettext(singular, plural, n) % _Values(num=n)
            assert "%(" not in text and text.strip(), (language, singular, n, text)
            if "%(num)" in plural and (language, n) not in SPELLED_OUT:
                assert re.search(rf"(?<!\d){n}(?!\d)", text), (language, singular, n, text)
            if language == "ar":
                assert text == forms[ARABIC_FORM[n]] % _Values(num=n), (singular, n, text)


def test_arabic_catalogue_has_six_forms_and_they_differ_where_the_grammar_does() -> None:
    catalogue = read_catalogue("ar")
    assert catalogue.num_plurals == 6
    for singular, _plural in _plural_ids():
        forms = catalogue.get(singular).string
        # dual (2), plural (3–10) and accusative singular (11–99) are three different words in Arabic
        assert len({forms[2], forms[3], forms[4]}) == 3, (singular, forms)


def test_the_idle_minutes_read_right_in_arabic() -> None:
    translations = Translations.load(str(TRANSLATIONS), ["ar"])
    singular = "For your safety you are signed out after %(num)d minute without activity."
    plural = "For your safety you are signed out after %(num)d minutes without activity."
    said = {n: translations.ngettext(singular, plural, n) % {"num": n} for n in (2, 3, 11, 30)}
    assert "دقيقتين" in said[2]
    assert "3 دقائق" in said[3]
    assert "11 دقيقة" in said[11] and "30 دقيقة" in said[30]


def test_no_count_is_formatted_into_a_sentence_without_ngettext() -> None:
    plural_singulars = {singular for singular, _plural in _plural_ids()}
    offenders = sorted(
        msgid
        for msgid in extracted_ids()
        if COUNTED.search(msgid) and msgid not in plural_singulars
    )
    assert offenders == [], offenders
