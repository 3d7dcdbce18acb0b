"""Where folders are on this IMAP server: its personal namespace (RFC 2342), its hierarchy
delimiter, and the folder it marks as Sent (RFC 6154 SPECIAL-USE).

Servers differ: Dovecot puts folders at the top (`Processed`), Cyrus and Courier under the inbox
(`INBOX.Processed`), Exchange names its Sent folder `Sent Items` and Gmail `[Gmail]/Sent Mail`.
A plain name in the config (no delimiter) means "this folder in my personal namespace"."""

from __future__ import annotations

from dataclasses import dataclass

from imapclient import IMAPClient

DEFAULT_SENT = "Sent"
SENT_FLAG = b"\\Sent"  # RFC 6154


@dataclass(frozen=True)
class ServerFolders:
    prefix: str  # the personal namespace's prefix: "" (Dovecot, Exchange) or "INBOX." (Cyrus)
    delimiter: str  # the hierarchy delimiter, "" for a flat server
    sent: str | None  # the folder the server marks \Sent, if it says

    def place(self, name: str) -> str:
        """The server's name for a configured folder: INBOX, a name already in the namespace and
        a name with the delimiter stay as written; a plain name goes into the personal namespace."""
        if (name.upper() == "INBOX" or not self.prefix or name.startswith(self.prefix)
                or (self.delimiter and self.delimiter in name)):
            return name
        return self.prefix + name

    def sent_folder(self, configured: str | None) -> str:
        """The configured Sent folder, else the server's \\Sent folder, else "Sent" in place."""
        if configured:
            return self.place(configured)
        return self.sent or self.place(DEFAULT_SENT)


def discover(client: IMAPClient) -> ServerFolders:
    """Ask a logged-in server (two or three short commands; only when a folder is needed)."""
    prefix, delimiter = "", "/"
    if client.has_capability("NAMESPACE"):
        personal = client.namespace().personal
        if personal:
            prefix, delimiter = personal[0][0], personal[0][1] or ""
    sent = None
    if client.has_capability("SPECIAL-USE"):
        sent = next((name for flags, _delim, name in client.list_folders()
                     if SENT_FLAG in flags), None)
    return ServerFolders(prefix=prefix, delimiter=delimiter, sent=sent)
