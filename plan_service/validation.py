"""Parse and check resource bodies before they reach the store."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from plan_service import evaluation_rules
from plan_service.errors import FhirError, Issue, bad_request
from plan_service.http import ACCEPTED_REQUEST_TYPES
from plan_service.resource_types import ID_PATTERN, RESOURCE_TYPES


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no duplicate keys, no NaN/Infinity, only valid Unicode strings."""
    try:
        document = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_reject_duplicate_keys,
            parse_constant=_reject_constant,
        )
    except UnicodeDecodeError as exc:
        raise bad_request(f"The body is not UTF-8: {exc.reason}.", code="structure") from exc
    except RecursionError as exc:
        raise bad_request("The body is nested too deeply.", code="structure") from exc
    except ValueError as exc:
        raise bad_request(f"The body is not valid JSON: {exc}.", code="structure") from exc
    try:
        # "\ud800" is legal JSON but not Unicode; it could never be sent back as UTF-8.
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise bad_request(
            "The body contains an unpaired UTF-16 surrogate.", code="structure"
        ) from exc
    return document


def read_resource_body(resource_type: str) -> dict[str, Any]:
    """The request body as a resource of `resource_type`, checked as far as this service knows."""
    if request.mimetype not in ACCEPTED_REQUEST_TYPES:
        raise FhirError(415, "not-supported", "Send the resource as application/fhir+json.")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise FhirError(415, "not-supported", "Only UTF-8 request bodies are accepted.")
    # Werkzeug answers 413 here when the body is larger than MAX_CONTENT_LENGTH.
    resource = parse_json(request.get_data(cache=False))
    if not isinstance(resource, dict):
        raise bad_request("The body must be a JSON object (a FHIR resource).", code="structure")
    validate_resource(resource, resource_type)
    return resource


def validate_resource(resource: dict[str, Any], resource_type: str) -> None:
    actual = resource.get("resourceType")
    if actual != resource_type:
        raise bad_request(
            f"resourceType must be {resource_type!r}, not {actual!r}.", "resourceType"
        )
    issues: list[Issue] = []
    if "id" in resource and not (
        isinstance(resource["id"], str) and ID_PATTERN.fullmatch(resource["id"])
    ):
        issues.append(Issue("value", "id must be 1-64 of A-Z a-z 0-9 - .", f"{actual}.id"))
    if "meta" in resource and not isinstance(resource["meta"], dict):
        issues.append(Issue("structure", "meta must be an object.", f"{actual}.meta"))
    definition = RESOURCE_TYPES[resource_type]
    for name, kind in definition.required.items():
        if name not in resource:
            issues.append(Issue("required", f"{name} is required.", f"{actual}.{name}"))
        elif kind == "object" and not isinstance(resource[name], dict):
            issues.append(Issue("structure", f"{name} must be an object.", f"{actual}.{name}"))
    for name, codes in definition.code_sets.items():
        value = resource.get(name)
        if name in resource and not (isinstance(value, str) and value in codes):
            allowed = ", ".join(sorted(codes))
            issues.append(
                Issue("code-invalid", f"{name} must be one of: {allowed}.", f"{actual}.{name}")
            )
    issues.extend(evaluation_rules.check(resource, resource_type))  # issue #18
    if issues:
        raise FhirError.from_issues(400, issues)
