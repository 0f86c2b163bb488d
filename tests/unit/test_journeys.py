"""The step machine both guided conversations run on (citizen_app/journeys): the order of the questions, the
check page after the last, and the first required question left empty."""

from __future__ import annotations

from citizen_app.journeys import CHECK, gas_levels, goal_conversation


def test_the_goal_conversation_goes_through_its_four_questions_then_to_the_check_page() -> None:
    journey = goal_conversation.JOURNEY
    assert journey.codes == ("goal", "different", "first-sign", "helpers")
    assert journey.first == "goal"
    assert [journey.following(c) for c in journey.codes] == [
        "different",
        "first-sign",
        "helpers",
        CHECK,
    ]
    assert [journey.preceding(c) for c in journey.codes] == [
        None,
        "goal",
        "different",
        "first-sign",
    ]
    assert journey.preceding(CHECK) == "helpers"
    assert [journey.number(c) for c in journey.codes] == [1, 2, 3, 4]
    assert journey.step("nope") is None and journey.step(CHECK) is None
    assert journey.codes == goal_conversation.CODES and goal_conversation.step("goal").label


def test_the_levels_are_asked_from_where_the_person_is_now() -> None:
    journey = gas_levels.JOURNEY
    assert journey.codes == ("less", "expected", "better", "much-better", "much-less")
    assert journey.following("much-less") == CHECK and journey.preceding("less") is None
    assert journey.answer_max == 500
    assert journey.missing({}) == "less"
    assert journey.missing({"less": "Nu", "expected": "  "}) == "expected"
    assert journey.missing({"less": "Nu", "expected": "Selv"}) is None
