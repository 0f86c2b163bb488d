"""The goal conversation: four short questions, then a page to check and change every answer, then send.

The first answer becomes the goal in the person's own words; the others travel with it as notes, each tagged
with its question, so the caseworker sees the whole thought (docs/plan-api.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

ANSWER_MAX = 500


@dataclass(frozen=True)
class Step:
    code: str
    question: LazyString
    hint: LazyString
    required: bool
    # The short label on the check page.
    label: LazyString


STEPS: tuple[Step, ...] = (
    Step(
        "goal",
        _l("What do you want to work towards?"),
        _l("Write it in your own words. For example: “I want to shop on my own.”"),
        True,
        _l("Your goal"),
    ),
    Step(
        "different",
        _l("What will be different when you get there?"),
        _l("Think of a normal day. What would you do then that you do not do now?"),
        False,
        _l("What will be different"),
    ),
    Step(
        "first-sign",
        _l("What could be a first small sign that you are on the way?"),
        _l("Something small that you or others could notice."),
        False,
        _l("A first small sign"),
    ),
    Step(
        "helpers",
        _l("Who could help you?"),
        _l("For example a person close to you, your support worker or your caseworker."),
        False,
        _l("Who could help"),
    ),
)

CODES = tuple(step.code for step in STEPS)
CHECK = "check"


def step(code: str) -> Step | None:
    return next((s for s in STEPS if s.code == code), None)


def following(code: str) -> str:
    index = CODES.index(code)
    return CODES[index + 1] if index + 1 < len(CODES) else CHECK


def preceding(code: str) -> str | None:
    index = CODES.index(code) if code in CODES else len(CODES)
    return CODES[index - 1] if index > 0 else None
