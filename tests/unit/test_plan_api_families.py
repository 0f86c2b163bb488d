"""The resource families' own mapping, without a plan service: what the typed operations build on."""

from __future__ import annotations

from datetime import UTC, date, datetime

from citizen_app.plan_api import (
    care_team,
    communications,
    fhir,
    payloads,
    plan,
    practitioner_role,
)

ROLE = [{"coding": [{"system": fhir.CS_CARE_ROLE, "code": "fixed-caseworker"}]}]


def _team(*participants: dict) -> dict:
    return {
        "resourceType": "CareTeam",
        "id": "t",
        "status": "active",
        "subject": {"reference": "Patient/sara"},
        "participant": list(participants),
    }


def test_a_hand_over_ends_the_old_period_the_day_before_and_starts_the_new_one() -> None:
    team = _team({"role": ROLE, "member": {"reference": "PractitionerRole/jonas"}})
    after = care_team._hand_over_team(
        team, "PractitionerRole/jonas", "PractitionerRole/amina", date(2026, 3, 2)
    )
    assert after is not None
    assert after[0]["period"] == {"end": "2026-03-01"}
    assert after[1]["member"] == {"reference": "PractitionerRole/amina"}
    assert after[1]["period"] == {"start": "2026-03-02"}
    moved = dict(team, participant=after)
    assert care_team.fixed_caseworkers([moved], date(2026, 3, 1))[0] == (
        "PractitionerRole/jonas",
        None,
    )
    assert care_team.fixed_caseworkers([moved], date(2026, 3, 2))[0] == (
        "PractitionerRole/amina",
        date(2026, 3, 2),
    )
    # The same hand-over again changes nothing: the old period already ends before the date.
    assert (
        care_team._hand_over_team(
            moved, "PractitionerRole/jonas", "PractitionerRole/amina", date(2026, 3, 2)
        )
        is None
    )


def test_an_absence_and_the_substitute_read_from_a_role() -> None:
    role = {
        "resourceType": "PractitionerRole",
        "id": "jonas",
        "meta": {"versionId": "4"},
        "organization": {"display": "Team Nord"},
        "notAvailable": [
            {"during": {"start": "2026-03-02T00:00:00+00:00", "end": "2026-03-06T23:59:00+00:00"}}
        ],
        "extension": [
            {"url": fhir.EXT_SUBSTITUTE, "valueReference": {"reference": "PractitionerRole/amina"}}
        ],
    }
    absence = practitioner_role.absence_from(role)
    assert (absence.version, absence.start, absence.end, absence.substitute_ref) == (
        "4",
        date(2026, 3, 2),
        date(2026, 3, 6),
        "PractitionerRole/amina",
    )
    colleague = practitioner_role.colleague_from(role)
    assert colleague.unit == "Team Nord"
    assert colleague.absent(datetime(2026, 3, 4, tzinfo=UTC))
    assert not colleague.absent(datetime(2026, 3, 7, tzinfo=UTC))


def test_the_change_feed_names_the_citizens_a_resource_belongs_to() -> None:
    assert plan.citizens_of({"resourceType": "Patient", "id": "sara"}) == {"Patient/sara"}
    assert plan.citizens_of({"resourceType": "Task", "for": {"reference": "Patient/emil"}}) == {
        "Patient/emil"
    }
    team = _team({"member": {"reference": "PractitionerRole/jonas"}})
    assert plan.citizens_of(team) == {"Patient/sara"}
    assert plan.citizens_of({"resourceType": "Goal", "subject": "odd"}) == frozenset()


def test_what_waits_in_the_outbox_is_shown_in_the_persons_own_words() -> None:
    body = communications.message(
        patient_ref="Patient/sara",
        sender_ref="Patient/sara",
        recipient_ref="PractitionerRole/jonas",
        text="Kan vi flytte mødet?",
        subject="Mødet",
        sent=datetime(2026, 3, 2, tzinfo=UTC),
        conversation="Communication/c1",
    )
    waiting = communications.waiting(body)
    assert (waiting.subject, waiting.text, waiting.conversation_id) == (
        "Mødet",
        "Kan vi flytte mødet?",
        "c1",
    )
    assert payloads.resource_type(body) == "Communication"
    assert payloads.own_words("Communication", body) == "Kan vi flytte mødet?"
    assert payloads.first_text(body) == "Kan vi flytte mødet?"
    assert payloads.own_words("Observation", body) == ""
    stored = {"resourceType": "Communication", "id": "m1", "meta": {"versionId": "1"}}
    assert payloads.stored_identity(stored) == ("Communication", "m1", "1")
