"""Issue #18: what the citizen reads about an evaluation is plain Danish (LIX ≤ 30), each string alone, and
every decision has words for the caseworker and for the citizen."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from citizen_app import labels
from citizen_app.lix import lix
from citizen_app.plan_api.evaluations import DECISIONS

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "citizen_app/i18n/translations/da/LC_MESSAGES/messages.mo"
)
CITIZEN_STRINGS = [
    *(str(label._args[0]) for label in labels.EVALUATION_DECISION_CITIZEN.values()),
    "We look at the goal again",
    "What we decided on %(date)s",
    "What you said, as your caseworker wrote it",
    "What your caseworker thinks",
    "How it has moved:",
]


def test_every_decision_has_words_for_both() -> None:
    assert set(labels.EVALUATION_DECISION) == set(DECISIONS)
    assert set(labels.EVALUATION_DECISION_CITIZEN) == set(DECISIONS)


@pytest.mark.parametrize("msgid", CITIZEN_STRINGS)
def test_the_citizens_words_are_easy_danish(msgid: str) -> None:
    with CATALOGUE.open("rb") as handle:
        danish = read_mo(handle).get(msgid)
    assert danish is not None and danish.string, msgid
    text = danish.string.replace("%(date)s", "")
    assert lix(text) <= 30, (msgid, text, lix(text))
