"""Redirect targets: only the portal's own paths, never another site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str = "/") -> str:
    if not target:
        return default
    parts = urlsplit(target)
    # A path of our own: no scheme, no host, and not "//host" or "/\host" that browsers read as a host.
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
    ):
        return default
    if any(ord(ch) < 32 for ch in target):
        return default
    return target
