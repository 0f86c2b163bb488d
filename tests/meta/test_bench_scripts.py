"""The benchmarks are run by hand, not by CI, so a change in the product can break one unseen (bench/round_trips.py
imported the guard from where it no longer was). Each script is imported here, as `python bench/<script>.py`
would, without running its `main()`: a name that is gone fails the suite."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
# _wsgi.py builds the app at import, from the environment gunicorn is given; bench/_stack.py starts it.
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if p.name != "_wsgi.py")


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_each_benchmark_imports(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    if not script.name.startswith("_"):
        assert callable(getattr(module, "main", None)), f"{script.name} has no main()"


def test_the_wsgi_module_names_only_what_exists() -> None:
    source = (BENCH / "_wsgi.py").read_text()
    compile(source, "_wsgi.py", "exec")
    from citizen_app.views import _guard

    assert "from citizen_app.views._guard import public" in source and hasattr(_guard, "public")
