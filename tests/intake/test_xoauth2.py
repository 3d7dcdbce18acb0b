"""IMAP login by OAuth2 (XOAUTH2), as Gmail and Microsoft 365 require: Dovecot checks the token
against an introspection endpoint that the test serves on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs

import pytest

from base.config import load_config
from base.db import make_engine, session_factory, upgrade
from pipeline.poll import PollContext, poll_all
from testing import Dovecot
from tests.intake.imap_setup import POLICY, fill

pytestmark = pytest.mark.dovecot
TOKENS = {"good-token": "accounts"}  # token -> the user it belongs to


class Introspection(BaseHTTPRequestHandler):
    """RFC 7662 token introspection: is this token active, and whose is it."""

    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        token = parse_qs(body).get("token", [""])[0] or self.headers.get("Authorization", "").removeprefix("Bearer ")
        Introspection.seen.append(token)
        user = TOKENS.get(token)
        answer = {"active": "true", "username": user} if user else {"active": "false"}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def oauth_dovecot() -> Iterator[Dovecot]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Introspection)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dovecot = Dovecot(oauth2_introspection_url=f"http://127.0.0.1:{server.server_address[1]}/introspect")
    try:
        dovecot.start()
        yield dovecot
    finally:
        dovecot.close()
        server.shutdown()


def config_for(tmp_path: Path, dovecot: Dovecot, token_source: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[database]
url = "sqlite:///x.db"
[[mailbox]]
name = "accounts"
address = "accounts@kreatorz.co.za"
policy = "{POLICY}"
[mailbox.imap]
host = "127.0.0.1"
port = {dovecot.tls_port}
security = "tls"
ca_file = "{dovecot.cafile}"
username = "accounts"
auth = "xoauth2"
{token_source}
""")
    upgrade(load_config(path).database_url)
    return path


def poll(path: Path) -> list:
    config = load_config(path)
    engine = make_engine(config.database_url)
    try:
        return poll_all(PollContext(engine, session_factory(engine), config))
    finally:
        engine.dispose()


def test_xoauth2_with_token_from_a_command(tmp_path: Path, oauth_dovecot: Dovecot) -> None:
    fill(oauth_dovecot.user("accounts"), 3)
    helper = tmp_path / "get-token"  # as a real token refresher would be: a program printing the token
    helper.write_text("#!/bin/sh\necho good-token\n")
    helper.chmod(0o755)
    [report] = poll(config_for(tmp_path, oauth_dovecot, f'token_command = "{helper} --account accounts"'))
    assert report.ok, report.error
    assert report.stored == 3
    assert "good-token" in Introspection.seen


def test_xoauth2_with_token_file_and_a_revoked_token(tmp_path: Path, oauth_dovecot: Dovecot) -> None:
    (tmp_path / "token").write_text("revoked-token\n")
    [report] = poll(config_for(tmp_path, oauth_dovecot, 'token_file = "token"'))
    assert not report.ok and "login refused for accounts" in (report.error or "")


def test_token_command_failure_is_named(tmp_path: Path, oauth_dovecot: Dovecot) -> None:
    [report] = poll(config_for(tmp_path, oauth_dovecot, 'token_command = "false"'))
    assert report.error == "mailbox[0].imap.token_command: false gave no token: exit status 1"
