"""Typed SQLAlchemy models, a file per aggregate. Importing this package registers every table."""

from .account import Account, AccountKind
from .audit import AuditEvent
from .base import Base, utcnow
from .outbox import OutboxMessage, OutboxState
from .plan_snapshot import PlanSnapshot

__all__ = [
    "Account",
    "AccountKind",
    "AuditEvent",
    "Base",
    "OutboxMessage",
    "OutboxState",
    "PlanSnapshot",
    "utcnow",
]
