"""Fingerprinted static files: `url_for('static', filename='css/portal.css')` gives `/static/css/portal.<hash>.css`.

At start-up every file under the static folder is read once: its bytes, a content hash (the first 8 hex digits
of SHA-256), and, for text types worth it, gzip -9 and brotli (quality 11) copies. The `static` endpoint then
serves from memory:

- the hashed name of the current bytes: `Cache-Control: public, max-age=31536000, immutable`; the name changes
  whenever the bytes do, so a browser or proxy may keep it for a year;
- the plain name, or a hash that is no longer current (HTML from before a deploy): the current bytes with
  `Cache-Control: no-cache` (revalidate with the ETag each time), so old links never break;
- anything else: 404.

The precompressed copy goes out when the request's Accept-Encoding allows it (`br` before `gzip`), with
`Content-Encoding` and `Vary: Accept-Encoding`; Flask-Compress leaves a response that already has a
Content-Encoding alone. Each encoding has its own strong ETag.

In development (STATIC_ASSETS_RELOAD, on unless in production) the folder is looked at again on each request
and the table rebuilt when a file changed, so an edited stylesheet shows on the next reload. The stylesheet has no `url(…)` (no fonts, no images): if one is
ever added, it must be rewritten to the hashed name here too (see docs/performance.md).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import brotli
from flask import Flask, Response, abort, current_app, request

EXTENSION_KEY = "citizen_app.static_assets"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASH_LENGTH = 8
# Worth compressing: text. Tiny files are not (the headers cost more than they save).
COMPRESSIBLE = {
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/svg+xml",
    "application/json",
    "text/plain",
}
MIN_COMPRESS_SIZE = 500
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[^./]+)?$")


@dataclass(frozen=True)
class Asset:
    name: str  # path under the static folder, "/"-separated: "css/portal.css"
    digest: str  # first HASH_LENGTH hex digits of SHA-256 of the bytes
    mimetype: str
    body: bytes
    encoded: dict[str, bytes] = field(default_factory=dict)  # "br", "gzip" → compressed bytes

    @property
    def hashed_name(self) -> str:
        return hashed_name(self.name, self.digest)


def hashed_name(name: str, digest: str) -> str:
    """css/portal.css → css/portal.<digest>.css; a name without an extension gets .<digest> at the end."""
    folder, _, base = name.rpartition("/")
    stem, dot, suffix = base.rpartition(".")
    fingerprinted = f"{stem}.{digest}.{suffix}" if dot and stem else f"{base}.{digest}"
    return f"{folder}/{fingerprinted}" if folder else fingerprinted


def load_asset(folder: Path, path: Path) -> Asset:
    body = path.read_bytes()
    name = path.relative_to(folder).as_posix()
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    encoded: dict[str, bytes] = {}
    if mimetype in COMPRESSIBLE and len(body) >= MIN_COMPRESS_SIZE:
        for encoding, data in (
            ("br", brotli.compress(body, quality=11)),
            ("gzip", gzip.compress(body, compresslevel=9, mtime=0)),
        ):
            if len(data) < len(body):
                encoded[encoding] = data
    digest = hashlib.sha256(body).hexdigest()[:HASH_LENGTH]
    return Asset(name, digest, mimetype, body, encoded)


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        sorted(
            (p.as_posix(), p.stat().st_mtime_ns, p.stat().st_size)
            for p in folder.rglob("*")
            if p.is_file()
        )
    )


class Manifest:
    """Every file of one static folder, by its plain and by its hashed name."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.load()

    def load(self) -> None:
        stamp = _stamp(self.folder) if self.folder.is_dir() else ()
        assets = [load_asset(self.folder, Path(path)) for path, _, _ in stamp]
        # One assignment, so a request in another thread sees the old tables or the new, never half of each.
        self._tables = (
            stamp,
            {a.name: a for a in assets},
            {a.hashed_name: a for a in assets},
        )

    def reload_if_changed(self) -> None:
        if (_stamp(self.folder) if self.folder.is_dir() else ()) != self._tables[0]:
            self.load()

    def url_name(self, name: str) -> str:
        asset = self._tables[1].get(name)
        return asset.hashed_name if asset else name

    def find(self, requested: str) -> tuple[Asset | None, bool]:
        """The asset a requested name stands for, and whether the name is the current hashed one."""
        _, by_name, by_hashed_name = self._tables
        asset = by_hashed_name.get(requested)
        if asset is not None:
            return asset, True
        asset = by_name.get(requested)
        if asset is not None:
            return asset, False
        match = _HASHED.match(requested)
        if match:  # a fingerprint from before the bytes changed
            plain = match["stem"] + (match["suffix"] or "")
            return by_name.get(plain), False
        return None, False


def manifest(app: Flask | None = None) -> Manifest:
    return (app or current_app).extensions[EXTENSION_KEY]


def _choose_encoding(asset: Asset) -> str | None:
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if encoding in asset.encoded and accepted[encoding] > 0:
            return encoding
    return None


def serve(filename: str) -> Response:
    asset, current = manifest().find(filename)
    if asset is None:
        abort(404)
    encoding = _choose_encoding(asset)
    body = asset.encoded[encoding] if encoding else asset.body
    response = Response(body, mimetype=asset.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if asset.encoded:
        response.vary.add("Accept-Encoding")
    response.set_etag(f"{asset.digest}-{encoding}" if encoding else asset.digest)
    response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    assert app.static_folder is not None
    app.extensions[EXTENSION_KEY] = Manifest(app.static_folder)
    # The static route Flask made stays (/static/<path:filename>); only what answers it changes.
    app.view_functions["static"] = serve

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = manifest(app).url_name(values["filename"])

    if app.config.get("STATIC_ASSETS_RELOAD"):

        @app.before_request
        def _reload() -> None:
            manifest(app).reload_if_changed()
