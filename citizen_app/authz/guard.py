"""How a view declares its guard. Every route must carry one (tests/meta checks); the guard asks the policy."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, g

from ..audit import record
from ..identity import current_actor
from ..models import AccountKind
from .policy import Action, can

GUARD_ATTRIBUTE = "_borgerensplan_guard"
F = TypeVar("F", bound=Callable[..., Any])


def public(view: F) -> F:
    """No citizen data behind this route: anyone may call it."""
    setattr(view, GUARD_ATTRIBUTE, "public")
    return view


def current_citizen_ref() -> str:
    """The citizen the current request acts on, as decided by the guard."""
    return g.citizen_ref


def guarded(action: Action, resource_type: str) -> Callable[[F], F]:
    """Ask the policy before the view runs, and write the audit event either way.

    Until delegation exists, the citizen a request acts on is the signed-in citizen themself.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            if actor.anonymous:
                abort(401)
            # Until delegation exists, a citizen acts on their own plan and nobody else acts on any.
            citizen_ref = actor.fhir_ref if actor.kind is AccountKind.CITIZEN else None
            decision = can(actor, action, citizen_ref)
            record(actor, action.value, resource_type, citizen_ref, decision)
            if not decision:
                abort(404)  # the same answer as for something that does not exist
            g.citizen_ref = citizen_ref
            g.acting_role = decision.role
            return view(*args, **kwargs)

        setattr(wrapper, GUARD_ATTRIBUTE, action.value)
        return wrapper  # type: ignore[return-value]

    return decorate
