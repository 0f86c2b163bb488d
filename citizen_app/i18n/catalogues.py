"""Catalogue checks and upkeep, used by `make i18n` and by the tests.

`python -m citizen_app.i18n.catalogues fill-source en` copies each English msgid into its msgstr: the source
language's catalogue is complete by definition, and keeping it as a real catalogue lets the same completeness
test run over every language.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from . import TRANSLATIONS

ROOT = TRANSLATIONS.parent.parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
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
