"""The versioned resource store: every write keeps the current row, its history and its index in
step, in one transaction.

Concurrency: a create's identifiers are inserted under a unique constraint, so two racing creates
of the same client identifier end with one resource; an update is a compare-and-set on the
version (`UPDATE ... WHERE version_id = <If-Match>`), so two racing updates cannot both win.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, false, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plan_service import compartments
from plan_service.errors import FhirError, not_found
from plan_service.http import weak_etag
from plan_service.indexing import IndexEntry, index_entries, unique_identifiers
from plan_service.models import IdentifierRow, ResourceRow, ResourceVersionRow, SearchIndexRow
from plan_service.search import Criterion, first_matches


@dataclass(frozen=True)
class StoredResource:
    resource_type: str
    id: str
    version_id: int
    last_updated: datetime
    deleted: bool
    content: dict[str, Any]

    @property
    def etag(self) -> str:
        return weak_etag(self.version_id)

    @classmethod
    def from_row(cls, row: ResourceRow | ResourceVersionRow) -> StoredResource:
        return cls(
            row.resource_type,
            row.id,
            row.version_id,
            row.last_updated,
            row.deleted,
            json.loads(row.content),
        )


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_instant(when: datetime) -> str:
    # Microseconds always: a fixed width keeps instants comparable as text, and ordering of
    # writes within one second is kept.
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _serialize(content: dict[str, Any]) -> str:
    # ASCII-only text survives every database and driver unchanged, NUL included.
    return json.dumps(content, ensure_ascii=True, separators=(",", ":"))


def _stamp(resource: dict[str, Any], resource_id: str, version: int, when: datetime) -> dict:
    """The resource as stored: server-assigned id and meta, and the client's other meta kept."""
    meta = dict(resource.get("meta") or {})
    meta.update(versionId=str(version), lastUpdated=format_instant(when))
    rest = {k: v for k, v in resource.items() if k not in ("resourceType", "id", "meta")}
    return {"resourceType": resource["resourceType"], "id": resource_id, "meta": meta, **rest}


def read(session: Session, resource_type: str, resource_id: str) -> StoredResource | None:
    row = session.get(ResourceRow, (resource_type, resource_id))
    return StoredResource.from_row(row) if row else None


def get_current(session: Session, resource_type: str, resource_id: str) -> StoredResource:
    """The current version; 404 when unknown, 410 when deleted."""
    stored = read(session, resource_type, resource_id)
    if stored is None:
        raise not_found(f"{resource_type}/{resource_id} is not known.")
    if stored.deleted:
        raise FhirError(410, "deleted", f"{resource_type}/{resource_id} has been deleted.")
    return stored


def get_version(
    session: Session, resource_type: str, resource_id: str, version_id: int
) -> StoredResource:
    row = session.get(ResourceVersionRow, (resource_type, resource_id, version_id))
    if row is None:
        raise not_found(f"{resource_type}/{resource_id} has no version {version_id}.")
    if row.deleted:
        raise FhirError(
            410, "deleted", f"Version {version_id} of {resource_type}/{resource_id} is a deletion."
        )
    return StoredResource.from_row(row)


def current_many(session: Session, resource_type: str, ids: Iterable[str]) -> list[StoredResource]:
    """The live resources of one type among `ids`; unknown and deleted ids are left out."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    rows = session.scalars(
        select(ResourceRow).where(
            ResourceRow.resource_type == resource_type,
            ResourceRow.id.in_(wanted),
            ResourceRow.deleted == false(),
        )
    )
    return [StoredResource.from_row(row) for row in rows]


def _match_one(
    session: Session, resource_type: str, criteria: Sequence[Criterion]
) -> StoredResource | None:
    matches = first_matches(session, resource_type, criteria, limit=2)
    if len(matches) > 1:
        raise FhirError(
            412, "multiple-matches", f"If-None-Exist matches more than one {resource_type}."
        )
    return StoredResource.from_row(matches[0]) if matches else None


def _write_version(session: Session, content: dict[str, Any], when: datetime) -> None:
    session.execute(
        insert(ResourceVersionRow).values(
            resource_type=content["resourceType"],
            id=content["id"],
            version_id=int(content["meta"]["versionId"]),
            last_updated=when,
            deleted=False,
            content=_serialize(content),
        )
    )


def _write_index(
    session: Session, resource_type: str, resource_id: str, entries: list[IndexEntry]
) -> None:
    owner = {"resource_type": resource_type, "resource_id": resource_id}
    if entries:
        rows = [{**owner, **vars(e)} for e in entries]
        session.execute(insert(SearchIndexRow), rows)
    identifiers = [{**owner, "system": s, "value": v} for s, v in unique_identifiers(entries)]
    if identifiers:
        session.execute(insert(IdentifierRow), identifiers)


def _clear_index(session: Session, resource_type: str, resource_id: str) -> None:
    for table in (SearchIndexRow, IdentifierRow):
        session.execute(
            delete(table).where(
                table.resource_type == resource_type, table.resource_id == resource_id
            )
        )


def _duplicate_identifier(
    session: Session, resource_type: str, resource_id: str | None, entries: list[IndexEntry]
) -> FhirError | None:
    """The 409 for an identifier another resource of the type holds, if that is what failed."""
    pairs = unique_identifiers(entries)
    if not pairs:
        return None
    taken = session.scalars(
        select(IdentifierRow).where(
            IdentifierRow.resource_type == resource_type,
            IdentifierRow.resource_id != (resource_id or ""),
            or_(*(and_(IdentifierRow.system == s, IdentifierRow.value == v) for s, v in pairs)),
        )
    ).first()
    if taken is None:
        return None
    return FhirError(
        409,
        "duplicate",
        f"Another {resource_type} already has the identifier {taken.system}|{taken.value}.",
        f"{resource_type}.identifier",
    )


def _insert_version_1(
    session: Session, resource: dict[str, Any], entries: list[IndexEntry]
) -> StoredResource:
    """The rows of a new resource (current row, version 1, search index) in the session's transaction."""
    resource_type = resource["resourceType"]
    resource_id, when = str(uuid.uuid4()), utcnow()
    content = _stamp(resource, resource_id, 1, when)
    session.execute(
        insert(ResourceRow).values(
            resource_type=resource_type,
            id=resource_id,
            version_id=1,
            last_updated=when,
            deleted=False,
            content=_serialize(content),
        )
    )
    _write_version(session, content, when)
    _write_index(session, resource_type, resource_id, entries)
    return StoredResource(resource_type, resource_id, 1, when, False, content)


def insert_new(session: Session, resource: dict[str, Any]) -> StoredResource:
    """Add a new resource to the session's transaction (no commit): a Provenance beside what it is about."""
    return _insert_version_1(session, resource, index_entries(resource))


WithWritten = Callable[[Session, "StoredResource"], None]


def create(
    session: Session,
    resource: dict[str, Any],
    if_none_exist: Sequence[Criterion] | None = None,
    also: WithWritten | None = None,
) -> tuple[StoredResource, bool]:
    """Store a new resource; with `if_none_exist`, return the one match instead (created False)."""
    resource_type = resource["resourceType"]
    if if_none_exist is not None:
        existing = _match_one(session, resource_type, if_none_exist)
        if existing is not None:
            return existing, False
    entries = index_entries(resource)
    try:
        stored = _insert_version_1(session, resource, entries)
        compartments.bump(session, compartments.keys_of(resource_type, stored.id, entries))
        if also is not None:  # in the same transaction: both are stored, or neither
            also(session, stored)
        session.commit()
    except IntegrityError:
        # Lost a race (or reused an identifier): answer from what the winner committed.
        session.rollback()
        if if_none_exist is not None:
            existing = _match_one(session, resource_type, if_none_exist)
            if existing is not None:
                return existing, False
        duplicate = _duplicate_identifier(session, resource_type, None, entries)
        if duplicate is None:
            raise
        raise duplicate from None
    return stored, True


def update_resource(
    session: Session,
    resource: dict[str, Any],
    expected_version: int,
    also: WithWritten | None = None,
) -> StoredResource:
    """Write a new version if the current one is `expected_version`; 412 otherwise."""
    resource_type, resource_id = resource["resourceType"], resource["id"]
    entries = index_entries(resource)
    version, when = expected_version + 1, utcnow()
    content = _stamp(resource, resource_id, version, when)
    try:
        result = session.execute(
            update(ResourceRow)
            .where(
                ResourceRow.resource_type == resource_type,
                ResourceRow.id == resource_id,
                ResourceRow.version_id == expected_version,
                ResourceRow.deleted == false(),
            )
            .values(version_id=version, last_updated=when, content=_serialize(content))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            session.rollback()
            current = get_current(session, resource_type, resource_id)
            raise FhirError(
                412,
                "conflict",
                f"{resource_type}/{resource_id} is at version {current.version_id}, "
                f"not {expected_version}: read it again before changing it.",
            )
        _write_version(session, content, when)
        # Both the compartments it leaves and the ones it enters (a subject can change).
        touched = compartments.stored_keys(session, resource_type, resource_id)
        touched |= compartments.keys_of(resource_type, resource_id, entries)
        _clear_index(session, resource_type, resource_id)
        _write_index(session, resource_type, resource_id, entries)
        compartments.bump(session, touched)
        if also is not None:
            also(session, StoredResource(resource_type, resource_id, version, when, False, content))
        session.commit()
    except IntegrityError:
        session.rollback()
        duplicate = _duplicate_identifier(session, resource_type, resource_id, entries)
        if duplicate is None:
            raise
        raise duplicate from None
    return StoredResource(resource_type, resource_id, version, when, False, content)


def delete_resource(session: Session, resource_type: str, resource_id: str) -> int:
    """Tombstone a resource (reads answer 410) and free its identifiers; returns the new version.

    The HTTP contract has no delete interaction; this is for the case system's side and fixtures.
    """
    current = get_current(session, resource_type, resource_id)
    version, when = current.version_id + 1, utcnow()
    result = session.execute(
        update(ResourceRow)
        .where(
            ResourceRow.resource_type == resource_type,
            ResourceRow.id == resource_id,
            ResourceRow.version_id == current.version_id,
        )
        .values(version_id=version, last_updated=when, deleted=True)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise FhirError(412, "conflict", f"{resource_type}/{resource_id} changed meanwhile.")
    session.execute(
        insert(ResourceVersionRow).values(
            resource_type=resource_type,
            id=resource_id,
            version_id=version,
            last_updated=when,
            deleted=True,
            content=_serialize(current.content),
        )
    )
    touched = compartments.stored_keys(session, resource_type, resource_id)
    _clear_index(session, resource_type, resource_id)
    compartments.bump(session, touched)
    session.commit()
    return version
