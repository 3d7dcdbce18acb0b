"""The desk's staff-decide actions: settle a request, correct a fact, bulk approve or reject,
and the two views behind links (a long mail's full text, a reply's HTML part as sent)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for
from sqlalchemy.orm import Session

from base.errors import ActionRefused, NotFound
from base.models import Draft, Message, Request, StaffUser
from desk.auth import staff_page
from desk.state import desk
from pipeline.settle import Settlement, correct_fact, machine_decision, parse_amount, settle
from replies import approval
from staff import audit as staff_audit

blueprint = Blueprint("settle", __name__)
ACTIONS = ("grant", "deny", "ask", "reply")
MAX_BULK = 200
MAX_REPLY = 50_000
# A reply's HTML part, shown in a frame on the draft page: no script, no loads, its own origin.
HTML_PREVIEW_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; sandbox; "
                       "frame-ancestors 'self'")


@blueprint.post("/requests/<int:request_id>/resolve")
@staff_page
def resolve(db: Session, staff: StaffUser, request_id: int) -> Any:
    req = _get(db, Request, request_id)
    staff_audit.require_role(db, staff, "approver", "resolve", request_id)
    try:
        draft = settle(db, desk().config, req, staff, _settlement(req), desk().clock())
    except ActionRefused as exc:
        return _refused(db, request_id, f"Not settled: {exc}")
    flash(f"{req.reference}: your decision is recorded and its reply is drafted. Read it, then "
          "approve it.", "success")
    return redirect(url_for("desk.draft_page", draft_id=draft.id))


@blueprint.post("/requests/<int:request_id>/set")
@staff_page
def set_fact(db: Session, staff: StaffUser, request_id: int) -> Any:
    req = _get(db, Request, request_id)
    name = request.form.get("fact", "")
    staff_audit.require_role(db, staff, "approver", f"set:{name}", request_id)
    try:
        record = correct_fact(db, desk().config, req, staff, name, request.form.get("value", ""),
                              desk().clock())
    except ActionRefused as exc:
        return _refused(db, request_id, f"Not changed: {exc}")
    flash(f"{req.reference}: {name} set; decided again: {record.outcome.replace('_', ' ')}.",
          "success")
    return redirect(url_for("desk.request_page", request_id=request_id))


@blueprint.post("/drafts/bulk")
@staff_page
def bulk(db: Session, staff: StaffUser) -> Any:
    """Approve or reject the selected replies; a bulk rejection takes one note for all."""
    back = request.form.get("back", "")
    back = back if back.startswith("?") and "\n" not in back and "\r" not in back else ""
    ids = [int(v) for v in request.form.getlist("draft_id") if v.isdigit()][:MAX_BULK]
    action, note = request.form.get("action"), request.form.get("note", "").strip()
    staff_audit.require_role(db, staff, "approver", f"bulk:{action}")
    if not ids:
        flash("Select at least one reply.", "error")
    elif action == "reject" and not note:
        flash("A bulk rejection needs one note saying why; nothing was rejected.", "error")
    elif action in ("approve", "reject"):
        done, refused = _bulk(db, staff, ids, action, note)
        verb = "Approved" if action == "approve" else "Rejected"
        flash(f"{verb} {done} repl{'y' if done == 1 else 'ies'}."
              + (f" Not done: {'; '.join(refused)}" if refused else ""),
              "success" if not refused else "error")
    return redirect(url_for("desk.queue") + back)


@blueprint.get("/messages/<int:message_id>/text")
@staff_page
def message_text(db: Session, staff: StaffUser, message_id: int) -> Any:
    """A message's whole text, as plain text (never HTML): the page shows only its first part."""
    message = _get(db, Message, message_id)
    if message.request_id is None:
        raise NotFound(f"message {message_id} belongs to no request")
    approval.record_view(db, staff, message.request_id)
    response = Response(message.text_body, mimetype="text/plain")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@blueprint.get("/drafts/<int:draft_id>/html")
@staff_page
def draft_html(db: Session, staff: StaffUser, draft_id: int) -> Any:
    """The reply's HTML part exactly as the customer's mail program gets it."""
    draft = _get(db, Draft, draft_id)
    approval.record_view(db, staff, draft.request_id)
    response = Response(draft.body_html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = HTML_PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _settlement(req: Request) -> Settlement:
    form = request.form
    action, note = form.get("action", ""), form.get("note", "")
    if action not in ACTIONS:
        raise ActionRefused(f"unknown action {action!r}")
    if action == "grant":
        machine = machine_decision(req)
        return Settlement("grant", note, amount=parse_amount(form.get("amount", ""),
                                                             machine.currency if machine else None))
    if action == "deny":
        return Settlement("deny", note, rule=form.get("rule", ""))
    if action == "ask":
        items = [*form.getlist("item"), *form.get("item_text", "").splitlines()]
        return Settlement("ask", note, items=tuple(i for i in items if i.strip()))
    text = form.get("text", "")
    if len(text) > MAX_REPLY:
        raise ActionRefused(f"the reply is longer than {MAX_REPLY} characters")
    return Settlement("reply", note, text=text)


def _bulk(db: Session, staff: StaffUser, ids: list[int], action: str,
          note: str) -> tuple[int, list[str]]:
    done, refused = 0, []
    for draft_id in ids:
        try:
            with db.begin_nested():
                if action == "approve":
                    draft = approval.approve_under_config(db, desk().config, draft_id, staff)
                    done += draft.state == "approved"
                    if draft.state == "draft":
                        refused.append(f"draft {draft_id} needs a second approval")
                else:
                    approval.reject(db, draft_id, staff, note)
                    done += 1
        except (ActionRefused, NotFound) as exc:
            refused.append(str(exc))
    return done, refused


def _get(db: Session, model: Any, key: int) -> Any:
    found = db.get(model, key)
    if found is None:
        raise NotFound(f"There is no {model.__tablename__[:-1]} {key}.")
    return found


def _refused(db: Session, request_id: int, message: str) -> Any:
    db.rollback()
    flash(message, "error")
    return redirect(url_for("desk.request_page", request_id=request_id, _anchor="settle"))



