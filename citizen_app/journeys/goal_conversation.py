"""The goal conversation: four short questions, then a page to check and change every answer, then send.

The first answer becomes the goal in the person's own words; the others travel with it as notes, each tagged
with its question, so the caseworker sees the whole thought (docs/plan-api.md).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from . import Journey, Step

ANSWER_MAX = 500

JOURNEY = Journey(
    (
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
    ),
    answer_max=ANSWER_MAX,
)

STEPS = JOURNEY.steps
CODES = JOURNEY.codes
step = JOURNEY.step
