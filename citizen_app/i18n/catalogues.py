"""Catalogue checks and upkeep, used by `make i18n` and by the tests.

`python -m citizen_app.i18n.catalogues fill-source en` copies each English msgid into its msgstr: the source
language's catalogue is complete by definition, and keeping it as a real catalogue lets the same completeness
test run over every language.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from . import TRANSLATIONS

ROOT = TRANSLATIONS.parent.parent.parent
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}
METHODS = [("citizen_app/**.py", "python"), ("templates/**.html", "jinja2")]


def catalogue_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def extracted_ids() -> set[str]:
    """Every msgid in the source as it is now (not as the committed .pot says)."""
    ids: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def problems(language: str) -> list[str]:
    catalogue = read_catalogue(language)
    found: list[str] = []
    present = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    found += [f"missing: {mid!r}" for mid in sorted(extracted_ids() - present)]
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            found.append(f"untranslated: {message.id!r}")
    return found


GLOSSARY_RULES = ROOT / "docs" / "glossary.toml"


@dataclass(frozen=True)
class Forbidden:
    """One forbidden variant from docs/glossary.toml (docs/glossary.md explains each)."""

    language: str
    concept: str
    term: re.Pattern[str]
    where: re.Pattern[str] | None
    use: str
    why: str


def forbidden_variants(path: Path = GLOSSARY_RULES) -> list[Forbidden]:
    with path.open("rb") as handle:
        entries = tomllib.load(handle)["forbidden"]
    return [
        Forbidden(
            language=e["language"],
            concept=e["concept"],
            term=re.compile(e["term"]),
            where=re.compile(e["where"]) if e.get("where") else None,
            use=e["use"],
            why=e["why"],
        )
        for e in entries
    ]


def glossary_violations(language: str, catalogue: Catalog | None = None) -> list[str]:
    """Every catalogue entry whose translation uses a forbidden variant, as one readable line each:
    which entry (msgid), which term it used, and what the glossary says to write instead."""
    catalogue = catalogue if catalogue is not None else read_catalogue(language)
    rules = [rule for rule in forbidden_variants() if rule.language == language]
    found: list[str] = []
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else " / ".join(message.id)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for rule in rules:
            if rule.where and not rule.where.search(msgid):
                continue
            for string in strings:
                match = rule.term.search(string or "")
                if match:
                    found.append(
                        f"{language}: {msgid!r} uses {match.group(0)!r} ({rule.concept}: write {rule.use};"
                        f" {rule.why}) in {string!r}"
                    )
                    break
    return found


def fill_source(language: str) -> None:
    catalogue = read_catalogue(language)
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and not all(strings):
            message.string = message.id  # a plural's (singular, plural) pair is its own translation
        message.flags.discard("fuzzy")
    with catalogue_path(language).open("wb") as handle:
        write_po(handle, catalogue, width=100)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "fill-source":
        fill_source(sys.argv[2])
    else:
        sys.exit("usage: python -m citizen_app.i18n.catalogues fill-source LANGUAGE")
