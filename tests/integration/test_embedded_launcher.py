"""Issue #16's quiet, correct first start: `python embedded.py` (what `make run` calls) run for real on a fresh
database: no error or traceback, no request log unless asked for, the demo people and their codes last in a
box, Ctrl+C (SIGINT) stops everything it started; with PLAN_API_URL set it starts no plan service (README
step 10)."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port_pair() -> int:
    """A port whose next port is free too (the launcher's plan service takes PORT+1), below the range the
    system hands out for outgoing connections, so no client grabs it in the meantime."""
    for _ in range(50):
        port = random.randrange(20_000, 30_000)
        if not in_use(port) and not in_use(port + 1):
            return port
    raise AssertionError("no two free ports in a row")


def in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def launch(tmp_path: Path, port: int, *args: str, **env: str) -> tuple[str, int]:
    """Start the launcher, wait for /healthz, fetch a page, press Ctrl+C; its output and exit code."""
    environment = {
        **os.environ,
        "PORT": str(port),
        "SECRET_KEY": "launcher-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite'}",
        "PLAN_SERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'plan.sqlite'}",
        **env,
    }
    environment.pop("LOG_REQUESTS", None)
    process = subprocess.Popen(
        [sys.executable, "embedded.py", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # As a terminal's Ctrl+C finds it: SIGINT not ignored (a background job would inherit SIG_IGN).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "the portal did not come up in 60 s"
                time.sleep(0.3)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return output, process.returncode


def test_a_first_start_is_quiet_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port_pair()
    output, code = launch(tmp_path, port)
    assert code == 0, output
    assert "ERROR" not in output and "Traceback" not in output, output
    assert "Warning" not in output, output  # nothing a newcomer must wonder about
    assert "GET /" not in output and '"GET' not in output, output  # no request log
    lines = output.rstrip().splitlines()
    # The box with the demo people is the last thing printed before "Stopped."
    assert lines[-1] == "Stopped.", output
    box = lines[:-1]
    assert box[-1].startswith("+-") and box[-1].endswith("-+"), output
    assert any(line.startswith("| sara ") for line in box[-12:]), output
    assert any(line.startswith("| jonas ") for line in box[-12:]), output
    assert f"Reference plan service: http://127.0.0.1:{port + 1}/fhir" in output
    # Everything it started is stopped: both ports are free again.
    assert not in_use(port) and not in_use(port + 1)


def test_with_plan_api_url_it_starts_no_plan_service_and_logs_requests_when_asked(
    tmp_path: Path, plan_service
) -> None:
    """README step 10: the plan service started on its own, the portal pointed at it."""
    port = free_port_pair()
    # The plan service answers registered clients only: the portal comes with the credential registered there.
    output, code = launch(tmp_path, port, "--log-requests", **plan_service.portal_config())
    assert code == 0, output
    assert "ERROR" not in output and "Traceback" not in output, output
    assert "Reference plan service" not in output
    assert f"Plan API: {plan_service.fhir_url} (not started by this launcher)" in output
    assert not in_use(port + 1), "a plan service of its own was started on PORT+1"
    assert "| sara " in output  # the demo data went into the given plan service
    assert '"GET / HTTP/1.1" 200' in output, output  # the request log, asked for
