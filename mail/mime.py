"""Build the email for an approved draft: text + HTML alternative, threading headers, no loops."""

from __future__ import annotations

import email.policy
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from base.models import Draft

# Bodies in quoted-printable/base64, so no server needs 8BITMIME to carry accented text.
_BUILD_POLICY = email.policy.SMTP.clone(cte_type="7bit")


def build_message(draft: Draft, now: datetime) -> EmailMessage:
    message = EmailMessage(policy=_BUILD_POLICY)
    message["From"] = draft.from_address
    message["To"] = draft.to_address
    message["Subject"] = draft.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = draft.message_id
    if draft.in_reply_to:
        message["In-Reply-To"] = draft.in_reply_to
    if draft.references:
        message["References"] = " ".join(draft.references)
    # RFC 3834: other robots (vacation replies, ticket systems) must not answer this one.
    message["Auto-Submitted"] = "auto-replied"
    message["Content-Language"] = draft.language
    message.set_content(draft.body_text)
    message.add_alternative(draft.body_html, subtype="html")
    return message


def needs_smtputf8(draft: Draft) -> bool:
    """An address outside ASCII can only travel with the server's SMTPUTF8 extension."""
    return not (draft.from_address + draft.to_address).isascii()


def message_bytes(message: EmailMessage, smtputf8: bool) -> bytes:
    """The exact bytes sent, and saved to the Sent folder (CRLF line ends)."""
    return message.as_bytes(policy=email.policy.SMTPUTF8 if smtputf8 else email.policy.SMTP)
