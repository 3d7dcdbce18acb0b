"""The outbox: send approved drafts over SMTP exactly once with the journal copy, else at most once.

States: approved -> sending -> sent | failed; a temporary failure goes back to approved with a
later next_attempt_at. A sender claims a draft with a compare-and-set UPDATE and commits before
it talks to the server, so two senders never take the same draft. After the server accepts,
a copy goes to the mailbox's IMAP Sent folder, then the draft is marked sent.

The journal copy ([replies] journal_copy, IMAP mailboxes): each reply is also addressed, in the
envelope only, to the mailbox's own address in the same SMTP transaction. The server accepts
all recipients with one 250, so its acceptance is also a copy in our own mailbox.

A draft still `sending` after sending_timeout_seconds lost its sender between the claim and the
final commit (a sender that is merely slow asks, just before DATA, whether its claim still
stands, and sends nothing if recovery has taken the draft over). It is looked up by Message-ID in the mailbox's folders and the Sent folder: there
means sent. Not there, with the journal copy, means the server never accepted it: it goes back
to `approved` and is sent again. Without the journal copy (or on a Maildir mailbox) not there
means failed as "delivery uncertain", for a person to check and resend (`queue resend ID`).
See README, "Replies and sending".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config, ImapSettings, MailboxConfig
from base.db import session_scope
from base.errors import ConfigError, SecretError, SourceError
from base.models import Draft, Request
from mail.mime import build_message, message_bytes, needs_smtputf8
from mail.sent_folder import SentFolder
from mail.smtp import Attempt, deliver
from privacy.retention import close_request
from replies.sent_copies import copy_again, save_copy
from staff.audit import audit

log = logging.getLogger(__name__)
UNCERTAIN = ("delivery uncertain: the sender stopped during SMTP delivery; "
             "not resent automatically — check and resend by hand")
NOT_ACCEPTED = ("the sender stopped before the server accepted it (no journal copy in the "
                "mailbox): sent again")
MAX_BACKOFF = timedelta(hours=6)
Clock = Callable[[], datetime]


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)   # found in the mailbox after a crash: sent
    requeued: list[int] = field(default_factory=list)    # journal copy absent after a crash: resent
    uncertain: list[int] = field(default_factory=list)   # not found, no journal copy: failed
    unsettled: list[int] = field(default_factory=list)   # line lost in DATA: recovery decides
    error: str | None = None  # a setup problem (TLS, login, password) stopped the run
    without_sent_copy: int = 0  # sent replies whose Sent folder copy failed (tried each run)

    @property
    def ok(self) -> bool:
        return self.error is None


def send_due(sessions: sessionmaker[Session], config: Config, now: datetime | None = None,
             stop: threading.Event | None = None) -> SendReport:
    """Settle stalled sends, then send every approved draft that is due, one by one.

    When `stop` is set (SIGTERM in service mode) the draft in flight finishes and no other starts.
    """
    if config.smtp is None:
        raise ConfigError(f"{config.path}: no [smtp] section: replies cannot be sent")
    clock: Clock = (lambda: now) if now is not None else (lambda: datetime.now(UTC))
    report = SendReport()
    recover_stalled(sessions, config, clock(), report)
    for draft_id in _due(sessions, clock()):
        if stop is not None and stop.is_set():
            break
        claimed_at = clock()
        if not _claim(sessions, draft_id, claimed_at):
            continue  # another sender took it first
        attempt = _send(sessions, config, draft_id, claimed_at, clock, report)
        if attempt.outcome == "setup":
            report.error = attempt.detail
            log.error("outbox stopped: %s", attempt.detail)
            break
    if report.error is None and not (stop is not None and stop.is_set()):
        report.without_sent_copy = copy_again(sessions, config)
    return report


def _due(sessions: sessionmaker[Session], now: datetime) -> list[int]:
    with sessions() as session:
        return list(session.scalars(select(Draft.id).where(
            Draft.state == "approved",
            or_(Draft.next_attempt_at.is_(None), Draft.next_attempt_at <= now)).order_by(Draft.id)))


def _claim(sessions: sessionmaker[Session], draft_id: int, now: datetime) -> bool:
    """approved -> sending, only if still approved and due: the one atomic step senders race on."""
    with session_scope(sessions) as session:
        result = session.execute(
            update(Draft)
            .where(Draft.id == draft_id, Draft.state == "approved",
                   or_(Draft.next_attempt_at.is_(None), Draft.next_attempt_at <= now))
            .values(state="sending", sending_since=now, attempts=Draft.attempts + 1)
            .execution_options(synchronize_session=False))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _send(sessions: sessionmaker[Session], config: Config, draft_id: int, claimed_at: datetime,
          clock: Clock, report: SendReport) -> Attempt:
    assert config.smtp is not None
    with sessions() as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        mailbox, attempts = draft.request.mailbox, draft.attempts
        smtputf8 = needs_smtputf8(draft)
        data = message_bytes(build_message(draft, clock()), smtputf8)
        sender, recipient, message_id = draft.from_address, draft.to_address, draft.message_id
    journal = _journal_address(config, mailbox)
    attempt = deliver(config.smtp, sender, recipient, data, smtputf8, journal=journal,
                      still_ours=lambda: _still_claimed(sessions, draft_id, claimed_at))
    log.info("draft %s (%s): %s: %s", draft_id, message_id, attempt.outcome, attempt.detail)
    if attempt.outcome == "withdrawn":
        # This sender was slower than sending_timeout_seconds and recovery took the draft over:
        # the reply is recovery's now, and this sender sent nothing.
        log.warning("draft %s: taken over by recovery before DATA; not sent by this run", draft_id)
    elif attempt.outcome == "accepted":
        problem = save_copy(_imap(config, mailbox), data, clock())
        _mark_sent(sessions, draft_id, clock(), problem, "sent")
        report.sent.append(draft_id)
    elif attempt.outcome == "temporary" and attempts < config.replies.max_attempts:
        retry_at = clock() + backoff(config.replies.retry_base_seconds, attempts)
        _release(sessions, draft_id, claimed_at, state="approved", next_attempt_at=retry_at,
                 last_error=f"attempt {attempts} failed, next at {retry_at:%Y-%m-%d %H:%M:%S} UTC: "
                            f"{attempt.detail}")
        report.retrying.append(draft_id)
    elif attempt.outcome == "uncertain" and journal is not None:
        # The line broke during DATA: the mailbox will say whether the server took it. The
        # draft keeps its claim, so the recovery run after sending_timeout_seconds decides.
        _keep_claim(sessions, draft_id, claimed_at, f"{attempt.detail}; checked against the "
                                                    "journal copy after sending_timeout_seconds")
        report.unsettled.append(draft_id)
    elif attempt.outcome == "setup":
        # Our own configuration is at fault, not the draft: it keeps its place and its attempts.
        _release(sessions, draft_id, claimed_at, state="approved", attempts=attempts - 1,
                 last_error=attempt.detail)
    else:
        detail = {"temporary": f"gave up after {attempts} attempts: {attempt.detail}",
                  "uncertain": f"{UNCERTAIN} ({attempt.detail})"}.get(attempt.outcome, attempt.detail)
        if _release(sessions, draft_id, claimed_at, state="failed", last_error=detail):
            _audit(sessions, draft_id, "failed", {"error": detail})
        report.failed.append(draft_id)
    return attempt


def _still_claimed(sessions: sessionmaker[Session], draft_id: int, claimed_at: datetime) -> bool:
    """Does this sender's claim still stand (no recovery run has restamped it)?"""
    with sessions() as session:
        return session.scalar(select(Draft.id).where(
            Draft.id == draft_id, Draft.state == "sending", Draft.sending_since == claimed_at)) is not None


def backoff(base_seconds: int, attempts: int) -> timedelta:
    """base, 2*base, 4*base, ... after the 1st, 2nd, 3rd failed attempt; at most MAX_BACKOFF."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)




# Once the customer has the answer the request is closed, and the retention clocks start; a
# reply from the customer opens it again. An acknowledgement or a "staff are reviewing" note is
# no answer.
CLOSING_KINDS = ("approve", "deny", "needs_info", "wrong_channel", "duplicate", "cancel_in_app",
                 "written")


def _mark_sent(sessions: sessionmaker[Session], draft_id: int, now: datetime, note: str | None,
               action: str) -> None:
    """The server took it: that is the truth, whatever a recovery run decided meanwhile."""
    with session_scope(sessions) as session:
        session.execute(update(Draft).where(Draft.id == draft_id, Draft.state != "sent")
                        .values(state="sent", sent_at=now, sending_since=None, next_attempt_at=None,
                                last_error=note).execution_options(synchronize_session=False))
        draft = session.get(Draft, draft_id)
        assert draft is not None
        audit(session, "outbox", action, draft.request_id, draft_id, {"message_id": draft.message_id})
        if draft.kind in CLOSING_KINDS and draft.request.closed_at is None:
            close_request(session, draft.request, "outbox", now)


def _release(sessions: sessionmaker[Session], draft_id: int, claimed_at: datetime, **values: Any) -> bool:
    """Leave `sending`, only if this sender still holds the claim it made at `claimed_at`."""
    with session_scope(sessions) as session:
        result = session.execute(
            update(Draft).where(Draft.id == draft_id, Draft.state == "sending",
                                Draft.sending_since == claimed_at)
            .values(sending_since=None, **values).execution_options(synchronize_session=False))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _keep_claim(sessions: sessionmaker[Session], draft_id: int, claimed_at: datetime, note: str) -> None:
    with session_scope(sessions) as session:
        session.execute(update(Draft).where(Draft.id == draft_id, Draft.state == "sending",
                                            Draft.sending_since == claimed_at)
                        .values(last_error=note).execution_options(synchronize_session=False))


def _audit(sessions: sessionmaker[Session], draft_id: int, action: str, detail: dict[str, Any]) -> None:
    with session_scope(sessions) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        audit(session, "outbox", action, draft.request_id, draft_id, detail)


def recover_stalled(sessions: sessionmaker[Session], config: Config, now: datetime,
                    report: SendReport) -> None:
    """Settle drafts whose sender died mid-send, by looking for them in the mailbox."""
    cutoff = now - timedelta(seconds=config.replies.sending_timeout_seconds)
    with sessions() as session:
        stalled = session.execute(
            select(Draft.id, Draft.message_id, Request.mailbox).join(Request, Draft.request_id == Request.id)
            .where(Draft.state == "sending", Draft.sending_since < cutoff).order_by(Draft.id)).all()
    for draft_id, message_id, mailbox in stalled:
        with session_scope(sessions) as session:  # claim the recovery, so only one run does it
            claimed = session.execute(
                update(Draft).where(Draft.id == draft_id, Draft.state == "sending",
                                    Draft.sending_since < cutoff)
                .values(sending_since=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        _recover_one(sessions, config, draft_id, message_id, mailbox, now, report)


def _recover_one(sessions: sessionmaker[Session], config: Config, draft_id: int, message_id: str,
                 mailbox: str, now: datetime, report: SendReport) -> None:
    imap = _imap(config, mailbox)
    found: str | None = None
    if imap is not None:
        try:
            with SentFolder(imap) as folder:
                found = folder.locate(message_id, _search_folders(config, mailbox, imap))
        except (SourceError, SecretError) as exc:
            # Cannot tell yet: stay in `sending`; the next run after the timeout asks again.
            log.warning("draft %s: cannot check the mailbox: %s", draft_id, exc)
            report.error = report.error or f"draft {draft_id}: cannot check the Sent folder: {exc}"
            return
    if found is not None:
        _mark_sent(sessions, draft_id, now, None, "recovered:sent")
        report.recovered.append(draft_id)
        return
    if _journal_address(config, mailbox) is not None:
        _requeue(sessions, config, draft_id, now, report)
        return
    detail = UNCERTAIN if imap is not None else f"{UNCERTAIN} (mailbox {mailbox} has no IMAP Sent folder)"
    if _release(sessions, draft_id, now, state="failed", last_error=detail):
        _audit(sessions, draft_id, "recovered:uncertain", {"error": detail})
        report.uncertain.append(draft_id)


def _requeue(sessions: sessionmaker[Session], config: Config, draft_id: int, now: datetime,
             report: SendReport) -> None:
    """No journal copy: the server never accepted it, so it is sent again (unless it keeps dying)."""
    attempts = _attempts(sessions, draft_id)
    if attempts >= config.replies.max_attempts:
        detail = (f"gave up after {attempts} attempts: the sender stopped each time before the "
                  "server accepted it (no journal copy in the mailbox)")
        if _release(sessions, draft_id, now, state="failed", last_error=detail):
            _audit(sessions, draft_id, "failed", {"error": detail})
            report.failed.append(draft_id)
        return
    if _release(sessions, draft_id, now, state="approved", next_attempt_at=None, last_error=NOT_ACCEPTED):
        _audit(sessions, draft_id, "recovered:resend", {"error": NOT_ACCEPTED})
        report.requeued.append(draft_id)


def _attempts(sessions: sessionmaker[Session], draft_id: int) -> int:
    with sessions() as session:
        return int(session.scalar(select(Draft.attempts).where(Draft.id == draft_id)) or 0)


def _search_folders(config: Config, mailbox: str, imap: ImapSettings) -> list[str | None]:
    """Where a sent reply's copy can be: the Sent folder, and where the journal copy lands."""
    settings = _mailbox(config, mailbox)
    moved = [settings.move_to] if settings is not None and settings.move_to else []
    return list(dict.fromkeys([None, "INBOX", *imap.folders, *moved]))  # None: the Sent folder


def _journal_address(config: Config, mailbox: str) -> str | None:
    """The mailbox's own address when journal copies are on and the mailbox is IMAP."""
    settings = _mailbox(config, mailbox)
    if not config.replies.journal_copy or settings is None or settings.imap is None:
        return None
    return settings.address


def _mailbox(config: Config, mailbox: str) -> MailboxConfig | None:
    found = [m for m in config.mailboxes if m.name == mailbox]
    return found[0] if found else None


def _imap(config: Config, mailbox: str) -> ImapSettings | None:
    found = [m.imap for m in config.mailboxes if m.name == mailbox]
    return found[0] if found else None
