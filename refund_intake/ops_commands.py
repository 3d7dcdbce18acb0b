"""Operation commands: `run` (the long-running service) and `status` (health for monitoring)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from base import db
from base.config import Config
from base.errors import RefundIntakeError
from base.models import Draft, FolderState, Message
from base.policies import local_dates, policies_by_mailbox
from base.records import iso
from pipeline.poll import PollContext
from pipeline.service import Job, poll_job, run_jobs
from refund_intake.output import emit, open_database
from refund_intake.table import render
from replies.remind import remind, unanswered
from replies.sent_copies import NO_COPY

log = logging.getLogger(__name__)
REMIND_EVERY_SECONDS = 3600


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run_parser = sub.add_parser(
        "run", help="the service: poll every mailbox on its interval and send the outbox, until SIGTERM")
    run_parser.set_defaults(handler=run, service=True)
    status_parser = sub.add_parser("status", help="health per mailbox and of the outbox; exit 1 when unhealthy")
    status_parser.add_argument("--json", action="store_true", help="JSON for monitoring (fields in README)")
    status_parser.set_defaults(handler=status)
    reminder = sub.add_parser("remind", help="mail staff one digest of drafts waiting and answers due soon "
                              "or overdue (at most once a day; the service runs it hourly)")
    reminder.add_argument("--dry-run", action="store_true", help="print the digest, send nothing")
    reminder.set_defaults(handler=remind_command)


def run(config: Config, args: argparse.Namespace) -> int:
    from base.vault import open_vault
    from refund_intake.privacy_commands import PURGE_EVERY_SECONDS, purge_job

    engine, sessions = open_database(config)
    context = PollContext(engine, sessions, config, policies=policies_by_mailbox(config),
                          vault=open_vault(config, sessions))
    jobs = [Job(f"poll:{m.name}", poll_job, m.poll_interval, (context, m)) for m in config.mailboxes]
    jobs.append(Job("purge", purge_job, PURGE_EVERY_SECONDS, (engine, sessions, config)))
    if config.smtp is not None:
        from refund_intake.reply_commands import send_job

        jobs.append(Job("send", send_job, config.replies.send_interval, (sessions, config, context.stop)))
    jobs.append(Job("remind", remind_job, REMIND_EVERY_SECONDS, (sessions, config)))
    return run_jobs(jobs, context.stop)


def remind_command(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        outcome, text = remind(session, config, datetime.now(UTC), dry_run=args.dry_run)
    print(text + f"\n({outcome})")
    return 1 if outcome.startswith("not sent:") else 0


def remind_job(sessions: sessionmaker[Session], config: Config) -> None:
    """Hourly in the service; the digest itself goes out at most once a day."""
    try:
        with db.session_scope(sessions) as session:
            outcome, _ = remind(session, config, datetime.now(UTC))
    except RefundIntakeError as exc:
        log.error("reminder: %s", exc)
        return
    if outcome.startswith(("sent", "not sent:")):
        log.warning("reminder: %s", outcome)


BOUNCES_SHOWN_FOR = timedelta(days=7)


def status(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        mailboxes = [_mailbox_health(session, m.name) for m in config.mailboxes]
        now = datetime.now(UTC)
        counts = _counts(session, local_dates(config, now), now - BOUNCES_SHOWN_FOR)
    limit = config.replies.overdue_unhealthy_above
    too_late = limit is not None and counts["responses_overdue"] > limit
    healthy = (all(m["healthy"] for m in mailboxes) and counts["outbox_failed"] == 0
               and counts["sent_without_copy"] == 0 and not too_late)
    data = {"healthy": healthy, "mailboxes": mailboxes, **counts, "overdue_unhealthy_above": limit}
    table = render(mailboxes, ("mailbox", "healthy", "last_success_at", "last_poll_at", "last_error"),
                   {"last_error": 80})
    summary = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in counts.items())
    if too_late:
        summary += f"\nmore than {limit} requests waiting on staff are overdue (overdue_unhealthy_above)"
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


def _counts(session: Session, today: Mapping[str, date], bounced_since: datetime) -> dict[str, int]:
    def count(query: Any) -> int:
        return int(session.scalar(query) or 0)

    overdue = sum(1 for request, deadline in unanswered(session) if deadline < today[request.mailbox])
    return {
        "drafts_waiting": count(select(func.count(Draft.id)).where(Draft.state == "draft")),
        "responses_overdue": overdue,
        "quarantined": count(select(func.count(Message.id)).where(Message.parse_status == "quarantined")),
        "outbox_failed": count(select(func.count(Draft.id)).where(Draft.state == "failed")),
        # bounces of our own replies (they name a request) in the last week: the customer did
        # not get our answer; the request page lists them
        "replies_bounced": count(select(func.count(Message.id)).where(
            Message.claimed_request_id.is_not(None), Message.classification == "not_a_request",
            Message.classification_detail.like("bounce%"), Message.stored_at >= bounced_since)),
        # sent, but the Sent folder refused the copy (replies/sent_copies.py tries it each run)
        "sent_without_copy": count(select(func.count(Draft.id)).where(
            Draft.state == "sent", Draft.last_error.startswith(NO_COPY))),
    }
