"""How a view declares its guard. Every route carries one (tests/meta checks it); the guard asks the policy.

The guard also fixes, once per request, whose data the request acts on: a citizen acts on their own plan; a
relative, guardian or parent on the one citizen they chose (explicitly, when they act for several). One request
never mixes two citizens: views only ever see `current_citizen_ref()`. Where the answer depends on the thing
the route names (a delegation, an absence), the guard loads it, hands the policy its facts, and gives the view
the loaded thing (`current_resource()`): the policy stays pure, the view never decides.

It lives beside the views, not in `authz/`: it knows the request, the session, the signed-in person and the
audit log, which the pure policy never does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, render_template, request, session, url_for

from .. import db
from ..audit import record
from ..authz import (
    NOTHING,
    AbsenceFacts,
    Action,
    Actor,
    Decision,
    DelegationFacts,
    Grant,
    Role,
    can,
)
from ..authz.policy import Resource
from ..data import delegations as delegation_data
from ..data.delegations import citizen_names, latest_ended_for_relative
from ..identity import current_actor, meets_level
from ..models import AccountKind, Delegation, utcnow

GUARD_ATTRIBUTE = "_borgerensplan_guard"
# Actions about the person themself, not about a citizen they act for.
_ABOUT_ONESELF = frozenset({Action.OWN_ACCOUNT_MANAGE, Action.CASELOAD_READ, Action.ABSENCE_MANAGE})
ACTING_FOR = "acting_for"
F = TypeVar("F", bound=Callable[..., Any])


def public(view: F) -> F:
    """No citizen data behind this route: anyone may call it."""
    setattr(view, GUARD_ATTRIBUTE, "public")
    return view


def current_citizen_ref() -> str:
    """The citizen the current request acts on, as decided by the guard."""
    return g.citizen_ref


def current_author_ref() -> str:
    """Who writes, in the plan API: the citizen, or the RelatedPerson acting for them."""
    return g.author_ref


def chosen_grant(actor: Actor) -> Grant | None:
    """The delegation a relative acts through in this session; with only one, that one."""
    delegated = [gr for gr in actor.grants if gr.delegation_id is not None]
    chosen = session.get(ACTING_FOR)
    match = next((gr for gr in delegated if str(gr.delegation_id) == chosen), None)
    if match is None and len(delegated) == 1:
        return delegated[0]
    return match


def access_ended_page(actor: Actor) -> tuple[str, int] | None:
    """A relative whose every delegation has ended is told so, plainly ("Sara has ended your access", "your
    access ended on …"), instead of "page not found": the name of the person they helped is all it shows,
    whatever was asked for. Still a 404, like every refusal."""
    ended = latest_ended_for_relative(db.session(), actor.account_id, utcnow().date())
    if ended is None:
        return None
    name = citizen_names(db.session(), [ended.citizen_ref]).get(ended.citizen_ref, "")
    return render_template(
        "acting/ended.html",
        name=name,
        revoked=ended.revoked_at is not None,
        by_citizen=ended.revoked_by == ended.citizen_account_id,
        by_self=ended.revoked_by is not None and ended.revoked_by == actor.account_id,
        ended_on=ended.ends_on,
    ), 404


def current_resource() -> Any:
    """The thing the route names, as the guard loaded it for the policy (a `Delegation`, …)."""
    return g.resource


# Loaders: what a route names, loaded from its URL arguments. Each returns the thing, or None when there is
# no such thing (the policy then answers as for anything that does not exist).
Loader = Callable[[Actor, dict[str, Any]], Any]


def delegation(_actor: Actor, kwargs: dict[str, Any]) -> Delegation | None:
    try:
        return delegation_data.by_id(
            db.session(), kwargs["delegation_id"]
        )  # a <uuid:> in every route
    except ValueError:
        return None


def own_absence(actor: Actor, _kwargs: dict[str, Any]) -> AbsenceFacts:
    """The absence page is always about the signed-in caseworker's own PractitionerRole."""
    return AbsenceFacts(actor.fhir_ref or "")


def facts(thing: Any) -> Resource:
    """What the policy needs to know of a loaded thing."""
    if thing is None:
        return NOTHING
    if isinstance(thing, Delegation):
        return DelegationFacts(thing.citizen_ref, Role(thing.kind.value), thing.relative_account_id)
    if isinstance(thing, AbsenceFacts):
        return thing
    raise TypeError(f"no facts for {type(thing).__name__}")


def default_citizen_refs(actor: Actor) -> list[str]:
    """Whose data a page without a guarded citizen would be about: the citizen's own; for a relative the
    person chosen (or everyone they act for, until they choose)."""
    if actor.kind is AccountKind.CITIZEN and actor.fhir_ref:
        return [actor.fhir_ref]
    if actor.kind is AccountKind.RELATIVE:
        grant = chosen_grant(actor)
        return [grant.citizen_ref] if grant else [gr.citizen_ref for gr in actor.grants]
    return []


def may(action: str, thing: Any = None) -> Decision:
    """Whether this request's actor may do `action` for this request's citizen (on `thing`, when given): for
    templates, to show or hide a control. The guard of the route the control leads to decides again."""
    actor = g.get("actor")
    if actor is None or actor.anonymous:
        return Decision(False, "anonymous")
    citizen_ref = g.get("citizen_ref")
    candidates = [citizen_ref] if citizen_ref else default_citizen_refs(actor) or [None]
    if isinstance(thing, Grant):
        # One of the actor's own grants (the acting banner's): a grant is only ever loaded for the person
        # who acts through it, so its facts name them; any other grant names nobody.
        owner = actor.account_id if thing in actor.grants else None
        resource: Resource | None = DelegationFacts(thing.citizen_ref, thing.role, owner)
    else:
        resource = None if thing is None else facts(thing)
    denied = Decision(False, "none")
    for candidate in candidates:
        decision = can(actor, Action(action), candidate, resource)
        if decision:
            return decision
        denied = decision
    return denied


def _level_enough(action: Action) -> bool:
    """SUBSTANTIAL_REQUIRED_FOR names the actions that need a session at NSIS Substantial (a MitID sign-in)."""
    required = current_app.config.get("SUBSTANTIAL_REQUIRED_FOR", "").split()
    return action.value not in required or meets_level("Substantial")


def guarded(action: Action, resource_type: str, resource: Loader | None = None) -> Callable[[F], F]:
    """Ask the policy before the view runs, and write the audit event either way. With `resource`, the
    thing the route names is loaded first and its facts go to the policy with the question."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            if actor.anonymous:
                abort(401)
            grant = None
            if actor.kind is AccountKind.CITIZEN:
                citizen_ref = actor.fhir_ref
            elif actor.kind is AccountKind.CASEWORKER and "patient_id" in kwargs:
                # The caseworker area names the citizen in the URL (an opaque id); the policy decides.
                citizen_ref = f"Patient/{kwargs['patient_id']}"
                grant = actor.grant_for(citizen_ref)
            elif actor.kind is AccountKind.RELATIVE and action not in _ABOUT_ONESELF:
                grant = chosen_grant(actor)
                if grant is None and actor.grants and request.method == "GET":
                    return redirect(url_for("acting.choose", next=request.path), code=303)
                citizen_ref = grant.citizen_ref if grant else None
            else:
                citizen_ref = None
            thing = resource(actor, kwargs) if resource is not None else None
            decision = can(actor, action, citizen_ref, facts(thing) if resource else None)
            record(actor, action.value, resource_type, citizen_ref, decision)
            if not decision:
                if actor.kind is AccountKind.RELATIVE and not actor.grants:
                    ended = access_ended_page(actor)
                    if ended is not None:
                        return ended
                abort(404)  # the same answer as for something that does not exist
            if not _level_enough(action):
                # Allowed for this person, but not with how this session was established: MitID first.
                return redirect(
                    url_for("auth.sign_in_page", next=request.path, level="1"), code=303
                )
            g.citizen_ref = citizen_ref
            g.resource = thing
            g.acting_role = decision.role
            g.acting_grant = grant
            g.author_ref = (grant.author_ref if grant else None) or actor.fhir_ref
            if grant is not None and grant.delegation_id is None:
                g.acting_grant = None  # caseworkers act as themselves: no "acting for" banner
            return view(*args, **kwargs)

        setattr(wrapper, GUARD_ATTRIBUTE, action.value)
        return wrapper  # type: ignore[return-value]

    return decorate
