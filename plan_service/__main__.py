"""`python -m plan_service`: serve the plan service on 127.0.0.1:$PLAN_PORT (default 5001)."""

from __future__ import annotations

import os
import signal
from types import FrameType

from werkzeug.serving import make_server

from plan_service import create_app

HOST = "127.0.0.1"


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    # SIGTERM (from a supervisor or container) stops as cleanly as Ctrl-C does.
    raise KeyboardInterrupt


def main() -> None:
    port = int(os.environ.get("PLAN_PORT", "5001"))
    app = create_app()
    server = make_server(HOST, port, app, threaded=True)
    base_path = app.config["PLAN_SERVICE_BASE_PATH"]
    print(f"Plan service: http://{HOST}:{server.server_port}{base_path}", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.extensions["plan_service"].dispose()


if __name__ == "__main__":
    main()
