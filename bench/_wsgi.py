"""The portal as gunicorn serves it in the throughput and load benchmarks, plus one bare route.

`/bench/bare` goes through everything every page goes through (the session read from the database, the
language choice, the security headers, compression, the teardown) and does no work of its own: the yardstick
the pages are compared with. It exists only in this module, so the product has no such route (and the access
matrix, which lists the product's routes, does not see it); it is public and shows nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from citizen_app import create_app  # noqa: E402
from citizen_app.views._guard import public  # noqa: E402

# Static files read once at start-up, as in production (bench/_stack.py runs PORTAL_ENV=development).
app = create_app({"STATIC_ASSETS_RELOAD": False})


@public
def _bare() -> str:
    return "ok"


app.add_url_rule("/bench/bare", "bench_bare", _bare)
