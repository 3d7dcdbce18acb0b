"""The date a draft promises ("we will answer by ..."), and keeping it true when it is approved.

A draft written days ago may promise a date that has passed by the time staff approve it. The
page says so before approval, and approving moves the promise to the same number of business
days from the moment of approval (in the text as written, edited or not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from base.models import Draft
from decisions import Policy, response_deadline
from replies.render import html_from_text, long_date

PROMISING = ("acknowledgement", "dispute", "review", "duplicate")


@dataclass(frozen=True)
class Promise:
    promised: date        # the date the draft's text names
    passed: bool          # it is before today on the shop's calendar
    renewed: date         # what approving now would promise instead


def promise_of(draft: Draft, policy: Policy, now: datetime) -> Promise | None:
    """None for a reply that promises no date (or whose text no longer names it)."""
    if draft.kind not in PROMISING:
        return None
    request = draft.request
    anchor = request.duplicate_of if draft.kind == "duplicate" and request.duplicate_of else request
    decision = next((d for d in request.decisions if d.id == draft.decision_id), None)
    promised = (decision.response_deadline if decision is not None and decision.response_deadline
                else response_deadline(anchor.received_at, policy))
    if long_date(promised, draft.language) not in draft.body_text:
        return None
    today = now.astimezone(ZoneInfo(policy.timezone)).date()
    return Promise(promised, promised < today, response_deadline(now, policy))


def renew_promise(draft: Draft, policy: Policy, now: datetime) -> tuple[date, date] | None:
    """Move a passed promise in the draft's text to one counted from now; (old, new) if moved."""
    promise = promise_of(draft, policy, now)
    if promise is None or not promise.passed:
        return None
    old, new = long_date(promise.promised, draft.language), long_date(promise.renewed, draft.language)
    draft.body_text = draft.body_text.replace(old, new)
    draft.body_html = html_from_text(draft.body_text, draft.language, draft.subject)
    return promise.promised, promise.renewed
