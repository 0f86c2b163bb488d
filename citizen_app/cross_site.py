"""Cross-site requests are refused before anything else happens (issue #14, item 4).

A POST (or any unsafe method) whose `Sec-Fetch-Site` says it came from another site, or, from a browser that
does not send that header, whose `Origin` is not the portal's own, answers 403 with a plain translated page:
before the CSRF check, before any session, draft or form is made. The session of this browser is left exactly
as it was (no new cookie replaces the person's own). Requests with neither header (old browsers, scripts) go
on to the CSRF check as before.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, g, render_template, request

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# "none": the person typed the address or used a bookmark; "same-origin": one of the portal's own pages.
TRUSTED_FETCH_SITES = frozenset({"same-origin", "none"})
# The one endpoint another site posts to by design: NemLog-in's SAML response (HTTP-POST binding). What it
# carries is a signed assertion answering a request this portal made (checked in identity/saml.py), not a
# form a person filled in, so it needs neither the cookie nor this check.
CROSS_SITE_ENDPOINTS = frozenset({"saml.acs"})


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins() -> set[str]:
    origins = {_origin_of(request.host_url)}
    if current_app.config.get("PUBLIC_URL"):
        origins.add(_origin_of(current_app.config["PUBLIC_URL"]))
    return origins


def same_origin() -> bool | None:
    """True: the browser says the request came from the portal's own pages. False: from another site.
    None: the request does not say (no Sec-Fetch-Site, no Origin)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site.strip().lower() in TRUSTED_FETCH_SITES
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    return origin.strip().lower() in own_origins()


def leave_session_untouched() -> None:
    """This response must neither make a session nor change the one the browser has (see auth/sessions.py)."""
    g.session_untouched = True


def init_app(app: Flask) -> None:
    """Register before CSRFProtect, so that a cross-site POST never reaches the CSRF error handler."""

    @app.before_request
    def _refuse_cross_site():  # type: ignore[no-untyped-def]
        if (
            request.method in UNSAFE_METHODS
            and request.endpoint not in CROSS_SITE_ENDPOINTS
            and same_origin() is False
        ):
            leave_session_untouched()
            return render_template("errors/cross_site.html"), 403
        return None
