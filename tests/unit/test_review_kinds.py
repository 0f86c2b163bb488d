"""Every kind of item that can wait for a caseworker has words, and the caseload lists them in one order."""

from __future__ import annotations

from citizen_app import labels
from citizen_app.services.review import KINDS


def test_each_review_kind_has_words_in_the_order_pages_list_them() -> None:
    assert tuple(labels.REVIEW_KIND) == KINDS
