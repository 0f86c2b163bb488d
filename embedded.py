"""One command for the embedded default: `python embedded.py` (what `make run` calls).

Starts the reference plan service in this process on its own port and its own SQLite file, brings the portal's
database to the newest migration, loads the demo data through the plan API, delivers the outbox in a background
thread, and serves the portal on http://localhost:$PORT (5000). The portal still reaches the plan service only
over HTTP: citizen_app never imports plan_service; this launcher is the one place that knows both.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> None:
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
    os.environ.setdefault("PLAN_API_URL", f"http://127.0.0.1:{plan_port}/fhir")

    from plan_service import create_app as create_plan_service
    from plan_service.server import ThreadedServer

    plan_db = os.environ.get(
        "PLAN_SERVICE_DATABASE_URL", f"sqlite:///{instance / 'plan_service.sqlite'}"
    )
    plan_server = ThreadedServer(
        create_plan_service({"PLAN_SERVICE_DATABASE_URL": plan_db}), "127.0.0.1", plan_port
    )
    plan_server.start()
    print(f"Reference plan service: {plan_server.url}/fhir")

    nemlogin = _start_nemlogin_simulator(port, instance)

    from citizen_app import create_app, db
    from citizen_app.cli import upgrade_database
    from citizen_app.demo_data import load
    from citizen_app.services.plan_reading import plan_client

    app = create_app()
    with app.app_context():
        upgrade_database(app)
        people = load(
            db.session(),
            plan_client(),
            secret_key=app.config["SECRET_KEY"],
            code_days=app.config["ACTIVATION_CODE_DAYS"],
        )
    print("Demo people, each with a fresh activation code:")
    for line in people:
        print(f"  {line}")
    print(
        f"\nOpen http://localhost:{port}/ (passkeys need the name localhost), choose"
        " 'Log in with MitID' (the simulator: pick Sara), or 'Start with your activation code', type a"
        " code, make a passkey. Stop with Ctrl+C.\n"
    )
    try:
        app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)
    finally:
        if plan_server is not None:
            plan_server.stop()
        if nemlogin is not None:
            nemlogin.stop()


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
