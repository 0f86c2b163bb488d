from __future__ import annotations

import random

from citizen_app.outbox import backoff_delay


def test_backoff_grows_is_jittered_and_capped() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(n, base=2.0, cap=60.0, rng=rng) for n in range(1, 10)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(60.0, 2.0 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 60.0
    # Two dispatchers that failed at the same moment do not retry in lockstep.
    assert len({round(backoff_delay(3, 2.0, 60.0, random.Random(s)), 6) for s in range(20)}) > 15
