"""Many people at once over a mix of citizen and caseworker pages: does anything answer with an error?

    .venv/bin/python bench/load.py [--connections 50] [--seconds 60] [--citizens 20]

gunicorn with 2 sync workers on PostgreSQL, the reference plan service in its own process (bench/_stack.py).
Built through the plan API: one caseworker with --citizens citizens, each with a proposed goal and a message
waiting, each with a portal account and a signed-in session. Then --connections clients for --seconds, with
no warm-up, so first reads of the same plan race (the snapshot insert of issue 12):
- four in five are citizens, two clients per citizen, going round /plan, /messages, /cases, /meetings,
  /who-has-looked and a POST of the goal conversation's first answer (the draft, saved by both clients of a
  citizen at about the same time);
- one in five is the caseworker, going round the caseload and each citizen's page.

Prints requests, errors, p50 and p99 per page; an error is any answer that is not 200 (303 for the POST), or no
answer. The target is 0 errors. Exits 1 when there are errors.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from collections import defaultdict
from html import unescape
from itertools import cycle
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stack import percentile, running_stack
from throughput import commit, uptime

CITIZEN_PAGES = [
    "/plan",
    "/messages",
    "/cases",
    "/meetings",
    "/who-has-looked",
    "POST /goals/new/goal",
]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--citizens", type=int, default=20)
    args = parser.parse_args()

    print(f"commit {commit()}; load before: {uptime()}", flush=True)
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()
    with running_stack() as stack:
        caseworker, citizens = stack.build_unit(1, args.citizens, citizen_accounts=True)
        stack.start_portal(workers=2)
        staff = stack.cookie(caseworker)
        cookies = [stack.cookie(c.account_id) for c in citizens]
        patient_ids = [c.patient_ref.split("/", 1)[1] for c in citizens]
        deadline = time.perf_counter() + args.seconds

        def record(page: str, began: float, problem: str | None) -> None:
            with lock:
                if problem:
                    errors[page].append(problem)
                else:
                    latencies[page].append(time.perf_counter() - began)

        def ask(http: httpx.Client, page: str, path: str, expect: int = 200, **kw) -> str:
            began = time.perf_counter()
            try:
                method = "POST" if "data" in kw else "GET"
                response = http.request(method, path, **kw)
                problem = None if response.status_code == expect else str(response.status_code)
                record(page, began, problem)
                return response.text
            except httpx.HTTPError as exc:
                record(page, began, type(exc).__name__)
                return ""

        def citizen(n: int) -> None:
            headers = {"Cookie": cookies[n % len(cookies)], "Accept-Language": "da"}
            with httpx.Client(base_url=stack.base_url, headers=headers, timeout=120) as http:
                for page in cycle(CITIZEN_PAGES[n % len(CITIZEN_PAGES) :] + CITIZEN_PAGES):
                    if time.perf_counter() >= deadline:
                        return
                    if page.startswith("POST "):
                        form = http.get("/goals/new/goal").text
                        token = TOKEN.search(form)
                        data = {
                            "csrf_token": unescape(token.group(1)) if token else "",
                            "answer": "Jeg vil gerne kunne handle ind selv.",
                            "go": "next",
                        }
                        ask(http, page, "/goals/new/goal", 303, data=data)
                    else:
                        ask(http, page, page)

        def staff_member(n: int) -> None:
            headers = {"Cookie": staff, "Accept-Language": "da"}
            with httpx.Client(base_url=stack.base_url, headers=headers, timeout=120) as http:
                for i in cycle(range(len(patient_ids))):
                    if time.perf_counter() >= deadline:
                        return
                    if (i + n) % 2 == 0:
                        ask(http, "/caseworker/ (caseload)", "/caseworker/")
                    else:
                        patient = patient_ids[(i + n) % len(patient_ids)]
                        ask(http, "/caseworker/citizens/<id>", f"/caseworker/citizens/{patient}")

        staff_count = max(1, args.connections // 5)
        threads = [
            threading.Thread(target=staff_member if i < staff_count else citizen, args=(i,))
            for i in range(args.connections)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        log = (stack.tmp / "gunicorn.log").read_text(errors="replace")
        tracebacks = log.count("Traceback")

    print(
        f"\n{args.connections} connections for {args.seconds:g} s ({elapsed:.0f} s with the last answers), "
        f"gunicorn 2 sync workers, PostgreSQL; {args.citizens} citizens, one caseworker"
    )
    print(f"{'page':<28}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}  statuses of errors")
    total = failed = 0
    for page in sorted(set(latencies) | set(errors)):
        ok, bad = latencies[page], errors[page]
        total, failed = total + len(ok) + len(bad), failed + len(bad)
        kinds = ", ".join(f"{k} ×{bad.count(k)}" for k in sorted(set(bad)))
        print(
            f"{page:<28}{len(ok) + len(bad):>9}{len(bad):>8}"
            f"{percentile(ok, 0.5) * 1000:>9.0f}{percentile(ok, 0.99) * 1000:>9.0f}  {kinds}"
        )
    print(f"{'all':<28}{total:>9}{failed:>8}")
    print(f"tracebacks in the gunicorn log: {tracebacks}")
    print(f"load after: {uptime()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
