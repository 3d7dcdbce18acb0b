"""Draft the replies a request calls for, threaded under the customer's own email.

Which drafts: a new refund request gets an acknowledgement (the dispute steps when the reason
is a dispute), at most one per sender per calendar day; a decision gets the draft for its
outcome; wrong-channel and duplicate requests get the note that says so; privacy requests get
nothing (staff answer those). Drafting is idempotent: calling again for the same request or
decision adds nothing, and a customer's later reply brings no second acknowledgement. Every
draft waits for approval, except acknowledgements when `replies.auto_send_acknowledgements` is on.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from decisions import Policy
from decisions.decision import OUTCOMES
from refund_intake.config import Config
from refund_intake.errors import ConfigError
from refund_intake.models import DecisionRecord, Draft, Message, Request
from refund_intake.policies import read_policy
from replies.approval import audit
from replies.context import build_context
from replies.render import pick_language, render

log = logging.getLogger(__name__)

ACKNOWLEDGEMENTS = ("acknowledgement", "dispute")
MAX_REFERENCES = 20
_PREFIXES = re.compile(r"^\s*(?:(?:re|aw|sv|antw|ref|réf|fw|fwd|tr|wg)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TOKEN = re.compile(r"\[R-\d{6,}\]")
_ADDRESS = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+")
FALLBACK_SUBJECTS = {"en": "Your refund request", "fr": "Votre demande de remboursement"}


def draft_replies(session: Session, config: Config, request: Request,
                  decision: DecisionRecord | None, now: datetime) -> list[Draft]:
    """Add the drafts this request (and this decision, if given) calls for; return them."""
    if request.kind == "privacy" or not request.reference:
        return []
    if not _ADDRESS.fullmatch(request.customer_email or ""):
        log.warning("request %s: no usable customer address %r; nothing drafted",
                    request.reference, request.customer_email)
        return []
    mailbox = config.mailbox(request.mailbox)
    policy = mailbox_policy(mailbox.policy)
    language = pick_language(request.language, mailbox.language)
    last = _last_message(request)
    context = build_context(request, decision, policy, mailbox.address, language, last).as_dict()
    drafts = []
    for kind in _kinds_due(session, request, decision, policy, now):
        subject = reply_subject(request.subject, request.reference, language)
        rendered = render(kind, language, context, subject)
        draft = Draft(
            request_id=request.id, decision_id=decision.id if kind in OUTCOMES and decision else None,
            kind=kind, language=language, from_address=mailbox.address,
            to_address=request.customer_email, subject=subject, body_text=rendered.text,
            body_html=rendered.html, message_id=new_message_id(mailbox.address),
            in_reply_to=last.message_id if last is not None else None,
            references=thread_references(last), state="draft", created_at=now,
        )
        if kind == "acknowledgement" and config.replies.auto_send_acknowledgements:
            draft.auto_send, draft.state, draft.decided_by, draft.decided_at = True, "approved", "auto", now
        session.add(draft)
        session.flush()
        if draft.auto_send:
            audit(session, "auto", "approve", request.id, draft.id, {"kind": kind})
        drafts.append(draft)
    return drafts


def _kinds_due(session: Session, request: Request, decision: DecisionRecord | None,
               policy: Policy, now: datetime) -> list[str]:
    existing = {(d.kind, d.decision_id) for d in session.scalars(
        select(Draft).where(Draft.request_id == request.id))}
    kinds = {k for k, _ in existing}
    if request.kind in ("wrong_channel", "duplicate"):
        return [] if request.kind in kinds else [request.kind]
    if request.kind != "refund":
        return []
    due = []
    # Only a request's first message is acknowledged: a later reply from the customer is not news.
    if not kinds & set(ACKNOWLEDGEMENTS) and len(request.messages) <= 1:
        if _acknowledged_today(session, request, policy, now):
            audit(session, "system", "skip:acknowledgement", request.id,
                  detail={"why": "this sender was already acknowledged today (loop guard)"})
        else:
            due.append("dispute" if request.reason == "dispute" else "acknowledgement")
    if decision is not None and (decision.outcome, decision.id) not in existing:
        if decision.outcome in OUTCOMES:
            due.append(decision.outcome)
        else:
            log.warning("request %s: no reply template for outcome %r", request.reference, decision.outcome)
    return due


def _acknowledged_today(session: Session, request: Request, policy: Policy, now: datetime) -> bool:
    """Has this sender had an acknowledgement drafted on today's date, on the shop's clock?"""
    zone = ZoneInfo(policy.timezone)
    day = now.astimezone(zone).date()
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    end = start + timedelta(days=1)  # wall-clock midnight to midnight, also across DST
    count = session.scalar(select(func.count(Draft.id)).where(
        Draft.kind.in_(ACKNOWLEDGEMENTS),
        Draft.to_address == request.customer_email.lower(),  # stored lower-case: the index serves it
        Draft.created_at >= start, Draft.created_at < end))
    return bool(count)


def reply_subject(subject: str, reference: str, language: str) -> str:
    """`Re: <their subject> [R-000123]`, without piling up Re:/Fwd: or a second token."""
    base = " ".join(_TOKEN.sub(" ", subject or "").split())
    base = _PREFIXES.sub("", base).strip()[:150] or FALLBACK_SUBJECTS.get(language, FALLBACK_SUBJECTS["en"])
    return f"Re: {base} [{reference}]"


def new_message_id(address: str) -> str:
    """A Message-ID in the mailbox's own domain, fixed when the draft is made."""
    return f"<refund-intake.{uuid.uuid4().hex}@{address.rsplit('@', 1)[-1]}>"


def thread_references(last: Message | None) -> list[str]:
    """Their References plus their Message-ID; a long chain keeps its first and latest ids."""
    if last is None or not last.message_id:
        return []
    chain = list(dict.fromkeys([*last.references, last.message_id]))
    return chain if len(chain) <= MAX_REFERENCES else [chain[0], *chain[-(MAX_REFERENCES - 1):]]


def _last_message(request: Request) -> Message | None:
    """The customer's latest message, preferring one we can thread under (it has a Message-ID)."""
    messages = sorted(request.messages, key=lambda m: (m.received_at, m.id))
    with_id = [m for m in messages if m.message_id]
    candidates = with_id or messages
    return candidates[-1] if candidates else None


def mailbox_policy(path: Path) -> Policy:
    """The mailbox's policy, read again only when the file changes (drafting runs per message)."""
    try:
        return _read_policy(path, path.stat().st_mtime_ns)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy file: {exc.strerror}") from exc


@lru_cache(maxsize=16)
def _read_policy(path: Path, _mtime_ns: int) -> Policy:
    return read_policy(path)
