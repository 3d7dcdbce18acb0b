"""A real, throwaway Dovecot IMAP server on free loopback ports, for tests and benchmarks."""

from __future__ import annotations

import itertools
import re
import ssl
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from imapclient import IMAPClient

from .certificates import client_context, make_self_signed
from .dovecot_config import DovecotConfig, mail_owner, oauth2_settings, passwd_file_line
from .dovecot_process import DovecotProcess, DovecotStartError, find_dovecot
from .mail_user import MailUser, Security
from .maildir import MaildirFiles
from .ports import LOOPBACK, free_port
from .server_life import TempServer

UserRef = str | MailUser


class Dovecot(TempServer):
    """A Dovecot master process (`dovecot -F`) with its config, users and mail in a temp dir.

    Users `accounts` and `staff` exist from the start (passwords in `DEFAULT_USERS`); tests that
    must not see each other's mail take a fresh user from `new_user()`.
    """

    DEFAULT_USERS: ClassVar[dict[str, str]] = {
        "accounts": "accounts-secret",
        "staff": "staff-secret",
    }

    def __init__(self, root: Path | None = None, oauth2_introspection_url: str | None = None,
                 extra_config: str = "", *, parent: Path | None = None) -> None:
        """Prepare (not start) a server in `root`, or in a new temp dir (inside `parent`, else the
        default temp dir) that close() deletes.

        With `oauth2_introspection_url`, XOAUTH2/OAUTHBEARER logins are checked against it.
        `extra_config` is appended to dovecot.conf, e.g. a namespace shaped like another server's.
        """
        self.extra_config = extra_config
        self._owns_root = root is None
        self.oauth2_introspection_url = oauth2_introspection_url
        self.root = root or Path(tempfile.mkdtemp(prefix="refund-intake-dovecot-", dir=parent))
        self.host = LOOPBACK
        self.port = 0
        self.tls_port = 0
        self._passwords: dict[str, str] = {}
        self._process = DovecotProcess(
            find_dovecot(), self.root / "dovecot.conf", self.root / "dovecot.stderr"
        )
        self._user_numbers = itertools.count(1)
        self._files = MaildirFiles(self.maildir, owner=mail_owner())
        for directory in ("home", "users"):
            (self.root / directory).mkdir(parents=True, exist_ok=True)
        for name, password in self.DEFAULT_USERS.items():
            self.add_user(name, password)

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def cafile(self) -> Path:
        """The generated self-signed certificate; trust it to verify imaps and STARTTLS."""
        return self.root / "tls" / "cert.pem"

    @property
    def running(self) -> bool:
        return self._process.running

    def start(self) -> None:
        """Start Dovecot and return once it greets on the IMAP port.

        The first start picks free ports (retrying if another process takes one first);
        later starts reuse them, so clients configured before a `stop()` reconnect after.
        """
        if self.running:
            return
        if not self.cafile.exists():
            (self.root / "tls").mkdir(parents=True, exist_ok=True)
            make_self_signed(self.root / "tls")
        if self.port:
            self._start_once()
            return
        for attempt in range(3):
            self.port, self.tls_port = free_port(), free_port()
            while self.tls_port == self.port:
                self.tls_port = free_port()
            try:
                self._start_once()
                return
            except DovecotStartError as error:
                if "Address already in use" not in str(error) or attempt == 2:
                    raise

    def _start_once(self) -> None:
        for directory in ("run", "state"):
            (self.root / directory).mkdir(exist_ok=True)
        # Under root, imap-login runs as another user and must reach the sockets in run/.
        self.root.chmod(0o711)
        config = DovecotConfig(self.root, self.port, self.tls_port, self.oauth2_introspection_url,
                               self.extra_config)
        (self.root / "dovecot.conf").write_text(config.render())
        if self.oauth2_introspection_url:
            (self.root / "oauth2.conf.ext").write_text(oauth2_settings(self.oauth2_introspection_url))
        if not self._process.start(self.port):
            raise DovecotStartError(
                f"Dovecot did not start on {self.host}:{self.port} "
                f"(config {self.root}/dovecot.conf). Log tail:\n{self._log_tail()}"
            )

    def stop(self) -> None:
        """Stop Dovecot gracefully (clients are disconnected), keeping its mail and ports."""
        self._process.stop()

    def log_text(self) -> str:
        """Everything Dovecot logged (its log file, then anything it wrote to stderr)."""
        parts = [self.root / "dovecot.log", self.root / "dovecot.stderr"]
        return "".join(p.read_text(errors="replace") for p in parts if p.exists())

    def _log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:]) or "(Dovecot logged nothing)"

    # -- users --------------------------------------------------------------------------------

    def add_user(self, name: str, password: str | None = None) -> MailUser:
        """Create a user (or change its password: takes effect a second later at most)."""
        self._passwords[name] = password or f"{name}-secret"
        passwd = self.root / "users" / name
        staging = passwd.with_name(f".staging-{name}")
        staging.write_text(passwd_file_line(name, self._passwords[name]))
        staging.replace(passwd)
        self._files.make_home(self.maildir(name).parent)
        return self.user(name)

    def new_user(self, hint: str = "user") -> MailUser:
        """A user nobody has used yet, with an empty INBOX; `hint` makes logs readable."""
        cleaned = re.sub(r"[^a-z0-9]+", "-", hint.lower()).strip("-")[:40] or "user"
        return self.add_user(f"t{next(self._user_numbers):04d}-{cleaned}")

    def user(self, name: str) -> MailUser:
        return MailUser(self, name, self._passwords[name])

    def _name(self, user: UserRef) -> str:
        return user.name if isinstance(user, MailUser) else user

    # -- IMAP ---------------------------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts this server's generated certificate."""
        return client_context(self.cafile)

    def imap_client(self, user: UserRef, *, security: Security = "plain") -> IMAPClient:
        """A logged-in IMAPClient over plain IMAP, STARTTLS on the plain port, or imaps."""
        name = self._name(user)
        if security == "tls":
            client = IMAPClient(
                self.host, self.tls_port, ssl=True, ssl_context=self.ssl_context(), timeout=30
            )
        else:
            client = IMAPClient(self.host, self.port, ssl=False, timeout=30)
            if security == "starttls":
                client.starttls(self.ssl_context())
        client.login(name, self._passwords[name])
        return client

    def append(
        self,
        user: UserRef,
        folder: str,
        raw: bytes,
        internaldate: datetime,
        flags: Iterable[str] = (),
    ) -> int:
        """APPEND `raw` with the given INTERNALDATE (the server's receipt time); return its UID.

        INTERNALDATE has whole seconds and needs a time zone, so anything else is refused
        rather than silently rounded.
        """
        [uid] = self.append_many(user, folder, [(raw, internaldate)], flags)
        return uid

    def append_many(
        self,
        user: UserRef,
        folder: str,
        messages: Iterable[tuple[bytes, datetime]],
        flags: Iterable[str] = (),
    ) -> list[int]:
        """APPEND each (raw, internaldate) over one connection; return their UIDs in order."""
        flags = tuple(flags)
        uids = []
        with self.imap_client(user) as client:
            for raw, internaldate in messages:
                if internaldate.tzinfo is None or internaldate.microsecond:
                    raise ValueError(
                        f"internaldate must be aware and whole seconds, got {internaldate!r}"
                    )
                response = client.append(folder, raw, flags=flags, msg_time=internaldate)
                match = re.search(rb"\[APPENDUID \d+ (\d+)\]", response)
                if match is None:
                    raise RuntimeError(f"APPEND gave no APPENDUID: {response!r}")
                uids.append(int(match.group(1)))
        return uids

    def create_folder(self, user: UserRef, folder: str) -> None:
        with self.imap_client(user) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)

    def delete_folder(self, user: UserRef, folder: str) -> None:
        """Delete `folder` and its messages; a folder that does not exist is already deleted."""
        with self.imap_client(user) as client:
            if client.folder_exists(folder):
                client.delete_folder(folder)

    def folder_status(self, user: UserRef, folder: str = "INBOX") -> dict[str, int]:
        """MESSAGES, UIDNEXT and UIDVALIDITY of `folder`, as the server reports them."""
        with self.imap_client(user) as client:
            status = client.folder_status(folder, ["MESSAGES", "UIDNEXT", "UIDVALIDITY"])
        return {key.decode(): int(value) for key, value in status.items()}

    def reset_uidvalidity(self, user: UserRef, folder: str = "INBOX") -> tuple[int, int]:
        """Make `folder` get a new UIDVALIDITY while keeping its messages; return (old, new).

        As when a mail store is rebuilt or migrated: Dovecot's UID list and indexes go, the
        message files stay, and Dovecot renumbers them under a fresh UIDVALIDITY. Clients
        of this user should be logged out first; a session holding the folder open sees it
        change under its feet (which is also what happens in production).
        """
        before = self.folder_status(user, folder)
        self._files.forget_uids(self._name(user), folder)
        after = self.folder_status(user, folder)
        if after["UIDVALIDITY"] == before["UIDVALIDITY"] or after["MESSAGES"] != before["MESSAGES"]:
            raise RuntimeError(f"UIDVALIDITY reset of {folder!r} failed: {before} -> {after}")
        return before["UIDVALIDITY"], after["UIDVALIDITY"]

    # -- files --------------------------------------------------------------------------------

    def maildir(self, user: UserRef) -> Path:
        """The user's Maildir (INBOX itself; folder `X` is the subdirectory `.X`)."""
        return self.root / "home" / self._name(user) / "Maildir"

    def write_maildir_message(
        self,
        user: UserRef,
        folder: str,
        raw: bytes,
        internaldate: datetime | None = None,
        flags: Iterable[str] = (),
    ) -> Path:
        """Deliver `raw` by writing the file straight into the Maildir, as a local MDA does.

        Much faster than APPEND for filling big folders. The folder is created over IMAP the
        first time; `internaldate` becomes the file's mtime, which Dovecot reports as
        INTERNALDATE. Dovecot assigns the UID when a client next looks at the folder.
        """
        directory = self._files.folder_dir(self._name(user), folder)
        if not (directory / "cur").is_dir():
            if folder.upper() == "INBOX":
                with self.imap_client(user) as client:
                    client.select_folder("INBOX", readonly=True)
            else:
                self.create_folder(user, folder)
        return self._files.write(directory, raw, internaldate, flags)
