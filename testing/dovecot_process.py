"""Running the dovecot binary in the foreground: find it, start it, wait for it, stop it."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

from .ports import wait_for_greeting

START_TIMEOUT = 10.0
# Dovecot's log process lingers about a second after the others on purpose; stop() waits for it.
STOP_TIMEOUT = 10.0


class DovecotNotInstalled(RuntimeError):
    """No dovecot binary on this machine."""


class DovecotStartError(RuntimeError):
    """Dovecot exited or never greeted; the message carries the end of its log."""


def find_dovecot() -> str:
    """Path of the dovecot binary (/usr/sbin is often missing from an unprivileged PATH)."""
    found = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise DovecotNotInstalled(
            "dovecot is not installed: run `make test` as root, "
            "or install it with `apt-get install dovecot-imapd`"
        )
    return found


class DovecotProcess:
    """One `dovecot -F -c CONFIG` master process; its output goes to `output`."""

    def __init__(self, binary: str, config: Path, output: Path) -> None:
        self.binary, self.config, self.output = binary, config, output
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, port: int) -> bool:
        """Start the master; True once it greets on `port`, False if it died or timed out."""
        # setpriv's pdeathsig stops Dovecot if the test process dies without cleaning up.
        prefix = ["setpriv", "--pdeathsig", "TERM"] if shutil.which("setpriv") else []
        with open(self.output, "ab") as output:
            self._process = subprocess.Popen(
                [*prefix, self.binary, "-F", "-c", str(self.config)],
                stdin=subprocess.DEVNULL, stdout=output, stderr=output,
            )  # fmt: skip
        if wait_for_greeting(
            port, b"* OK", timeout=START_TIMEOUT, still_starting=lambda: self.running
        ):
            return True
        self.stop()
        return False

    def stop(self) -> None:
        """SIGTERM (Dovecot then ends its client sessions and children) and wait for the exit."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
