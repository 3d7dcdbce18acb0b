"""The replies commands (queue, send, staff), one function each, taking the config first.

The CLI acts as the staff member named by --as or $REFUND_INTAKE_STAFF: whoever can run it
already holds the config and the database, so the name is for roles and the audit trail,
not a login.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import shlex
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config
from base.db import session_scope
from base.errors import ActionRefused, NotFound, RefundIntakeError
from base.models import AuditEvent, Draft
from base.records import iso
from base.vault import open_vault
from refund_intake.output import STAFF_ENV, acting_staff, emit, open_database
from refund_intake.table import fields, render
from replies import approval
from replies.outbox import SendReport, send_due
from staff import audit as staff_audit
from staff import sessions as staff_sessions
from staff.accounts import add_staff, list_staff

log = logging.getLogger(__name__)
NEW_PASSWORD_ENV = "REFUND_INTAKE_NEW_STAFF_PASSWORD"
WAITING = ("draft", "approved", "sending", "failed")
DRAFT_COLUMNS = ("id", "reference", "kind", "state", "language", "to", "subject", "attempts", "last_error")


def draft_row(draft: Draft) -> dict[str, Any]:
    return {
        "id": draft.id, "reference": draft.request.reference, "request_id": draft.request_id,
        "decision_id": draft.decision_id, "kind": draft.kind, "state": draft.state,
        "language": draft.language, "from": draft.from_address, "to": draft.to_address,
        "subject": draft.subject, "message_id": draft.message_id, "in_reply_to": draft.in_reply_to,
        "references": list(draft.references), "auto_send": draft.auto_send,
        "created_at": iso(draft.created_at), "decided_by": draft.decided_by,
        "decided_at": iso(draft.decided_at), "note": draft.note, "attempts": draft.attempts,
        "next_attempt_at": iso(draft.next_attempt_at), "sent_at": iso(draft.sent_at),
        "last_error": draft.last_error,
    }


def queue_list(config: Config, args: argparse.Namespace) -> int:
    states = WAITING if not args.state else None if "all" in args.state else tuple(args.state)
    _, sessions = open_database(config)
    with sessions() as session:
        query = select(Draft).order_by(Draft.id).limit(args.limit)
        if states is not None:
            query = query.where(Draft.state.in_(states))
        rows = [draft_row(d) for d in session.scalars(query)]
    emit(args, rows, render(rows, DRAFT_COLUMNS, {"subject": 40, "to": 28, "last_error": 80}))
    return 0


def queue_show(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with sessions() as session:
        draft = _draft(session, args.id)
        data = draft_row(draft) | {"text": draft.body_text, "history": [
            {"at": iso(e.at), "actor": e.actor, "action": e.action, "detail": e.detail}
            for e in session.scalars(select(AuditEvent).where(AuditEvent.draft_id == draft.id)
                                     .order_by(AuditEvent.id))]}
    lines = [fields(data, skip=("text", "history"))]
    lines += [f"history: {e['at']} {e['actor']} {e['action']}" for e in data["history"]]
    emit(args, data, "\n".join([*lines, "", data["text"]]))
    return 0


def queue_approve(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    edited, original = None, ""
    if args.edit:
        with sessions() as session:
            staff, draft = acting_staff(session, args), _draft(session, args.id)
            staff_audit.require_role(session, staff, "approver", "approve", draft.request_id, draft.id)
            original = draft.body_text
        edited = edit_text(original)
    with session_scope(sessions) as session:
        staff, draft = acting_staff(session, args), _draft(session, args.id)
        if edited is not None and draft.body_text != original:
            raise ActionRefused(f"draft {draft.id} changed while you edited it; nothing approved")
        draft = approval.approve_under_config(session, config, draft.id, staff, edited)
        if draft.state == "draft":
            print(f"draft {draft.id}: first approval by {staff.email}; a grant this large also "
                  "needs a second approver or an admin")
        else:
            print(f"draft {draft.id} approved by {staff.email}; the outbox sends it")
    return 0


def queue_reject(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with session_scope(sessions) as session:
        draft = approval.reject(session, args.id, acting_staff(session, args), args.note)
        reference = draft.request.reference
        print(f"draft {draft.id} rejected; settle {reference} with `requests resolve {reference} "
              "--approve AMOUNT | --deny RULE_ID | --ask ITEM... | --reply-file FILE`")
    return 0


def queue_resend(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with session_scope(sessions) as session:
        draft = approval.resend(session, args.id, acting_staff(session, args))
        print(f"draft {draft.id} is approved again; the outbox sends it")
    return 0


def send(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    open_vault(config, sessions)  # encryption on and no usable key: refuse to start (issue 6)
    if not args.once:
        from pipeline.service import Job, run_jobs

        stop = threading.Event()
        return run_jobs([Job("send", send_job, config.replies.send_interval, (sessions, config, stop))], stop)
    report = send_due(sessions, config)
    if args.json:
        print(json.dumps(report.__dict__ | {"ok": report.ok}, indent=2))
    else:
        print(report_line(report))
    if report.error:
        print(f"refund-intake: error: {report.error}", file=sys.stderr)
    failed = report.failed + report.uncertain
    if failed:  # cron reads exit codes: a reply that will not go out needs a person
        print(f"refund-intake: error: {len(failed)} draft(s) failed in this run ("
              f"{', '.join(str(i) for i in failed)}); see `refund-intake queue list --state failed`",
              file=sys.stderr)
    return 0 if report.ok and not failed else 1


def send_job(sessions: sessionmaker[Session], config: Config, stop: threading.Event | None = None) -> None:
    """One scheduled run of the outbox; a failure is logged and the next run tries again."""
    try:
        report = send_due(sessions, config, stop=stop)
    except RefundIntakeError as exc:
        log.error("outbox: %s", exc)
        return
    if (report.sent or report.failed or report.retrying or report.recovered or report.requeued
            or report.uncertain or report.unsettled):
        log.warning("outbox: %s", report_line(report))


def report_line(report: SendReport) -> str:
    parts = [f"{len(ids)} {name}" for name, ids in (
        ("sent", report.sent), ("retrying later", report.retrying), ("failed", report.failed),
        ("recovered from the mailbox", report.recovered),
        ("not accepted before a crash, sent again", report.requeued),
        ("delivery uncertain (failed, check by hand)", report.uncertain),
        ("line lost during DATA, checked later", report.unsettled)) if ids]
    return "outbox: " + (", ".join(parts) or "nothing due")


def staff_add(config: Config, args: argparse.Namespace) -> int:
    password = new_password(args.password_file)
    _, sessions = open_database(config)
    with sessions() as session:
        # The first account bootstraps the desk; after that, managing staff is an admin's job.
        if list_staff(session):
            staff_audit.require_role(session, acting_staff(session, args), "admin", "staff:add")
    with session_scope(sessions) as session:
        staff = add_staff(session, args.email, password, args.role)
        staff_audit.audit(session, args.as_email or os.environ.get(STAFF_ENV) or "cli (first account)",
                       "staff:add", detail={"email": staff.email, "role": staff.role})
        print(f"staff member {staff.email} added ({staff.role})")
    return 0


def staff_list(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with sessions() as session:
        rows = [{"email": s.email, "role": s.role, "active": s.active, "created_at": iso(s.created_at),
                 "web_sessions": staff_sessions.live_count(session, s)} for s in list_staff(session)]
    emit(args, rows, render(rows, ("email", "role", "active", "web_sessions", "created_at")))
    return 0


def edit_text(text: str) -> str:
    """Open $VISUAL or $EDITOR on the text and return what the person saved."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="refund-intake-") as folder:
        path = Path(folder) / "reply.txt"
        path.write_text(text, encoding="utf-8")
        result = subprocess.run([*shlex.split(editor), str(path)], check=False)
        if result.returncode != 0:
            raise ActionRefused(f"the editor ({editor}) exited with status {result.returncode}; nothing approved")
        return path.read_text(encoding="utf-8")


def _draft(session: Session, draft_id: int) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"no draft {draft_id}")
    return draft


def new_password(password_file: str | None) -> str:
    if password_file:
        try:
            return Path(password_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ActionRefused(f"cannot read {password_file}: {exc.strerror}") from exc
    if os.environ.get(NEW_PASSWORD_ENV):
        return os.environ[NEW_PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise ActionRefused(f"no terminal to ask for the password: use --password-file or ${NEW_PASSWORD_ENV}")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ActionRefused("the two passwords differ; nothing done")
    return first
