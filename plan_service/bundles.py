"""Bundles and the CapabilityStatement: documents built from stored resources and the registry."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from plan_service.auth import security_statement
from plan_service.http import base_url, resource_url
from plan_service.resource_types import RESOURCE_TYPES, ResourceType
from plan_service.search import SearchQuery
from plan_service.store import StoredResource, format_instant, utcnow


def _entry(resource: StoredResource, mode: str) -> dict[str, Any]:
    return {
        "fullUrl": resource_url(resource.resource_type, resource.id),
        "resource": resource.content,
        "search": {"mode": mode},
    }


def _page_url(query: SearchQuery, offset: int) -> str:
    params = [*query.echo, ("_count", str(query.count)), ("_offset", str(offset))]
    if query.descending:
        params.append(("_sort", "-_lastUpdated"))
    # "|", ",", ":" and "/" carry meaning in FHIR search values and are legal in a query string.
    encoded = urlencode(params, quote_via=quote, safe="|,:/")
    return f"{base_url()}/{query.resource_type}?{encoded}"


def searchset(
    query: SearchQuery,
    total: int,
    page: Sequence[StoredResource],
    included: Sequence[StoredResource] = (),
) -> dict[str, Any]:
    links = [{"relation": "self", "url": _page_url(query, query.offset)}]
    if query.count and query.offset + query.count < total:
        links.append({"relation": "next", "url": _page_url(query, query.offset + query.count)})
    if query.count and query.offset > 0:
        previous = max(0, min(query.offset, total) - query.count)
        links.append({"relation": "previous", "url": _page_url(query, previous)})
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": format_instant(utcnow())},
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [_entry(r, "match") for r in page] + [_entry(r, "include") for r in included],
    }


def everything_bundle(
    patient_id: str, resources: Sequence[StoredResource], self_url: str
) -> dict[str, Any]:
    # No random id or timestamp: the same plan gives the same document, matching its ETag.
    def mode(r: StoredResource) -> str:
        in_compartment = RESOURCE_TYPES[r.resource_type].in_patient_compartment
        return "match" if in_compartment or r.id == patient_id else "include"

    bundle: dict[str, Any] = {"resourceType": "Bundle"}
    if resources:
        newest = max(r.last_updated for r in resources)
        bundle["meta"] = {"lastUpdated": format_instant(newest)}
    return {
        **bundle,
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": self_url}],
        "entry": [_entry(r, mode(r)) for r in resources],
    }


def _search_params(definition: ResourceType) -> list[dict[str, str]]:
    common = [{"name": "_id", "type": "token"}, {"name": "_lastUpdated", "type": "date"}]
    return common + [{"name": p.name, "type": p.kind} for p in definition.search_params.values()]


def capability_statement(started: datetime) -> dict[str, Any]:
    interactions = [
        {"code": c} for c in ("read", "vread", "search-type", "history-type", "create", "update")
    ]
    resources = []
    for definition in RESOURCE_TYPES.values():
        resource: dict[str, Any] = {
            "type": definition.name,
            "interaction": interactions,
            "versioning": "versioned-update",
            "readHistory": True,
            "updateCreate": False,
            "conditionalCreate": True,
            "conditionalRead": "not-match",
            "conditionalUpdate": False,
            "conditionalDelete": "not-supported",
            "searchParam": _search_params(definition),
            # `_include` from this type's references; `_revinclude` of every reference that may point here.
            "searchInclude": [
                f"{definition.name}:{p.name}"
                for p in definition.search_params.values()
                if p.kind == "reference"
            ],
            "searchRevInclude": [
                f"{other.name}:{p.name}"
                for other in RESOURCE_TYPES.values()
                for p in other.search_params.values()
                if p.kind == "reference" and (not p.targets or definition.name in p.targets)
            ],
        }
        if definition.name == "Patient":
            resource["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                }
            ]
        resources.append(resource)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": format_instant(started),
        "kind": "instance",
        "software": {"name": "Borgerens Plan reference plan service"},
        "implementation": {
            "description": "Reference implementation of the shared plan API (docs/plan-api.md)",
            "url": base_url(),
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "security": security_statement(),
                "resource": resources,
                # GET /_history?_since=…&_sort=_lastUpdated: the change feed (plan_service/history.py).
                "interaction": [{"code": "history-system"}],
            }
        ],
    }
