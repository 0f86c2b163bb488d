"""One command for the embedded default: `python embedded.py` (what `make run` calls).

Starts the reference plan service in this process on its own port and its own SQLite file, brings the portal's
database to the newest migration, loads the demo data through the plan API, delivers the outbox in a background
thread, and serves the portal on http://localhost:$PORT (5000). The portal still reaches the plan service only
over HTTP: citizen_app never imports plan_service; this launcher is the one place that knows both.

Quiet by default: no request log (`--log-requests` or LOG_REQUESTS=1 turns it on), and the demo people with
their codes come last, in a box. With PLAN_API_URL set it starts no plan service of its own. Ctrl+C stops
everything it started.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PORTAL_CLIENT_ID = "portal"
PORTAL_SCOPE = "system/*.crus"


def _portal_credential(instance: Path) -> dict:
    """The portal's key pair for the plan API, made once under instance/ (the private half 0600), and the
    settings that point the portal at it. Returns the public JWKS (also in instance/plan_api_client.jwks,
    for `python -m plan_service register-client portal instance/plan_api_client.jwks`)."""
    from joserfc.jwk import ECKey

    from citizen_app.plan_api.smart import load_private_key, public_jwks

    key_file = instance / "plan_api_client.pem"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_bytes(ECKey.generate_key("P-384").as_pem(private=True))
    jwks = public_jwks(load_private_key(key_file))
    (instance / "plan_api_client.jwks").write_text(json.dumps(jwks, indent=2))
    os.environ.setdefault("PLAN_API_CLIENT_ID", PORTAL_CLIENT_ID)
    os.environ.setdefault("PLAN_API_PRIVATE_KEY_FILE", str(key_file))
    return jwks


def quiet_logs(log_requests: bool) -> None:
    """Warnings and errors only, unless the request log is asked for: the codes must not scroll away.
    pysaml2's import of a cipher mode that cryptography has moved is a library's deprecation notice, not a
    problem of this start, so it is not printed."""
    warnings.filterwarnings("ignore", message="CFB has been moved")
    level = logging.INFO if log_requests else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)
    for name in ("werkzeug", "alembic", "citizen_app", "plan_service"):
        logging.getLogger(name).setLevel(level)


def boxed(title: str, lines: list[str]) -> str:
    width = max(len(line) for line in [title, *lines])
    rule = "+" + "-" * (width + 2) + "+"
    rows = [f"| {title.ljust(width)} |", rule, *(f"| {line.ljust(width)} |" for line in lines)]
    return "\n".join([rule, *rows, rule])


def main() -> None:
    parser = argparse.ArgumentParser(description="Borgerens Plan, embedded default (make run)")
    parser.add_argument(
        "--log-requests",
        action="store_true",
        default=os.environ.get("LOG_REQUESTS", "").lower() in {"1", "true", "yes", "on"},
        help="log every request (off by default; LOG_REQUESTS=1 does the same)",
    )
    args = parser.parse_args()
    quiet_logs(args.log_requests)
    port = int(os.environ.get("PORT", "5000"))
    plan_port = int(os.environ.get("PLAN_PORT", str(port + 1)))
    instance = ROOT / "instance"
    instance.mkdir(exist_ok=True)
    os.environ.setdefault("PORTAL_ENV", "development")
    if "SECRET_KEY" not in os.environ:
        # Kept across restarts so codes, forms and sessions of the demo survive a restart of `make run`.
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        os.environ["SECRET_KEY"] = key_file.read_text().strip()
    os.environ.setdefault("OUTBOX_DISPATCH", "inline")
    jwks = _portal_credential(instance)
    plan_server = None
    if "PLAN_API_URL" in os.environ:
        # README step 9: a plan service started on its own (or the real one); start none here.
        print(f"Plan API: {os.environ['PLAN_API_URL']} (not started by this launcher)")
    else:
        from plan_service import create_app as create_plan_service
        from plan_service.auth import register_client
        from plan_service.server import ThreadedServer

        plan_db = os.environ.get(
            "PLAN_SERVICE_DATABASE_URL", f"sqlite:///{instance / 'plan_service.sqlite'}"
        )
        plan_app = create_plan_service({"PLAN_SERVICE_DATABASE_URL": plan_db})
        # The portal is a registered client of the in-process plan service, as it would be of a real one.
        register_client(plan_app.extensions["plan_service"], PORTAL_CLIENT_ID, jwks, PORTAL_SCOPE)
        plan_server = ThreadedServer(plan_app, "127.0.0.1", plan_port)
        plan_server.start()
        os.environ["PLAN_API_URL"] = f"http://127.0.0.1:{plan_port}/fhir"
        print(f"Reference plan service: {plan_server.url}/fhir")
    nemlogin = _start_nemlogin_simulator(port, instance)

    try:
        serve(port, args.log_requests)
    except KeyboardInterrupt:
        pass
    finally:
        if plan_server is not None:
            plan_server.stop()
        if nemlogin is not None:
            nemlogin.stop()
        print("Stopped.")


def serve(port: int, log_requests: bool) -> None:
    from alembic import command
    from flask import cli

    from citizen_app import config as settings
    from citizen_app import create_app, db
    from citizen_app.cli import alembic_config
    from citizen_app.demo_data import load
    from citizen_app.services.plan_reading import plan_client

    # The database first, then the app: creating the app starts the outbox thread, which must find its tables.
    command.upgrade(alembic_config(settings.from_environment()["DATABASE_URL"]), "head")
    app = create_app()
    quiet_logs(log_requests)  # create_app sets up logging at INFO
    with app.app_context():
        people = load(
            db.session(),
            plan_client(),
            secret_key=app.config["SECRET_KEY"],
            code_days=app.config["ACTIVATION_CODE_DAYS"],
        )
    print(
        f"\nOpen http://localhost:{port}/ (passkeys need the name localhost), choose"
        " 'Sign in with MitID' (the simulator: pick Sara), or 'Start with your activation code', type a"
        " code, make a passkey. Stop with Ctrl+C.\n"
    )
    print(boxed("Demo people, each with a fresh activation code:", list(people)), flush=True)
    cli.show_server_banner = lambda *args, **kwargs: None  # the box stays the last thing printed
    app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)


def _start_nemlogin_simulator(port: int, instance: Path) -> object | None:
    """The NemLog-in SIMULATOR (a SAML IdP with demo people, nemlogin_sim/) on its own port, and the portal's
    MitID settings pointed at it. Development only; production sets SAML_IDP_METADATA to NemLog-in's."""
    if os.environ.get("SAML_IDP_METADATA") or os.environ["PORTAL_ENV"] != "development":
        return None
    from nemlogin_sim import create_app as create_simulator
    from plan_service.server import ThreadedServer

    sim_port = int(os.environ.get("NEMLOGIN_SIM_PORT", str(port + 2)))
    sim_url = f"http://127.0.0.1:{sim_port}"
    os.environ.setdefault("SAML_SP_BASE_URL", f"http://localhost:{port}")
    simulator = create_simulator(
        {
            "ENVIRONMENT": "development",
            "SIM_BASE_URL": sim_url,
            "SIM_CERT_DIR": str(instance / "nemlogin_sim"),
            "SIM_SP_METADATA_URL": f"http://127.0.0.1:{port}/saml/metadata",
        }
    )
    server = ThreadedServer(simulator, "127.0.0.1", sim_port)
    server.start()
    os.environ["SAML_IDP_METADATA"] = f"{sim_url}/metadata"
    print(f"NemLog-in SIMULATOR (not MitID; demo people only): {sim_url}")
    return server


if __name__ == "__main__":
    main()
