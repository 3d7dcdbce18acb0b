"""Staff approval: approve (maybe edited), reject, resend; every attempt lands in the audit trail.

Approval only changes a draft's state; the outbox sends. The web page and the CLI both call
these functions with the caller's session, and commit or roll back themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from base.config import Config
from base.errors import ActionRefused, NotFound, RefundIntakeError
from base.models import Draft, StaffUser
from base.policies import current_policy
from decisions import Policy
from replies.promise import renew_promise
from replies.render import html_from_text
from staff.audit import audit, require_role

EDITABLE = ("draft",)
REJECTABLE = ("draft", "failed")


def approve(session: Session, draft_id: int, staff: StaffUser,
            edited_text: str | None = None, policy: Policy | None = None,
            tiers: Mapping[str, Decimal] | None = None) -> Draft:
    """draft -> approved; an edit replaces the text (and its HTML) and is audited before/after.

    With the request's `policy`, a promised date that has passed is moved to one counted from
    now. With `tiers` (currency -> amount), a grant above the amount needs a second approver or
    an admin: the first approval is recorded and the draft keeps waiting (check `draft.state`).
    """
    draft = _draft(session, draft_id)
    require_role(session, staff, "approver", "approve", draft.request_id, draft.id)
    _expect_state(draft, EDITABLE, "approve")
    now = datetime.now(UTC)
    _edit(session, draft, staff, edited_text)
    if policy is not None and (moved := renew_promise(draft, policy, now)) is not None:
        audit(session, "system", "renew-promise", draft.request_id, draft.id,
              {"before": moved[0].isoformat(), "after": moved[1].isoformat()})
    limit = tier_limit(draft, tiers or {})
    if limit is not None and staff.role != "admin" and draft.first_approved_by is None:
        draft.first_approved_by, draft.first_approved_at = staff.email, now
        audit(session, staff.email, "approve:first", draft.request_id, draft.id,
              {"kind": draft.kind, "above": str(limit)})
        session.flush()
        return draft
    if limit is not None and (draft.first_approved_by or "").lower() == staff.email.lower():
        raise ActionRefused(f"draft {draft.id}: you gave the first approval; a grant above "
                            f"{limit} needs a second approver or an admin")
    draft.state, draft.decided_by, draft.decided_at = "approved", staff.email, now
    draft.next_attempt_at, draft.last_error = None, None
    audit(session, staff.email, "approve", draft.request_id, draft.id,
          {"kind": draft.kind, **({"first_approved_by": draft.first_approved_by}
                                   if draft.first_approved_by else {})})
    session.flush()
    return draft


def approve_under_config(session: Session, config: Config, draft_id: int, staff: StaffUser,
                         edited_text: str | None = None) -> Draft:
    """`approve` with the request's policy (promised dates) and the configured approval tiers."""
    draft = _draft(session, draft_id)
    try:
        policy: Policy | None = current_policy(config.mailbox(draft.request.mailbox).policy)
    except RefundIntakeError:
        policy = None  # a mailbox since removed from the config: approve without renewing dates
    return approve(session, draft_id, staff, edited_text, policy, config.replies.second_approval_above)


def tier_limit(draft: Draft, tiers: Mapping[str, Decimal]) -> Decimal | None:
    """The tier amount a grant's draft is above (it needs two approvals), else None."""
    if draft.kind != "approve" or draft.decision_id is None:
        return None
    decision = next((d for d in draft.request.decisions if d.id == draft.decision_id), None)
    if decision is None or decision.refund_amount is None or decision.currency is None:
        return None
    limit = tiers.get(decision.currency)
    if limit is None:
        return None
    return limit if decision.refund_amount > limit else None


def _edit(session: Session, draft: Draft, staff: StaffUser, edited_text: str | None) -> None:
    if edited_text is not None:
        new_text = _normalise(edited_text)
        if not new_text.strip():
            raise ActionRefused(f"draft {draft.id}: the edited text is empty; nothing approved")
        if new_text != draft.body_text:
            audit(session, staff.email, "edit", draft.request_id, draft.id,
                  {"before": draft.body_text, "after": new_text})
            draft.body_text = new_text
            draft.body_html = html_from_text(new_text, draft.language, draft.subject)


def reject(session: Session, draft_id: int, staff: StaffUser, note: str) -> Draft:
    """draft (or failed) -> rejected, with the staff member's note kept on the draft."""
    draft = _draft(session, draft_id)
    require_role(session, staff, "approver", "reject", draft.request_id, draft.id)
    _expect_state(draft, REJECTABLE, "reject")
    if not note.strip():
        raise ActionRefused(f"draft {draft.id}: a rejection needs a note saying why")
    draft.state, draft.note = "rejected", note.strip()
    draft.decided_by, draft.decided_at = staff.email, datetime.now(UTC)
    audit(session, staff.email, "reject", draft.request_id, draft.id, {"note": draft.note})
    session.flush()
    return draft


def resend(session: Session, draft_id: int, staff: StaffUser) -> Draft:
    """failed -> approved, after a person has checked it was not delivered (see README)."""
    draft = _draft(session, draft_id)
    require_role(session, staff, "approver", "resend", draft.request_id, draft.id)
    _expect_state(draft, ("failed",), "resend")
    audit(session, staff.email, "resend", draft.request_id, draft.id,
          {"last_error": draft.last_error, "attempts": draft.attempts})
    draft.state, draft.attempts, draft.next_attempt_at = "approved", 0, None
    draft.sending_since, draft.last_error = None, None
    draft.decided_by, draft.decided_at = staff.email, datetime.now(UTC)
    session.flush()
    return draft


def record_view(session: Session, staff: StaffUser, request_id: int) -> None:
    """Audit that a staff member looked at a request's personal data."""
    require_role(session, staff, "viewer", "view", request_id)
    audit(session, staff.email, "view", request_id)


def _draft(session: Session, draft_id: int) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"no draft {draft_id}")
    return draft


_STATE_WORDS = {"draft": "waiting for approval", "approved": "approved", "sending": "being sent",
                "sent": "sent", "failed": "failed", "rejected": "rejected", "withdrawn": "withdrawn"}
_PAST = {"approve": "approved", "reject": "rejected", "resend": "sent again"}


def _expect_state(draft: Draft, states: tuple[str, ...], action: str) -> None:
    if draft.state not in states:
        allowed = " or ".join(_STATE_WORDS.get(s, s) for s in states)
        raise ActionRefused(f"draft {draft.id} is {_STATE_WORDS.get(draft.state, draft.state)}; "
                            f"only a draft that is {allowed} can be {_PAST.get(action, action)}")


def _normalise(text: str) -> str:
    """Browsers send CRLF from a textarea; keep one kind of line end, and one final newline."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip() + "\n"
