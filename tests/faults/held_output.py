"""A CLI run held at its first progress line: an event to synchronise on, not a sleep.

On a terminal, `poll` writes a progress line to stderr right after each committed batch, before it
settles that batch on the server or fetches the next one. Its stderr here is a pseudo-terminal
whose output is suspended (tcflow TCOOFF, as Ctrl-S does) before the command starts, so that first
write blocks: the poll stops just after its first commit, holding no database lock, however loaded
the machine is. `release()` resumes the output (TCOON) and the run goes on.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import termios
import threading
from pathlib import Path
from types import TracebackType

_PROGRESS = re.compile(r"\r?[\w.-]+: \d+/\d+ messages")


class HeldAtProgress:
    def __init__(self, config: Path, *args: str) -> None:
        self._master, self._terminal = os.openpty()
        termios.tcflow(self._terminal, termios.TCOOFF)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "refund_intake.cli", "--config", str(config), *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._terminal, text=True)
        self._written = bytearray()
        self._reader = threading.Thread(target=self._read, name="held-stderr", daemon=True)
        self._reader.start()

    def release(self) -> None:
        """Let the run write (and so go on) again."""
        termios.tcflow(self._terminal, termios.TCOON)
        os.close(self._terminal)  # the child's copy stays; the reader sees the end when it exits
        self._terminal = -1

    def finish(self, timeout: float) -> tuple[str, str]:
        """Wait for the run to end: (stdout, stderr without the progress lines)."""
        stdout, _ = self.process.communicate(timeout=timeout)
        self._reader.join(timeout=timeout)
        text = self._written.decode("utf-8", errors="replace").replace("\r\n", "\n")
        return stdout, _PROGRESS.sub("", text)

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 4096)
            except OSError:  # EIO: every copy of the terminal side is closed
                return
            if not chunk:
                return
            self._written += chunk

    def __enter__(self) -> HeldAtProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
        if self._terminal >= 0:
            os.close(self._terminal)
        self._reader.join(timeout=5)
        os.close(self._master)
