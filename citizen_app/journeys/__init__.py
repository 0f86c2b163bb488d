"""Guided flows: one short question per page, answers kept as a draft at every step.

The step machine both conversations run on: a `Journey` is its questions in the order asked, then a page to
check and change every answer (CHECK), then send. The goal conversation (goal_conversation.py) and the levels
of a goal in the person's own words (gas_levels.py) are two journeys; the views keep the drafts and the URLs
(views/citizen/journey.py answers a question page's buttons for both).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString

# The code of the page after the last question: every answer, to check and change, then send.
CHECK = "check"


@dataclass(frozen=True)
class Step:
    code: str
    question: LazyString
    hint: LazyString
    required: bool
    # The short label on the check page (None where the check page names the step another way).
    label: LazyString | None = None


@dataclass(frozen=True)
class Journey:
    steps: tuple[Step, ...]
    answer_max: int  # characters in one answer

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.steps)

    @property
    def first(self) -> str:
        return self.steps[0].code

    def step(self, code: str) -> Step | None:
        return next((s for s in self.steps if s.code == code), None)

    def number(self, code: str) -> int:
        """The question's place, from 1 ("Question 2 of 5")."""
        return self.codes.index(code) + 1

    def following(self, code: str) -> str:
        index = self.codes.index(code)
        return self.codes[index + 1] if index + 1 < len(self.codes) else CHECK

    def preceding(self, code: str) -> str | None:
        index = self.codes.index(code) if code in self.codes else len(self.codes)
        return self.codes[index - 1] if index > 0 else None

    def missing(self, answers: dict[str, str]) -> str | None:
        """The first required question with no answer (spaces are none), if any."""
        return next(
            (s.code for s in self.steps if s.required and not answers.get(s.code, "").strip()), None
        )
