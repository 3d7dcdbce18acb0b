"""The desk as people run it: `refund-intake web` (waitress) in its own process, and a plain HTTP
client that keeps the session cookie like a browser but follows no redirect."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from base.config import Config
from testing.ports import LOOPBACK, free_port
from tests.desk.conftest import SECRET

ENTRY_POINT = Path(sys.executable).with_name("refund-intake")  # the installed console script
COOKIE = re.compile(r"refund_desk=([^;]*)")
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def cli(config: Config, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `refund-intake` command as a person types it."""
    environment = os.environ | {"DESK_TEST_SECRET": SECRET}
    environment.pop("REFUND_INTAKE_STAFF", None)
    if password is not None:
        environment["REFUND_INTAKE_NEW_STAFF_PASSWORD"] = password
    return subprocess.run([str(ENTRY_POINT), "--config", str(config.path), *args], capture_output=True,
                          text=True, timeout=120, env=environment, stdin=subprocess.DEVNULL)


@contextmanager
def web_server(config: Config) -> Iterator[tuple[str, int]]:
    """`refund-intake web` on a free loopback port; yields (host, port)."""
    port = free_port()
    server = subprocess.Popen(
        [str(ENTRY_POINT), "--config", str(config.path), "web", "--bind", LOOPBACK, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=os.environ | {"DESK_TEST_SECRET": SECRET})
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert f"{LOOPBACK}:{port}" in line, (line, server.stderr.read() if server.poll() is not None else "")
        yield LOOPBACK, port
    finally:
        server.terminate()
        try:
            server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


@dataclass
class Reply:
    status: int
    location: str | None
    body: str


@dataclass
class Visitor:
    """One browser's worth of state: the session cookie."""

    address: tuple[str, int]
    cookie: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def get(self, path: str) -> Reply:
        return self._send("GET", path, None)

    def post(self, path: str, form: dict[str, str]) -> Reply:
        return self._send("POST", path, urllib.parse.urlencode(form))

    def csrf(self, path: str = "/login") -> str:
        page = self.get(path)
        match = CSRF_FIELD.search(page.body)
        assert match, f"no CSRF field on {path}: {page.status}"
        return match.group(1)

    def sign_in(self, email: str, password: str, path: str = "/login") -> Reply:
        return self.post(path, {"email": email, "password": password, "csrf_token": self.csrf()})

    def _send(self, method: str, path: str, body: str | None) -> Reply:
        connection = http.client.HTTPConnection(*self.address, timeout=60)
        headers = dict(self.headers)
        if self.cookie:
            headers["Cookie"] = f"refund_desk={self.cookie}"
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            match = COOKIE.match(value)
            if match:
                self.cookie = match.group(1) or None
        return Reply(response.status, response.headers.get("Location"), text)
