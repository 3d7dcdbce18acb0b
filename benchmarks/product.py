"""The product: `refund-intake poll --once` (the real CLI, in a child process) drains the folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update

from base.config import load_config
from base.db import make_engine
from base.models import FolderState, Message
from benchmarks import measure
from benchmarks.fill import ImapTarget

POLICY = measure.REPOSITORY / "policies" / "kreatorz.toml"  # the demo's policy
KILLED = -9


@dataclass(frozen=True)
class Drained:
    run: measure.Run
    expected: int
    stored: int  # messages in the database when the poll ended, or when the cap stopped it
    classifications: dict[str, int]
    progress: tuple[tuple[float, int], ...]  # (seconds since start, messages stored), every 30 s

    @property
    def complete(self) -> bool:
        return self.stored == self.expected

    @property
    def rate(self) -> float:
        return self.stored / self.run.wall

    def window_rates(self) -> tuple[float, float] | None:
        """Messages/s over the first and the last 30-second sample, to show a slowdown."""
        samples = [(0.0, 0), *self.progress[:-1]]  # the last point is the end, not a sample
        if len(samples) < 3:
            return None
        (t1, n1), (t2, n2) = samples[-2], samples[-1]
        return samples[1][1] / samples[1][0], (n2 - n1) / (t2 - t1)


def write_config(directory: Path, imap: ImapTarget, database_url: str, batch_size: int) -> Path:
    """A config like the demo's, reading the Dovecot user's INBOX over plain IMAP on loopback."""
    directory.mkdir(parents=True, exist_ok=True)
    password = directory / "imap.pw"
    password.write_text(imap.password)
    password.chmod(0o600)
    path = directory / "config.toml"
    path.write_text(f"""
[database]
url = "{database_url}"

[intake]
order_ref_patterns = ['\\bKRZ-\\d{{4,}}\\b']

[[mailbox]]
name = "accounts"
address = "accounts@kreatorz.co.za"
policy = "{POLICY}"
language = "en"
trusted_relays = ["noreply@kreatorz.co.za"]

[mailbox.imap]
host = "{imap.host}"
port = {imap.port}
security = "plain"
username = "{imap.user}"
password_file = "{password}"
batch_size = {batch_size}
timeout = 120
""", encoding="utf-8")
    return path


def prepare(config: Path, orders_csv: Path) -> None:
    """Schema and orders, before the clock starts: they are not part of a poll."""
    measure.refund_intake("--config", str(config), "db", "upgrade").check()
    measure.refund_intake("--config", str(config), "orders", "import", str(orders_csv)).check()


def drain(config: Path, expected: int, cap_seconds: float) -> Drained:
    """One timed `poll --once`, stopped (SIGKILL) if it outlasts the cap; then count what it stored.

    Batches are committed as they go, so a stopped poll still shows its rate over the time it had.
    """
    engine = make_engine(load_config(config).database_url)
    progress: list[tuple[float, int]] = []

    def stored() -> int:
        with engine.connect() as connection:
            return connection.scalar(select(func.count(Message.id))) or 0

    try:
        run = measure.refund_intake("--config", str(config), "poll", "--once", "--json",
                                    timeout=cap_seconds,
                                    watch=lambda elapsed: progress.append((elapsed, stored())))
        if run.returncode != KILLED:
            run.check()
        progress.append((run.wall, stored()))
        with engine.connect() as connection:
            kinds = dict(connection.execute(select(Message.classification, func.count())
                                            .group_by(Message.classification)).tuples().all())
    finally:
        engine.dispose()
    return Drained(run, expected, progress[-1][1], kinds, tuple(progress))


def advance_to(config: Path, last_uid: int) -> None:
    """Mark the folder as read up to `last_uid`, as a finished drain would have left it."""
    engine = make_engine(load_config(config).database_url)
    try:
        with engine.begin() as connection:
            connection.execute(update(FolderState).values(last_uid=last_uid))
    finally:
        engine.dispose()


def poll_cli(config: Path) -> measure.Run:
    """`poll --once` as cron runs it, on a folder with nothing new: the whole process, timed."""
    return measure.refund_intake("--config", str(config), "poll", "--once", "--json").check()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'intake.db'}"
