"""A real, throwaway PostgreSQL cluster on a free loopback port, for the storage and intake tests."""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from .ports import LOOPBACK, free_port
from .server_life import TempServer

# Debian keeps each major version's server programs apart from PATH, in /usr/lib/postgresql/N/bin.
DEBIAN_VERSIONS = Path("/usr/lib/postgresql")
SUPERUSER = "postgres"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
# The server's own zone is deliberately far from UTC, so code that reads or compares timestamps
# as naive UTC fails here instead of in someone's production.
SERVER_TIMEZONE = "Pacific/Chatham"
_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PostgresNotInstalled(RuntimeError):
    """No PostgreSQL server programs (initdb, postgres) on this machine."""


class PostgresStartError(RuntimeError):
    """initdb failed, or the server exited or never accepted a connection; carries its log."""


def find_bindir() -> Path:
    """The directory holding initdb and postgres: PATH first, else Debian's newest version."""
    on_path = shutil.which("initdb")
    if on_path and Path(on_path).with_name("postgres").exists():
        return Path(on_path).parent
    versions = [d for d in DEBIAN_VERSIONS.glob("*/bin") if (d / "initdb").exists()]
    if not versions:
        raise PostgresNotInstalled(
            "PostgreSQL is not installed: run `./scripts/test` as root, "
            "or install it with `apt-get install postgresql`"
        )
    return max(versions, key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0)


def server_owner() -> tuple[int, int] | None:
    """None to run as ourselves; as root, the uid and gid of an unprivileged user.

    PostgreSQL refuses to run as root. Debian's package creates `postgres`; `nobody` will do.
    """
    if os.getuid() != 0:
        return None
    for name in (SUPERUSER, "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    raise RuntimeError("running the test PostgreSQL as root needs a 'postgres' or 'nobody' user")


class Postgres(TempServer):
    """One `postgres` server and its data directory in a temp dir, with trust auth on loopback.

    Durability is switched off (fsync, full-page writes): the cluster lives for one test run.
    Tests take a database of their own from `new_database()`.
    """

    def __init__(self, root: Path | None = None, *, parent: Path | None = None) -> None:
        """Prepare (not start) a cluster in `root`, or in a new temp dir (inside `parent`, else the
        default temp dir) that close() deletes."""
        self.bindir = find_bindir()
        self._owns_root = root is None
        self.root = root or Path(tempfile.mkdtemp(prefix="refund-intake-postgres-", dir=parent))
        self.host = LOOPBACK
        self.port = 0
        self._owner = server_owner()
        self._process: subprocess.Popen[bytes] | None = None
        self._database_numbers = itertools.count(1)

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "postgres.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server and return once it accepts connections.

        The first start runs initdb and picks a free port (retrying if another process takes it
        first); later starts reuse both, so URLs handed out before a `stop()` work after it.
        """
        if self.running:
            return
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        if self.port:
            self._start_once()
            return
        for attempt in range(3):
            self.port = free_port()
            try:
                self._start_once()
                return
            except PostgresStartError as error:
                if "already in use" not in str(error) or attempt == 2:
                    raise

    def stop(self) -> None:
        """Fast shutdown (SIGINT): clients are disconnected, their transactions rolled back."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:]) or "(PostgreSQL logged nothing)"

    def _initdb(self) -> None:
        for directory in (self.data, self.root / "run"):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if self._owner:
                os.chown(directory, *self._owner)
        if self._owner:
            self.root.chmod(0o711)  # the server's user must reach data/ and run/ inside it
        command = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                   "--auth=trust", "--no-sync", "--no-locale", "--encoding=UTF8",
                   "--no-instructions"]  # fmt: skip
        result = subprocess.run(self._as_owner(command), capture_output=True, text=True,
                                cwd=self.root, env=_clean_environment(), check=False)  # fmt: skip
        if result.returncode != 0:
            raise PostgresStartError(f"initdb failed in {self.data}:\n{result.stdout}{result.stderr}")

    def _start_once(self) -> None:
        settings = {
            "listen_addresses": self.host,
            "port": str(self.port),
            "unix_socket_directories": str(self.root / "run"),
            # Throwaway data: durability buys nothing and every commit would wait for the disk.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "TimeZone": SERVER_TIMEZONE,
        }
        command = [str(self.bindir / "postgres"), "-D", str(self.data)]
        for name, value in settings.items():
            command += ["-c", f"{name}={value}"]
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                self._as_owner(command, pdeathsig=True), stdin=subprocess.DEVNULL, stdout=log,
                stderr=log, cwd=self.root, env=_clean_environment(),
            )  # fmt: skip
        if not self._wait_until_ready():
            self.stop()
            raise PostgresStartError(
                f"PostgreSQL did not start on {self.host}:{self.port} "
                f"(data {self.data}). Log tail:\n{self._log_tail()}"
            )

    def _wait_until_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.running:
            try:
                psycopg.connect(self._conninfo("postgres"), connect_timeout=1).close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        return False

    def _as_owner(self, command: list[str], *, pdeathsig: bool = False) -> list[str]:
        """Run `command` as the cluster's owner; with `pdeathsig`, it stops if we die uncleanly."""
        prefix = ["setpriv"]
        if pdeathsig:
            prefix += ["--pdeathsig", "INT"]  # INT: fast shutdown, as in stop()
        if self._owner:
            uid, gid = self._owner
            prefix += [f"--reuid={uid}", f"--regid={gid}", "--clear-groups"]
        if len(prefix) == 1:
            return command
        if shutil.which("setpriv") is None:
            if self._owner:
                raise PostgresStartError("running the test PostgreSQL as root needs setpriv")
            return command
        return prefix + command

    # -- databases ----------------------------------------------------------------------------

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of `database` on this server (psycopg 3 driver)."""
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database `name` and return its SQLAlchemy URL."""
        if not _DATABASE_NAME.fullmatch(name):
            raise ValueError(f"database {name!r}: use [a-z0-9_], at most 63, not starting with a digit")
        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def new_database(self, hint: str = "test") -> str:
        """A database nobody has used yet; `hint` (a test's name) makes logs readable."""
        cleaned = re.sub(r"[^a-z0-9]+", "_", hint.lower()).strip("_")[:50] or "test"
        return self.create_database(f"t{next(self._database_numbers):04d}_{cleaned}")

    def _conninfo(self, database: str) -> str:
        return f"host={self.host} port={self.port} user={SUPERUSER} dbname={database}"


def _clean_environment() -> dict[str, str]:
    """Our environment without PG* variables, which would point initdb or postgres elsewhere."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}
