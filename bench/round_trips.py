"""Round trips to the portal's PostgreSQL per view: pool checkouts (each with its pre-ping), BEGIN, statements,
COMMIT and ROLLBACK, for a repeat visit of the plan page (3 goals), the caseload (50 citizens) and the team page;
then the portal's own CPU time per view (process time, 200 views) of a bare route and the plan page.

    .venv/bin/python bench/round_trips.py

In one process (the Flask test client), against the reference plan service in its own process, on a fresh
PostgreSQL database (bench/_stack.py). Counts, not times: they do not depend on the machine's load.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stack import running_stack
from sqlalchemy import event

from citizen_app import db
from citizen_app.views._guard import public


def main() -> int:
    with running_stack() as stack:
        citizen = stack.build_citizen(goals=3, signs=6, name="Lille Plan")
        caseworker, _ = stack.build_unit(1, 50)
        # The bare route of bench/_wsgi.py (the same app and middleware, no work), added before any request.
        stack.app.add_url_rule("/bench/bare", "bench_bare", public(lambda: "ok"))
        engine = db.engine(stack.app)
        seen: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *_a: seen.append("statement"))
        for name in ("begin", "commit", "rollback"):
            event.listen(engine, name, lambda _c, name=name: seen.append(name))
        event.listen(engine.pool, "checkout", lambda *_a: seen.append("checkout + ping"))
        views = [
            ("plan page, 3 goals", "/plan", stack.cookie(citizen.account_id)),
            ("caseload, 50 citizens", "/caseworker/", stack.cookie(caseworker)),
            ("team page", "/caseworker/team", stack.cookie(caseworker)),
        ]
        for label, path, cookie in views:
            client = stack.app.test_client()
            name, _, value = cookie.partition("=")
            client.set_cookie(name, value)
            for _ in range(3):  # first reads fill the snapshot, the cache and the read model
                client.get(path)
            seen.clear()
            status = client.get(path).status_code
            counts = Counter(seen)
            parts = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
            print(f"{label:<24} {status}  {sum(counts.values()):>3} round trips ({parts})")
        client = stack.app.test_client()
        name, _, value = stack.cookie(citizen.account_id).partition("=")
        client.set_cookie(name, value)
        for path in ("/bench/bare", "/plan"):
            for _ in range(5):
                client.get(path)
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(200):
                client.get(path, headers={"Accept-Encoding": "br, gzip"})
            cpu_ms = (time.process_time() - cpu) * 1000 / 200
            wall_ms = (time.perf_counter() - wall) * 1000 / 200
            print(f"{path:<24} portal CPU {cpu_ms:.2f} ms per view, wall {wall_ms:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
