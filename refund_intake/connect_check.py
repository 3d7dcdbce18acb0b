"""`check-config --connect`: log in to each IMAP mailbox and check every folder it needs.

The folders to poll must exist; the move_to folder and the Sent folder must exist or be
creatable. A folder that does not exist is created here, as the poll or the outbox would do
at first use, so that a refusal shows now, with what to set, and not in the first night's cron mail.
"""

from __future__ import annotations

from base.config import MailboxConfig
from base.errors import RefundIntakeError, SourceError
from mail.imap import ImapSource


def check_mailbox(mailbox: MailboxConfig) -> tuple[list[str], list[str]]:
    """(what was found, problems), each a sentence naming the mailbox."""
    assert mailbox.imap is not None
    notes: list[str] = []
    problems: list[str] = []
    source = ImapSource(mailbox.imap)
    try:
        source.connect()
    except RefundIntakeError as exc:
        return notes, [f"mailbox {mailbox.name}: {exc}"]
    try:
        places = source.server_folders()
        where = f'personal namespace "{places.prefix}"' if places.prefix else "the top level"
        notes.append(f"mailbox {mailbox.name}: logged in to {mailbox.imap.host} as "
                     f"{mailbox.imap.username}; new folders go in {where}")
        for folder in mailbox.imap.folders:
            if not _exists(source, folder):
                problems.append(f"mailbox {mailbox.name}: folder {folder!r} does not exist; "
                                f"set [mailbox.imap] folders to folders that do")
        wanted = [("sent_folder", places.sent_folder(mailbox.imap.sent_folder))]
        if mailbox.after == "move" and mailbox.move_to:
            wanted.append(("move_to", places.place(mailbox.move_to)))
        for key, name in wanted:
            _ensure(source, mailbox, key, name, places.prefix, notes, problems)
    except SourceError as exc:
        problems.append(f"mailbox {mailbox.name}: {exc}")
    finally:
        source.close()
    return notes, problems


def _exists(source: ImapSource, name: str) -> bool:
    client = source.client
    assert client is not None
    return bool(client.folder_exists(name))


def _ensure(source: ImapSource, mailbox: MailboxConfig, key: str, name: str, prefix: str,
            notes: list[str], problems: list[str]) -> None:
    try:
        created = source.ensure_folder(name)
    except SourceError as exc:
        hint = f' (a plain name, which is placed under "{prefix}")' if prefix else ""
        problems.append(f"mailbox {mailbox.name}: {key} folder {name!r} does not exist and cannot "
                        f"be created: {exc}. Set {key} to a folder that exists or that you may "
                        f"create{hint}")
        return
    notes.append(f"mailbox {mailbox.name}: {key} folder {name!r} " + ("created" if created else "exists"))
