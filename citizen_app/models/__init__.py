"""Typed SQLAlchemy models, a file per aggregate. Importing this package registers every table."""

from .account import Account, AccountKind
from .audit import AuditEvent
from .auth import ActivationCode, Passkey, UserSession, WebAuthnChallenge
from .base import Base, utcnow
from .caseload import CaseloadEntry, FeedCursor
from .delegation import Delegation, DelegationKind, Scope
from .draft import Draft, MessageRead
from .outbox import OutboxMessage, OutboxState
from .plan_snapshot import PlanSnapshot
from .receipt import DelegatedActReceipt
from .saml import SamlAssertionSeen, SamlRequest

__all__ = [
    "Account",
    "AccountKind",
    "ActivationCode",
    "AuditEvent",
    "Base",
    "CaseloadEntry",
    "DelegatedActReceipt",
    "Delegation",
    "DelegationKind",
    "Draft",
    "FeedCursor",
    "MessageRead",
    "OutboxMessage",
    "OutboxState",
    "Passkey",
    "PlanSnapshot",
    "SamlAssertionSeen",
    "SamlRequest",
    "Scope",
    "UserSession",
    "WebAuthnChallenge",
    "utcnow",
]
