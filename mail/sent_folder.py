"""The mailbox's IMAP Sent folder: keep a copy of each sent reply, and find one by Message-ID.

The copy is what lets the outbox tell, after a crash, whether a reply already went out. With
the journal copy on, the SMTP server itself delivers a copy of each accepted reply to the
mailbox, so `locate` looks in the mailbox's folders as well as in the Sent folder.
The connection is intake's ImapSource (same TLS rules, same error translation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Self

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from base.config import ImapSettings
from base.errors import SourceError
from mail.folders import DEFAULT_SENT
from mail.imap import ImapSource


class SentFolder:
    """A logged-in connection to one Sent folder; use as a context manager."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self.folder = settings.sent_folder or DEFAULT_SENT  # the server's name, known once connected
        self._source = ImapSource(settings)

    def __enter__(self) -> Self:
        self._source.connect()
        try:
            self.folder = self._source.server_folders().sent_folder(self.settings.sent_folder)
        except SourceError:
            self._source.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._source.close()

    def append(self, raw: bytes, when: datetime) -> None:
        """Save the message as sent (and read), creating the folder the first time."""
        self._source.ensure_folder(self.folder)
        self._call(lambda c: c.append(self.folder, raw, flags=[b"\\Seen"], msg_time=when),
                   f"append to {self.folder}")

    def contains(self, message_id: str) -> bool:
        """Is a message with this Message-ID in the folder?"""
        if not self._call(lambda c: c.folder_exists(self.folder), "list"):
            return False
        self._call(lambda c: c.select_folder(self.folder, readonly=True), f"select {self.folder}")
        found = self._call(lambda c: c.search(["HEADER", "Message-ID", message_id]), "search")
        return bool(found)

    def locate(self, message_id: str, folders: Iterable[str | None]) -> str | None:
        """The first of these folders holding a message with this Message-ID, or None.
        Plain names are placed in the personal namespace; None is the Sent folder."""
        places = self._source.server_folders()
        for name in dict.fromkeys(self.folder if n is None else places.place(n) for n in folders):
            if self._holds(name, message_id):
                return name
        return None

    def _holds(self, folder: str, message_id: str) -> bool:
        if not self._call(lambda c: c.folder_exists(folder), "list"):
            return False
        self._call(lambda c: c.select_folder(folder, readonly=True), f"select {folder}")
        return bool(self._call(lambda c: c.search(["HEADER", "Message-ID", message_id]), f"search {folder}"))

    def _call(self, operation: Callable[[IMAPClient], Any], what: str) -> Any:
        client = self._source.client
        if client is None:
            raise SourceError("IMAP: not connected")
        try:
            return operation(client)
        except (OSError, IMAPClientError) as exc:
            raise SourceError(f"IMAP {self.settings.host}: {what} failed: {exc}") from exc
