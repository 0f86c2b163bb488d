"""Versions of patient compartments: what makes a conditional `$everything` cost one small query.

Every write into a Patient's compartment (the Patient itself, or a resource whose `patient`
reference names it) raises that Patient's counter in the same transaction; every write of a
PractitionerRole or Practitioner raises the staff counter (`$everything` follows CareTeams to
roles, substitutes and practitioners, and which of them a plan reaches is only known by loading
it). `$everything`'s ETag is made of the two counters and the `_type` filter.

Correct under concurrent writes: the counter is raised with `INSERT … ON CONFLICT DO UPDATE SET
version = version + 1`, which holds the row's lock until the write commits, so two writes into one
compartment cannot both leave the same number behind; and a reader reads the counters *before* the
resources, so the content it sends is at least as new as its ETag (a write that lands in between
makes the ETag older than the content, never the other way round: the next conditional read is a
200, not a stale 304).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plan_service.indexing import IndexEntry
from plan_service.models import STAFF_KEY, CompartmentVersionRow, SearchIndexRow
from plan_service.resource_types import EVERYTHING_TYPES, RESOURCE_TYPES

STAFF_TYPES = frozenset({"PractitionerRole", "Practitioner"})
# ALL_TYPES is what $everything returns without `_type`.
ALL_TYPES = frozenset(EVERYTHING_TYPES)


def _in_compartment(resource_type: str) -> bool:
    known = RESOURCE_TYPES.get(resource_type)
    return bool(known and known.in_patient_compartment)


def keys_of(resource_type: str, resource_id: str, entries: Iterable[IndexEntry]) -> set[str]:
    """The counters a write of this resource (with these index entries) must raise."""
    if resource_type == "Patient":
        return {resource_id}
    if resource_type in STAFF_TYPES:
        return {STAFF_KEY}
    if not _in_compartment(resource_type):
        return set()
    return {
        e.ref_id for e in entries if e.param == "patient" and e.ref_type == "Patient" and e.ref_id
    }


def stored_keys(session: Session, resource_type: str, resource_id: str) -> set[str]:
    """The counters of the compartments the stored version is in (before an update or delete)."""
    if resource_type == "Patient" or resource_type in STAFF_TYPES:
        return keys_of(resource_type, resource_id, ())
    if not _in_compartment(resource_type):
        return set()
    return set(
        session.scalars(
            select(SearchIndexRow.ref_id).where(
                SearchIndexRow.resource_type == resource_type,
                SearchIndexRow.resource_id == resource_id,
                SearchIndexRow.param == "patient",
                SearchIndexRow.ref_type == "Patient",
            )
        )
    )


def bump(session: Session, keys: Iterable[str]) -> None:
    """Raise each counter by one (creating it at 1), in key order so two writers never deadlock."""
    dialect = session.get_bind().dialect.name
    for key in sorted(set(keys)):
        if dialect in ("postgresql", "sqlite"):
            upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
                CompartmentVersionRow
            ).values(key=key, version=1)
            session.execute(
                upsert.on_conflict_do_update(
                    index_elements=[CompartmentVersionRow.key],
                    set_={"version": CompartmentVersionRow.version + 1},
                )
            )
            continue
        raised = session.execute(
            update(CompartmentVersionRow)
            .where(CompartmentVersionRow.key == key)
            .values(version=CompartmentVersionRow.version + 1)
        )
        if raised.rowcount == 0:  # type: ignore[attr-defined]
            try:
                with session.begin_nested():
                    session.execute(insert(CompartmentVersionRow).values(key=key, version=1))
            except IntegrityError:
                session.execute(
                    update(CompartmentVersionRow)
                    .where(CompartmentVersionRow.key == key)
                    .values(version=CompartmentVersionRow.version + 1)
                )


def everything_etag(session: Session, patient_id: str, types: Iterable[str]) -> str | None:
    """The ETag of `Patient/{id}/$everything` from the counters: one indexed query.

    None when the Patient has no counter (unknown, or stored before counters existed): then the
    caller loads the plan and makes its ETag from the content.
    """
    rows = dict(
        session.execute(
            select(CompartmentVersionRow.key, CompartmentVersionRow.version).where(
                CompartmentVersionRow.key.in_([patient_id, STAFF_KEY])
            )
        ).all()
    )
    if patient_id not in rows:
        return None
    wanted = frozenset(types)
    filter_tag = (
        "all"
        if wanted == ALL_TYPES
        else hashlib.sha256(",".join(sorted(wanted)).encode()).hexdigest()[:12]
    )
    return f'W/"c{rows[patient_id]}.{rows.get(STAFF_KEY, 0)}.{filter_tag}"'
