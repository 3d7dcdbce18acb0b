"""The wheel, as an admin installs it: built from the checkout, installed into a fresh venv
outside it, and run from an empty folder: the demo, init, check-config, and the staff page."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from testing.ports import LOOPBACK, free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `refund-intake` script of a venv holding only the built wheel and its dependencies."""
    base = tmp_path_factory.mktemp("wheel")
    # A clean copy: setuptools writes build/ into the tree it builds, and a stale one could
    # smuggle files into the wheel that the checkout no longer has.
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "var", "*.egg-info", "__pycache__", ".hypothesis",
        ".pytest_cache", "test-artifacts"))
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(base / "dist"), str(source)],
                cwd=base, timeout=300)
    assert "BuildBackendWarning" not in built.stderr, built.stderr  # the licence, the data folders
    wheel, = (base / "dist").glob("refund_intake-*.whl")
    run([sys.executable, "-m", "venv", str(base / "venv")], cwd=base)
    run([str(base / "venv/bin/pip"), "install", "-q", str(wheel)], cwd=base, timeout=600)
    return base / "venv/bin/refund-intake"


def run(command: list[str], cwd: Path, timeout: int = 120, env: dict[str, str] | None = None,
        ok: bool = True) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH would let the checkout leak into the installed package; clear it.
    environment = {k: v for k, v in (env or os.environ).items() if k != "PYTHONPATH"}
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env=environment)
    if ok:
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_the_installed_wheel_runs_demo_init_check_config_and_web(installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    demo = run([str(installed), "demo"], cwd=empty)
    assert "== Refund requests" in demo.stdout and "R-000002" in demo.stdout
    config = empty / "refund-intake-demo" / "demo.toml"
    drafts = json.loads(run([str(installed), "--config", str(config), "queue", "list", "--json"],
                            cwd=empty).stdout)
    assert len(drafts) >= 10, "the demo drafts a reply to each request"
    assert str(ROOT) not in (empty / "refund-intake-demo" / "demo.toml").read_text()

    init = run([str(installed), "init", "shop", "--address", "refunds@shop.example",
                "--imap-host", "imap.shop.example", "--policy", "french-saas"], cwd=empty)
    assert "REFUND_INTAKE_IMAP_PASSWORD" in init.stdout and "db upgrade" in init.stdout
    secrets = {**os.environ, "REFUND_INTAKE_IMAP_PASSWORD": "x", "REFUND_INTAKE_SMTP_PASSWORD": "y"}
    checked = run([str(installed), "--config", "shop/config.toml", "check-config"], cwd=empty, env=secrets)
    assert "OK" in checked.stdout
    unset = run([str(installed), "--config", "shop/config.toml", "check-config"], cwd=empty, ok=False)
    assert unset.returncode == 1 and "REFUND_INTAKE_IMAP_PASSWORD" in unset.stderr

    password = empty / "password"
    password.write_text("a long demo password")
    run([str(installed), "--config", str(config), "staff", "add", "ada@example.com", "--role", "admin",
         "--password-file", str(password)], cwd=empty)
    pages = fetch_desk_pages(installed, config, empty)
    assert "Sign in" in pages["/login"]
    assert "R-000002" in pages["/"]
    assert "R-000002" in pages["/requests/2"]
    assert "body" in pages["/static/desk.css"]


def fetch_desk_pages(installed: Path, config: Path, cwd: Path) -> dict[str, str]:
    port = free_port()
    server = subprocess.Popen([str(installed), "--config", str(config), "web", "--dev-secret",
                               "--bind", LOOPBACK, "--port", str(port)], cwd=cwd, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    try:
        assert server.stdout is not None
        assert "staff web page on" in server.stdout.readline()
        base = f"http://{LOOPBACK}:{port}"
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        pages = {"/login": browser.open(f"{base}/login", timeout=10).read().decode()}
        token = re.search(r'name="csrf_token" value="([^"]+)"', pages["/login"])
        assert token is not None
        form = urllib.parse.urlencode({"csrf_token": token.group(1), "email": "ada@example.com",
                                       "password": "a long demo password"}).encode()
        browser.open(f"{base}/login", data=form, timeout=10).read()
        for path in ("/", "/requests/2", "/static/desk.css"):
            pages[path] = browser.open(f"{base}{path}", timeout=10).read().decode()
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=10)
    assert "Traceback" not in errors, errors
    return pages
