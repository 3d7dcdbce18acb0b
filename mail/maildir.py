"""The Maildir source, for the embedded demo and for deployments on the mail host itself."""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from base.config import MaildirSettings
from base.errors import SourceUnavailable
from mail.source import Fetched


class MaildirSource:
    """Reads a Maildir; the delivery time is the unix time leading the file name (mtime as fallback)."""

    folder = "INBOX"

    def __init__(self, settings: MaildirSettings) -> None:
        self.path = settings.path
        self.bodies_fetched = 0

    def __enter__(self) -> MaildirSource:
        if not (self.path / "cur").is_dir() or not (self.path / "new").is_dir():
            raise SourceUnavailable(f"Maildir {self.path}: not a Maildir (needs cur/ and new/)")
        self.box = mailbox.Maildir(self.path, factory=None, create=False)
        return self

    def __exit__(self, *exc: object) -> None:
        self.box.close()

    def keys(self) -> list[str]:
        self.files = self._listing()
        return sorted(self.files)

    def _listing(self) -> dict[str, Path]:
        """Each message's key and file, read from new/ and cur/ as the Maildir spec lays them out
        (the standard library gives no public key-to-path lookup)."""
        files = {}
        for folder in ("new", "cur"):
            for entry in (self.path / folder).iterdir():
                if not entry.name.startswith("."):
                    files[entry.name.split(self.box.colon, 1)[0]] = entry
        return files

    def fetch(self, keys: list[str]) -> Iterator[Fetched]:
        files = getattr(self, "files", None) or self._listing()
        for key in keys:
            file = files.get(key)
            if file is None:
                continue  # delivered elsewhere or removed since the listing
            try:
                raw = file.read_bytes()
            except FileNotFoundError:
                continue  # delivered elsewhere or removed since the listing
            self.bodies_fetched += 1
            yield Fetched(self.folder, None, None, key, raw, delivery_time(file))


def delivery_time(file: Path) -> datetime:
    head = file.name.split(".", 1)[0]
    if head.isdigit():
        return datetime.fromtimestamp(int(head), tz=UTC)
    return datetime.fromtimestamp(os.stat(file).st_mtime, tz=UTC)
