"""Dovecot configured the way other IMAP servers lay out folders, for tests that must work there."""

from __future__ import annotations

from collections.abc import Iterator

from .dovecot import Dovecot

# Cyrus IMAP as Debian ships it, and Courier: every folder lives under the inbox, "INBOX.Sent".
CYRUS = """
namespace inbox {
  inbox = yes
  prefix = INBOX.
  separator = .
}
"""
# Exchange and Microsoft 365: the Sent folder is "Sent Items", announced with \\Sent (RFC 6154).
EXCHANGE = """
namespace inbox {
  inbox = yes
  separator = /
  mailbox "Sent Items" {
    special_use = \\Sent
    auto = subscribe
  }
}
"""


def shaped_dovecot(extra_config: str) -> Iterator[Dovecot]:
    """A started Dovecot with this shape (a fixture body: yields it, then deletes it)."""
    dovecot = Dovecot(extra_config=extra_config)
    dovecot.start()
    try:
        yield dovecot
    finally:
        dovecot.close()
