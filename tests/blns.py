"""The Big List of Naughty Strings (shared/data/blns, MIT), beside the repository: the hostile strings every
free-text field is tried with.

The tests that send the whole corpus through the portal are marked `blns`. They are the slowest of the suite
(thousands of requests each), and what they can find that depends on the database is in the portal's
database: `make test` runs them once, on PostgreSQL when it has one (TEST_DATABASE_URL, as CI does), and on
SQLite otherwise (Makefile)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citizen_app.forms.common import CONTROL_CHARACTERS

BLNS = Path(__file__).resolve().parents[2] / "shared" / "data" / "blns" / "blns.json"


def every() -> list[str]:
    """Every string of the corpus (blank ones too). Never a skip: a green run must mean they went through."""
    if not BLNS.exists():
        pytest.fail(f"the hostile-strings corpus is missing: {BLNS}")
    return list(json.loads(BLNS.read_text(encoding="utf-8")))


def strings() -> list[str]:
    """The strings with something in them."""
    return [s for s in every() if s.strip()]


def savable() -> list[str]:
    """The strings a person can save: those with control characters are refused with a message."""
    return [s for s in strings() if not CONTROL_CHARACTERS.search(s)]


def refused() -> list[str]:
    """The strings with control characters (NUL, ESC, …)."""
    return [s for s in strings() if CONTROL_CHARACTERS.search(s)]
