"""The IMAP source: imapclient behind a small facade; library errors are translated here only."""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from base.config import ImapSettings
from base.errors import SourceAuthError, SourceError, SourceUnavailable
from mail.folders import ServerFolders, discover
from mail.source import Fetched, FolderInfo

log = logging.getLogger(__name__)
PROCESSED_FLAG = b"$RefundIntake"
# imapclient logs every protocol line at DEBUG; on a big mailbox that triples the fetch cost.
logging.getLogger("imapclient").setLevel(logging.INFO)


class ImapSource:
    """A logged-in IMAP connection to one mailbox; use as a context manager."""

    def __init__(self, settings: ImapSettings, ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.ssl_context = ssl_context or _tls_context(settings)
        self.client: IMAPClient | None = None
        self.bodies_fetched = 0
        self.folder: FolderInfo | None = None
        self._server_folders: ServerFolders | None = None

    def __enter__(self) -> ImapSource:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        s = self.settings
        where = f"{s.host}:{s.port}"
        try:
            client = IMAPClient(s.host, port=s.port, ssl=s.security == "tls",
                                ssl_context=self.ssl_context, timeout=s.timeout)
            if s.security == "starttls":
                # Never fall back to plaintext: a failed STARTTLS is an error, not a downgrade.
                client.starttls(self.ssl_context)
        except (OSError, IMAPClientError) as exc:
            raise SourceUnavailable(f"IMAP {where}: cannot connect: {_describe(exc)}") from exc
        secret = s.password.read()
        try:
            if s.auth == "xoauth2":
                client.oauth2_login(s.username, secret)
            else:
                client.login(s.username, secret)
        except LoginError as exc:
            _quietly_logout(client)
            raise SourceAuthError(f"IMAP {where}: login refused for {s.username}: {_describe(exc)}") from exc
        except (OSError, IMAPClientError) as exc:
            _quietly_logout(client)
            raise SourceUnavailable(f"IMAP {where}: login failed: {_describe(exc)}") from exc
        client.normalise_times = False  # keep INTERNALDATE's own zone: receipt time is evidence
        self.client = client

    def close(self) -> None:
        if self.client is not None:
            _quietly_logout(self.client)
            self.client = None

    def select(self, folder: str, readonly: bool) -> FolderInfo:
        info = self._call(lambda c: c.select_folder(folder, readonly=readonly), f"select {folder}")
        self.folder = FolderInfo(
            name=folder,
            uidvalidity=_int(info.get(b"UIDVALIDITY")),
            uidnext=_int(info.get(b"UIDNEXT")),
            exists=_int(info.get(b"EXISTS")) or 0,
        )
        return self.folder

    def uids_after(self, last_uid: int, since: datetime | None = None) -> list[int]:
        criteria: list[Any] = ["UID", f"{last_uid + 1}:*"]
        if since is not None:
            criteria += ["SINCE", since.date()]
        found = self._call(lambda c: c.search(criteria), "search")
        # "n:*" always matches the highest UID even when it is below n (RFC 3501 6.4.8).
        return sorted(uid for uid in found if uid > last_uid)

    def fetch(self, uids: Sequence[int]) -> Iterator[Fetched]:
        assert self.folder is not None
        response = self._call(lambda c: c.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"]), "fetch")
        for uid in uids:
            data = response.get(uid)
            if data is None:
                continue  # expunged between SEARCH and FETCH: nothing to store
            raw = data.get(b"BODY[]") or b""
            received = data.get(b"INTERNALDATE")
            if not isinstance(received, datetime):
                received = datetime.now(UTC)
            elif received.tzinfo is None:
                received = received.replace(tzinfo=UTC)
            self.bodies_fetched += 1
            yield Fetched(self.folder.name, self.folder.uidvalidity, uid, None, raw, received)

    def settle(self, upto_uid: int, after: str, move_to: str | None, mark_seen: bool) -> None:
        """Apply the after-processing action to every stored message still waiting for it.

        Runs after the database commit, and covers earlier runs that died before settling.
        """
        if upto_uid <= 0 or (after == "leave" and not mark_seen):
            return
        span = f"1:{upto_uid}"
        if mark_seen:
            uids = self._call(lambda c: c.search(["UID", span, "UNSEEN"]), "search unseen")
            if uids:
                self._call(lambda c: c.add_flags(uids, [b"\\Seen"], silent=True), "mark seen")
        if after == "flag":
            uids = self._call(lambda c: c.search(["UID", span, "UNKEYWORD", PROCESSED_FLAG]), "search")
            if uids:
                self._call(lambda c: c.add_flags(uids, [PROCESSED_FLAG], silent=True), "flag")
        elif after == "move" and move_to:
            uids = self._call(lambda c: c.search(["UID", span]), "search")
            if uids:
                target = self.server_folders().place(move_to)
                self.ensure_folder(target)
                self._call(lambda c: c.move(uids, target), f"move to {target}")

    def server_folders(self) -> ServerFolders:
        """The server's namespace, delimiter and Sent folder (asked once per connection)."""
        if self._server_folders is None:
            self._server_folders = self._call(discover, "namespace")
        return self._server_folders

    def ensure_folder(self, name: str) -> bool:
        """Create the folder (by its server name) unless it exists; True when it was created."""
        if self._call(lambda c: c.folder_exists(name), "list"):
            return False
        self._call(lambda c: c.create_folder(name), f"create {name}")
        return True

    def _call(self, operation: Any, what: str) -> Any:
        if self.client is None:
            raise SourceError("IMAP: not connected")
        try:
            return operation(self.client)
        except (OSError, IMAPClientError) as exc:
            raise SourceError(f"IMAP {self.settings.host}: {what} failed: {_describe(exc)}") from exc


def _tls_context(settings: ImapSettings) -> ssl.SSLContext:
    """System CAs, plus the configured one; certificate and host name are always verified."""
    context = ssl.create_default_context()
    if settings.ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(settings.ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise SourceUnavailable(f"IMAP ca_file {settings.ca_file}: cannot load: {exc}") from exc
    return context


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc)
    if text.startswith(("b'", 'b"')):
        text = text[2:-1]
    return text or type(exc).__name__


def _quietly_logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception as exc:  # noqa: BLE001 - closing errors are logged, not raised
        log.debug("IMAP logout failed: %s", exc)
