"""Lighthouse scores (performance, accessibility, best practices, SEO) of each citizen page, signed in as Sara.

    .venv/bin/python bench/lighthouse.py [--pages /plan,/messages,...] [--runs 3]

Starts the portal for real (bench/_portal.py: temporary databases, the reference plan service in-process, the
demo data, Sara signed in) and runs Lighthouse 12 from the npm registry (installed on first use with
`npm install --prefix bench/.cache lighthouse@12`; bench/.cache is ignored by git) against every page, one
after the other: Debian's chromium (CHROME_PATH=/usr/bin/chromium, headless), Lighthouse's default mobile form
factor and simulated throttling. The session cookie (and Accept-Language: da) reach the browser through
`--extra-headers`; the public pages (/, /sign-in, /activate) are run without the cookie, as a visitor who is not
signed in sees them. About 15 s a page.

Prints the four scores (× 100) per page and, for every score under 100, the audits that cost points (score < 1
and a weight in that category) with the elements or URLs they name. The JSON reports are kept in
bench/.cache/lighthouse/ (with --runs N, the run with the median performance score) for a closer look.
Target: 100 in each. Exit code 0 unless something breaks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _portal import ROOT, Page, Portal, running_portal

CACHE = ROOT / "bench" / ".cache"
LIGHTHOUSE = CACHE / "node_modules" / "lighthouse" / "cli" / "index.js"
REPORTS = CACHE / "lighthouse"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "best", "seo": "seo"}
NOT_SCORED = {"notApplicable", "informative", "manual"}


def ensure_lighthouse() -> str:
    if not LIGHTHOUSE.is_file():
        print("installing lighthouse@12 from the npm registry into bench/.cache ...", flush=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "lighthouse@12"],
            check=True,
        )
    package = json.loads((LIGHTHOUSE.parent.parent / "package.json").read_text())
    return package["version"]


def slug(page: Page) -> str:
    return re.sub(r"[^a-z0-9]+", "-", page.name.lower()).strip("-") or "front-page"


def run_once(portal: Portal, page: Page) -> dict[str, Any]:
    """One Lighthouse run; a run Lighthouse itself gives up on (e.g. NO_NAVSTART, which a busy machine
    causes now and then) is tried again, twice at most."""
    for _attempt in range(3):
        try:
            result = run_lighthouse(portal, page)
        except subprocess.CalledProcessError:
            result = {"runtimeError": {"code": "exit status"}}
        if not result.get("runtimeError"):
            return result
        print(f"    {page.name}: {result['runtimeError'].get('code')}, again", flush=True)
    raise RuntimeError(f"{page.name}: Lighthouse failed three times ({result['runtimeError']})")


def median_run(portal: Portal, page: Page, runs: int) -> dict[str, Any]:
    """The run with the median performance score of `runs` runs (Lighthouse's advice for noisy machines)."""
    results = [run_once(portal, page) for _ in range(runs)]
    results.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
    median = results[(len(results) - 1) // 2]
    # The report kept on disk is the one reported, not merely the last run.
    (REPORTS / f"{slug(page)}.report.json").write_text(json.dumps(median))
    return median


def run_lighthouse(portal: Portal, page: Page) -> dict[str, Any]:
    REPORTS.mkdir(parents=True, exist_ok=True)
    headers_file = REPORTS / "extra-headers.json"
    # Holds the session token for as long as the run lasts; removed afterwards (the session dies with the
    # temporary database anyway).
    headers_file.write_text(json.dumps(portal.headers(page.signed_in)))
    headers_file.chmod(0o600)
    report = REPORTS / f"{slug(page)}.report.json"
    try:
        subprocess.run(
            [
                "node",
                str(LIGHTHOUSE),
                portal.url(page.path),
                "--output=json",
                f"--output-path={report}",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--chrome-flags={CHROME_FLAGS}",
                f"--extra-headers={headers_file}",
                "--quiet",
            ],
            check=True,
            env={**os.environ, "CHROME_PATH": CHROME_PATH},
            timeout=180,
        )
    finally:
        headers_file.unlink(missing_ok=True)
    return json.loads(report.read_text())


def scores(result: dict[str, Any]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for category in CATEGORIES:
        score = result["categories"].get(category, {}).get("score")
        out[category] = None if score is None else round(score * 100)
    return out


def _item_text(item: dict[str, Any]) -> str | None:
    node = item.get("node") if isinstance(item.get("node"), dict) else None
    if node is None and isinstance(item, dict) and item.get("type") == "node":
        node = item
    if node:
        snippet = re.sub(r"\s+", " ", node.get("snippet", ""))[:120]
        return f"{node.get('selector', '')} {snippet}".strip()
    for key in ("url", "source", "description", "label"):
        value = item.get(key)
        if isinstance(value, str) and value:
            return value[:140]
        if isinstance(value, dict) and value.get("url"):
            return str(value["url"])[:140]
    return None


# The diagnostics that say what a metric's score is made of.
RELATED = {
    "cumulative-layout-shift": ("layout-shifts",),
    "total-blocking-time": ("long-tasks",),
    "largest-contentful-paint": ("largest-contentful-paint-element",),
}


def _items(audit: dict[str, Any]) -> list[str]:
    items = (audit.get("details") or {}).get("items") or []
    texts = []
    for item in items:
        if not isinstance(item, dict):
            continue
        text = _item_text(item)
        if text and isinstance(item.get("duration"), int | float):
            text += f" {item['duration']:.0f} ms"
        if text and isinstance(item.get("score"), int | float) and "node" in item:
            text += f" (shift {item['score']:.3f})"
        if text:
            texts.append(text)
    return texts


def costly_audits(result: dict[str, Any]) -> list[tuple[str, str, float, str, list[str]]]:
    """(category, audit id, score, title, elements) of every audit that costs points."""
    found = []
    for category in CATEGORIES:
        for ref in result["categories"].get(category, {}).get("auditRefs", []):
            audit = result["audits"][ref["id"]]
            if ref.get("weight", 0) <= 0 or audit.get("scoreDisplayMode") in NOT_SCORED:
                continue
            if audit.get("score") is None or audit["score"] >= 1:
                continue
            texts = _items(audit)
            # A metric names no element; the diagnostic behind it does.
            for related in RELATED.get(ref["id"], ()):
                if related in result["audits"]:
                    texts += [f"[{related}] {t}" for t in _items(result["audits"][related])]
            found.append((category, ref["id"], audit["score"], audit.get("title", ""), texts))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--pages",
        help="comma-separated paths to run (e.g. /plan,/messages; /plan/goals/<goal> for the first goal);"
        " default: every citizen page",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="runs per page; the run with the median performance score is reported (default 1)",
    )
    args = parser.parse_args()
    version = ensure_lighthouse()
    started = time.perf_counter()

    results: list[tuple[Page, dict[str, int | None], list[Any]]] = []
    with running_portal() as portal:
        pages = portal.pages()
        if args.pages:
            wanted = [p.strip() for p in args.pages.split(",") if p.strip()]
            unknown = [w for w in wanted if not any(w in (p.path, p.name) for p in pages)]
            if unknown:
                print(
                    f"unknown pages: {', '.join(unknown)}; known: {', '.join(p.name for p in pages)}"
                )
                return 2
            pages = [p for p in pages if p.path in wanted or p.name in wanted]
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"Lighthouse {version}, {CHROME_PATH}, mobile, {len(pages)} pages × {args.runs} run(s)"
            f" (about 15 s each); {os.cpu_count()} cores, load average {load}",
            flush=True,
        )
        for page in pages:
            portal.prepare(page)
            result = median_run(portal, page, max(1, args.runs))
            final = result.get("finalDisplayedUrl", "")
            if final.rstrip("/") != portal.url(page.path).rstrip("/"):
                raise RuntimeError(f"{page.name} ended on {final}: not the page meant")
            results.append((page, scores(result), costly_audits(result)))
            row = scores(result)
            print(
                f"  {page.name}: " + " ".join(f"{SHORT[c]} {row[c]}" for c in CATEGORIES),
                flush=True,
            )

    width = max(len(p.name) for p, _, _ in results) + 2
    print(f"\n{'page':<{width}}" + "".join(f"{SHORT[c]:>7}" for c in CATEGORIES))
    for page, row, _ in results:
        print(f"{page.name:<{width}}" + "".join(f"{row[c]!s:>7}" for c in CATEGORIES))

    below = [(p, a) for p, row, a in results if any(v != 100 for v in row.values())]
    if below:
        print("\nWhat costs points (audits with score < 1 and a weight in their category):")
        for page, audits in below:
            print(f"  {page.name}")
            for category, audit_id, score, title, texts in audits:
                print(f"    {SHORT[category]:<5}{audit_id} ({score:.2f}): {title}")
                for text in texts[:5]:
                    print(f"           {text}")
                if len(texts) > 5:
                    print(f"           … and {len(texts) - 5} more")
    every = all(v == 100 for _, row, _ in results for v in row.values())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nreports: {REPORTS.relative_to(ROOT)}/; took {time.perf_counter() - started:.0f} s;"
        f" load average at the end {load} (performance scores drop on a busy machine)"
    )
    print(f"every page 100 in all four: {'yes' if every else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
