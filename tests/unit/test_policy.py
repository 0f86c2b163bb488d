"""The policy as a pure function: the cases no route reaches yet (the caseworker area) and the edges."""

from __future__ import annotations

import uuid

import pytest

from citizen_app.authz import Action, Actor, Grant, Role, can
from citizen_app.authz.policy import ANONYMOUS
from citizen_app.models import AccountKind

SARA = "Patient/sara"
MADS = "Patient/mads"


def actor(kind: AccountKind, ref: str, *grants: Grant) -> Actor:
    return Actor(uuid.uuid4(), kind, ref, "x", grants)


def test_deny_by_default() -> None:
    assert not can(ANONYMOUS, Action.PLAN_READ, SARA)
    assert not can(ANONYMOUS, Action.OWN_ACCOUNT_MANAGE, None)
    sara = actor(AccountKind.CITIZEN, SARA)
    assert not can(sara, Action.PLAN_READ, MADS)
    assert not can(sara, Action.CASE_PLAN_READ, SARA)  # a citizen is no caseworker of herself
    assert not can(sara, Action.PLAN_READ, None)


@pytest.mark.parametrize("role", [Role.FIXED_CASEWORKER, Role.SUBSTITUTE])
def test_the_fixed_caseworker_and_the_substitute_may_work_on_the_case(role: Role) -> None:
    jonas = actor(AccountKind.CASEWORKER, "PractitionerRole/j", Grant(SARA, role))
    assert can(jonas, Action.CASE_PLAN_READ, SARA).role == role.value
    assert can(jonas, Action.CASE_REVIEW, SARA)
    assert not can(jonas, Action.CASE_PLAN_READ, MADS)
    assert not can(jonas, Action.MESSAGE_WRITE, SARA)  # never as the citizen
    assert not can(jonas, Action.DELEGATION_MANAGE, SARA)


def test_another_caseworker_is_refused() -> None:
    ole = actor(AccountKind.CASEWORKER, "PractitionerRole/o")
    assert not can(ole, Action.CASE_PLAN_READ, SARA)


def test_delegations_allow_exactly_their_scopes() -> None:
    def relative(*scopes: str, role: Role = Role.RELATIVE) -> Actor:
        return actor(AccountKind.RELATIVE, "RelatedPerson/p", Grant(SARA, role, frozenset(scopes)))

    assert can(relative("read"), Action.PLAN_READ, SARA).role == "relative"
    assert not can(relative("read"), Action.PROGRESS_SIGN_WRITE, SARA)
    assert can(relative("read", "write"), Action.GOAL_PROPOSE, SARA)
    assert not can(relative("read", "write"), Action.MESSAGE_READ, SARA)
    assert can(relative("message"), Action.MESSAGE_WRITE, SARA)
    for role in (Role.RELATIVE, Role.GUARDIAN, Role.PARENT):
        everything = relative("read", "write", "message", role=role)
        for action in (
            Action.DELEGATION_MANAGE,
            Action.ACCESS_LOG_READ,
            Action.MY_DATA_EXPORT,
            Action.CASE_PLAN_READ,
        ):
            assert not can(everything, action, SARA), (role, action)
        assert not can(everything, Action.PLAN_READ, MADS)
    assert not can(relative("nonsense"), Action.PLAN_READ, SARA)


def test_only_caseworkers_have_a_caseload_and_an_absence() -> None:
    ole = actor(AccountKind.CASEWORKER, "PractitionerRole/o")
    sara = actor(AccountKind.CITIZEN, SARA)
    peter = actor(
        AccountKind.RELATIVE, "RelatedPerson/p", Grant(SARA, Role.RELATIVE, frozenset({"read"}))
    )
    for action in (Action.CASELOAD_READ, Action.ABSENCE_MANAGE):
        assert can(ole, action, None)
        assert not can(sara, action, SARA)
        assert not can(peter, action, None)
        assert not can(ANONYMOUS, action, None)
