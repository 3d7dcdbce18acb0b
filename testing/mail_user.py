"""One IMAP account on a test Dovecot, with shortcuts that act as that user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from imapclient import IMAPClient


Security = Literal["plain", "starttls", "tls"]


class MailServer(Protocol):
    """What a user needs of the server its mailbox is on (testing/dovecot.py's Dovecot)."""

    host: str
    port: int
    tls_port: int

    @property
    def cafile(self) -> Path: ...

    def maildir(self, user: str) -> Path: ...

    def imap_client(self, user: str, *, security: Security = "plain") -> IMAPClient: ...

    def append(self, user: str, folder: str, raw: bytes, internaldate: datetime,
               flags: Iterable[str] = ()) -> int: ...


@dataclass(frozen=True)
class MailUser:
    """What a test needs to point refund-intake at this user's mailbox, and to fill it."""

    server: MailServer
    name: str
    password: str

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        """Plain IMAP port (STARTTLS offered; plaintext LOGIN allowed since it is loopback)."""
        return self.server.port

    @property
    def tls_port(self) -> int:
        """Implicit-TLS (imaps) port."""
        return self.server.tls_port

    @property
    def cafile(self) -> Path:
        return self.server.cafile

    @property
    def maildir(self) -> Path:
        return self.server.maildir(self.name)

    def client(self, security: Security = "plain") -> IMAPClient:
        return self.server.imap_client(self.name, security=security)

    def append(
        self, raw: bytes, internaldate: datetime, folder: str = "INBOX", flags: Iterable[str] = ()
    ) -> int:
        return self.server.append(self.name, folder, raw, internaldate, flags)
