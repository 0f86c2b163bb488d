"""The catalogues keep to the glossary: no translation uses a variant that docs/glossary.toml forbids.

The rules are data (docs/glossary.toml, explained in docs/glossary.md), so a new string added by anyone is
checked against them too; the failure names the entry, the term and the word to use instead.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog

from citizen_app.i18n import LANGUAGES, UNREVIEWED
from citizen_app.i18n.catalogues import (
    ROOT,
    forbidden_variants,
    glossary_violations,
    read_catalogue,
)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_no_catalogue_entry_uses_a_forbidden_variant(language: str) -> None:
    violations = glossary_violations(language)
    assert not violations, "\n".join(
        ["Words the glossary forbids (docs/glossary.md):", *violations]
    )


def test_every_language_has_rules_and_every_rule_a_reason() -> None:
    rules = forbidden_variants()
    assert {rule.language for rule in rules} == set(LANGUAGES)
    assert all(rule.use and rule.why and rule.concept for rule in rules)


@pytest.mark.parametrize(
    ("language", "msgid", "msgstr", "term"),
    [
        ("ar", "My cases", "قضاياي", "قضاي"),
        ("ar", "Your caseworker", "موظف الحالة", "موظف الحالة"),
        ("ar", "relative", "قريب", "قريب"),
        ("ar", "Call us on %(phone)s.", "اتصل بنا على %(phone)s.", "%(phone)s."),
        ("ar", "Write like name@example.dk.", "اكتب مثل name@example.dk.", "name@example.dk."),
        ("ar", "Only your caseworker can end this.", "هو فقط من يستطيع إنهاء هذا.", "هو فقط"),
        ("ar", "The button “Leave this page quickly”", "الزر “غادر هذه الصفحة بسرعة”", "“"),
        ("da", "Please check this", "Tjek venligst det her", "venligst"),
        ("da", "My caseload", "Mine sager", "Mine sager"),
        (
            "da",
            "You can write %(num)s more characters.",
            "Du kan skrive %(num)s tegn mere.",
            "tegn",
        ),
        ("en", "Sign in", "Log in", "Log in"),
    ],
)
def test_a_reintroduced_variant_is_caught_and_named(language, msgid, msgstr, term) -> None:
    catalogue = Catalog(locale=language)
    catalogue.add(msgid, msgstr)
    [violation] = glossary_violations(language, catalogue)
    assert repr(msgid) in violation and repr(term) in violation


def test_a_rule_with_a_sense_leaves_other_senses_alone() -> None:
    # قريب is wrong for "relative" but right for "close to you"; "Mine sager" is right for the citizen's cases.
    catalogue = Catalog(locale="ar")
    catalogue.add("You can let a person close to you see your plan.", "شخص قريب منك")
    assert glossary_violations("ar", catalogue) == []
    catalogue = Catalog(locale="da")
    catalogue.add("My cases", "Mine sager")
    assert glossary_violations("da", catalogue) == []


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_each_catalogue_names_who_translated_it_and_whether_it_is_reviewed(language: str) -> None:
    translator = read_catalogue(language).last_translator
    assert translator and "FULL NAME" not in translator
    # The pages say "not checked by a person" exactly for the catalogues whose header says so.
    assert ("unreviewed" in translator) == (language in UNREVIEWED), translator


def test_every_rule_names_a_concept_the_glossary_explains() -> None:
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    explained = set(re.findall(r"^\| (\w[^|]*?) \|", glossary, re.M)) | set(
        re.findall(r"^### (.+)$", glossary, re.M)
    )
    missing = sorted({rule.concept for rule in forbidden_variants()} - explained)
    assert missing == [], (
        f"concepts in docs/glossary.toml without an entry in docs/glossary.md: {missing}"
    )
