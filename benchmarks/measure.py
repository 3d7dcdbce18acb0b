"""Run one measured child process: wall time, CPU time and its own peak RSS, from wait4()."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    command: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    wall: float  # seconds, from spawn to exit: interpreter start-up and imports included
    cpu: float  # user + system seconds of the child (and of any children it waited for)
    peak_rss_mb: float  # the child's own high-water mark (VmHWM), not the benchmark's

    def json(self) -> Any:
        self.check()
        return json.loads(self.stdout)

    def check(self) -> Run:
        if self.returncode != 0:
            raise RuntimeError(f"{' '.join(self.command)} exited {self.returncode}:\n"
                               f"{self.stderr[-3000:]}")
        return self


def run(command: Sequence[str], *, env: Mapping[str, str] | None = None,
        timeout: float = 3600, watch: Callable[[float], None] | None = None,
        every: float = 30.0) -> Run:
    """Spawn, then wait4() on exactly this child for its CPU time; sample its VmHWM for memory.

    Not ru_maxrss: Linux carries the forking parent's high-water mark into the child's across
    exec, so every child would show at least the benchmark's own peak. VmHWM belongs to the
    address space exec gave the child; it is read every 20 ms while the child runs.
    Past `timeout` seconds the child is killed (SIGKILL, as a crash would). `watch`, if given,
    is called every `every` seconds with the elapsed time while the child runs.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=REPOSITORY, stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=err, env=_environment(env))
        timer = threading.Timer(timeout, os.kill, (process.pid, signal.SIGKILL))
        timer.start()
        done = threading.Event()
        peak = [0]
        threading.Thread(target=_high_water, args=(process.pid, peak, done), daemon=True).start()
        if watch is not None:
            threading.Thread(target=_watch, args=(watch, every, started, done), daemon=True).start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            done.set()
            timer.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return Run(tuple(command), process.returncode, out.read().decode(errors="replace"),
                   err.read().decode(errors="replace"), wall, usage.ru_utime + usage.ru_stime,
                   peak[0] / 1024)


def _high_water(pid: int, peak: list[int], done: threading.Event) -> None:
    """Keep the largest VmHWM (kB) seen in /proc/PID/status until the child is gone."""
    status = Path(f"/proc/{pid}/status")
    while not done.is_set():
        try:
            text = status.read_text()
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                peak[0] = max(peak[0], int(line.split()[1]))
        time.sleep(0.02)


def _watch(watch: Callable[[float], None], every: float, started: float,
           done: threading.Event) -> None:
    while not done.wait(every):
        watch(time.perf_counter() - started)


def python(module: str, *args: str, env: Mapping[str, str] | None = None,
           timeout: float = 3600) -> Run:
    """`python -m module args` with this interpreter, from the repository root."""
    return run([sys.executable, "-m", module, *args], env=env, timeout=timeout)


def refund_intake(*args: str, timeout: float = 3600,
                  watch: Callable[[float], None] | None = None) -> Run:
    """The real CLI: the console script the package installs next to this interpreter."""
    script = Path(sys.executable).with_name("refund-intake")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "refund_intake.cli"]
    return run([*command, *args], timeout=timeout, watch=watch)


def _environment(extra: Mapping[str, str] | None) -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(REPOSITORY)
    environment.update(extra or {})
    return environment
