"""The levels of a goal in the person's own words (Goal Attainment Scaling): five short questions, one per level,
then a page to check and change every answer, then save (services/gas.py sends them as an update of the Goal).
Each step's code is the level it writes; the check page names it by labels.GAS_LEVEL_SHORT.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from . import Journey, Step

# One question per page, in the order asked: where I am now, what reached looks like, then the others.
JOURNEY = Journey(
    (
        Step(
            "less",
            _l("Where are you now with this goal?"),
            _l(
                "Describe an ordinary week as it is today. For example: “I shop only when my sister drives me.”"
            ),
            True,
        ),
        Step(
            "expected",
            _l("What does it look like when you have reached the goal?"),
            _l(
                "What do you do then that you do not do now? For example: “I shop on my own twice a week.”"
            ),
            True,
        ),
        Step(
            "better",
            _l("What would it look like if it went a bit better than that?"),
            _l("A bit more than the goal. For example: “I also cook a meal for my sister.”"),
            False,
        ),
        Step(
            "much-better",
            _l("What would it look like if it went much better?"),
            _l("The best you can imagine. For example: “I also shop for my neighbour.”"),
            False,
        ),
        Step(
            "much-less",
            _l("What would it look like if it went worse than now?"),
            _l(
                "So that you and your caseworker can see it in time. For example: “I do not go out at all.”"
            ),
            False,
        ),
    ),
    answer_max=500,
)
