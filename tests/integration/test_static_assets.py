"""Static files: fingerprinted URLs cached for a year, plain and stale URLs still answered with a short cache;
text responses compressed when the client accepts it, and only then."""

from __future__ import annotations

import gzip
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import brotli
import pytest

from citizen_app import ROOT
from citizen_app.static_assets import HASH_LENGTH, IMMUTABLE, hashed_name
from tests.pagecheck import decoded

HASHED_URL = re.compile(rf"^/static/(?:[\w-]+/)*[\w-]+\.[0-9a-f]{{{HASH_LENGTH}}}\.\w+$")


class _StaticUrls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value and value.startswith("/static/"):
                self.urls.append(value)


def static_urls(html: str) -> list[str]:
    parser = _StaticUrls()
    parser.feed(html)
    return parser.urls


def _assert_hashed_and_immutable(client, page: str) -> list[str]:
    response = client.get(page)
    assert response.status_code == 200
    urls = static_urls(response.get_data(as_text=True))
    assert urls, f"{page} names no static file"
    for url in urls:
        assert HASHED_URL.match(url), f"{page}: {url} carries no content hash"
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["Cache-Control"] == IMMUTABLE, url
        assert asset.headers["ETag"]
    return urls


@pytest.mark.parametrize("page", ["/", "/sign-in", "/activate"])
def test_every_static_url_of_a_public_page_is_hashed_and_cached_for_a_year(client, page) -> None:
    _assert_hashed_and_immutable(client, page)


@pytest.mark.parametrize("page", ["/plan", "/account/passkeys", "/messages"])
def test_every_static_url_of_saras_pages_is_hashed_and_cached_for_a_year(as_sara, page) -> None:
    urls = _assert_hashed_and_immutable(as_sara, page)
    assert any("/js/session." in u for u in urls)  # the signed-in script is fingerprinted too


def test_pages_stay_no_store_and_static_files_do_not(client) -> None:
    page = client.get("/")
    assert page.headers["Cache-Control"] == "no-store"
    css = next(u for u in static_urls(page.get_data(as_text=True)) if u.endswith(".css"))
    response = client.get(css)
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert "Content-Security-Policy" in response.headers  # the other security headers still apply


def test_the_plain_name_and_an_old_hash_still_work_with_a_short_cache(client) -> None:
    plain = client.get("/static/css/portal.css")
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "no-cache"
    assert plain.get_data() == (ROOT / "static/css/portal.css").read_bytes()
    stale = client.get("/static/css/portal.00000000.css")
    assert stale.status_code == 200
    assert stale.headers["Cache-Control"] == "no-cache"
    assert stale.get_data() == plain.get_data()
    assert client.get("/static/css/nothing-here.css").status_code == 404
    assert client.get("/static/css/nothing-here.00000000.css").status_code == 404


def test_an_unchanged_file_answers_304_to_its_etag(client) -> None:
    first = client.get("/static/css/portal.css")
    again = client.get("/static/css/portal.css", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_hash_follows_the_bytes_computed_once_at_start_up(make_app, tmp_path: Path) -> None:
    folder = tmp_path / "static"
    shutil.copytree(ROOT / "static", folder)
    config = {"STATIC_FOLDER": str(folder), "STATIC_ASSETS_RELOAD": False}
    before = make_app(**config)
    old_url = _css_url(before.test_client())

    css = folder / "css" / "portal.css"
    css.write_bytes(css.read_bytes() + b"\n.new-rule { color: #000; }\n")
    assert _css_url(before.test_client()) == old_url  # read once at start-up, not per request

    after = make_app(**config)
    client = after.test_client()
    new_url = _css_url(client)
    assert new_url != old_url
    fresh = client.get(new_url)
    assert fresh.headers["Cache-Control"] == IMMUTABLE
    assert fresh.get_data().endswith(b".new-rule { color: #000; }\n")
    # HTML from before the deploy still gets a stylesheet: the current one, not kept for long.
    old = client.get(old_url)
    assert old.status_code == 200
    assert old.headers["Cache-Control"] == "no-cache"
    assert old.get_data() == fresh.get_data()


def test_in_development_an_edited_file_gets_its_new_hash_at_once(make_app, tmp_path: Path) -> None:
    folder = tmp_path / "static"
    shutil.copytree(ROOT / "static", folder)
    client = make_app(STATIC_FOLDER=str(folder), STATIC_ASSETS_RELOAD=True).test_client()
    old_url = _css_url(client)
    css = folder / "css" / "portal.css"
    css.write_bytes(css.read_bytes() + b"\n.edited { color: #000; }\n")
    assert _css_url(client) != old_url


def _css_url(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return next(u for u in static_urls(html) if "/css/portal." in u)


def test_hashed_names() -> None:
    assert hashed_name("css/portal.css", "0123abcd") == "css/portal.0123abcd.css"
    assert hashed_name("icons/favicon.svg", "0123abcd") == "icons/favicon.0123abcd.svg"
    assert hashed_name("LICENSE", "0123abcd") == "LICENSE.0123abcd"
    assert hashed_name(".well-known", "0123abcd") == ".well-known.0123abcd"


def test_the_stylesheet_names_no_other_file() -> None:
    """url(…) in the CSS would name an unhashed file; static_assets would have to rewrite it first."""
    assert "url(" not in (ROOT / "static/css/portal.css").read_text(encoding="utf-8")


# --- compression ----------------------------------------------------------------------------------------


def _normalised(html: bytes) -> bytes:
    """A page with what changes on every request (the CSP nonce, the signed CSRF token) blanked out."""
    html = re.sub(rb'nonce="[^"]*"', b'nonce=""', html)
    html = re.sub(rb'(name="csrf-token" content=)"[^"]*"', rb'\1""', html)
    return re.sub(rb'(name="csrf_token" type="hidden" value=|value=)"[^"]*"', rb'\1""', html)


@pytest.mark.parametrize(
    ("encoding", "decompress"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_a_page_is_compressed_when_the_client_accepts_it(client, encoding, decompress) -> None:
    plain = client.get("/sign-in")
    assert "Content-Encoding" not in plain.headers
    packed = client.get("/sign-in", headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["Cache-Control"] == "no-store"
    assert len(packed.get_data()) < len(plain.get_data())
    assert _normalised(decompress(packed.get_data())) == _normalised(plain.get_data())


def test_saras_plan_page_is_compressed(as_sara) -> None:
    packed = as_sara.get("/plan", headers={"Accept-Encoding": "gzip"})
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert b"<h1" in decoded(packed)


@pytest.mark.parametrize(
    ("encoding", "decompress"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_the_stylesheet_is_sent_precompressed_and_still_cached_for_a_year(
    client, encoding, decompress
) -> None:
    url = _css_url(client)
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]  # so a cache keeps the two apart
    packed = client.get(url, headers={"Accept-Encoding": f"{encoding}, identity;q=0.5"})
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["Cache-Control"] == IMMUTABLE
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert int(packed.headers["Content-Length"]) == len(packed.get_data())
    assert decompress(packed.get_data()) == plain.get_data()
    again = client.get(
        url, headers={"Accept-Encoding": encoding, "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status_code == 304


def test_brotli_is_preferred_and_a_refused_encoding_is_not_used(client) -> None:
    url = _css_url(client)
    assert (
        client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"}).headers[
            "Content-Encoding"
        ]
        == "br"
    )
    for refused in (url, "/sign-in"):
        response = client.get(refused, headers={"Accept-Encoding": "gzip;q=0, br;q=0"})
        assert "Content-Encoding" not in response.headers, refused


def test_without_accept_encoding_nothing_is_compressed(client) -> None:
    html = client.get("/").get_data(as_text=True)
    for url in ["/", *static_urls(html)]:
        assert "Content-Encoding" not in client.get(url).headers, url


def test_tiny_bodies_are_not_compressed(client) -> None:
    html = client.get("/").get_data(as_text=True)
    icon = next(u for u in static_urls(html) if "favicon" in u)
    response = client.get(icon, headers={"Accept-Encoding": "gzip, br"})
    assert len(response.get_data()) < 500
    assert "Content-Encoding" not in response.headers
    assert response.headers["Cache-Control"] == IMMUTABLE
