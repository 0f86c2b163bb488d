"""What each plan-API answer means for an outbox row (docs/plan-api.md, "What the outbox does with each answer")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from citizen_app.outbox.classify import MalformedAnswer, Verdict, classify, retry_after
from citizen_app.plan_api import PlanAPIUnavailable
from citizen_app.plan_api.client import _error_for


def _answer(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, json={"resourceType": "OperationOutcome"})


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (500, Verdict.UNAVAILABLE),
        (502, Verdict.UNAVAILABLE),
        (503, Verdict.UNAVAILABLE),
        (408, Verdict.UNAVAILABLE),
        (429, Verdict.UNAVAILABLE),
        (401, Verdict.HOLD),
        (403, Verdict.HOLD),
        (400, Verdict.REFUSED),
        (404, Verdict.REFUSED),
        (409, Verdict.REFUSED),
        (410, Verdict.REFUSED),
        (412, Verdict.REFUSED),
        (422, Verdict.REFUSED),
    ],
)
def test_each_status_has_one_verdict(status: int, verdict: Verdict) -> None:
    assert classify(_error_for(_answer(status))) is verdict


def test_transport_errors_and_malformed_successes() -> None:
    assert (
        classify(PlanAPIUnavailable("plan API unreachable (ConnectError)")) is Verdict.UNAVAILABLE
    )
    assert classify(MalformedAnswer("malformed answer: no valid id")) is Verdict.REFUSED


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after(_error_for(_answer(429, **{"Retry-After": "7"}))) == 7.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    wait = retry_after(_error_for(_answer(503, **{"Retry-After": later})))
    assert wait is not None and 80 <= wait <= 91
    assert retry_after(_error_for(_answer(429, **{"Retry-After": "soon"}))) is None
    assert retry_after(_error_for(_answer(429))) is None
