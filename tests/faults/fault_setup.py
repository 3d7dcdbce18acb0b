"""What the fault tests share: a mailbox to drain, a watch on the SQLite file, the server's view.

Every message gets its own INTERNALDATE, which intake stores as `received_at`: that is how a test
tells, from the database alone, which message a row came from (the malformed corpus files cannot
carry a marker of their own; one of them is empty).
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from base.config import Config, load_config
from base.db import upgrade
from testing import Dovecot, MailUser
from tests.intake.imap_setup import maildir_config_text, request_mail

MALFORMED = Path(__file__).resolve().parents[1] / "corpus" / "malformed"
FIRST_RECEIPT = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
PROCESSED_FLAG = "$RefundIntake"


@dataclass(frozen=True)
class Delivered:
    """What was put in the mailbox, keyed by receipt time (the one marker every row carries)."""

    names: dict[datetime, str]  # received_at -> "good-17" or the corpus file name
    quarantine_expected: frozenset[datetime]


def malformed_corpus() -> list[tuple[str, bytes, bool]]:
    """(file, bytes, quarantine expected) for every committed file of tests/corpus/malformed.

    The two generated cases (3,000 parts, a 25 MB attachment) are left out: they test the parser's
    bounds (tests/intake/test_malformed_corpus.py) and would only slow the drain.
    """
    manifest = tomllib.loads((MALFORMED / "manifest.toml").read_text())["message"]
    return [(entry["file"], (MALFORMED / entry["file"]).read_bytes(), entry["expect"] == "quarantined")
            for entry in manifest if not entry.get("generated")]


def deliver(user: MailUser, total: int, *, with_malformed: bool = False,
            body: Callable[[int], str | None] = lambda index: None) -> Delivered:
    """Write `total` messages straight into the user's INBOX (Maildir files: fast, and the only
    way to deliver the empty corpus file), spreading the malformed ones among good requests."""
    bad = malformed_corpus() if with_malformed else []
    spacing = total // (len(bad) + 1)
    bad_at = {spacing * (number + 1): entry for number, entry in enumerate(bad)}
    names: dict[datetime, str] = {}
    quarantine: set[datetime] = set()
    good = 0
    for position in range(total):
        received = FIRST_RECEIPT + timedelta(minutes=position)
        if position in bad_at:
            name, raw, quarantined = bad_at[position]
            if quarantined:
                quarantine.add(received)
        else:
            name, raw = f"good-{good}", request_mail(good, body=body(good))
            good += 1
        user.server.write_maildir_message(user.name, "INBOX", raw, received)
        names[received] = name
    return Delivered(names, frozenset(quarantine))


def offline_config(directory: Path) -> Config:
    """A config whose one mailbox is a local Maildir, and its upgraded SQLite database: for
    feeding `intake.ingest.ingest` in-process, with no server."""
    (directory / "Maildir").mkdir(exist_ok=True)
    path = directory / "config.toml"
    path.write_text(maildir_config_text("sqlite:///intake.db", "Maildir"))
    config = load_config(path)
    upgrade(config.database_url)
    return config


def database_file(config: Path) -> Path:
    return Path(load_config(config).database_url.removeprefix("sqlite:///"))


class DatabaseWatch:
    """Reads the poller's SQLite file from outside, as an operator's second process would."""

    def __init__(self, config: Path) -> None:
        self.path = database_file(config)

    def _query(self, sql: str) -> list[tuple]:
        # A fresh read-only connection each time: it never holds a snapshot or a lock open.
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def committed(self) -> int:
        return self._query("SELECT count(*) FROM messages")[0][0]

    def wait_for(self, at_least: int, timeout: float, still_running: Callable[[], bool]) -> int:
        """Poll the file until `at_least` messages are committed; returns the count it saw."""
        deadline = time.monotonic() + timeout
        while True:
            count = self.committed()
            if count >= at_least or not still_running() or time.monotonic() > deadline:
                return count
            time.sleep(0.005)

    def mid_drain(self, poller: subprocess.Popen[str], at_least: int, total: int, why: str) -> int:
        """Wait until the running poll has committed `at_least` messages; it must still be
        draining then (`why` says what the fault needs that for). Returns the count seen."""
        seen = self.wait_for(at_least, timeout=120, still_running=lambda: poller.poll() is None)
        assert poller.poll() is None and seen < total, why
        return seen

    def rows(self) -> list[tuple[datetime, str, str, str, int | None]]:
        """(received_at, raw_sha256, parse_status, classification, uid) of every stored message."""
        found = self._query("SELECT received_at, raw_sha256, parse_status, classification, uid "
                            "FROM messages ORDER BY id")
        return [(_as_utc(received), sha, status, kind, uid) for received, sha, status, kind, uid in found]

    def raw_rows(self) -> int:
        return self._query("SELECT count(*) FROM raw_messages")[0][0]

    def last_uid(self) -> int:
        return self._query("SELECT coalesce(max(last_uid), 0) FROM folder_states")[0][0]

    def integrity(self) -> str:
        return self._query("PRAGMA integrity_check")[0][0]


def _as_utc(stored: str | datetime) -> datetime:
    value = stored if isinstance(stored, datetime) else datetime.fromisoformat(stored)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class FolderView:
    """What the IMAP server holds in one folder: each UID's receipt time, and which are flagged."""

    received: dict[int, datetime]
    flagged: frozenset[int]


def folder_view(user: MailUser, folder: str = "INBOX") -> FolderView:
    with user.client() as client:
        client.normalise_times = False  # keep INTERNALDATE's zone, as intake does
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        data = client.fetch(uids, ["INTERNALDATE", "FLAGS"]) if uids else {}
    received = {uid: _as_utc(item[b"INTERNALDATE"]) for uid, item in data.items()}
    flagged = frozenset(uid for uid, item in data.items()
                        if PROCESSED_FLAG.encode() in item[b"FLAGS"])
    return FolderView(received, flagged)


def error_lines(stderr: str) -> list[str]:
    """The CLI's own one-line errors (log lines, if any, have their own timestamped format)."""
    return [line for line in stderr.splitlines() if line.startswith("refund-intake: error:")]


_LOG_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (WARNING|ERROR) [\w.]+: ")


def one_line_error(stderr: str) -> str:
    """The failed command's one error line. Anything else on stderr must be one-line log records:
    no traceback, no dump."""
    assert "Traceback" not in stderr, stderr
    errors = error_lines(stderr)
    assert len(errors) == 1, f"expected one error line on stderr:\n{stderr}"
    line = errors[0]
    others = [other for other in stderr.splitlines() if other != line and other.strip()]
    assert all(_LOG_RECORD.match(other) for other in others), stderr
    return line


def stop_dovecot(dovecot: Dovecot) -> list[int]:
    """Take the IMAP server down, as an outage does; returns the PIDs of the sessions it ended.

    `Dovecot.stop()` ends the master process, but here (Dovecot 2.3.19) a logged-in session's
    `imap` process outlives it, reparented to init, and goes on serving its client. A server that
    goes down takes its sessions with it, so each session of this instance (named after its port)
    gets the SIGTERM that `shutdown_clients = yes` should have sent it, and then the master stops
    (no new logins until `start()`).
    """
    sessions = _session_pids(f"dovecot-refund-intake-test-{dovecot.port}/imap".encode())
    ended = []
    for pid in sessions:  # first, so the client sees the outage now, not when the master is gone
        try:
            os.kill(pid, signal.SIGTERM)
            ended.append(pid)
        except ProcessLookupError:
            continue  # the session ended on its own meanwhile
    dovecot.stop()
    return ended


def _session_pids(title: bytes) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().rstrip(b"\0") == title:
                found.append(int(entry.name))
        except OSError:
            continue  # ended while we looked
    return found
