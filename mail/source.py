"""What every mail source yields, whether IMAP or a local Maildir."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Fetched:
    """One message as the source holds it; received_at is the server's receipt time."""

    folder: str
    uidvalidity: int | None
    uid: int | None
    source_key: str | None
    raw: bytes
    received_at: datetime


@dataclass(frozen=True)
class FolderInfo:
    name: str
    uidvalidity: int | None
    uidnext: int | None
    exists: int
