"""Requests per second and latency of the plan page, the caseload and the team page against a bare route.

    .venv/bin/python bench/throughput.py [--seconds 8] [--rounds 3] [--concurrency 8]
                                         [--signs 2000] [--caseload 50] [--team 1000]

gunicorn with 2 sync workers on PostgreSQL, the reference plan service in its own process (bench/_stack.py).
Built through the plan API first: a citizen with 3 goals, one with 100 goals (and --signs progress signs), and
a unit of --team citizens (--team / --caseload caseworkers, each with --caseload citizens, each citizen with a
proposed goal and a message waiting). Then, interleaved route by route for --rounds rounds, each route is
asked by --concurrency clients at once for --seconds: the bare route (bench/_wsgi.py: the same app and
middleware, a signed-in session, no work), the plan page with 3 goals and with 100 goals (as the citizen),
the caseload of the first caseworker and the team page (as that caseworker). Each route is visited a few
times before the clock starts (first reads fill the portal's snapshot and cache in both workers: what is
measured is the repeat visit, a 304 from the plan API).

Prints requests, req/s, p50 and p99 per route, each route's req/s as a ratio to the bare route, and the
issue's targets. The machine's load (uptime) is printed before and after: other people's work on the same
cores changes every figure, which is why the routes are interleaved and the ratios are the result.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cpu import CpuMeter
from _stack import percentile, running_stack


@dataclass
class Route:
    label: str
    path: str
    cookie: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def phase(base_url: str, route: Route, concurrency: int, seconds: float) -> None:
    """`concurrency` clients ask for the route again and again until `seconds` have passed; requests that
    started in time are counted, and the phase lasts until the last of them has its answer."""
    started = time.perf_counter()
    deadline = started + seconds
    lock = threading.Lock()
    ends: list[float] = []

    def client() -> None:
        headers = {"Cookie": route.cookie, "Accept-Language": "da", "Accept-Encoding": "br, gzip"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=300) as http:
            while time.perf_counter() < deadline:
                begin = time.perf_counter()
                try:
                    ok = http.get(route.path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                end = time.perf_counter()
                with lock:
                    if ok:
                        route.latencies.append(end - begin)
                    else:
                        route.errors += 1
                    ends.append(end)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    route.seconds += (max(ends) if ends else time.perf_counter()) - started


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def commit() -> str:
    root = Path(__file__).resolve().parent.parent
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + ("+changes" if dirty else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--signs", type=int, default=2000, help="progress signs on the 100-goal plan"
    )
    parser.add_argument("--caseload", type=int, default=50)
    parser.add_argument("--team", type=int, default=1000)
    parser.add_argument("--warm", type=int, default=4, help="visits per route before the clock")
    args = parser.parse_args()

    print(f"commit {commit()}, {os.cpu_count()} CPUs; load before: {uptime()}", flush=True)
    with running_stack() as stack:
        t0 = time.perf_counter()
        small = stack.build_citizen(goals=3, signs=6, name="Lille Plan")
        large = stack.build_citizen(goals=100, signs=args.signs, name="Stor Plan")
        caseworker, _ = stack.build_unit(max(1, args.team // args.caseload), args.caseload)
        print(
            f"built through the plan API in {time.perf_counter() - t0:.0f} s: plans of 3 and 100 goals "
            f"({args.signs} signs), a unit of {args.team} citizens, a caseload of {args.caseload}",
            flush=True,
        )
        stack.start_portal(workers=2)
        citizen_small, citizen_large = (
            stack.cookie(small.account_id),
            stack.cookie(large.account_id),
        )
        staff = stack.cookie(caseworker)
        routes = [
            Route("bare route", "/bench/bare", citizen_small),
            Route("plan page, 3 goals", "/plan", citizen_small),
            Route("plan page, 100 goals", "/plan", citizen_large),
            Route(f"caseload, {args.caseload} citizens", "/caseworker/", staff),
            Route(f"team page, {args.team} citizens", "/caseworker/team", staff),
        ]
        with httpx.Client(base_url=stack.base_url, timeout=600) as http:
            for route in routes:
                t = time.perf_counter()
                for _ in range(args.warm):
                    status = http.get(route.path, headers={"Cookie": route.cookie}).status_code
                    if status != 200:
                        raise RuntimeError(f"{route.label}: {route.path} answered {status}")
                print(
                    f"warm-up {route.label}: {args.warm} visits in {time.perf_counter() - t:.1f} s",
                    flush=True,
                )
        # The plan service is the first process the stack starts, the portal's gunicorn the last.
        meter = CpuMeter(
            {"portal": [stack.processes[-1].pid], "plan service": [stack.processes[0].pid]},
            names={"postgres": "postgres"},
        )
        for round_no in range(args.rounds):
            for route in routes:
                before = meter.sample()
                phase(stack.base_url, route, args.concurrency, args.seconds)
                for group, seconds in meter.since(before).items():
                    route.cpu[group] = route.cpu.get(group, 0.0) + seconds
            print(f"round {round_no + 1} of {args.rounds} done; load: {uptime()}", flush=True)

    bare = routes[0].rate
    print(
        f"\n{args.concurrency} concurrent clients, gunicorn 2 sync workers, PostgreSQL; "
        f"{args.rounds} rounds × {args.seconds:g} s per route, interleaved"
    )
    print(
        f"{'route':<28}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'p99/p50':>9}{'× bare':>8}"
    )
    for r in routes:
        p50, p99 = percentile(r.latencies, 0.5) * 1000, percentile(r.latencies, 0.99) * 1000
        print(
            f"{r.label:<28}{len(r.latencies):>9}{r.errors:>8}{r.rate:>9.1f}{p50:>9.0f}{p99:>9.0f}"
            f"{p99 / p50:>9.2f}{r.rate / bare:>8.2f}"
        )
    groups = list(routes[0].cpu)
    print(
        "\nCPU ms per request, by process (from /proc; 'this process' is the benchmark's 8 clients; "
        "postgres counts every backend on the server)"
    )
    print(f"{'route':<28}" + "".join(f"{g:>14}" for g in groups) + f"{'total':>10}")
    for r in routes:
        n = max(1, len(r.latencies) + r.errors)
        per = [r.cpu.get(g, 0.0) * 1000 / n for g in groups]
        print(f"{r.label:<28}" + "".join(f"{v:>14.2f}" for v in per) + f"{sum(per):>10.2f}")
    _bare, plan3, plan100, caseload, team = (r.rate for r in routes)
    checks = [
        ("plan page (3 goals) ≥ 0.5 × bare route", plan3 / bare, 0.5),
        ("plan page (100 goals) ≥ 0.33 × plan page (3 goals)", plan100 / plan3, 0.33),
        ("caseload ≥ 0.5 × plan page (3 goals)", caseload / plan3, 0.5),
        ("team page ≥ 0.5 × plan page (3 goals)", team / plan3, 0.5),
    ]
    print("\ntargets (issue 13):")
    for text, ratio, target in checks:
        print(f"  {text:<52} {ratio:6.2f}  {'met' if ratio >= target else 'NOT met'}")
    for r in routes:
        spread = percentile(r.latencies, 0.99) / percentile(r.latencies, 0.5)
        print(
            f"  p99 ≤ 3 × p50, {r.label:<37} {spread:6.2f}  {'met' if spread <= 3 else 'NOT met'}"
        )
    print(f"load after: {uptime()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
