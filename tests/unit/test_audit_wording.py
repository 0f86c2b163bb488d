"""Every kind of access-log event has plain words on the citizen's "who has looked" page (issue #14, item 5)."""

from __future__ import annotations

import re
from pathlib import Path

from citizen_app.authz import Action
from citizen_app.labels import AUDIT_ACTION

SOURCE = Path(__file__).resolve().parents[2] / "citizen_app"
# Events written by name rather than through an Action (sign-in, passkeys, the caseload listing).
RECORDED = re.compile(r'record\w*\(\s*[^,()]*,\s*"([a-z-]+:[a-z-]+(?::[a-z-]+)?)"')


def test_every_action_has_plain_words() -> None:
    missing = [a.value for a in Action if a.value not in AUDIT_ACTION]
    assert not missing


def test_every_event_written_by_name_has_plain_words() -> None:
    written = {
        name
        for path in SOURCE.rglob("*.py")
        for name in RECORDED.findall(path.read_text(encoding="utf-8"))
    }
    assert "auth:sign-in" in written  # the pattern finds them
    written.add("caseworker:caseload:listed")  # one event per citizen listed on the caseload page
    assert sorted(written - set(AUDIT_ACTION)) == []
