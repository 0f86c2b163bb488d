"""The one authorization policy. Views declare what they do; `can` decides; nothing else does."""

from .guard import GUARD_ATTRIBUTE, current_author_ref, current_citizen_ref, guarded, public
from .policy import Action, Actor, Decision, Grant, Role, can

__all__ = [
    "GUARD_ATTRIBUTE",
    "Action",
    "Actor",
    "Decision",
    "Grant",
    "Role",
    "can",
    "current_author_ref",
    "current_citizen_ref",
    "guarded",
    "public",
]
