"""Who may change a request: the thread a message names is joined only by that request's people.

A subject token ([R-000123]), In-Reply-To and References are written by the sender, so they
prove nothing about who writes. A message joins the request it names only when its sender is
the request's customer, the shop's trusted relay writing for that customer (Reply-To), or a
staff member whose mail our receiving server authenticated. Anything else is kept and linked
for staff to see, and changes nothing: the request is not decided again, not reopened, gets no
draft, and the stranger's words never reach the customer or the customer's privacy export.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from base.config import MailboxConfig
from base.models import Message, Request
from intake.extract import forwarded_sender
from intake.guards import Verdict, is_staff, own_domain
from intake.parse import ParsedMessage
from intake.thread import TOKEN


def may_join(parsed: ParsedMessage, request: Request, mailbox: MailboxConfig,
             authentication: str) -> bool:
    customer = (request.customer_email or "").casefold()
    sender = (parsed.sender or "").casefold()
    if not sender or not customer:
        return False
    if sender == customer:
        return True
    if sender in mailbox.trusted_relays:
        return (parsed.reply_to or "").casefold() == customer
    return is_staff(sender, mailbox) and authentication == "pass"


def claim(message: Message, request: Request, how: str, sender: str | None) -> None:
    """Keep a message that names a request it may not join: linked, classified, inert."""
    note = (f"claims to be about {request.reference}, sent by someone else "
            f"({sender or 'no sender'}, not the customer; {how})")
    message.classification, message.classification_detail = "not_a_request", note
    message.claimed_request = request


_BODY_TOKEN = re.compile(r"\[(R-\d{6,})\]")


def link_bounce(message: Message, parsed: ParsedMessage,
                by_reference: Callable[[str], Request | None]) -> None:
    """A bounce that carries our token: our reply to that request did not arrive. The request
    is not decided again; staff are told on the request."""
    tokens = TOKEN.findall(parsed.subject) or _BODY_TOKEN.findall(parsed.text[:20_000])
    for token in dict.fromkeys(tokens):
        request = by_reference(token)
        if request is not None:
            message.claimed_request = request
            message.trust_notes = [*message.trust_notes,
                                   f"our reply to {request.reference} bounced: {parsed.subject[:200]}"]
            return


def customer_of(parsed: ParsedMessage, mailbox: MailboxConfig, message: Message,
              verdict: Verdict | None = None) -> str:
    """The customer: the sender; Reply-To when a trusted relay (the shop's form) sent it; the
    original sender when a staff member forwarded the customer's mail, and our receiving
    server authenticated the staff member (else anyone could have us write to anyone)."""
    if parsed.sender in mailbox.trusted_relays and parsed.reply_to:
        return parsed.reply_to
    if verdict is not None and verdict.detail.startswith("staff_forward"):
        original = forwarded_sender(parsed.text, own_domain(mailbox))
        if original and message.authentication == "pass":
            return original
        if original:
            message.trust_notes = [*message.trust_notes, forward_note(message.authentication)]
    return parsed.sender or parsed.reply_to or ""


def forward_note(authentication: str) -> str:
    return (f"forwarded by a staff address, but our receiving server did not authenticate it "
            f"(DMARC/SPF {authentication}): the customer it names is not trusted, nothing is "
            "sent to them")
