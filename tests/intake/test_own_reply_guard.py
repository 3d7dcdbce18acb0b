"""The outbox's journal copy of a reply lands in our own mailbox: intake never answers it."""

from __future__ import annotations

from pathlib import Path

from base.config import MailboxConfig
from intake.guards.automated import automated
from intake.parse import parse_message

MAILBOX = MailboxConfig(name="accounts", address="accounts@kreatorz.co.za", policy=Path("p.toml"),
                        language="en", after="leave", move_to=None, mark_seen=False, poll_interval=300,
                        trusted_relays=(), imap=None, maildir=None)


def message(message_id: str, auto_submitted: bool = True) -> bytes:
    return (f"From: accounts@kreatorz.co.za\r\nTo: sam@example.com\r\nSubject: Re: Refund [R-000001]\r\n"
            f"Message-ID: {message_id}\r\n"
            + ("Auto-Submitted: auto-replied\r\n" if auto_submitted else "")
            + "\r\nYour refund is approved.\r\n").encode()


def test_a_journal_copy_of_our_own_reply_is_not_a_request_and_says_why() -> None:
    own = "<refund-intake.0123456789abcdef0123456789abcdef@kreatorz.co.za>"
    for raw in (message(own), message(own, auto_submitted=False)):
        verdict = automated(parse_message(raw), MAILBOX)
        assert verdict is not None
        assert (verdict.classification, verdict.detail) == ("not_a_request", "own reply (journal copy)")


def test_another_domain_or_shape_is_judged_as_before() -> None:
    other = automated(parse_message(message("<refund-intake.0123456789abcdef0123456789abcdef@example.com>")),
                      MAILBOX)
    assert other is not None and other.detail == "auto_reply (Auto-Submitted: auto-replied)"
    assert automated(parse_message(message("<abc@kreatorz.co.za>", auto_submitted=False)), MAILBOX) is None
