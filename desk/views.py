"""The staff pages: the queue, a request with its thread and decision, the draft editor, downloads."""

from __future__ import annotations

import unicodedata
from io import BytesIO
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from base.errors import ActionRefused, NotFound
from base.models import Attachment, AuditEvent, Base, Draft, Message, Request, StaffUser
from base.policies import local_dates
from base.records import understanding_lines
from base.vault import load_vault, unseal
from decisions.decision import OUTCOMES
from desk.auth import staff_page
from desk.queue import (
    QueueFilter,
    counts,
    failed_drafts,
    next_waiting,
    request_rows,
    waiting_rows,
    with_search,
)
from desk.request_view import promise_for, request_view, tier_of
from desk.state import desk
from pipeline.settle import REASONS
from replies import approval
from staff import accounts as staff_accounts
from staff import audit as staff_audit

blueprint = Blueprint("desk", __name__)
Model = TypeVar("Model", bound=Base)
# Characters a download name never keeps: path separators and what shells or Windows choke on.
UNSAFE_IN_FILENAMES = set('/\\"<>:|?*')


@blueprint.get("/")
@staff_page
def queue(db: Session, staff: StaffUser) -> Any:
    mailboxes = tuple(mailbox.name for mailbox in desk().config.mailboxes)
    filters = with_search(db, QueueFilter.from_args(request.args, mailboxes))
    today = local_dates(desk().config, desk().clock())
    waiting, waiting_page = waiting_rows(db, filters, today, staff.email)
    requests, requests_page = request_rows(db, filters, today)
    return render_template(
        "queue.html", filters=filters, mailboxes=mailboxes, outcomes=OUTCOMES, reasons=REASONS,
        waiting=waiting, waiting_page=waiting_page, requests=requests,
        requests_page=requests_page, failed=failed_drafts(db), counts=counts(db, today),
        may_decide=may_decide(staff), tiers=desk().config.replies.second_approval_above,
    )


@blueprint.get("/requests/<int:request_id>")
@staff_page
def request_page(db: Session, staff: StaffUser, request_id: int) -> Any:
    customer_request = _get(db, Request, request_id, "request")
    approval.record_view(db, staff, request_id)
    today = local_dates(desk().config, desk().clock())
    return render_template("request.html", **request_view(db, customer_request, today),
                           claims=_claims_of(db, request_id), may_decide=may_decide(staff),
                           reading=understanding_lines(customer_request.understanding)[1:])


def _claims_of(db: Session, request_id: int) -> list[Message]:
    """Mail that names this request without being part of it: a stranger's, or a bounce."""
    return list(db.scalars(select(Message).where(Message.claimed_request_id == request_id)
                           .order_by(Message.received_at, Message.id)))


@blueprint.get("/drafts/<int:draft_id>")
@staff_page
def draft_page(db: Session, staff: StaffUser, draft_id: int) -> Any:
    draft = _get(db, Draft, draft_id, "draft")
    approval.record_view(db, staff, draft.request_id)
    history = db.scalars(select(AuditEvent).where(AuditEvent.draft_id == draft_id)
                         .order_by(AuditEvent.at, AuditEvent.id)).all()
    return render_template("draft.html", draft=draft, req=draft.request, history=history,
                           may_decide=may_decide(staff), promise=promise_for(draft),
                           tier=tier_of(draft), back=_back())


@blueprint.post("/drafts/<int:draft_id>/approve")
@staff_page
def approve(db: Session, staff: StaffUser, draft_id: int) -> Any:
    draft = _get(db, Draft, draft_id, "draft")
    staff_audit.require_role(db, staff, "approver", "approve", draft.request_id, draft.id)
    try:
        approval.approve_under_config(db, desk().config, draft_id, staff,
                                      edited_text=request.form.get("body_text"))
    except ActionRefused as exc:
        return _not_done(db, draft_id, f"Not approved: {exc}")
    if draft.state == "draft":
        flash(f"First approval of the grant for {_name(draft)} recorded; a second approver or an "
              "admin must approve it too.", "success")
    else:
        flash(f"Approved the {draft.kind.replace('_', ' ')} reply for {_name(draft)}; "
              "the outbox will send it.", "success")
    return _after_decision(db, draft)


@blueprint.post("/drafts/<int:draft_id>/reject")
@staff_page
def reject(db: Session, staff: StaffUser, draft_id: int) -> Any:
    draft = _get(db, Draft, draft_id, "draft")
    staff_audit.require_role(db, staff, "approver", "reject", draft.request_id, draft.id)
    note = request.form.get("note", "").strip()
    if not note:
        return _not_done(db, draft_id, "Write a note saying why the draft is rejected.")
    try:
        approval.reject(db, draft_id, staff, note)
    except ActionRefused as exc:
        return _not_done(db, draft_id, f"Not rejected: {exc}")
    flash(f"Rejected the draft for {_name(draft)}. Settle the request below: grant, deny, ask "
          "for what is missing, or write the reply yourself.", "success")
    return redirect(url_for("desk.request_page", request_id=draft.request_id, _anchor="settle"))


@blueprint.post("/drafts/<int:draft_id>/resend")
@staff_page
def resend(db: Session, staff: StaffUser, draft_id: int) -> Any:
    draft = _get(db, Draft, draft_id, "draft")
    staff_audit.require_role(db, staff, "approver", "resend", draft.request_id, draft.id)
    try:
        approval.resend(db, draft_id, staff)
    except ActionRefused as exc:
        return _not_done(db, draft_id, f"Not sent again: {exc}")
    flash(f"The reply for {_name(draft)} goes back to the outbox.", "success")
    return redirect(url_for("desk.queue"))


@blueprint.get("/attachments/<int:attachment_id>")
@staff_page
def attachment(db: Session, staff: StaffUser, attachment_id: int) -> Any:
    """Always a download, never shown inline: the browser never renders what a customer sent."""
    item = _get(db, Attachment, attachment_id, "attachment")
    request_id = item.message.request_id
    if request_id is None:
        raise NotFound(f"attachment {attachment_id} belongs to no request")
    approval.record_view(db, staff, request_id)
    content = unseal(load_vault(desk().config.privacy), item.content, item.key_id)  # issue 6
    if content is None:
        return render_template("error.html", code=410, title="Attachment removed",
                               detail="Its content was removed under the retention rules; "
                                      f"its SHA-256 was kept: {item.sha256}"), 410
    response = send_file(BytesIO(content), mimetype="application/octet-stream",
                         as_attachment=True,
                         download_name=safe_download_name(item.filename, f"attachment-{item.id}"))
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def may_decide(staff: StaffUser) -> bool:
    """Whether to show approve / reject at all; the server checks again on every post."""
    return staff.role in staff_accounts.ROLES and (
        staff_accounts.ROLES.index(staff.role) >= staff_accounts.ROLES.index("approver"))


def safe_download_name(name: str, fallback: str) -> str:
    """The attachment's own name without any path, control or shell-special characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    kept = "".join(ch for ch in name
                   if ch not in UNSAFE_IN_FILENAMES and not unicodedata.category(ch).startswith("C"))
    kept = kept.strip(" .")[:150]
    return kept or fallback


def _get(db: Session, model: type[Model], key: int, what: str) -> Model:
    found = db.get(model, key)
    if found is None:
        raise NotFound(f"There is no {what} {key}.")
    return found


def _name(draft: Draft) -> str:
    return draft.request.reference or draft.to_address


def _back() -> str:
    """The queue view (filters, page) to return to, carried as ?back=; never another site."""
    back = request.values.get("back", "")
    return back if back.startswith("?") and "\n" not in back and "\r" not in back else ""


def _after_decision(db: Session, draft: Draft) -> Any:
    """Back to the queue view the staff member came from, or on to the next reply waiting."""
    if request.form.get("then") == "next":
        following = next_waiting(db, draft)
        if following is not None:
            return redirect(url_for("desk.draft_page", draft_id=following.id) + _with_back())
    return redirect(url_for("desk.queue") + _back())


def _with_back() -> str:
    back = _back()
    return "?" + urlencode({"back": back}) if back else ""


def _not_done(db: Session, draft_id: int, message: str) -> Any:
    db.rollback()
    flash(message, "error")
    return redirect(url_for("desk.draft_page", draft_id=draft_id))
