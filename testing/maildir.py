"""Direct file access to a Dovecot user's Maildir++: fast delivery and forgetting UIDs."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from imapclient import imap_utf7

# Maildir info letters for the IMAP system flags, in the order the Maildir spec sorts them.
_FLAG_LETTERS = {
    "\\Draft": "D",
    "\\Flagged": "F",
    "\\Answered": "R",
    "\\Seen": "S",
    "\\Deleted": "T",
}

# Dovecot's per-folder UID list and indexes; deleting them is what makes UIDVALIDITY change.
# dovecot-keywords (keyword names) and dovecot-uidvalidity (the root's counter) are kept.
_UID_STATE = ("dovecot-uidlist", "dovecot.index", "dovecot.index.log", "dovecot.index.log.2",
              "dovecot.index.cache")  # fmt: skip


class MaildirFiles:
    """Maildir++ paths and file operations for the users of one throwaway Dovecot."""

    def __init__(self, maildir_of: Callable[[str], Path], owner: tuple[int, int]) -> None:
        self._maildir_of = maildir_of
        self._sequence = itertools.count()
        # Under root, Dovecot's mail processes run as another uid and must own what we write.
        self._chown = owner != (os.getuid(), os.getgid())
        self._owner = owner

    def make_home(self, home: Path) -> None:
        home.mkdir(mode=0o700, exist_ok=True)
        if self._chown:
            os.chown(home, *self._owner)

    def folder_dir(self, user: str, folder: str) -> Path:
        root = self._maildir_of(user)
        if folder.upper() == "INBOX":
            return root
        # Maildir++: folder "A.B" lives in ".A.B", names in modified UTF-7 as on the wire.
        encoded: bytes = imap_utf7.encode(folder)
        return root / ("." + encoded.decode("ascii"))

    def write(
        self, directory: Path, raw: bytes, internaldate: datetime | None, flags: Iterable[str]
    ) -> Path:
        """Write into tmp/, set the mtime, then rename into new/ (or cur/ when flagged)."""
        flags = tuple(flags)
        unknown = set(flags) - _FLAG_LETTERS.keys()
        if unknown:
            raise ValueError(f"only system flags can be written to a Maildir file name: {unknown}")
        letters = "".join(sorted(_FLAG_LETTERS[flag] for flag in flags))
        now = time.time()
        base = f"{int(now)}.M{int(now % 1 * 1e6)}P{os.getpid()}Q{next(self._sequence)}"
        name = f"{base}.refund-intake-test,S={len(raw)}"
        staged = directory / "tmp" / name
        staged.write_bytes(raw)
        if self._chown:
            os.chown(staged, *self._owner)
        if internaldate is not None:
            stamp = internaldate.timestamp()
            os.utime(staged, (stamp, stamp))
        final = directory / "cur" / f"{name}:2,{letters}" if letters else directory / "new" / name
        staged.rename(final)
        return final

    def forget_uids(self, user: str, folder: str) -> None:
        directory = self.folder_dir(user, folder)
        for name in _UID_STATE:
            (directory / name).unlink(missing_ok=True)
