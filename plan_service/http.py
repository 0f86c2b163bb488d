"""HTTP details of the FHIR API: media types, JSON bodies, ETags and URLs."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, request
from werkzeug.http import unquote_etag

FHIR_JSON = "application/fhir+json"
ACCEPTED_REQUEST_TYPES = frozenset({FHIR_JSON, "application/json"})

_IF_MATCH = re.compile(r'(?:W/)?"([1-9][0-9]{0,17})"')


def fhir_response(
    body: Mapping[str, Any], status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    # ensure_ascii=False keeps Danish text compact; input validation guarantees the strings are
    # valid Unicode, so encoding to UTF-8 cannot fail.
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    response = Response(data, status=status, content_type=f"{FHIR_JSON}; charset=utf-8")
    if headers:
        response.headers.update(headers)
    return response


def weak_etag(version: int | str) -> str:
    return f'W/"{version}"'


def if_none_match(etag: str) -> bool:
    """True when the request's If-None-Match names `etag` (weak comparison, as RFC 9110 asks)."""
    opaque, _weak = unquote_etag(etag)
    return request.if_none_match.contains_weak(opaque)


def parse_if_match(value: str) -> int | None:
    """The version an If-Match header names, or None when it is not one `W/"<n>"` tag."""
    match = _IF_MATCH.fullmatch(value.strip())
    return int(match.group(1)) if match else None


def base_url() -> str:
    """Absolute base of the FHIR API as the client reached it, e.g. http://host:5001/fhir."""
    return request.host_url.rstrip("/") + current_app.config["PLAN_SERVICE_BASE_PATH"]


def resource_url(resource_type: str, resource_id: str) -> str:
    return f"{base_url()}/{resource_type}/{resource_id}"
