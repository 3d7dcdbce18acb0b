"""Classification guards, in order; each is a small named check that records why it hit or missed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from base.config import MailboxConfig
from intake.parse import ParsedMessage


@dataclass(frozen=True)
class Verdict:
    classification: str  # not_a_request | wrong_channel
    detail: str          # auto_reply | bounce | list | privacy | staff_forward | other_address


_DAEMONS = re.compile(r"^(mailer[-_.]?daemon|postmaster|no-?reply|do-?not-?reply|bounces?|bounce[-+._][^@]*"
                      r"|[^@]*[-+._]bounces?)@", re.IGNORECASE)
# Bounces and auto-replies that carry none of the usual headers, known by their subject.
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliverable|undelivered mail|delivery status notification|delivery failure|"
    r"mail delivery (failed|failure|subsystem)|returned mail|failure notice|non remis|"
    r"unzustellbar|nicht zustellbar)\b", re.IGNORECASE)
_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto[- ]?reply|autoreply|out of (the )?office|réponse automatique|"
    r"reponse automatique|absence du bureau|abwesenheitsnotiz|automatische antwort|"
    r"respuesta automática|risposta automatica|automatisch antwoord)\b", re.IGNORECASE)
_PRIVACY = re.compile(
    r"(personal (data|information)|my data|gdpr|popia|données personnelles|mes données|rgpd)",
    re.IGNORECASE,
)
_PRIVACY_ACTION = re.compile(
    r"\b(delete|erase|remove|correct|access|view|copy|supprimer|effacer|rectifier|consulter|accéder)\b",
    re.IGNORECASE,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|tr|wg)\s*:", re.IGNORECASE)
# The Message-IDs our replies carry (replies/draft.py new_message_id), in the mailbox's domain.
_OWN_MESSAGE_ID = re.compile(r"^<refund-intake\.[0-9a-f]{32}@([^>]+)>$", re.IGNORECASE)


def automated(parsed: ParsedMessage, mailbox: MailboxConfig) -> Verdict | None:
    """Bounces, auto-replies and list mail are never answered, so no mail loop can start.

    Our own replies come first: the outbox's journal copy of each reply lands in this mailbox
    (README, "Replies and sending"). Bounces are named next: a Postfix bounce carries
    Auto-Submitted too, and is a bounce.
    """
    return _own_reply(parsed, mailbox) or _bounce(parsed, mailbox) or _auto_reply(parsed) \
        or _list_mail(parsed)


def _own_reply(parsed: ParsedMessage, mailbox: MailboxConfig) -> Verdict | None:
    match = _OWN_MESSAGE_ID.match(parsed.message_id or "")
    if match and match.group(1).lower() == mailbox.address.rsplit("@", 1)[-1]:
        return Verdict("not_a_request", "own reply (journal copy)")
    return None


def _bounce(parsed: ParsedMessage, mailbox: MailboxConfig) -> Verdict | None:
    h = parsed.headers
    if parsed.content_type == "multipart/report" or "report-type=delivery-status" in h.get("content-type", ""):
        return Verdict("not_a_request", "bounce (multipart/report)")
    sender = parsed.sender or ""
    if _DAEMONS.match(sender) and sender not in mailbox.trusted_relays:
        return Verdict("not_a_request", f"bounce (robot sender {sender})")
    if _BOUNCE_SUBJECT.match(parsed.subject):
        return Verdict("not_a_request", f"bounce (subject {parsed.subject[:80]!r})")
    return None


def _auto_reply(parsed: ParsedMessage) -> Verdict | None:
    h = parsed.headers
    auto = h.get("auto-submitted", "").strip().lower()
    if auto and auto != "no":
        return Verdict("not_a_request", f"auto_reply (Auto-Submitted: {auto})")
    if any(k in h for k in ("x-autoreply", "x-autorespond")):
        return Verdict("not_a_request", "auto_reply (X-Autoreply)")
    if "return-path" in h and h["return-path"].strip() in ("<>", ""):
        return Verdict("not_a_request", "auto_reply (empty Return-Path, RFC 3834)")
    if _AUTO_SUBJECT.match(parsed.subject):
        return Verdict("not_a_request", f"auto_reply (subject {parsed.subject[:80]!r})")
    return None


def _list_mail(parsed: ParsedMessage) -> Verdict | None:
    h = parsed.headers
    precedence = h.get("precedence", "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return Verdict("not_a_request", f"list (Precedence: {precedence})")
    if "list-id" in h or "list-unsubscribe" in h:
        return Verdict("not_a_request", "list (List-Id)")
    return None


def privacy(parsed: ParsedMessage, mailbox: MailboxConfig) -> Verdict | None:
    """A request about the customer's own personal data goes to staff, not to the refund rules."""
    text = f"{parsed.subject}\n{parsed.text[:5000]}"
    if _PRIVACY.search(text) and _PRIVACY_ACTION.search(text):
        return Verdict("not_a_request", "privacy request (personal data: view, correct or delete)")
    return None


def wrong_channel(parsed: ParsedMessage, mailbox: MailboxConfig) -> Verdict | None:
    """Refunds are accepted only by email to the accounts address, from the customer."""
    if mailbox.address not in parsed.recipients:
        shown = ", ".join(parsed.recipients) or "no recipient"
        return Verdict("wrong_channel", f"other_address (sent to {shown}, not {mailbox.address})")
    sender = parsed.sender or ""
    own_domain = mailbox.address.rsplit("@", 1)[-1]
    if sender.endswith("@" + own_domain) and sender not in mailbox.trusted_relays:
        why = "forwarded" if _FORWARD_SUBJECT.match(parsed.subject) else "sent"
        return Verdict("wrong_channel", f"staff_forward ({why} by staff member {sender})")
    return None


Guard = Callable[[ParsedMessage, MailboxConfig], Verdict | None]
# Threading runs between `automated` and these: a customer's reply joins its thread first.
BEFORE_THREADING: tuple[Guard, ...] = (automated,)
AFTER_THREADING: tuple[Guard, ...] = (privacy, wrong_channel)
