"""Small helpers for tests that post forms the way a browser would: with the page's own CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: Any, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = TOKEN.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client: Any, url: str, data: dict[str, str], page: str | None = None) -> Any:
    token = csrf_token(client, page or url)
    return client.post(url, data={"csrf_token": token, **data})


# The plan API answers authorised callers only: each running test plan service (tests/conftest.py's
# PlanService) registers how to get its Authorization header, found here by its FHIR base URL.
_API_HEADERS: dict[str, Callable[[], dict[str, str]]] = {}


def register_api(fhir_url: str, headers: Callable[[], dict[str, str]]) -> None:
    _API_HEADERS[fhir_url.rstrip("/")] = headers


def unregister_api(fhir_url: str) -> None:
    _API_HEADERS.pop(fhir_url.rstrip("/"), None)


def api_headers(url: str) -> dict[str, str]:
    """The Authorization header for the test plan service whose FHIR base `url` starts with."""
    for base, headers in _API_HEADERS.items():
        if url == base or url.startswith(base + "/") or url.startswith(base + "?"):
            return headers()
    return {}


class _AuthorisedHttp:
    """`api.get(url, ...)`, `api.post(...)`, `api.put(...)`: httpx's functions with the Authorization header of
    the test plan service the URL belongs to (see register_api), for tests that call the plan API themselves."""

    def __getattr__(self, method: str) -> Callable[..., httpx.Response]:
        def call(url: str, **kwargs: Any) -> httpx.Response:
            headers = {**api_headers(url), **kwargs.pop("headers", {})}
            return httpx.request(method.upper(), url, headers=headers, **kwargs)

        return call


api = _AuthorisedHttp()


def count_at_api(fhir_url: str, resource_type: str, **params: str) -> int:
    """Ask the plan API itself how many resources match: what an integrator would check."""
    response = httpx.get(
        f"{fhir_url}/{resource_type}",
        params={**params, "_count": "500"},
        headers=api_headers(fhir_url),
    )
    response.raise_for_status()
    return int(response.json()["total"])


def search_at_api(fhir_url: str, resource_type: str, **params: str) -> list[dict[str, Any]]:
    """Every match, following the Bundle's `next` links page by page."""
    found: list[dict[str, Any]] = []
    headers = api_headers(fhir_url)
    response = httpx.get(
        f"{fhir_url}/{resource_type}", params={**params, "_count": "500"}, headers=headers
    )
    while True:
        response.raise_for_status()
        bundle = response.json()
        found += [e["resource"] for e in bundle.get("entry", [])]
        following = [
            link["url"] for link in bundle.get("link", []) if link.get("relation") == "next"
        ]
        if not following:
            return found
        response = httpx.get(following[0], headers=headers)


def item_fields(kind: str, item_id: object, data: dict[str, str]) -> dict[str, str]:
    """The field names of one item's form on a page that repeats a form per item (WTForms prefix=
    "<kind>-<id>-", citizen_app.forms.common.item_form): {"wording": …} → {"accept-<goal id>-wording": …}."""
    return {f"{kind}-{item_id}-{name}": value for name, value in data.items()}
