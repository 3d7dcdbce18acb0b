"""Bounces, auto-replies, list mail and our own replies' journal copies: never answered, so no
mail loop can start."""

from __future__ import annotations

import re

from base.config import MailboxConfig
from intake.guards import Verdict, own_domain
from intake.parse import ParsedMessage

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
    if match and match.group(1).lower() == own_domain(mailbox):
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


