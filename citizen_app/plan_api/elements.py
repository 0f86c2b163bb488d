"""FHIR's common elements, read tolerantly: dates, names, references, extensions, codings, versions; and the
index of a bundle that every resource family's mapping reads from. Only plan_api/ imports this."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from .domain import Person

Resource = dict[str, Any]

ROLE_BY_TYPE = {"Patient": "citizen", "RelatedPerson": "relative", "Practitioner": "caseworker"}
STAFF_TYPES = frozenset({"Practitioner", "PractitionerRole"})
CLOSED_TASK = frozenset({"completed", "cancelled", "rejected", "failed", "entered-in-error"})


def parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def human_name(resource: Resource) -> str:
    for name in resource.get("name", []) or []:
        if name.get("text"):
            return str(name["text"])
        parts = [*name.get("given", []), name.get("family", "")]
        joined = " ".join(p for p in parts if p)
        if joined:
            return joined
    return ""


def initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[:1].isalpha()).upper()[:3]


def ref(value: Any) -> str | None:
    return value.get("reference") if isinstance(value, dict) else None


def reference(target: str) -> Resource:
    """A Reference element to `target` ("Type/id")."""
    return {"reference": target}


def sub(extension: Resource, url: str) -> Resource:
    return next((e for e in extension.get("extension", []) if e.get("url") == url), {})


def ext(resource: Resource, url: str) -> list[Resource]:
    return [e for e in resource.get("extension", []) or [] if e.get("url") == url]


def without_ext(resource: Resource, url: str) -> list[Resource]:
    return [e for e in resource.get("extension", []) or [] if e.get("url") != url]


def code(concept: Any, system: str | None = None) -> str | None:
    if not isinstance(concept, dict):
        return None
    for coding in concept.get("coding", []) or []:
        if system is None or coding.get("system") == system:
            return coding.get("code")
    return None


def concept(system: str, value: str) -> Resource:
    return {"coding": [{"system": system, "code": value}]}


def version_of(resource: Resource) -> str | None:
    return (resource.get("meta") or {}).get("versionId")


def if_match(version: str) -> str:
    """The If-Match of an update based on `version`: refused (412) if the resource changed since."""
    return f'W/"{version}"'


def split(reference_: str) -> tuple[str, str]:
    resource_type, _, resource_id = reference_.partition("/")
    return resource_type, resource_id


class Index:
    """A bundle's resources by reference and by type, and the people they name (mapped once)."""

    def __init__(self, bundle: Resource) -> None:
        self.by_ref: dict[str, Resource] = {}
        self.by_type: dict[str, list[Resource]] = {}
        for entry in bundle.get("entry", []) or []:
            resource = entry.get("resource") or {}
            rtype, rid = resource.get("resourceType"), resource.get("id")
            if not rtype or not rid:
                continue
            self.by_ref[f"{rtype}/{rid}"] = resource
            self.by_type.setdefault(rtype, []).append(resource)
        self.people: dict[str, Person] = {}

    def person(self, reference_: str | None) -> Person | None:
        if not reference_:
            return None
        if reference_ in self.people:
            return self.people[reference_]
        resource = self.by_ref.get(reference_)
        rtype = reference_.split("/", 1)[0]
        if rtype == "PractitionerRole" and resource:
            practitioner = self.by_ref.get(ref(resource.get("practitioner")) or "")
            name = human_name(practitioner) if practitioner else ""
            person = Person(reference_, name, "caseworker")
        else:
            name = human_name(resource) if resource else ""
            person = Person(reference_, name, ROLE_BY_TYPE.get(rtype, "unknown"))
        self.people[reference_] = person
        return person
