"""Typed SQLAlchemy models, a file per aggregate. Importing this package registers every table."""

from .account import Account, AccountKind
from .audit import AuditEvent
from .auth import ActivationCode, Passkey, UserSession, WebAuthnChallenge
from .base import Base, utcnow
from .draft import Draft, MessageRead
from .outbox import OutboxMessage, OutboxState
from .plan_snapshot import PlanSnapshot

__all__ = [
    "Account",
    "AccountKind",
    "ActivationCode",
    "AuditEvent",
    "Base",
    "Draft",
    "MessageRead",
    "OutboxMessage",
    "OutboxState",
    "Passkey",
    "PlanSnapshot",
    "UserSession",
    "WebAuthnChallenge",
    "utcnow",
]
