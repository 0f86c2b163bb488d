"""The policy as a pure function: the cases no route reaches yet, the edges, and the rules that depend on the
resource (whose delegation, of which kind; whose absence)."""

from __future__ import annotations

import uuid

import pytest

from citizen_app.authz import (
    NOTHING,
    AbsenceFacts,
    Action,
    Actor,
    DelegationFacts,
    Grant,
    Role,
    can,
)
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


# The rules that depend on the thing acted on: the guard loads it and passes its facts; the policy decides.
def test_a_relatives_delegation_is_the_citizens_to_change_and_end() -> None:
    sara = actor(AccountKind.CITIZEN, SARA)
    mads = actor(AccountKind.CITIZEN, MADS)
    jonas = actor(AccountKind.CASEWORKER, "PractitionerRole/j", Grant(SARA, Role.FIXED_CASEWORKER))
    peters = DelegationFacts(SARA, Role.RELATIVE, uuid.uuid4())
    assert can(sara, Action.DELEGATION_MANAGE, SARA, peters)
    assert not can(mads, Action.DELEGATION_MANAGE, MADS, peters)  # another citizen's
    assert not can(jonas, Action.CASE_REVIEW, SARA, peters)  # not staff's to end
    assert can(jonas, Action.CASE_REVIEW, SARA)  # while the case itself is


@pytest.mark.parametrize("role", [Role.GUARDIAN, Role.PARENT, Role.FULDMAGT])
def test_a_guardians_delegation_is_ended_by_staff_not_by_the_citizen(role: Role) -> None:
    sara = actor(AccountKind.CITIZEN, SARA)
    jonas = actor(AccountKind.CASEWORKER, "PractitionerRole/j", Grant(SARA, Role.FIXED_CASEWORKER))
    amina = actor(AccountKind.CASEWORKER, "PractitionerRole/a", Grant(SARA, Role.SUBSTITUTE))
    ole = actor(AccountKind.CASEWORKER, "PractitionerRole/o")
    grethes = DelegationFacts(SARA, role, uuid.uuid4())
    assert not can(sara, Action.DELEGATION_MANAGE, SARA, grethes)
    assert can(jonas, Action.CASE_REVIEW, SARA, grethes).role == "fixed-caseworker"
    assert can(amina, Action.CASE_REVIEW, SARA, grethes)
    assert not can(ole, Action.CASE_REVIEW, SARA, grethes)
    assert not can(
        jonas, Action.CASE_REVIEW, SARA, DelegationFacts(MADS, role)
    )  # through Sara's page
    assert not can(jonas, Action.CASE_UPDATE, SARA, grethes)  # no other action reaches a delegation


def test_a_relative_may_end_only_his_own_access() -> None:
    peter = actor(
        AccountKind.RELATIVE, "RelatedPerson/p", Grant(SARA, Role.RELATIVE, frozenset({"read"}))
    )
    own = DelegationFacts(SARA, Role.RELATIVE, peter.account_id)
    assert can(peter, Action.OWN_ACCOUNT_MANAGE, None, own)
    assert not can(peter, Action.OWN_ACCOUNT_MANAGE, None, DelegationFacts(SARA, Role.RELATIVE))
    other = DelegationFacts(SARA, Role.RELATIVE, uuid.uuid4())
    assert not can(peter, Action.OWN_ACCOUNT_MANAGE, None, other)
    # A guardian's or parent's ends with a caseworker, a power of attorney in Digital Fuldmagt.
    for role in (Role.GUARDIAN, Role.PARENT, Role.FULDMAGT):
        assert not can(
            peter, Action.OWN_ACCOUNT_MANAGE, None, DelegationFacts(SARA, role, peter.account_id)
        )
    sara = actor(AccountKind.CITIZEN, SARA)
    assert not can(sara, Action.OWN_ACCOUNT_MANAGE, None, own)  # the citizen ends it otherwise


def test_a_caseworkers_absence_is_their_own() -> None:
    jonas = actor(AccountKind.CASEWORKER, "PractitionerRole/j")
    assert can(jonas, Action.ABSENCE_MANAGE, None, AbsenceFacts("PractitionerRole/j"))
    assert not can(jonas, Action.ABSENCE_MANAGE, None, AbsenceFacts("PractitionerRole/a"))
    sara = actor(AccountKind.CITIZEN, SARA)
    assert not can(sara, Action.ABSENCE_MANAGE, None, AbsenceFacts(SARA))


def test_a_missing_resource_is_refused_to_everyone() -> None:
    sara = actor(AccountKind.CITIZEN, SARA)
    assert can(sara, Action.DELEGATION_MANAGE, SARA)
    assert not can(sara, Action.DELEGATION_MANAGE, SARA, NOTHING)
    assert not can(sara, Action.OWN_ACCOUNT_MANAGE, None, NOTHING)
