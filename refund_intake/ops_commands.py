"""Operation commands: `run` (the long-running service) and `status` (health for monitoring)."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from intake.poll import PollContext, poll_mailbox
from refund_intake import db
from refund_intake.commands import emit, open_database
from refund_intake.config import Config
from refund_intake.models import DecisionRecord, Draft, FolderState, Message, Request
from refund_intake.policies import policies_by_mailbox
from refund_intake.service import Job, run_jobs
from refund_intake.table import render
from refund_intake.views import iso


def register(sub: argparse._SubParsersAction) -> None:
    run_parser = sub.add_parser(
        "run", help="the service: poll every mailbox on its interval and send the outbox, until SIGTERM")
    run_parser.set_defaults(handler=run, service=True)
    status_parser = sub.add_parser("status", help="health per mailbox and of the outbox; exit 1 when unhealthy")
    status_parser.add_argument("--json", action="store_true", help="JSON for monitoring (fields in README)")
    status_parser.set_defaults(handler=status)


def run(config: Config, args: argparse.Namespace) -> int:
    from refund_intake.privacy_commands import PURGE_EVERY_SECONDS, purge_job
    from refund_intake.vault import open_vault

    engine, sessions = open_database(config)
    context = PollContext(engine, sessions, config, policies=policies_by_mailbox(config),
                          vault=open_vault(config, sessions))
    jobs = [Job(f"poll:{m.name}", poll_mailbox, m.poll_interval, (context, m)) for m in config.mailboxes]
    jobs.append(Job("purge", purge_job, PURGE_EVERY_SECONDS, (engine, sessions, config)))
    if config.smtp is not None:
        from replies.commands import send_job

        jobs.append(Job("send", send_job, config.replies.send_interval, (sessions, config, context.stop)))
    return run_jobs(jobs, context.stop)


def status(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        mailboxes = [_mailbox_health(session, m.name) for m in config.mailboxes]
        counts = _counts(session, datetime.now(timezone.utc).date())
    healthy = all(m["healthy"] for m in mailboxes) and counts["outbox_failed"] == 0
    data = {"healthy": healthy, "mailboxes": mailboxes, **counts}
    table = render(mailboxes, ("mailbox", "healthy", "last_success_at", "last_poll_at", "last_error"),
                   {"last_error": 80})
    summary = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in counts.items())
    emit(args, data, f"{'HEALTHY' if healthy else 'UNHEALTHY'}\n{table}\n{summary}")
    return 0 if healthy else 1


def _mailbox_health(session: Session, name: str) -> dict[str, Any]:
    states = list(session.scalars(select(FolderState).where(FolderState.mailbox == name)))
    errors = sorted({s.last_error for s in states if s.last_error})
    successes = [s.last_success_at for s in states if s.last_success_at]
    polls = [s.last_poll_at for s in states if s.last_poll_at]
    return {
        "mailbox": name,
        "healthy": bool(successes) and not errors,
        "last_success_at": iso(min(successes)) if successes and len(successes) == len(states) else None,
        "last_poll_at": iso(max(polls)) if polls else None,
        "last_error": "; ".join(errors) if errors else (None if successes else "never polled successfully"),
    }


def _counts(session: Session, today: date) -> dict[str, int]:
    def count(query: Any) -> int:
        return int(session.scalar(query) or 0)

    latest = (select(func.max(DecisionRecord.id)).where(DecisionRecord.request_id == Request.id)
              .correlate(Request).scalar_subquery())
    answered = exists().where(Draft.request_id == Request.id, Draft.state == "sent",
                              Draft.kind != "acknowledgement")
    overdue = (select(func.count(Request.id)).join(DecisionRecord, DecisionRecord.id == latest)
               .where(Request.status == "open", DecisionRecord.response_deadline < today, ~answered))
    return {
        "drafts_waiting": count(select(func.count(Draft.id)).where(Draft.state == "draft")),
        "responses_overdue": count(overdue),
        "quarantined": count(select(func.count(Message.id)).where(Message.parse_status == "quarantined")),
        "outbox_failed": count(select(func.count(Draft.id)).where(Draft.state == "failed")),
    }
