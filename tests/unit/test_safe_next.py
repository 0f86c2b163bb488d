from __future__ import annotations

import pytest

from citizen_app.views.safety import safe_next


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "plan",
        "/plan\r\nSet-Cookie: x=1",
        "",
        None,
    ],
)
def test_refuses_anything_but_our_own_paths(target: str | None) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/plan", "/plan?x=1", "/plan/goals/abc/progress#top"])
def test_keeps_our_own_paths(target: str) -> None:
    assert safe_next(target) == target
