"""Typed SQLAlchemy models, a file per aggregate. Importing this package registers every table."""

from .account import Account, AccountKind
from .audit import AuditEvent
from .auth import ActivationCode, Passkey, UserSession, WebAuthnChallenge
from .base import Base, utcnow
from .outbox import OutboxMessage, OutboxState
from .plan_snapshot import PlanSnapshot

__all__ = [
    "Account",
    "AccountKind",
    "ActivationCode",
    "AuditEvent",
    "Base",
    "OutboxMessage",
    "OutboxState",
    "Passkey",
    "PlanSnapshot",
    "UserSession",
    "WebAuthnChallenge",
    "utcnow",
]
