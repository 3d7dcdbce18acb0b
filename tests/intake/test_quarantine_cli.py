"""quarantine list|show|retry: unreadable mail is kept with its reason, shown as received, and retried."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from base.config import load_config
from base.db import make_engine, session_factory
from base.models import Draft, Message

ROOT = Path(__file__).resolve().parents[2]
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00\x01binary outlook item" * 10
GOOD = (b"From: Ann <ann@example.com>\nTo: accounts@kreatorz.co.za\nSubject: Refund KRZ-10042\n"
        b"Message-ID: <q1@example.com>\nDate: Mon, 2 Nov 2026 10:00:00 +0200\n\nI changed my mind.\n")


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "refund_intake.cli", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=60)


def make_mailbox(tmp_path: Path) -> Path:
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "md" / sub).mkdir(parents=True)
    (tmp_path / "md" / "new" / "1793000000.M1P1.test").write_bytes(OLE)
    (tmp_path / "md" / "new" / "1793000100.M2P1.test").write_bytes(GOOD)
    config = tmp_path / "config.toml"
    config.write_text(f"""
[database]
url = "sqlite:///q.db"
[[mailbox]]
name = "accounts"
address = "accounts@kreatorz.co.za"
policy = "{ROOT / 'policies' / 'kreatorz.toml'}"
[mailbox.maildir]
path = "md"
""")
    assert cli(config, "db", "upgrade").returncode == 0
    assert cli(config, "poll", "--once").returncode == 0
    return config


def test_list_show_and_raw(tmp_path: Path) -> None:
    config = make_mailbox(tmp_path)
    [row] = json.loads(cli(config, "quarantine", "list", "--json").stdout)
    assert row["reason"] == "not an RFC 822 message: an Outlook .msg (OLE) file"
    assert row["size"] == len(OLE) and row["message_id"] is None
    shown = json.loads(cli(config, "quarantine", "show", str(row["id"]), "--json").stdout)
    assert shown["raw_sha256"] == row["raw_sha256"]
    raw = subprocess.run([sys.executable, "-m", "refund_intake.cli", "--config", str(config), "quarantine",
                          "show", str(row["id"]), "--raw"], capture_output=True, timeout=60).stdout
    assert raw == OLE


def test_retry_after_an_upgrade_reprocesses_and_unreadable_stays(tmp_path: Path) -> None:
    config = make_mailbox(tmp_path)
    engine = make_engine(load_config(config).database_url)
    with session_factory(engine).begin() as session:  # as an older version would have left it
        good = session.scalar(select(Message).where(Message.message_id == "<q1@example.com>"))
        request = good.request
        good.request = None
        for draft in session.scalars(select(Draft).where(Draft.request_id == request.id)):
            session.delete(draft)
        session.flush()
        for decision in request.decisions:
            session.delete(decision)
        session.delete(request)
        good.parse_status, good.classification = "quarantined", "quarantined"
        good.classification_detail = "intake failed: ValueError: (a bug fixed since)"
    result = cli(config, "quarantine", "retry", "--all")
    assert result.returncode == 0, result.stderr
    lines = sorted(result.stdout.splitlines())
    assert len(lines) == 2
    assert any(line.endswith(": new_request") for line in lines), lines
    assert any(line.endswith(": quarantined") for line in lines), lines
    [still] = json.loads(cli(config, "quarantine", "list", "--json").stdout)
    assert still["size"] == len(OLE)
    with session_factory(engine)() as session:
        assert session.scalar(select(Message).where(Message.message_id == "<q1@example.com>")).request is not None
    engine.dispose()


def test_retry_needs_an_id_or_all(tmp_path: Path) -> None:
    config = make_mailbox(tmp_path)
    result = cli(config, "quarantine", "retry")
    assert result.returncode == 2 and "give a message ID or --all" in result.stderr
