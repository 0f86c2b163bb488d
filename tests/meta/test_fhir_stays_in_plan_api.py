"""FHIR JSON stays in citizen_app/plan_api/ (docs/plan-api-module.md): checked on the syntax tree of every module
outside it. The rule itself is in fhir_rule.py; the tests below also show it catching what it is meant to catch
and leaving alone what is not FHIR."""

from __future__ import annotations

import textwrap
from pathlib import Path

from .fhir_rule import offences, offending_files

ROOT = Path(__file__).resolve().parents[2]


def test_no_fhir_json_outside_plan_api() -> None:
    found = {path: [str(o) for o in items] for path, items in offending_files(ROOT).items()}
    assert found == {}, "FHIR JSON belongs in citizen_app/plan_api/ (a typed operation there)"


def test_the_rule_finds_the_fhir_json_of_plan_api_itself() -> None:
    """Not vacuous: the same walk over plan_api/ itself finds FHIR JSON everywhere."""
    inside = offences((ROOT / "citizen_app/plan_api/care_team.py").read_text(encoding="utf-8"))
    assert len(inside) > 5


def _check(source: str, **kwargs: bool) -> list[str]:
    return [o.what for o in offences(textwrap.dedent(source), **kwargs)]


def test_the_rule_catches_a_view_that_reads_fhir_json() -> None:
    bad = """
        def show(goal_id):
            fetched = plan_client().read("Goal", goal_id)
            citizen = fetched.resource["subject"]["reference"]
            kind = fetched.resource.get("resourceType")
            return citizen, kind
    """
    assert _check(bad) == [
        "generic client call .read(...)",
        'subscript ["reference"]',
        '.get("resourceType")',
    ]


def test_the_rule_catches_a_service_that_builds_fhir_json() -> None:
    bad = """
        def set_absence(client, role, start, end):
            role["notAvailable"] = [{"during": {"start": start, "end": end}}]
            client.update(dict(role, statusReason="away"), 'W/"1"')
            return {"resourceType": "Observation", "valueCodeableConcept": {"coding": []}}
    """
    assert _check(bad) == [
        'subscript ["notAvailable"]',
        "dict literal with FHIR keys ['during']",
        "generic client call .update(...)",
        "dict(...) with FHIR keys ['statusReason']",
        "dict literal with FHIR keys ['resourceType', 'valueCodeableConcept']",
        "dict literal with FHIR keys ['coding']",
    ]


def test_the_rule_leaves_sessions_forms_config_and_ordinary_words_alone() -> None:
    fine = """
        def view():
            session["reference"] = request.form["reference"]
            limit = current_app.config["extension"]
            g.pop("actor", None)
            message = {"subject": "Nyt", "owner": account_id, "about": "GDPR"}
            found.update(more)
            drafts.create(kind)
            return plan.goal(goal_id), message, limit, environ.get("system")
    """
    assert _check(fine) == []


def test_only_the_outbox_may_hand_a_prepared_payload_to_the_client() -> None:
    delivery = """
        def deliver(self, body, message):
            return self.client.create(body, message.message_id)
    """
    assert _check(delivery) == ["generic client call .create(...)"]
    assert _check(delivery, may_deliver=True) == []
    assert _check("self.client.read('Goal', x)", may_deliver=True) == [
        "generic client call .read(...)"
    ]
