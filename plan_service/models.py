"""Tables of the versioned resource store.

`plan_resource` holds the current version of every resource, `plan_resource_version` every version
ever written, `plan_search_index` the searchable values extracted at write time and
`plan_identifier` the (system, value) identifiers whose uniqueness per type makes idempotent
creates race-safe. Resource JSON is kept as ASCII text, not a JSON column: PostgreSQL's json types
reject the NUL character that FHIR strings may contain.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TYPE_LENGTH = 64
ID_LENGTH = 64
# Longest token value or system we index, in UTF-8 bytes: keeps every index entry well within
# PostgreSQL's btree limit (about 2700 bytes) whatever the script.
INDEXED_VALUE_LENGTH = 512


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database, on every backend.

    SQLite has no time zones; storing naive UTC everywhere keeps comparisons and ordering right.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class ResourceRow(Base):
    __tablename__ = "plan_resource"
    __table_args__ = (
        Index("ix_plan_resource_type_updated", "resource_type", "last_updated", "id"),
    )

    resource_type: Mapped[str] = mapped_column(String(TYPE_LENGTH), primary_key=True)
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer)
    last_updated: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted: Mapped[bool] = mapped_column(default=False)
    content: Mapped[str] = mapped_column(Text)


class ResourceVersionRow(Base):
    __tablename__ = "plan_resource_version"
    __table_args__ = (
        ForeignKeyConstraint(
            ["resource_type", "id"], ["plan_resource.resource_type", "plan_resource.id"]
        ),
        # `_history?_since=`: the change feed reads versions in time order.
        Index("ix_plan_resource_version_updated", "last_updated", "id", "version_id"),
        Index("ix_plan_resource_version_type_updated", "resource_type", "last_updated"),
    )

    resource_type: Mapped[str] = mapped_column(String(TYPE_LENGTH), primary_key=True)
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_updated: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted: Mapped[bool] = mapped_column(default=False)
    content: Mapped[str] = mapped_column(Text)


class SearchIndexRow(Base):
    """One searchable value: a token (system, value) or a reference (ref_type, ref_id)."""

    __tablename__ = "plan_search_index"
    __table_args__ = (
        ForeignKeyConstraint(
            ["resource_type", "resource_id"], ["plan_resource.resource_type", "plan_resource.id"]
        ),
        Index("ix_plan_search_token", "resource_type", "param", "value", "system"),
        Index("ix_plan_search_reference", "resource_type", "param", "ref_id", "ref_type"),
        Index("ix_plan_search_resource", "resource_type", "resource_id"),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_type: Mapped[str] = mapped_column(String(TYPE_LENGTH))
    resource_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    param: Mapped[str] = mapped_column(String(64))
    system: Mapped[str | None] = mapped_column(String(INDEXED_VALUE_LENGTH))
    value: Mapped[str | None] = mapped_column(String(INDEXED_VALUE_LENGTH))
    ref_type: Mapped[str | None] = mapped_column(String(TYPE_LENGTH))
    ref_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))


class IdentifierRow(Base):
    __tablename__ = "plan_identifier"
    __table_args__ = (
        UniqueConstraint("resource_type", "system", "value", name="uq_plan_identifier"),
        ForeignKeyConstraint(
            ["resource_type", "resource_id"], ["plan_resource.resource_type", "plan_resource.id"]
        ),
        Index("ix_plan_identifier_resource", "resource_type", "resource_id"),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_type: Mapped[str] = mapped_column(String(TYPE_LENGTH))
    system: Mapped[str] = mapped_column(String(INDEXED_VALUE_LENGTH))
    value: Mapped[str] = mapped_column(String(INDEXED_VALUE_LENGTH))
    resource_id: Mapped[str] = mapped_column(String(ID_LENGTH))


class CompartmentVersionRow(Base):
    """A counter per patient compartment, raised in the same transaction as every write into it.

    `key` is a Patient id, or STAFF_KEY for the staff resources `$everything` follows from a
    CareTeam (PractitionerRole, Practitioner). `$everything`'s ETag is made from these counters, so
    a conditional read answers 304 from one small query, without loading the plan.
    """

    __tablename__ = "plan_compartment_version"

    key: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


# Not a valid FHIR id (ids have no "*"), so it can never be a Patient's key.
STAFF_KEY = "*staff"


class ClientRow(Base):
    """A registered system client (SMART Backend Services): its public keys and the scopes it may get."""

    __tablename__ = "plan_client"

    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    jwks: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)


class UsedAssertionRow(Base):
    """A client assertion's `jti`, kept until the assertion expires, so that it cannot be used twice."""

    __tablename__ = "plan_used_assertion"

    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
