"""The classification chain, in order (as Mailman keeps its chain apart from its rules): what a
stored message is, and which request it hangs on.

1. `automated` (intake/guards/automated.py): bounces, auto-replies, list mail, our own replies.
2. Threading (intake/thread.py): a reply joins its request by `In-Reply-To`, `References` or the
   subject token, but only when intake/trust.py says its sender may join that thread; anyone
   else's message is linked for staff and changes nothing.
3. `privacy`, then `wrong_channel` (intake/guards/): a request of their own kind.
4. A duplicate of the sender's open request for the same order, else a new refund request.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from base.config import MailboxConfig
from base.models import Message, Request
from intake.guards import Guard, Verdict
from intake.guards.automated import automated
from intake.guards.privacy import privacy
from intake.guards.wrong_channel import wrong_channel
from intake.lookups import BatchLookups
from intake.parse import ParsedMessage
from intake.thread import find_thread
from intake.trust import claim, customer_of, link_bounce, may_join
from intake.understand import Understanding

# Threading runs between these: a customer's reply joins its thread before the other guards.
BEFORE_THREADING: tuple[Guard, ...] = (automated,)
AFTER_THREADING: tuple[Guard, ...] = (privacy, wrong_channel)


def classify(session: Session, lookups: BatchLookups, mailbox: MailboxConfig,
              parsed: ParsedMessage, facts: Understanding, message: Message) -> None:
    message.language, message.reason = facts.language, facts.reason
    message.order_refs, message.urls = list(facts.order_refs), list(facts.urls)
    message.understanding = facts.details
    verdict = _first(BEFORE_THREADING, parsed, mailbox)
    if verdict is not None:
        message.classification, message.classification_detail = verdict.classification, verdict.detail
        if verdict.detail.startswith("bounce"):
            link_bounce(message, parsed, lookups.by_reference)
        return
    thread, how = find_thread(parsed, lookups.by_message_id, lookups.by_reference)
    if thread is not None:
        if not may_join(parsed, thread, mailbox, message.authentication):
            claim(message, thread, how, parsed.sender)
            return
        message.classification, message.classification_detail = "reply", f"threaded by {how}"
        message.request = thread
        if thread.closed_at is not None and thread.anonymised_at is None and thread.fraud_marked_at is None:
            thread.status, thread.closed_at = "open", None  # the customer wrote again
        return
    verdict = _first(AFTER_THREADING, parsed, mailbox)
    customer = customer_of(parsed, mailbox, message, verdict)[:320]
    if verdict is not None:
        kind = "privacy" if verdict.detail.startswith("privacy") else verdict.classification
        message.classification, message.classification_detail = verdict.classification, verdict.detail
        message.request = new_request(session, mailbox, message, customer, kind)
        return
    original = lookups.open_request_of(customer, message.order_refs)
    if original is not None:
        message.classification = "duplicate"  # its detail is set once references are (_name)
        message.request = new_request(session, mailbox, message, customer, "duplicate")
        message.request.duplicate_of = original
        return
    message.classification, message.classification_detail = "new_request", how
    message.request = new_request(session, mailbox, message, customer, "refund")


def _first(guards: tuple[Guard, ...], parsed: ParsedMessage, mailbox: MailboxConfig) -> Verdict | None:
    for guard in guards:
        verdict = guard(parsed, mailbox)
        if verdict is not None:
            return verdict
    return None


def new_request(session: Session, mailbox: MailboxConfig, message: Message, customer: str,
                kind: str) -> Request:
    """A new request; its reference (R-000123, from the id) is set once the batch is flushed."""
    request = Request(
        mailbox=mailbox.name, kind=kind, status="open", customer_email=customer,
        subject=message.subject, language=message.language or mailbox.language,
        reason=message.reason or "other", order_refs=list(message.order_refs),
        understanding=message.understanding, received_at=message.received_at,
    )
    session.add(request)
    return request
