"""What the outbox carries: a staged resource's type, the identity of what the plan API stored, and a short
preview of a staged body (the person's own words) for the page that shows it as waiting. The outbox
delivers payloads built by the resource families; it never reads inside them itself."""

from __future__ import annotations

from typing import Any

from .elements import Resource, code


def resource_type(resource: Resource) -> str:
    return str(resource["resourceType"])


def stored_identity(resource: Resource) -> tuple[Any, Any, Any]:
    """(resourceType, id, meta.versionId) of what the plan API answered, unchecked: the caller checks."""
    return (
        resource.get("resourceType"),
        resource.get("id"),
        (resource.get("meta") or {}).get("versionId"),
    )


def own_words(resource_type_: str, body: Resource) -> str:
    """The person's own words in a staged Goal or Communication ("" for anything else)."""
    if resource_type_ == "Goal":
        return str((body.get("description") or {}).get("text", ""))
    if resource_type_ == "Communication":
        return str(next((p.get("contentString", "") for p in body.get("payload", []) if p), ""))
    return ""


def progress_value(body: Resource) -> str | None:
    """The step of the progress scale in a staged Observation."""
    return code(body.get("valueCodeableConcept"))


def first_text(body: Resource) -> str:
    """The text of a staged Communication's first part (a complaint's receipt)."""
    return str((body.get("payload") or [{}])[0].get("contentString", ""))
