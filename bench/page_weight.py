"""What a first visit to each citizen page transfers, compressed, against the 15 kB target; and the same pages
with GOV.UK Frontend's and with DKFDS's published CSS, JS and fonts instead of ours.

    .venv/bin/python bench/page_weight.py [--refresh]

Starts the portal for real (bench/_portal.py: temporary databases, the reference plan service in-process, the
demo data, Sara signed in) and fetches every page over HTTP as Sara, the public pages as a visitor who is not
signed in. For each page: the HTML, then every subresource it names (<link rel=stylesheet|icon|preload|
modulepreload href>, <script src>, <img src>, and url(...) / @import in its CSS, recursively), each fetched
once per page, as on a first visit with an empty cache. Sizes are what goes over the wire when the server
compresses (Content-Encoding); when it does not, the body's gzip -9 size (or the raw size when gzip would not
make it smaller). Response headers are not counted.

The comparison: each page's own HTML plus, instead of our assets, GOV.UK Frontend's or DKFDS's built CSS and
JS and the fonts their CSS loads, as Chromium loads them: for each upright @font-face, the files its `src` list
makes the browser fetch (see `browser_downloads`); italic faces are listed but not counted, since a page loads a
face only when its text uses it. GOV.UK Frontend is counted WITHOUT its fonts: its CSS
names GDS Transport, a typeface licensed only to services on gov.uk; any other service that builds on GOV.UK
Frontend must turn it off (`$govuk-include-default-font-face: false`) and use system fonts, as we do, so counting
it would compare us with a page nobody else may ship. DKFDS's IBM Plex Sans is open (OFL) and is what a DKFDS
site loads, so its upright faces are counted as the browser fetches them (an upper bound on the weights: a page
that uses fewer weights loads fewer).
Every anchor file is counted at gzip -9 (woff2 as it is, since gzip does not shrink it), which is at least as
small as what a typical server would send. The packages come from the npm registry (`npm pack
<name>@latest`) into bench/.cache/npm (ignored by git, never committed); later runs reuse that copy,
`--refresh` fetches the latest again.

Prints the tables and the line "every citizen page ≤ 15 kB: yes/no". Exit code 0 unless something breaks.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _portal import ROOT, Page, Portal, running_portal

TARGET = 15_000
CACHE = ROOT / "bench" / ".cache" / "npm"

try:  # brotli is only asked for when this process could read it back
    import brotli  # type: ignore[import-not-found]

    ACCEPT_ENCODING = "br, gzip, deflate"
except ImportError:
    brotli = None
    ACCEPT_ENCODING = "gzip, deflate"


# --- sizes ----------------------------------------------------------------------------------------------


def gzip9(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def compressed_size(data: bytes) -> int:
    """What a compressing server would send: gzip -9, or the bytes as they are when that is smaller (woff2)."""
    return min(len(data), gzip9(data))


def decode(body: bytes, encoding: str | None) -> bytes:
    encoding = (encoding or "identity").strip().lower()
    if encoding in ("identity", ""):
        return body
    if encoding in ("gzip", "x-gzip"):
        return gzip.decompress(body)
    if encoding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)
    if encoding == "br" and brotli is not None:
        return brotli.decompress(body)
    raise RuntimeError(f"cannot decode Content-Encoding {encoding!r}")


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str
    wire: int  # bytes counted for this resource
    sent_compressed: bool  # True: the server compressed it and `wire` is what it sent
    body: bytes  # decoded


def fetch(portal: Portal, url: str, signed_in: bool) -> Fetched:
    reply = portal.fetch(url, signed_in=signed_in, accept_encoding=ACCEPT_ENCODING)
    encoding = reply.headers.get("content-encoding")
    body = decode(reply.body, encoding)
    sent_compressed = bool(encoding) and encoding.lower() != "identity"
    wire = len(reply.body) if sent_compressed else compressed_size(body)
    content_type = reply.headers.get("content-type", "").split(";")[0].strip()
    return Fetched(url, reply.status, content_type, wire, sent_compressed, body)


# --- what a page loads ----------------------------------------------------------------------------------

LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload"}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""")


class _Subresources(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.inline_css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and set(a.get("rel", "").lower().split()) & LINK_RELS and a.get("href"):
            self.urls.append(a["href"])
        elif (tag == "script" and a.get("src")) or (tag == "img" and a.get("src")):
            self.urls.append(a["src"])
        elif tag == "style":
            self._in_style = True
        if a.get("style"):
            self.inline_css.append(a["style"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.inline_css.append(data)


def css_references(css: str) -> list[str]:
    found = [next(g for g in m.groups() if g is not None) for m in CSS_URL.finditer(css)]
    found += [next(g for g in m.groups() if g is not None) for m in CSS_IMPORT.finditer(css)]
    return [u for u in found if u and not u.startswith(("data:", "#"))]


def fetchable(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


@dataclass
class PageWeight:
    page: Page
    html: Fetched
    assets: list[Fetched]

    @property
    def html_bytes(self) -> int:
        return self.html.wire

    @property
    def asset_bytes(self) -> int:
        return sum(a.wire for a in self.assets)

    @property
    def total(self) -> int:
        return self.html_bytes + self.asset_bytes


def weigh(portal: Portal, page: Page) -> PageWeight:
    portal.prepare(page)
    page_url = portal.url(page.path)
    html = fetch(portal, page_url, page.signed_in)
    if html.status != 200:
        raise RuntimeError(f"{page.path} answered {html.status}")
    parser = _Subresources()
    parser.feed(html.body.decode("utf-8", "replace"))
    queue = [urljoin(page_url, u) for u in parser.urls]
    queue += [urljoin(page_url, u) for css in parser.inline_css for u in css_references(css)]
    seen: set[str] = set()
    assets: list[Fetched] = []
    while queue:  # each subresource once per page: a first visit, empty cache
        url = queue.pop(0).split("#", 1)[0]
        if url in seen or not fetchable(url):
            continue
        seen.add(url)
        asset = fetch(portal, url, page.signed_in)
        if asset.status != 200:
            raise RuntimeError(f"{page.path}: {url} answered {asset.status}")
        assets.append(asset)
        if asset.content_type == "text/css" or url.endswith(".css"):
            queue += [
                urljoin(url, u) for u in css_references(asset.body.decode("utf-8", "replace"))
            ]
    return PageWeight(page, html, assets)


# --- the frameworks, from the npm registry --------------------------------------------------------------


@dataclass(frozen=True)
class Framework:
    label: str
    package: str
    css: tuple[str, ...]  # candidate paths inside the package, first found wins
    js: tuple[str, ...]
    fonts_not_counted_because: str | None = (
        None  # set: the fonts are listed, not counted, for this reason
    )


FRAMEWORKS = (
    Framework(
        "GOV.UK Frontend",
        "govuk-frontend",
        ("dist/govuk/govuk-frontend.min.css",),
        ("dist/govuk/govuk-frontend.min.js",),
        "GDS Transport may be served only by gov.uk services; others switch it off",
    ),
    Framework(
        "DKFDS",
        "dkfds",
        ("dist/css/dkfds.min.css",),
        ("dist/js/dkfds.min.js",),
    ),
)


@dataclass
class FrameworkWeight:
    framework: Framework
    version: str
    css: tuple[str, int]
    js: tuple[str, int]
    fonts: list[tuple[str, int]]  # counted: what the browser fetches for each upright face
    not_counted: list[str]  # italic faces

    @property
    def total(self) -> int:
        return self.css[1] + self.js[1] + sum(size for _, size in self.fonts)


def npm() -> str:
    found = shutil.which("npm")
    if not found:
        raise RuntimeError("npm is needed to fetch the frameworks from the npm registry")
    return found


def fetch_package(package: str, refresh: bool) -> tuple[str, Path]:
    """The extracted package (its `package/` folder) and its version, from the cache or from the registry."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = sorted(CACHE.glob(f"{package}-[0-9]*/package/package.json"))
    if cached and not refresh:
        root = cached[-1].parent
        return json.loads(cached[-1].read_text())["version"], root
    print(
        f"fetching {package}@latest from the npm registry into {CACHE.relative_to(ROOT)} ...",
        flush=True,
    )
    out = subprocess.run(
        [npm(), "pack", f"{package}@latest", "--json", "--pack-destination", str(CACHE)],
        check=True,
        capture_output=True,
        text=True,
        cwd=CACHE,
    ).stdout
    info = json.loads(out[out.index("[") :])[0]
    tarball = CACHE / info["filename"]
    target = CACHE / f"{package}-{info['version']}"
    for old in CACHE.glob(f"{package}-[0-9]*"):  # one version of each package in the cache
        if old.is_dir():
            shutil.rmtree(old)
    target.mkdir()
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    tarball.unlink()
    return info["version"], target / "package"


def _first(root: Path, candidates: tuple[str, ...], suffix: str) -> Path:
    for candidate in candidates:
        if (root / candidate).is_file():
            return root / candidate
    found = sorted(p for p in (root / "dist").rglob(f"*.min.{suffix}") if p.is_file())
    if not found:
        raise RuntimeError(f"no built .{suffix} in {root}")
    return found[0]


FONT_FACE = re.compile(r"@font-face\s*\{([^}]*)\}")
SRC_ENTRY = re.compile(
    r"""url\(\s*["']?([^"')]+)["']?\s*\)\s*(?:format\(\s*["']?([^"')]+)["']?\s*\))?"""
)
BROWSER_FORMATS = {"woff2", "woff", "truetype", "opentype"}  # what Chromium decodes
DECODABLE = (".woff2", ".woff", ".ttf", ".otf")


def browser_downloads(face_body: str) -> list[str]:
    """The files Chromium fetches for one @font-face, in order, as CSS Fonts 4 says: it walks the `src` list,
    skips an entry whose format() hint it does not support, fetches the rest one by one and stops at the first
    it can decode. An entry without a hint is fetched whatever it is (DKFDS's regular face starts with an
    `.eot`: fetched, refused, then the `.woff` after it)."""
    src = re.search(r"src\s*:([^;}]*)", face_body)
    if not src:
        return []
    fetched: list[str] = []
    for match in SRC_ENTRY.finditer(src.group(1)):
        url, hint = match.group(1).strip(), (match.group(2) or "").strip().lower()
        if hint and hint not in BROWSER_FORMATS:
            continue
        fetched.append(url)
        if url.split("?", 1)[0].split("#", 1)[0].lower().endswith(DECODABLE):
            break
    return fetched


def resolve_in_package(root: Path, css_file: Path, url: str) -> Path:
    """A url(...) of the package's CSS as a file: relative to the CSS file, or, for a site-absolute path such
    as GOV.UK's /assets/fonts/…, the file in the package whose path ends with it."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        candidate = (css_file.parent / path).resolve()
        if candidate.is_file():
            return candidate
    tail = path.lstrip("/")
    matches = sorted(p for p in root.rglob(Path(tail).name) if p.as_posix().endswith(tail))
    matches.sort(key=lambda p: (0 if "/dist/" in p.as_posix() else 1, len(p.as_posix())))
    if not matches:
        raise RuntimeError(f"{url} (from {css_file.name}) is not in the package")
    return matches[0]


def framework_weight(framework: Framework, refresh: bool) -> FrameworkWeight:
    version, root = fetch_package(framework.package, refresh)
    css_file = _first(root, framework.css, "css")
    js_file = _first(root, framework.js, "js")
    css = css_file.read_bytes()
    fonts: list[tuple[str, int]] = []
    not_counted: list[str] = []
    for face in FONT_FACE.finditer(css.decode("utf-8", "replace")):
        body = face.group(1)
        downloads = [
            resolve_in_package(root, css_file, url).relative_to(root).as_posix()
            for url in browser_downloads(body)
        ]
        if not downloads:
            continue  # e.g. a face of local() system fonts only
        if framework.fonts_not_counted_because or re.search(
            r"font-style\s*:\s*(italic|oblique)", body
        ):
            not_counted += [n for n in downloads if n not in not_counted]
            continue
        for name in downloads:
            if name not in {n for n, _ in fonts}:
                fonts.append((name, compressed_size((root / name).read_bytes())))
    return FrameworkWeight(
        framework,
        version,
        (css_file.relative_to(root).as_posix(), compressed_size(css)),
        (js_file.relative_to(root).as_posix(), compressed_size(js_file.read_bytes())),
        fonts,
        not_counted,
    )


# --- report ---------------------------------------------------------------------------------------------


def num(n: int) -> str:
    return f"{n:,}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--refresh", action="store_true", help="fetch the latest frameworks from npm again"
    )
    args = parser.parse_args()
    started = time.perf_counter()

    frameworks = [framework_weight(f, args.refresh) for f in FRAMEWORKS]

    with running_portal() as portal:
        weights = [weigh(portal, page) for page in portal.pages()]

    compressed_by_server = any(w.html.sent_compressed for w in weights)
    print(
        "\nPage weight of a first visit (empty cache), bytes "
        + (
            "as sent by the server (Content-Encoding)"
            if compressed_by_server
            else "gzip -9 (the server sends them uncompressed; counted as a gzip -9 server would send them)"
        )
    )
    width = max(len(w.page.name) for w in weights) + 2
    print(
        f"\n{'page':<{width}}{'signed in':>10}{'HTML':>9}{'assets':>9}{'n':>4}{'total':>9}  15 kB target"
    )
    for w in weights:
        verdict = "OK" if w.total <= TARGET else "OVER"
        print(
            f"{w.page.name:<{width}}{'yes' if w.page.signed_in else 'no':>10}{num(w.html_bytes):>9}"
            f"{num(w.asset_bytes):>9}{len(w.assets):>4}{num(w.total):>9}  {verdict}"
        )

    print("\nOur assets (each counted on every page that loads it):")
    sizes: dict[str, tuple[int, int, int]] = {}
    for w in weights:
        for a in w.assets:
            path = urlsplit(a.url).path
            raw, wire, pages = sizes.get(path, (len(a.body), a.wire, 0))
            sizes[path] = (raw, wire, pages + 1)
    for path, (raw, wire, pages) in sorted(sizes.items()):
        print(
            f"  {path:<28}{num(raw):>8} raw {num(wire):>7} compressed   on {pages} of {len(weights)} pages"
        )

    print("\nThe frameworks (each file gzip -9, or as it is when that is smaller, as for woff2):")
    for fw in frameworks:
        print(f"  {fw.framework.label} {fw.version} (npm {fw.framework.package}):")
        print(f"    {num(fw.css[1]):>9}  {fw.css[0]}")
        print(f"    {num(fw.js[1]):>9}  {fw.js[0]}")
        for name, size in fw.fonts:
            print(f"    {num(size):>9}  {name}")
        reason = fw.framework.fonts_not_counted_because or "italic face"
        for name in fw.not_counted:
            print(f"    {'-':>9}  {name} (not counted: {reason})")
        print(f"    {num(fw.total):>9}  CSS + JS + fonts")

    print("\nThe same page's HTML with each framework's CSS, JS and fonts instead of ours:")
    header = f"\n{'page':<{width}}{'ours':>9}"
    for fw in frameworks:
        header += f"{fw.framework.label:>17}{'×':>6}"
    print(header)
    ratios: dict[str, list[float]] = {fw.framework.label: [] for fw in frameworks}
    for w in weights:
        line = f"{w.page.name:<{width}}{num(w.total):>9}"
        for fw in frameworks:
            theirs = w.html_bytes + fw.total
            ratio = theirs / w.total
            ratios[fw.framework.label].append(ratio)
            line += f"{num(theirs):>17}{ratio:>6.1f}"
        print(line)
    for label, values in ratios.items():
        print(f"{label}: {min(values):.1f}× to {max(values):.1f}× our page weight")

    over = [w.page.name for w in weights if w.total > TARGET]
    heaviest = max(weights, key=lambda w: w.total)
    print(
        f"\nheaviest: {heaviest.page.name} {num(heaviest.total)} bytes"
        f"; measured in {time.perf_counter() - started:.1f} s"
    )
    print(f"every citizen page ≤ 15 kB: {'yes' if not over else 'no'}")
    if over:
        print("over: " + ", ".join(over))
    return 0


if __name__ == "__main__":
    sys.exit(main())
