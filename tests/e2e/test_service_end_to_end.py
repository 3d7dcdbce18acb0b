"""The whole product as staff and customers meet it, every part real and every process separate:
Dovecot receives the customers' mail; `refund-intake run` polls, decides and drafts; a staff
member signs in to `refund-intake web` in Chromium, edits and approves; the service sends over
SMTP, threaded and in the customer's language; SIGTERM stops it cleanly."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from testing import MailUser, SmtpServer
from testing.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "examples" / "sample-mailbox" / "cur"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STAFF, PASSWORD = "amira@kreatorz.co.za", "correct horse battery staple"
SECRET = "e2e-" + "s" * 40
pytestmark = [pytest.mark.dovecot, pytest.mark.slow]


def sample(fragment: str) -> bytes:
    [path] = [p for p in SAMPLES.iterdir() if fragment in p.name]
    return path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def write_config(tmp_path: Path, user: MailUser, smtp: SmtpServer) -> Path:
    (tmp_path / "imap.pw").write_text(user.password)
    config = tmp_path / "config.toml"
    config.write_text(f"""
[database]
url = "sqlite:///service.db"
[intake]
order_ref_patterns = ['\\bKRZ-\\d{{4,}}\\b']
[[mailbox]]
name = "accounts"
address = "accounts@kreatorz.co.za"
policy = "{ROOT / 'policies' / 'kreatorz.toml'}"
poll_interval = 10
trusted_relays = ["noreply@kreatorz.co.za"]
[mailbox.imap]
host = "127.0.0.1"
port = {user.port}
security = "plain"
username = "{user.name}"
password_file = "imap.pw"
[smtp]
host = "127.0.0.1"
port = {smtp.port}
security = "plain"
[replies]
send_interval = 2
[web]
secret_key_env = "E2E_WEB_SECRET"
""")
    return config


def cli(config: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "refund_intake.cli", "--config", str(config), *args],
                            capture_output=True, text=True, timeout=120, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return result


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./scripts/test as root", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def test_mail_in_decided_drafted_approved_in_the_browser_sent_once(
    tmp_path: Path, mailbox_user: MailUser, smtp_server: SmtpServer, browser: Browser
) -> None:
    config = write_config(tmp_path, mailbox_user, smtp_server)
    cli(config, "db", "upgrade")
    cli(config, "orders", "import", str(ROOT / "examples" / "orders.csv"))
    (tmp_path / "staff.pw").write_text(PASSWORD)
    cli(config, "staff", "add", STAFF, "--role", "approver", "--password-file", str(tmp_path / "staff.pw"))

    service = subprocess.Popen([sys.executable, "-m", "refund_intake.cli", "--config", str(config), "run"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    web_port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "refund_intake.cli", "--config", str(config), "web",
                            "--port", str(web_port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env={**os.environ, "E2E_WEB_SECRET": SECRET})
    try:
        french = sample(".M9P")  # French: cancel the monthly maintenance plan -> approve 540.00 ZAR
        customer_id = email.message_from_bytes(french)["Message-ID"]
        mailbox_user.append(french, datetime.fromisoformat("2026-11-12T10:30:02+02:00"))

        def drafts() -> list[dict]:
            return json.loads(cli(config, "queue", "list", "--json").stdout)
        waiting = wait_for(lambda: [d for d in drafts() if d["kind"] == "approve"], "the decision draft")
        [decision_draft] = waiting  # type: ignore[misc]
        assert decision_draft["language"] == "fr" and decision_draft["in_reply_to"] == customer_id

        page = browser.new_context(base_url=f"http://127.0.0.1:{web_port}").new_page()
        page.set_default_timeout(15_000)
        wait_for(lambda: _answers(web_port), "the web page")
        page.goto("/")
        page.get_by_label("Email").fill(STAFF)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Queue")).to_be_visible()
        page.goto(f"/drafts/{decision_draft['id']}")
        text = page.get_by_label(re.compile("Reply text"))
        text.fill(text.input_value() + "\nBien cordialement, Amira (équipe comptable)")
        page.get_by_role("button", name="Approve and send").click()

        delivered = wait_for(lambda: smtp_server.messages, "the SMTP server to receive the reply")
        time.sleep(3)  # a second send would arrive within the send interval
        sent = [m for m in smtp_server.messages if "540" in m.raw.decode("utf-8", "replace")
                or decision_draft["message_id"] in m.raw.decode("utf-8", "replace")]
        assert len(sent) == 1, f"sent once, got {len(sent)} of {len(delivered)}"  # type: ignore[arg-type]
        reply = email.message_from_bytes(sent[0].raw, policy=email.policy.default)
        assert reply["In-Reply-To"] == customer_id
        assert customer_id in reply["References"]
        assert re.search(r"\[R-\d{6}\]", reply["Subject"])
        assert reply["Message-ID"] == decision_draft["message_id"]
        body = reply.get_body(preferencelist=("plain",)).get_content()
        assert "540,00" in body and "Amira (équipe comptable)" in body
        # the customer, and our own mailbox: the journal copy that makes a crashed send recoverable
        assert list(sent[0].rcpt_tos) == ["camille.lefevre@example.net", "accounts@kreatorz.co.za"]
        assert "accounts@kreatorz.co.za" not in str(reply["To"]) and reply["Bcc"] is None
    finally:
        web.terminate()
        web.wait(timeout=10)
        service.send_signal(signal.SIGTERM)
        started = time.monotonic()
        _out, err = service.communicate(timeout=30)
    assert service.returncode == 0, err
    assert time.monotonic() - started < 15, "SIGTERM stops the service within seconds"
    assert "Traceback" not in err


def _answers(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False
