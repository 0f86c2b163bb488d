"""Attribution at the source of truth: a Provenance written with the resource it is about.

A client sends the Provenance of a create or update in the `X-Provenance` header (as HAPI FHIR and other
servers accept): a JSON Provenance with at least one `agent` whose `who` names who acted, and, when they
acted for someone else (a relative for the citizen), `onBehalfOf`. The service fills `target` (the version
written) and `recorded`, and stores it in the same transaction as the resource.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import request
from sqlalchemy.orm import Session

from plan_service import store
from plan_service.errors import bad_request
from plan_service.validation import validate_resource

HEADER = "X-Provenance"


def _reference(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("reference"), str)


def from_request() -> Callable[[Session, store.StoredResource], None] | None:
    """What to store beside the written resource, from the request's X-Provenance; None without one."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    try:
        provenance = json.loads(raw)
    except ValueError:
        raise bad_request(f"{HEADER} must be a JSON Provenance.", HEADER) from None
    if not isinstance(provenance, dict) or provenance.get("resourceType") != "Provenance":
        raise bad_request(f"{HEADER} must be a JSON Provenance.", HEADER)
    agents = provenance.get("agent")
    if not isinstance(agents, list) or not agents:
        raise bad_request("A Provenance needs at least one agent.", "Provenance.agent")
    for agent in agents:
        if not isinstance(agent, dict) or not _reference(agent.get("who")):
            raise bad_request("Each agent needs who (a reference).", "Provenance.agent.who")
        if "onBehalfOf" in agent and not _reference(agent["onBehalfOf"]):
            raise bad_request("onBehalfOf must be a reference.", "Provenance.agent.onBehalfOf")
    provenance.pop("id", None)
    provenance.pop("meta", None)

    def add(session: Session, written: store.StoredResource) -> None:
        target = f"{written.resource_type}/{written.id}/_history/{written.version_id}"
        content = {
            **provenance,
            "target": [{"reference": target}],
            "recorded": store.format_instant(written.last_updated),
        }
        validate_resource(content, "Provenance")
        store.insert_new(session, content)

    return add
