"""Where a test server keeps its files: in memory where the machine has room, and gone on close."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from testing import Dovecot, Postgres
from testing.server_life import memory_dir


@pytest.mark.parametrize(("mount_line", "room", "in_memory"), [
    ("tmpfs {dir} tmpfs rw,relatime 0 0", 0, True),
    ("tmpfs {dir} tmpfs rw,relatime 0 0", 1 << 60, False),      # too little room left
    ("/dev/vda {dir} ext4 rw,relatime 0 0", 0, False),          # a disk
    ("tmpfs {dir}/other tmpfs rw,relatime 0 0", 0, False),      # another mount point
    ("", 0, False),
])
def test_memory_dir_is_a_writable_tmpfs_with_room(tmp_path: Path, mount_line: str, room: int,
                                                  in_memory: bool) -> None:
    candidate = tmp_path / "shm"
    candidate.mkdir()
    mounts = tmp_path / "mounts"
    mounts.write_text("proc /proc proc rw 0 0\n" + mount_line.format(dir=candidate) + "\n")
    assert memory_dir(candidate, mounts, room) == (candidate if in_memory else None)


def test_no_mount_table_means_the_default_temp_dir(tmp_path: Path) -> None:
    assert memory_dir(tmp_path, tmp_path / "no-such-file", 0) is None


@pytest.mark.dovecot
@pytest.mark.postgresql
def test_the_session_servers_live_in_memory_where_the_machine_allows(dovecot: Dovecot,
                                                                      postgres: Postgres) -> None:
    expected = memory_dir() or Path(tempfile.gettempdir())
    assert dovecot.root.parent == expected and postgres.root.parent == expected


@pytest.mark.dovecot
def test_close_deletes_the_dir_it_made_inside_the_parent() -> None:
    # not tmp_path: Dovecot's socket paths would pass the 108-byte limit of a Unix socket's name
    with tempfile.TemporaryDirectory(prefix="life-") as name:
        parent = Path(name)
        with Dovecot(parent=parent) as server:
            assert server.root.parent == parent and (server.root / "dovecot.conf").exists()
        assert not server.root.exists() and parent.exists()
