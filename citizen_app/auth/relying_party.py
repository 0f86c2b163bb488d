"""Who we are to the browser's passkey machinery: the RP ID (a host name) and the origin pages come from.

Production sets PUBLIC_URL (https://…); config refuses to start without it. In development the request's own
host is used, but only for localhost, which is the one host browsers allow passkeys on over plain http.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, request


def _public() -> tuple[str, str] | None:
    url = current_app.config.get("PUBLIC_URL")
    if not url:
        return None
    parts = urlsplit(url)
    return parts.hostname or "", f"{parts.scheme}://{parts.netloc}"


def rp_id() -> str:
    public = _public()
    if public:
        return public[0]
    host = urlsplit(request.host_url).hostname or ""
    if host != "localhost":
        abort(400)
    return host


def origin() -> str:
    public = _public()
    if public:
        return public[1]
    rp_id()  # refuses anything but localhost
    return request.host_url.rstrip("/")


def rp_name() -> str:
    return "Borgerens Plan"
