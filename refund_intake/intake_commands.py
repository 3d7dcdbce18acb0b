"""One function per CLI command, each taking the loaded config first; sessions open here."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from base import db
from base.config import Config
from base.errors import ConfigError, NotFound, RefundIntakeError
from base.models import Message, Request
from base.policies import policies_by_mailbox
from base.records import (
    MESSAGE_COLUMNS,
    QUARANTINE_COLUMNS,
    REQUEST_COLUMNS,
    claim_row,
    message_detail,
    message_row,
    quarantine_row,
    request_row,
    understanding_lines,
)
from base.vault import load_vault, open_vault, unseal
from intake.thread import typed_reference
from pipeline.poll import PollContext, PollReport, poll_all
from refund_intake.output import emit, open_database, record_cli_view
from refund_intake.table import fields, render
from replies.render import language_note, pick_language
from replies.template_check import check_templates


def db_upgrade(config: Config, args: argparse.Namespace) -> int:
    before, after = db.upgrade(config.database_url)
    where = _safe_url(config.database_url)
    if before is None:
        print(f"Created the database at {where} (schema {after}).")
    elif before == after:
        print(f"The database at {where} was already at the latest schema ({after}).")
    else:
        print(f"Upgraded the database at {where} from schema {before} to {after}.")
    return 0


def check_config(config: Config, args: argparse.Namespace) -> int:
    problems = []
    policies_by_mailbox(config)  # raises with the file, line and key of the first bad policy
    check_templates()  # every reply template renders with sample data, or names what is wrong
    for mailbox in config.mailboxes:
        if mailbox.imap is not None:
            try:
                mailbox.imap.password.read()
            except RefundIntakeError as exc:
                problems.append(f"mailbox {mailbox.name}: {exc}")
        elif mailbox.maildir is not None and not (mailbox.maildir.path / "cur").is_dir():
            problems.append(f"mailbox {mailbox.name}: not a Maildir: {mailbox.maildir.path}")
    try:
        load_vault(config.privacy)  # the encryption key, when one is configured
    except RefundIntakeError as exc:
        problems.append(str(exc))
    if getattr(args, "connect", False) and not problems:
        from refund_intake.connect_check import check_mailbox

        for mailbox in config.mailboxes:
            if mailbox.imap is not None:
                notes, found = check_mailbox(mailbox)
                for note in notes:
                    print(note)
                problems += found
    if problems:
        for problem in problems:
            print(f"refund-intake: {config.path}: {problem}", file=sys.stderr)
        return 1
    for mailbox in config.mailboxes:
        if mailbox.authserv_id is None:  # allowed, but every sender is then "unknown"
            print(f"{config.path}: note: mailbox {mailbox.name}: no authserv_id: no "
                  "Authentication-Results header is trusted (README, Security)", file=sys.stderr)
    count = len(config.mailboxes)
    print(f"{config.path}: OK, {count} mailbox{'es' if count != 1 else ''}")
    return 0


def poll(config: Config, args: argparse.Namespace) -> int:
    since = _date_arg(args.since, "--since") if args.since else None
    engine, sessions = open_database(config)
    context = PollContext(engine, sessions, config, since=since, progress=_progress_printer(),
                          policies=policies_by_mailbox(config), vault=open_vault(config, sessions))
    if not args.once:
        from pipeline.service import run_polling

        return run_polling(context, args.mailbox)
    reports = poll_all(context, args.mailbox)
    if args.json:
        print(json.dumps([_report_dict(r) for r in reports], indent=2))
    else:
        for report in reports:
            print(_report_line(report))
    for report in reports:
        problem = report.error or report.server_action_error  # a lost server explains both
        if problem:
            print(f"refund-intake: error: mailbox {report.mailbox}: {problem}", file=sys.stderr)
    return 0 if all(r.ok for r in reports) else 1


def _report_dict(report: PollReport) -> dict[str, Any]:
    return {"mailbox": report.mailbox, "fetched": report.fetched, "stored": report.stored,
            "already_stored": report.already_stored, "classifications": dict(report.classifications),
            "busy": report.busy, "error": report.error,
            "server_action_error": report.server_action_error}


def _report_line(report: PollReport) -> str:
    if report.busy:
        return f"{report.mailbox}: another run is in progress; skipped"
    kinds = ", ".join(f"{n} {c}" for c, n in sorted(report.classifications.items()))
    line = f"{report.mailbox}: {report.stored} new message(s) stored" + (f" ({kinds})" if kinds else "")
    if report.already_stored:
        line += f", {report.already_stored} already stored"
    if report.server_action_error:
        line += "; the server-side action failed (see below)"
    return line + ("; FAILED (see error below)" if report.error else "")


def _progress_printer() -> Any:
    """A live counter on a terminal; otherwise (cron, journald) a line every 1,000 messages."""
    on_terminal = sys.stderr.isatty()

    def show(mailbox: str, done: int, total: int) -> None:
        if on_terminal:
            end = "\n" if done >= total else ""
            print(f"\r{mailbox}: {done}/{total} messages", end=end, file=sys.stderr, flush=True)
        elif total >= 1000 and (done % 1000 < 100 or done >= total):
            print(f"{mailbox}: {done}/{total} messages", file=sys.stderr, flush=True)
    return show


def requests_list(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        query = select(Request).order_by(Request.id).limit(args.limit)
        if args.mailbox:
            query = query.where(Request.mailbox == args.mailbox)
        rows = [request_row(r) for r in session.scalars(query)]
    emit(args, rows, render(rows, REQUEST_COLUMNS, {"subject": 36, "sender": 28}))
    return 0


def requests_show(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        request = session.scalar(select(Request).where(Request.reference == typed_reference(args.ref)))
        if request is None:
            raise NotFound(f"no request with reference {args.ref}")
        data = request_row(request)
        data["understanding"] = request.understanding
        data["reply_language"], data["language_note"] = _reply_language(config, request)
        data["messages"] = [message_detail(m) for m in request.messages]
        data["claimed_by"] = [claim_row(m) for m in session.scalars(
            select(Message).where(Message.claimed_request_id == request.id).order_by(Message.id))]
        record_cli_view(session, request.id, f"request {request.reference}")
    lines = [fields(data, skip=("messages", "claimed_by", "understanding"))]
    lines += understanding_lines(data["understanding"])
    if data["language_note"]:
        lines.append(f"! {data['language_note']}")
    for message in data["messages"]:
        lines += ["", f"--- message {message['id']} {message['message_id']} ({message['classification']})",
                  f"from: {_from_line(message)}", *(f"! {note}" for note in message["trust_notes"]),
                  message["text"][:4000]]
    for claim in data["claimed_by"]:
        lines += ["", f"!!! message {claim['id']} from {claim['sender']} names this request but is "
                      f"not part of it: {claim['detail']}", *(f"! {n}" for n in claim["trust_notes"])]
    emit(args, data, "\n".join(lines))
    return 0


def _reply_language(config: Config, request: Request) -> tuple[str | None, str | None]:
    """The language the replies go out in, and a note when it is not the customer's."""
    try:
        default = config.mailbox(request.mailbox).language
    except ConfigError:  # a mailbox since removed from the configuration
        return None, None
    return pick_language(request.language, default), language_note(request.language, default)


def messages_list(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        query = select(Message).order_by(Message.received_at, Message.id).limit(args.limit)
        if args.mailbox:
            query = query.where(Message.mailbox == args.mailbox)
        rows = [message_row(m) for m in session.scalars(query)]
    emit(args, rows, render(rows, MESSAGE_COLUMNS, {"subject": 38, "sender": 28}))
    return 0


def messages_show(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        message = _message(session, args.id)
        data = message_detail(message)
        record_cli_view(session, message.request_id, f"message {message.id}")
    lines = fields(data, skip=("trust_notes",)).splitlines()
    lines[3:3] = [f"from: {_from_line(data)}", *(f"! {note}" for note in data["trust_notes"])]
    emit(args, data, "\n".join(lines))
    return 0


def quarantine_list(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        rows = [quarantine_row(m) for m in session.scalars(
            select(Message).where(Message.parse_status == "quarantined").order_by(Message.id))]
    emit(args, rows, render(rows, QUARANTINE_COLUMNS, {"reason": 70}))
    return 0


def quarantine_show(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        message = _message(session, str(args.id))
        if args.raw:
            record_cli_view(session, message.request_id, f"raw message {message.id}")
            raw = unseal(load_vault(config.privacy), message.raw.content, message.raw.key_id)
            sys.stdout.buffer.write(raw or b"(raw bytes purged)\n")
            return 0
        data = quarantine_row(message)
    emit(args, data, fields(data))
    return 0


def quarantine_retry(config: Config, args: argparse.Namespace) -> int:
    from intake.retry import retry_quarantined

    if args.id is None and not args.all:
        raise ConfigError("quarantine retry: give a message ID or --all")
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        results = retry_quarantined(session, config, None if args.all else args.id,
                                    open_vault(config, sessions))
    for message_id, outcome in results:
        print(f"message {message_id}: {outcome}")
    return 0


def _from_line(message: dict[str, Any]) -> str:
    """The real address first; the display name, which the sender chose, only in quotes after it."""
    name = message.get("sender_name")
    return f"{message['sender']} (display name {name!r})" if name else str(message["sender"])


def _message(session: Session, key: str) -> Message:
    message = session.get(Message, int(key)) if key.isdigit() else session.scalar(
        select(Message).where(Message.message_id == key))
    if message is None:
        raise NotFound(f"no message {key}")
    return message


def _date_arg(value: str, name: str) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError as exc:
        raise ConfigError(f"{name}: expected a date like 2026-11-01, got {value!r}") from exc


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url
