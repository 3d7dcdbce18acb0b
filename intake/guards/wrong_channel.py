"""Refunds are accepted only by email to the accounts address, from the customer: mail sent to
another address, or forwarded by staff, is answered with where to write."""

from __future__ import annotations

import re

from base.config import MailboxConfig
from intake.guards import Verdict, is_staff
from intake.parse import ParsedMessage

_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|tr|wg)\s*:", re.IGNORECASE)

def wrong_channel(parsed: ParsedMessage, mailbox: MailboxConfig) -> Verdict | None:
    """Refunds are accepted only by email to the accounts address, from the customer."""
    if mailbox.address not in parsed.recipients:
        shown = ", ".join(parsed.recipients) or "no recipient"
        return Verdict("wrong_channel", f"other_address (sent to {shown}, not {mailbox.address})")
    sender = parsed.sender or ""
    if is_staff(sender, mailbox):
        why = "forwarded" if _FORWARD_SUBJECT.match(parsed.subject) else "sent"
        return Verdict("wrong_channel", f"staff_forward ({why} by staff member {sender})")
    return None
