"""`python -m plan_service`: serve the plan service on 127.0.0.1:$PLAN_PORT (default 5001).

`python -m plan_service register-client CLIENT_ID JWKS_FILE [--scope "system/*.crus"]` registers a
system client's public keys (SMART Backend Services) in the service's database.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
from pathlib import Path
from types import FrameType

from werkzeug.serving import make_server

from plan_service import create_app
from plan_service.auth import register_client

HOST = "127.0.0.1"
DEFAULT_SCOPE = "system/*.crus"


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    # SIGTERM (from a supervisor or container) stops as cleanly as Ctrl-C does.
    raise KeyboardInterrupt


def serve() -> None:
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m plan_service")
    commands = parser.add_subparsers(dest="command")
    register = commands.add_parser("register-client", help="register a system client's JWKS")
    register.add_argument("client_id")
    register.add_argument("jwks_file", type=Path, help="the client's public keys (a JWKS)")
    register.add_argument("--scope", default=DEFAULT_SCOPE, help="SMART v2 system scopes")
    args = parser.parse_args(argv)
    if args.command != "register-client":
        serve()
        return
    app = create_app()
    try:
        jwks = json.loads(args.jwks_file.read_text())
        register_client(app.extensions["plan_service"], args.client_id, jwks, args.scope)
    finally:
        app.extensions["plan_service"].dispose()
    print(f"Registered {args.client_id} with {args.scope}")


if __name__ == "__main__":
    main()
