"""`refund-intake web`: refuses to start without a secret key, serves with --dev-secret."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from base.config import Config
from refund_intake.cli import main
from testing.ports import LOOPBACK, free_port


def test_without_a_secret_key_web_refuses_in_one_line(
        config: Config, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DESK_TEST_SECRET", raising=False)
    assert main(["--config", str(config.path), "web"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("refund-intake: error: web:")
    assert "REFUND_INTAKE_WEB_SECRET" in lines[0] and "--dev-secret" in lines[0]


def test_with_dev_secret_web_warns_and_serves_the_login_page(config: Config) -> None:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "DESK_TEST_SECRET"}
    server = subprocess.Popen(
        [sys.executable, "-m", "refund_intake.cli", "--config", str(config.path), "web",
         "--dev-secret", "--bind", LOOPBACK, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        assert server.stdout is not None
        assert f"http://{LOOPBACK}:{port}/" in server.stdout.readline()
        with urllib.request.urlopen(f"http://{LOOPBACK}:{port}/login", timeout=10) as response:
            assert response.status == 200
            assert "script-src 'self';" in response.headers["Content-Security-Policy"]
            assert response.headers["Server"] == "refund-intake"  # waitress, not werkzeug's dev server
        # A browser keeps its connection open; SIGTERM (systemctl stop) still ends it at once.
        idle = socket.create_connection((LOOPBACK, port), timeout=10)
        started = time.monotonic()
        server.terminate()
        _, errors = server.communicate(timeout=10)
        idle.close()
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, errors
    assert time.monotonic() - started < 5
    assert "warning: --dev-secret" in errors
