"""Fill a throwaway Dovecot user's INBOX with generated requests, written straight into its Maildir."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.generate import RequestGenerator
from testing import Dovecot, MailUser


@dataclass(frozen=True)
class ImapTarget:
    """Where a measured child process logs in (plain IMAP on loopback, as in the test suite)."""

    host: str
    port: int
    user: str
    password: str
    cafile: Path


@dataclass(frozen=True)
class Filled:
    count: int
    total_bytes: int
    stats: Counter[str]
    orders_csv: Path
    write_seconds: float
    index_seconds: float

    @property
    def average_kb(self) -> float:
        return self.total_bytes / self.count / 1000


def fill(server: Dovecot, user: MailUser, count: int, seed: int, workdir: Path) -> Filled:
    """Deliver `count` messages (receipt time = file mtime) and the orders CSV they refer to.

    Ends with one SELECT, which makes Dovecot assign the UIDs and build its index, so that the
    runs measured afterwards all find the folder in the same state.
    """
    generator = RequestGenerator(seed, count)
    started = time.perf_counter()
    total = 0
    for message in generator.messages():
        server.write_maildir_message(user, "INBOX", message.raw, message.received_at)
        total += len(message.raw)
    written = time.perf_counter()
    orders = workdir / "orders.csv"
    orders.write_text(generator.orders_csv(), encoding="utf-8")
    with user.client() as client:
        exists = client.select_folder("INBOX", readonly=True)[b"EXISTS"]
    if exists != count:
        raise RuntimeError(f"Dovecot sees {exists} messages in INBOX, expected {count}")
    return Filled(count, total, generator.stats, orders, written - started,
                  time.perf_counter() - written)


def target(user: MailUser) -> ImapTarget:
    return ImapTarget(user.host, user.port, user.name, user.password, user.cafile)
