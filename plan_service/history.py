"""`_history`: every version written, as a change feed (`GET /_history?_since=…`, `GET /{type}/_history`).

A reader that keeps its own copy (the portal's caseload read model) asks for what changed since the last
time. Entries are oldest first when `_sort=_lastUpdated` is given (the order a feed reader needs: new writes
only ever add to the end, so `next` pages by offset are stable), else newest first as FHIR's default.
Paged with `_count` (default 100, at most 1,000) and `next` links; `_since` keeps its value across pages.
Served from `plan_resource_version` by the index on (last_updated), so the cost follows the page size, not
the number of stored versions.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plan_service.errors import bad_request
from plan_service.http import base_url, resource_url
from plan_service.models import ResourceVersionRow
from plan_service.store import format_instant, utcnow

DEFAULT_COUNT = 100
MAX_COUNT = 1000
PARAMS = ("_since", "_count", "_offset", "_sort")


def _instant(raw: str) -> datetime:
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(
            f"_since must be an instant with a time zone, not {raw!r}.", "_since"
        ) from None
    if when.tzinfo is None:
        raise bad_request("_since needs a time zone (for example +00:00).", "_since")
    return when


def _number(raw: str | None, name: str, default: int, most: int | None = None) -> int:
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise bad_request(f"{name} must be a whole number, not {raw!r}.", name)
    value = int(raw)
    return min(value, most) if most is not None else value


def history_bundle(
    session: Session, resource_type: str | None, args: dict[str, str]
) -> dict[str, Any]:
    unknown = sorted(set(args) - set(PARAMS))
    if unknown:
        raise bad_request(f"_history does not support {', '.join(unknown)}.")
    since = _instant(args["_since"]) if "_since" in args else None
    count = _number(args.get("_count"), "_count", DEFAULT_COUNT, MAX_COUNT)
    offset = _number(args.get("_offset"), "_offset", 0)
    sort = args.get("_sort", "-_lastUpdated")
    if sort not in ("_lastUpdated", "-_lastUpdated"):
        raise bad_request("_sort on _history is _lastUpdated or -_lastUpdated.", "_sort")
    now = utcnow()  # before the query: a write during it is in the next feed read, never lost
    conditions = []
    if resource_type is not None:
        conditions.append(ResourceVersionRow.resource_type == resource_type)
    if since is not None:
        conditions.append(ResourceVersionRow.last_updated >= since)
    total = session.scalar(select(func.count()).select_from(ResourceVersionRow).where(*conditions))
    order = (
        (ResourceVersionRow.last_updated, ResourceVersionRow.id, ResourceVersionRow.version_id)
        if sort == "_lastUpdated"
        else (
            ResourceVersionRow.last_updated.desc(),
            ResourceVersionRow.id.desc(),
            ResourceVersionRow.version_id.desc(),
        )
    )
    rows = session.scalars(
        select(ResourceVersionRow).where(*conditions).order_by(*order).offset(offset).limit(count)
    ).all()
    path = f"{base_url()}/{resource_type}/_history" if resource_type else f"{base_url()}/_history"

    def page(at: int) -> str:
        params = [(k, args[k]) for k in ("_since", "_sort") if k in args]
        params += [("_count", str(count)), ("_offset", str(at))]
        return f"{path}?{urlencode(params, quote_via=quote, safe=':/')}"

    links = [{"relation": "self", "url": page(offset)}]
    if count and offset + count < (total or 0):
        links.append({"relation": "next", "url": page(offset + count)})
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        # When this feed read started: the `_since` for the next one.
        "meta": {"lastUpdated": format_instant(now)},
        "type": "history",
        "total": total,
        "link": links,
        "entry": [_entry(row) for row in rows],
    }


def _entry(row: ResourceVersionRow) -> dict[str, Any]:
    import json

    url = f"{row.resource_type}/{row.id}"
    entry: dict[str, Any] = {
        "fullUrl": resource_url(row.resource_type, row.id),
        "request": {
            "method": "DELETE" if row.deleted else ("POST" if row.version_id == 1 else "PUT"),
            "url": url if row.version_id != 1 or row.deleted else row.resource_type,
        },
        "response": {
            "status": "204" if row.deleted else ("201" if row.version_id == 1 else "200"),
            "etag": f'W/"{row.version_id}"',
            "lastModified": format_instant(row.last_updated),
        },
    }
    if not row.deleted:
        entry["resource"] = json.loads(row.content)
    return entry
