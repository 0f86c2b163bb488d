"""Extract the searchable values of a resource at write time.

Extraction is also the structural check of every searchable element: a `subject` that is not a
Reference or a `status` that is not a code would otherwise be stored and silently never found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from plan_service.errors import bad_request
from plan_service.models import INDEXED_VALUE_LENGTH
from plan_service.resource_types import RESOURCE_TYPES, SearchParam

# Relative (`Patient/1`), versioned (`Patient/1/_history/2`) or absolute (`http://x/fhir/Patient/1`).
_REFERENCE = re.compile(
    r"(?:^|/)(?P<type>[A-Z][A-Za-z]{0,63})/(?P<id>[A-Za-z0-9\-.]{1,64})"
    r"(?:/_history/[^/]+)?\Z"
)


@dataclass(frozen=True)
class IndexEntry:
    param: str
    system: str | None = None
    value: str | None = None
    ref_type: str | None = None
    ref_id: str | None = None


def parse_reference(reference: str) -> tuple[str, str] | None:
    """(type, id) of a literal reference; None for contained (`#x`) or unparseable references."""
    match = _REFERENCE.search(reference)
    return (match.group("type"), match.group("id")) if match else None


def elements_at(resource: dict[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """Every element at a dotted path, lists flattened, with a FHIRPath-like location."""
    nodes: list[tuple[str, Any]] = [(resource["resourceType"], resource)]
    for step in path.split("."):
        found: list[tuple[str, Any]] = []
        for location, node in nodes:
            if not isinstance(node, dict) or step not in node:
                continue
            child = node[step]
            if isinstance(child, list):
                found.extend((f"{location}.{step}[{i}]", item) for i, item in enumerate(child))
            else:
                found.append((f"{location}.{step}", child))
        nodes = found
    return iter(nodes)


def _check_indexable(text: Any, location: str, what: str) -> str:
    if not isinstance(text, str):
        raise bad_request(f"{what} must be a string.", location, code="structure")
    if "\x00" in text:
        raise bad_request(f"{what} must not contain NUL.", location, code="value")
    if len(text.encode("utf-8")) > INDEXED_VALUE_LENGTH:
        raise bad_request(
            f"{what} is longer than {INDEXED_VALUE_LENGTH} bytes.", location, code="too-long"
        )
    return text


def _object(node: Any, location: str, datatype: str) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise bad_request(f"Expected a {datatype} object.", location, code="structure")
    return node


def _optional_text(node: dict[str, Any], key: str, location: str) -> str | None:
    if key not in node:
        return None
    return _check_indexable(node[key], f"{location}.{key}", key)


def _tokens(param: SearchParam, location: str, node: Any) -> Iterator[IndexEntry]:
    if param.datatype == "code":
        yield IndexEntry(param.name, value=_check_indexable(node, location, "A code"))
    elif param.datatype == "Identifier":
        node = _object(node, location, "Identifier")
        system = _optional_text(node, "system", location)
        value = _optional_text(node, "value", location)
        if value is not None:
            yield IndexEntry(param.name, system=system, value=value)
    else:
        codings = _object(node, location, "CodeableConcept").get("coding", [])
        if not isinstance(codings, list):
            raise bad_request("coding must be a list.", f"{location}.coding", code="structure")
        for i, coding in enumerate(codings):
            where = f"{location}.coding[{i}]"
            coding = _object(coding, where, "Coding")
            code = _optional_text(coding, "code", where)
            if code is not None:
                yield IndexEntry(
                    param.name, system=_optional_text(coding, "system", where), value=code
                )


def _references(param: SearchParam, location: str, node: Any) -> Iterator[IndexEntry]:
    reference = _optional_text(_object(node, location, "Reference"), "reference", location)
    target = parse_reference(reference) if reference else None
    if target and (not param.targets or target[0] in param.targets):
        yield IndexEntry(param.name, ref_type=target[0], ref_id=target[1])


def index_entries(resource: dict[str, Any]) -> list[IndexEntry]:
    """The search index rows of a validated resource, without duplicates."""
    resource_type = RESOURCE_TYPES[resource["resourceType"]]
    entries: dict[IndexEntry, None] = {}
    for param in resource_type.search_params.values():
        extract = _tokens if param.kind == "token" else _references
        for path in param.paths:
            for location, node in elements_at(resource, path):
                entries.update(dict.fromkeys(extract(param, location, node)))
    return list(entries)


def unique_identifiers(entries: list[IndexEntry]) -> list[tuple[str, str]]:
    """(system, value) pairs that must be unique per type; identifiers without a system are not."""
    return [
        (e.system, e.value)
        for e in entries
        if e.param == "identifier" and e.system and e.value is not None
    ]
