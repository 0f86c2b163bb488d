"""The one authorization policy, pure: `can` decides; nothing else does. The guard that asks it before every
view (and writes the audit event) lives beside the views, in `views/_guard.py`."""

from .policy import (
    NOTHING,
    AbsenceFacts,
    Action,
    Actor,
    Decision,
    DelegationFacts,
    Grant,
    Missing,
    Role,
    can,
)

__all__ = [
    "NOTHING",
    "AbsenceFacts",
    "Action",
    "Actor",
    "Decision",
    "DelegationFacts",
    "Grant",
    "Missing",
    "Role",
    "can",
]
