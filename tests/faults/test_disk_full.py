"""The disk holding the SQLite file fills up mid-poll: the poll stops in one line, the mailbox keeps
every message it could not store (not moved), and after space is freed the next poll stores the rest.

The small disk is a tmpfs mounted for this test, which needs root (as the Dovecot fixture needs
dovecot): without it the test fails and says so, rather than skipping unseen.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing import MailUser
from tests.faults.fault_setup import DatabaseWatch, deliver, folder_view, one_line_error
from tests.intake.imap_setup import run_cli, write_config

pytestmark = [pytest.mark.dovecot, pytest.mark.slow]

TOTAL = 60
BATCH = 5
DISK_SIZE = "16m"
ROOM_LEFT = 1_200_000  # bytes: room for about two batches of these 40 KB messages, WAL included


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.fail("the disk-full test needs root to mount a small tmpfs for the database "
                    "(mount -t tmpfs); run the suite as root, as CI does", pytrace=False)
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE},mode=0700", "tmpfs",
                              str(mount_point)], capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs at {mount_point}: {mounted.stderr.strip()}", pytrace=False)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def fill_disk(disk: Path, leave: int) -> Path:
    """One file taking all the space but `leave` bytes."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    assert free > leave, f"the {DISK_SIZE} disk has only {free} bytes free before filling"
    filler = disk / "filler"
    with filler.open("wb") as out:
        remaining = free - leave
        while remaining > 0:
            remaining -= out.write(b"\0" * min(remaining, 1 << 20))
    return filler


def long_body(index: int) -> str:
    return (f"Hello, please refund order KRZ-{10000 + index}; I changed my mind.\r\n"
            + "Here is everything that happened, at length. " * 900)


def test_disk_full_mid_poll_keeps_unstored_mail_on_the_server(small_disk: Path, mailbox_user: MailUser) -> None:
    delivered = deliver(mailbox_user, TOTAL, body=long_body)
    config = write_config(small_disk, mailbox_user, batch_size=BATCH, after="move")
    watch = DatabaseWatch(config)
    filler = fill_disk(small_disk, ROOM_LEFT)

    full = run_cli(config, "poll", "--once")
    assert full.returncode == 1, (full.stdout, full.stderr)
    line = one_line_error(full.stderr)
    assert line.startswith("refund-intake: error: mailbox accounts: database refused the batch "
                           "(database or disk is full); nothing was lost"), line
    stored = watch.committed()
    assert 0 < stored < TOTAL, f"the disk must fill mid-poll, not before or after ({stored} stored)"
    assert stored % BATCH == 0 and stored == watch.last_uid()
    rows = watch.rows()
    kept, moved = folder_view(mailbox_user, "INBOX"), folder_view(mailbox_user, "Processed")
    # what was stored was moved; everything else is still in the INBOX, untouched
    assert sorted(moved.received.values()) == sorted(received for received, *_ in rows)
    assert sorted(kept.received.values()) == sorted(set(delivered.names) - {r for r, *_ in rows})
    assert not kept.flagged and not moved.flagged

    filler.unlink()
    freed = run_cli(config, "poll", "--once")
    assert freed.returncode == 0, freed.stderr
    assert f"accounts: {TOTAL - stored} new message(s) stored" in freed.stdout, freed.stdout
    rows = watch.rows()
    assert len(rows) == TOTAL and len({sha for _, sha, *_ in rows}) == TOTAL
    assert {received for received, *_ in rows} == set(delivered.names)
    assert not folder_view(mailbox_user, "INBOX").received
    assert sorted(folder_view(mailbox_user, "Processed").received.values()) == sorted(delivered.names)
    assert watch.integrity() == "ok"
