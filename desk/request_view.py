"""What the request and draft pages show: the decision's gist first, the rest folded away.

Above the fold: the outcome, the amount, the rules that decided it and the customer's own
words. Rules that were skipped or did not match are folded. A mail body is shown up to
BODY_PREVIEW characters (a 5 MB message is not sent whole to the browser): the rest is one
click away, as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from base.errors import RefundIntakeError
from base.models import DecisionRecord, Draft, Message, Order, Request
from base.policies import current_policy
from decisions.request import UNCLEAR
from decisions.rules import MISSING_ITEMS
from desk.queue import Today, is_overdue
from desk.state import desk
from pipeline.settle import REASONS, machine_decision
from replies.approval import tier_limit
from replies.overdue import waiting_on_staff
from replies.promise import Promise, promise_of
from replies.render import language_note, languages

BODY_PREVIEW = 20_000   # characters of a mail body shown on a page; the rest behind a link
WORDS_PREVIEW = 700     # characters of the customer's words in the summary


@dataclass(frozen=True)
class Body:
    """A mail body as a page shows it: the first part, and whether there is more."""

    text: str
    cut: bool
    length: int


def body(text: str, limit: int = BODY_PREVIEW) -> Body:
    return Body(text[:limit], len(text) > limit, len(text))


def request_view(db: Session, req: Request, today: Today) -> dict[str, Any]:
    decisions = list(req.decisions)
    latest = decisions[-1] if decisions else None
    drafts = list(db.scalars(select(Draft).where(Draft.request_id == req.id)
                             .order_by(Draft.created_at, Draft.id)))
    waiting = next((d for d in reversed(drafts) if d.state == "draft"), None)
    answered = not db.scalar(select(func.count(Request.id)).where(Request.id == req.id,
                                                                  waiting_on_staff()))
    customer = [m for m in req.messages if m.sender and m.sender.lower() == req.customer_email.lower()]
    first = next(iter(customer or req.messages), None)
    return {
        "req": req, "decision": latest, "machine": machine_decision(req),
        "earlier": decisions[-2::-1], "drafts": drafts, "waiting": waiting,
        "overdue": is_overdue(req, latest, today, answered=answered),
        "steps": split_trace(latest), "words": body(first.text_body, WORDS_PREVIEW) if first else None,
        "bodies": {m.id: body(m.text_body) for m in req.messages},
        "rules": _policy_rules(req), "orders": _orders_of(db, req), "reasons": REASONS,
        "items": MISSING_ITEMS, "languages": languages(),
        "promise": promise_for(waiting) if waiting else None,
        "tier": tier_of(waiting) if waiting else None,
        "language_note": _language_note(req),
        "likeliest": likeliest_reasons(req),
    }


def likeliest_reasons(req: Request) -> list[tuple[str, float]]:
    """The two reasons the reader found likeliest, when it was unsure and staff have not picked one:
    the page offers each as one click."""
    if req.reason != UNCLEAR or req.status != "open":
        return []
    read = ((req.understanding or {}).get("reason") or {}).get("candidates") or []
    return [(str(code), float(p)) for code, p in read[:2] if code in REASONS]


def _language_note(req: Request) -> str | None:
    """Said on the page when the replies cannot be in the language the customer wrote in."""
    try:
        default = desk().config.mailbox(req.mailbox).language
    except RefundIntakeError:
        return None
    return language_note(req.language, default)


def split_trace(decision: DecisionRecord | None) -> dict[str, list[dict[str, Any]]]:
    """The decisive steps (what made the outcome, and the amount), and the rest by kind."""
    steps: dict[str, list[dict[str, Any]]] = {"decisive": [], "checked": [], "skipped": []}
    if decision is None:
        return steps
    for step in decision.trace:
        effect = step.get("effect") or "none"
        if step.get("verdict") == "skipped":
            steps["skipped"].append(step)
        elif effect == decision.outcome or step.get("rule") in ("staff-decision", "staff-correction") \
                or (effect != "none" and step.get("verdict") in ("hit", "unknown")):
            steps["decisive"].append(step)
        else:
            steps["checked"].append(step)
    return steps


def promise_for(draft: Draft) -> Promise | None:
    try:
        policy = current_policy(desk().config.mailbox(draft.request.mailbox).policy)
    except RefundIntakeError:
        return None
    return promise_of(draft, policy, desk().clock())


def tier_of(draft: Draft) -> dict[str, Any] | None:
    """For a grant above the approval tier: the limit and who gave the first approval."""
    limit = tier_limit(draft, desk().config.replies.second_approval_above)
    if limit is None:
        return None
    decision = next((d for d in draft.request.decisions if d.id == draft.decision_id), None)
    return {"limit": limit, "currency": decision.currency if decision else None,
            "first": draft.first_approved_by, "at": draft.first_approved_at}


def _policy_rules(req: Request) -> list[tuple[str, str]]:
    try:
        policy = current_policy(desk().config.mailbox(req.mailbox).policy)
    except RefundIntakeError:
        return []
    return [(rule.id, rule.clause) for rule in policy.rules]


def _orders_of(db: Session, req: Request) -> list[Order]:
    return list(db.scalars(select(Order).where(Order.customer_email == req.customer_email.lower())
                           .order_by(Order.ordered_at.desc()).limit(50)))


__all__ = ["BODY_PREVIEW", "Body", "Message", "body", "promise_for", "request_view", "split_trace",
           "tier_of"]
