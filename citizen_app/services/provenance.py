"""The Provenance of a direct write (a caseworker's answer or review): who is signed in, for which citizen."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context

from ..plan_api.provenance import provenance


def from_request(_resource: dict[str, Any]) -> dict[str, Any] | None:
    """Set as PlanClient.provenance_source: inside a guarded request, the actor and the citizen it decided."""
    if not has_request_context():
        return None
    author = g.get("author_ref")
    if not author:
        return None
    return provenance(author, g.get("citizen_ref"))
