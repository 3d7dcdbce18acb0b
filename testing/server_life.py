"""The life of a server a test starts in a temp dir of its own: where the dir is, restart, close,
and `with`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Self

MEMORY = Path("/dev/shm")
# A whole test session's PostgreSQL cluster (a database per test) grows to about 1.5 GB at most.
ROOM_NEEDED = 2 * 1024**3


def memory_dir(candidate: Path = MEMORY, mounts: Path = Path("/proc/mounts"),
               room: int = ROOM_NEEDED) -> Path | None:
    """`candidate` if it is a writable tmpfs with `room` bytes free, else None (the default temp
    dir, on disk).

    The session's servers keep their files here. Deleting them from a disk at the end of the run
    cost half a minute: a cluster of some forty databases is ~15,000 files the kernel has long
    since written out, and each unlink waits for the file system's journal on a busy machine.
    In memory nothing is ever written out, and deleting takes well under a second.
    """
    try:
        tmpfs = any(line.split()[1:3] == [str(candidate), "tmpfs"]
                    for line in mounts.read_text().splitlines())
        usable = tmpfs and os.access(candidate, os.W_OK | os.X_OK) \
            and shutil.disk_usage(candidate).free >= room
    except OSError:
        return None
    return candidate if usable else None


class TempServer:
    """A server class gives `start`, `stop`, `root` and `_owns_root`; this gives the rest."""

    root: Path
    _owns_root: bool

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server and delete the temp dir it made (its config, data and log)."""
        self.stop()
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
