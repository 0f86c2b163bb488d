"""The one authorization policy. Views declare what they do; `can` decides; nothing else does."""

from .guard import GUARD_ATTRIBUTE, current_citizen_ref, guarded, public
from .policy import Action, Actor, Decision, can

__all__ = [
    "GUARD_ATTRIBUTE",
    "Action",
    "Actor",
    "Decision",
    "can",
    "current_citizen_ref",
    "guarded",
    "public",
]
