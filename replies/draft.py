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
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from base.config import Config
from base.models import DecisionRecord, Draft, Message, Request
from base.policies import current_policy
from decisions import Policy
from decisions.decision import OUTCOMES, REDIRECTS
from replies.context import build_context
from replies.render import html_from_text, pick_language, render
from replies.waiting import carries_acknowledgement, replace_waiting
from staff.audit import audit

log = logging.getLogger(__name__)

ACKNOWLEDGEMENTS = ("acknowledgement", "dispute")
MAX_REFERENCES = 20
CHUNK = 500  # bound parameters per IN (...)
_PREFIXES = re.compile(r"^\s*(?:(?:re|aw|sv|antw|ref|réf|fw|fwd|tr|wg)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TOKEN = re.compile(r"\[R-\d{6,}\]")
_ADDRESS = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+")
FALLBACK_SUBJECTS = {"en": "Your refund request", "fr": "Votre demande de remboursement",
                     "de": "Ihr Erstattungsantrag", "es": "Su solicitud de reembolso", "ko": "환불 요청"}


def draft_replies(session: Session, config: Config, request: Request,
                  decision: DecisionRecord | None, now: datetime,
                  history: DraftHistory | None = None, first_message: bool | None = None,
                  policy: Policy | None = None) -> list[Draft]:
    """Add the drafts this request (and this decision, if given) calls for; return them.

    Every draft is rendered before any is added, so a template that fails adds nothing. Nothing
    is flushed when a batch passes its `history` (what was drafted before, preloaded): intake
    flushes a batch at a time. Alone, the database is asked and the drafts are flushed, so they
    come back with ids. `first_message`: is
    this for the message that opened the request (only that one is acknowledged)? By default,
    whether the request has only one message so far. `policy`: the one the decision was made
    under (a poll passes the object it decided with); by default the mailbox's policy file.
    """
    if request.kind == "privacy" or not request.reference:
        return []
    if not _ADDRESS.fullmatch(request.customer_email or ""):
        log.warning("request %s: no usable customer address %r; nothing drafted",
                    request.reference, request.customer_email)
        return []
    mailbox = config.mailbox(request.mailbox)
    policy = policy or current_policy(mailbox.policy, request.received_at)  # the version it was decided under
    alone = history is None
    history = history or DraftHistory(session, now)
    language = pick_language(request.language, mailbox.language)
    last = _last_message(request)
    context = build_context(request, decision, policy, mailbox.address, language, last).as_dict()
    if first_message is None:
        first_message = len(request.messages) <= 1
    kinds, skipped_acknowledgement = _kinds_due(history, request, decision, policy, first_message)
    kinds = _one_reply(kinds, config)
    kinds = _within_daily_limit(session, history, request, kinds, last, config.replies.max_drafts_per_sender_per_day,
                                policy.timezone)
    context["registered"] = (carries_acknowledgement(history.drafts_of(request))
                             and not set(kinds) & set(ACKNOWLEDGEMENTS))
    drafts = []
    for kind in kinds:
        subject = reply_subject(request.subject, request.reference, language)
        rendered = render(kind, language, context, subject)
        answers = kind in (*OUTCOMES, *REDIRECTS) or (kind == "dispute" and decision is not None
                                                       and decision.outcome == "review")
        drafts.append(_new_draft(request, mailbox.address, kind, language, subject, rendered.text,
                                 rendered.html, decision if answers else None, last, now))
    if skipped_acknowledgement:
        audit(session, "system", "skip:acknowledgement", request.id,
              detail={"why": "this sender was already acknowledged today (loop guard)"})
    for draft in drafts:
        if draft.kind == "acknowledgement" and config.replies.auto_send_acknowledgements:
            draft.auto_send, draft.state, draft.decided_by, draft.decided_at = True, "approved", "auto", now
            audit(session, "auto", "approve", request.id, draft=draft, detail={"kind": draft.kind})
        session.add(draft)
        history.record(draft, policy.timezone)
        if draft.kind in OUTCOMES:
            replace_waiting(session, request, draft, "system", now, history.drafts_of(request))
    if alone:
        session.flush()
    return drafts


def _within_daily_limit(session: Session, history: DraftHistory, request: Request, kinds: list[str],
                        last: Message | None, limit: int, zone: str) -> list[str]:
    """At most `limit` drafts a day for one address: a flood of mail cannot flood the approval
    queue (or, with auto-sent acknowledgements, someone's inbox). Staff see why on the request."""
    room = max(limit - history.drafted_today(request.customer_email, zone), 0)
    if len(kinds) <= room:
        return kinds
    why = (f"no {', '.join(kinds[room:])} drafted: {request.customer_email} reached the limit of "
           f"{limit} drafts a day ([replies] max_drafts_per_sender_per_day)")
    audit(session, "system", "skip:flood", request.id, detail={"why": why})
    if last is not None:
        last.trust_notes = [*last.trust_notes, why]
    return kinds[:room]


def _one_reply(kinds: list[str], config: Config) -> list[str]:
    """One reply waits per request (issue 14): with a decision's reply due, the acknowledgement
    is not drafted (the decision's reply says what it would have), unless acknowledgements go
    out at once. The dispute steps stand for a review's reply, as they promise staff's answer."""
    decided = [kind for kind in kinds if kind in (*OUTCOMES, *REDIRECTS)]
    if not decided or config.replies.auto_send_acknowledgements:
        return kinds
    if "dispute" in kinds and decided == ["review"]:
        return [kind for kind in kinds if kind != "review"]
    return [kind for kind in kinds if kind not in ACKNOWLEDGEMENTS]


def staff_draft(session: Session, config: Config, request: Request, decision: DecisionRecord,
                now: datetime, text: str | None = None) -> Draft:
    """The reply to a staff decision: its outcome's template in the customer's language, or the
    text staff wrote themselves (kind `written`). Flushed, so it has an id."""
    mailbox = config.mailbox(request.mailbox)
    policy = current_policy(mailbox.policy, request.received_at)  # the version it was decided under
    language = pick_language(request.language, mailbox.language)
    last = _last_message(request)
    subject = reply_subject(request.subject, request.reference or "", language)
    earlier = list(session.scalars(select(Draft).where(Draft.request_id == request.id)))
    if text is not None:
        body = text.replace("\r\n", "\n").strip() + "\n"
        kind, html = "written", html_from_text(body, language, subject)
    else:
        context = build_context(request, decision, policy, mailbox.address, language, last).as_dict()
        context["registered"] = carries_acknowledgement(earlier)
        rendered = render(decision.outcome, language, context, subject)
        kind, body, html = decision.outcome, rendered.text, rendered.html
    draft = _new_draft(request, mailbox.address, kind, language, subject, body, html, decision,
                       last, now)
    session.add(draft)
    session.flush()
    return draft


def _new_draft(request: Request, address: str, kind: str, language: str, subject: str, text: str,
               html: str, decision: DecisionRecord | None, last: Message | None,
               now: datetime) -> Draft:
    return Draft(
        request=request, request_id=request.id, decision_id=decision.id if decision else None,
        kind=kind, language=language, from_address=address, to_address=request.customer_email,
        subject=subject, body_text=text, body_html=html, message_id=new_message_id(address),
        in_reply_to=last.message_id if last is not None else None,
        references=thread_references(last), state="draft", auto_send=False, created_at=now,
    )


class DraftHistory:
    """What was drafted before, as the drafting rules ask it: each request's drafts, and whether
    an address had an acknowledgement, and how many drafts, on a given day on the shop's clock.

    Asked alone it reads the database per question; `preload` reads a whole batch's answers in
    two queries, and `record` adds the drafts made since (they may not be flushed yet).
    """

    def __init__(self, session: Session, now: datetime) -> None:
        self.session, self.now = session, now
        self._drafts: dict[int, list[Draft]] = {}
        self._acknowledged: dict[tuple[str, str], bool] = {}  # (time zone, address) -> today?
        self._today: dict[tuple[str, str], int] = {}  # (time zone, address) -> drafts made today

    def drafts_of(self, request: Request) -> list[Draft]:
        if request.id not in self._drafts:
            self._load_drafts([request.id])
        return self._drafts[request.id]

    def kinds_of(self, request: Request) -> set[tuple[str, int | None]]:
        return {(d.kind, d.decision_id) for d in self.drafts_of(request)}

    def acknowledged_today(self, address: str, zone: str) -> bool:
        if (zone, address.lower()) not in self._acknowledged:
            self._load_acknowledged([address], zone)
        return self._acknowledged[(zone, address.lower())]

    def drafted_today(self, address: str, zone: str) -> int:
        if (zone, address.lower()) not in self._acknowledged:
            self._load_acknowledged([address], zone)
        return self._today.get((zone, address.lower()), 0)

    def record(self, draft: Draft, zone: str) -> None:
        self.drafts_of(draft.request).append(draft)
        key = (zone, draft.to_address.lower())
        self._today[key] = self._today.get(key, 0) + 1
        if draft.kind in ACKNOWLEDGEMENTS:
            self._acknowledged[(zone, draft.to_address.lower())] = True

    def preload(self, requests: Sequence[Request], zone: str, new: Sequence[Request] = ()) -> None:
        """`new`: requests created since the last flush of drafts; they have none yet."""
        for request in new:
            self._drafts.setdefault(request.id, [])
        self._load_drafts([r.id for r in requests if r.id not in self._drafts])
        self._load_acknowledged([r.customer_email for r in requests if r.customer_email], zone)

    def _load_drafts(self, request_ids: Sequence[int]) -> None:
        ids = sorted(set(request_ids))
        for start in range(0, len(ids), CHUNK):
            some = ids[start:start + CHUNK]
            for request_id in some:
                self._drafts.setdefault(request_id, [])
            for draft in self.session.scalars(select(Draft).where(Draft.request_id.in_(some))
                                              .order_by(Draft.id)):
                self._drafts[draft.request_id].append(draft)

    def _load_acknowledged(self, addresses: Sequence[str], zone: str) -> None:
        """Wall-clock midnight to midnight of today's date in `zone`, also across DST."""
        wanted = {a.lower() for a in addresses} - {a for z, a in self._acknowledged if z == zone}
        day = self.now.astimezone(ZoneInfo(zone)).date()
        start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone))
        end = start + timedelta(days=1)
        # to_address keeps the customer's spelling; the index serves an IN of spellings.
        spellings = sorted({s for a in addresses if a.lower() in wanted for s in (a, a.lower())})
        for start_at in range(0, len(spellings), CHUNK):
            some = spellings[start_at:start_at + CHUNK]
            for address, kind in self.session.execute(select(Draft.to_address, Draft.kind).where(
                    Draft.to_address.in_(some), Draft.created_at >= start, Draft.created_at < end)):
                key = (zone, address.lower())
                self._today[key] = self._today.get(key, 0) + 1
                if kind in ACKNOWLEDGEMENTS:
                    self._acknowledged[key] = True
        for address in wanted:
            self._acknowledged.setdefault((zone, address), False)


def set_aside_stale(session: Session, history: DraftHistory, request: Request,
                    decision: DecisionRecord, now: datetime) -> None:
    """A newer decision makes the unapproved drafts of older ones wrong: they must not be sent."""
    for draft in history.drafts_of(request):
        if draft.state == "draft" and draft.decision_id not in (None, decision.id):
            draft.state, draft.decided_by, draft.decided_at = "rejected", "system", now
            draft.note = (f"superseded by decision {decision.id} ({decision.outcome}) "
                          "after the customer's reply")
            audit(session, "system", "supersede", request.id, draft=draft,
                  detail={"by_decision": decision.id})


def _kinds_due(history: DraftHistory, request: Request, decision: DecisionRecord | None,
               policy: Policy, first_message: bool) -> tuple[list[str], bool]:
    """The kinds to draft now, and whether an acknowledgement was skipped by the loop guard."""
    existing = history.kinds_of(request)
    kinds = {k for k, _ in existing}
    if request.kind in ("wrong_channel", "duplicate"):
        return ([] if request.kind in kinds else [request.kind]), False
    if request.kind != "refund":
        return [], False
    due, skipped = [], False
    # Only a request's first message is acknowledged: a later reply from the customer is not news.
    # A decision's reply already said what an acknowledgement says (see draft_replies).
    if not kinds & {*ACKNOWLEDGEMENTS, *OUTCOMES} and first_message:
        if history.acknowledged_today(request.customer_email, policy.timezone):
            skipped = True
        else:
            due.append("dispute" if request.reason == "dispute" else "acknowledgement")
    # the dispute steps promise staff's answer: they are the review's reply too
    answered = (decision is not None and decision.outcome == "review"
                and ("dispute", decision.id) in existing)
    if decision is not None and (decision.outcome, decision.id) not in existing and not answered:
        if decision.outcome in (*OUTCOMES, *REDIRECTS):
            due.append(decision.outcome)
        else:
            log.warning("request %s: no reply template for outcome %r", request.reference, decision.outcome)
    return due, skipped


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
