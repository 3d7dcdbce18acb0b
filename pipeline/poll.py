"""Poll mailboxes: fetch what is new, ingest it in committed batches, then settle on the server."""

from __future__ import annotations

import logging
import ssl
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config, MailboxConfig
from base.db import number_new_rows, session_scope
from base.errors import ConfigError, LockBusy, SecretError, SourceError, StorageError
from base.locks import mailbox_lock
from base.models import DecisionRecord, FolderState, Message, Request
from base.policies import current_versions
from base.vault import Vault
from decisions import Policy
from decisions.versions import PolicyVersions
from intake.ingest import Ingested, NeedsCare, ingest_batch
from intake.prepare import Prepared, Preparer
from intake.understand import Hints
from mail.imap import ImapSource
from mail.maildir import MaildirSource
from mail.source import Fetched
from replies.draft import DraftHistory, draft_replies, set_aside_stale

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]  # (mailbox, done, total)


@dataclass
class PollReport:
    mailbox: str
    fetched: int = 0
    stored: int = 0
    already_stored: int = 0
    classifications: Counter[str] = field(default_factory=Counter)
    error: str | None = None
    # A move, flag or \Seen the server refused: the mail is stored all the same, and the
    # action is tried again at the next poll (settle covers every stored UID).
    server_action_error: str | None = None
    busy: bool = False
    bodies_fetched: int = 0
    drafted: int = 0
    draft_failures: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.server_action_error is None


@dataclass(frozen=True)
class PollContext:
    engine: Engine
    sessions: sessionmaker[Session]
    config: Config
    since: datetime | None = None
    progress: Progress | None = None
    ssl_context: ssl.SSLContext | None = None
    # by mailbox, a policy or its versions; none: no deciding
    policies: Mapping[str, Policy | PolicyVersions] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)  # set: finish the batch, then stop
    vault: Vault | None = None  # set: raw mail and attachments are stored sealed (encryption at rest)
    draft: bool = True  # draft the replies each new message calls for (they wait for approval)


def poll_all(context: PollContext, names: Sequence[str] = ()) -> list[PollReport]:
    """Every mailbox is polled even when another one fails."""
    mailboxes = [context.config.mailbox(n) for n in names] if names else context.config.mailboxes
    return [poll_mailbox(context, mailbox) for mailbox in mailboxes]


def poll_mailbox(context: PollContext, mailbox: MailboxConfig) -> PollReport:
    report = PollReport(mailbox.name)
    try:
        with mailbox_lock(context.engine, mailbox.name):
            if mailbox.imap is not None:
                _poll_imap(context, mailbox, report)
            else:
                _poll_maildir(context, mailbox, report)
    except LockBusy as exc:
        report.busy, report.error = True, None
        log.info("%s", exc)
        return report
    except (SourceError, SecretError, StorageError) as exc:
        report.error = str(exc)
    except OperationalError as exc:
        report.error = f"database error, batch rolled back (mail stays on the server): {exc.orig}"
    _record_outcome(context, mailbox, report)
    return report


def _poll_imap(context: PollContext, mailbox: MailboxConfig, report: PollReport) -> None:
    assert mailbox.imap is not None
    settings = mailbox.imap
    source = ImapSource(settings, context.ssl_context)
    with source:
        try:
            for folder in settings.folders:
                _poll_imap_folder(context, mailbox, source, folder, report)
        finally:
            report.bodies_fetched += source.bodies_fetched


def _poll_imap_folder(context: PollContext, mailbox: MailboxConfig, source: ImapSource,
                      folder: str, report: PollReport) -> None:
    assert mailbox.imap is not None
    readonly = mailbox.after == "leave" and not mailbox.mark_seen
    info = source.select(folder, readonly=readonly)
    with session_scope(context.sessions) as session:
        state = _folder_state(session, mailbox.name, folder)
        if state.uidvalidity != info.uidvalidity:
            if state.uidvalidity is not None:
                log.warning("%s/%s: UIDVALIDITY changed %s -> %s; rescanning (nothing is stored twice)",
                            mailbox.name, folder, state.uidvalidity, info.uidvalidity)
            state.uidvalidity, state.last_uid = info.uidvalidity, 0
        last_uid = state.last_uid
    if info.uidnext is not None and info.uidnext <= last_uid + 1:
        uids: list[int] = []  # nothing new: no SEARCH, no FETCH
    else:
        uids = source.uids_after(last_uid, context.since)

    def stored(batch: list[int]) -> None:
        _settle(source, mailbox, max(batch), report)

    _drain(context, mailbox, folder, list(_chunks(uids, mailbox.imap.batch_size)), source.fetch,
           report, len(uids), stored)
    if not uids:
        _settle(source, mailbox, last_uid, report)


def _settle(source: ImapSource, mailbox: MailboxConfig, upto_uid: int, report: PollReport) -> None:
    """The server-side action on what is stored. A refusal never stops the poll storing the rest
    of the new mail; after one, this poll tries no more (the next poll tries everything again)."""
    if report.server_action_error is not None:
        return
    try:
        source.settle(upto_uid, mailbox.after, mailbox.move_to, mailbox.mark_seen)
    except SourceError as exc:
        report.server_action_error = (f"the new mail is stored, but {exc} "
                                      "(tried again at the next poll)")
        log.warning("mailbox %s: %s", mailbox.name, report.server_action_error)


def _poll_maildir(context: PollContext, mailbox: MailboxConfig, report: PollReport) -> None:
    assert mailbox.maildir is not None
    with MaildirSource(mailbox.maildir) as source:
        keys = source.keys()
        with session_scope(context.sessions) as session:
            known = set(session.scalars(
                select(Message.source_key).where(Message.mailbox == mailbox.name,
                                                 Message.source_key.is_not(None))))
        new = [key for key in keys if key not in known]
        _drain(context, mailbox, source.folder, list(_chunks(new, 100)), source.fetch, report,
               len(new))
        report.bodies_fetched += source.bodies_fetched


def _drain(context: PollContext, mailbox: MailboxConfig, folder: str, batches: list[list[Any]],
           fetch: Callable[[list[Any]], Iterator[Fetched]], report: PollReport, total: int,
           stored: Callable[[list[int]], None] | None = None) -> None:
    """Fetch each batch and hand it to be prepared, then store the one before it meanwhile;
    `stored(batch)` settles a batch on the server once it is committed (IMAP UIDs; Maildir: None).

    When `context.stop` is set, the batch in hand is stored and nothing more is fetched.
    """
    workers = context.config.intake.parse_workers if len(batches) > 1 else 0
    with Preparer(context.config.intake, Hints.of(mailbox), workers) as preparer:
        pending: tuple[list[Any], Callable[[], list[Prepared]]] | None = None
        for batch in batches:
            if context.stop.is_set():
                break
            ready = preparer.submit(list(fetch(batch)))
            if pending is not None:
                _finish(context, mailbox, folder, *pending, report, total, stored)
            pending = (batch, ready)
        if pending is not None:
            _finish(context, mailbox, folder, *pending, report, total, stored)


def _finish(context: PollContext, mailbox: MailboxConfig, folder: str, batch: list[Any],
            ready: Callable[[], list[Prepared]], report: PollReport, total: int,
            stored: Callable[[list[int]], None] | None) -> None:
    _ingest_batch(context, mailbox, folder, ready(), max(batch) if stored else None, report, total)
    if stored is not None:
        stored(batch)


def _ingest_batch(context: PollContext, mailbox: MailboxConfig, folder: str,
                  batch: list[Prepared], last_uid: int | None, report: PollReport,
                  total: int) -> None:
    """One transaction per batch: a crash loses only this batch, which the next poll takes again.

    The batch is stored the fast way (one flush); if a step fails on one of its messages it is
    stored again the careful way, message by message, so that message is quarantined.
    """
    try:
        try:
            counts = _store_batch(context, mailbox, folder, batch, last_uid, careful=False)
        except NeedsCare as exc:
            log.warning("%s: %s; storing the batch again message by message", mailbox.name, exc)
            counts = _store_batch(context, mailbox, folder, batch, last_uid, careful=True)
    except SQLAlchemyError as exc:
        raise StorageError(
            f"database refused the batch ({_short(exc)}); nothing was lost, the next poll retries it"
        ) from exc
    report.fetched += len(batch)
    report.stored += counts.stored
    report.already_stored += len(batch) - counts.stored
    report.classifications.update(counts.classifications)
    report.drafted += counts.drafted
    report.draft_failures += counts.draft_failures
    if context.progress:
        context.progress(mailbox.name, report.fetched, total)


def _store_batch(context: PollContext, mailbox: MailboxConfig, folder: str, batch: list[Prepared],
                 last_uid: int | None, careful: bool) -> PollReport:
    """Store, decide and draft one batch in one transaction; the counts come back in a report."""
    counts = PollReport(mailbox.name)
    with session_scope(context.sessions) as session:
        results = ingest_batch(session, mailbox, batch, context.policies.get(mailbox.name),
                               context.vault, careful=careful)
        stored = [r for r in results if r.status == "stored"]
        counts.stored = len(stored)
        counts.classifications.update(r.classification for r in stored)
        if context.draft:
            _draft_batch(session, context, mailbox, stored, counts, careful)
            number_new_rows(session)
            session.flush()
        if last_uid is not None:
            state = _folder_state(session, mailbox.name, folder)
            state.last_uid = max(state.last_uid, last_uid)
    return counts


def _draft_batch(session: Session, context: PollContext, mailbox: MailboxConfig,
                 stored: list[Ingested], counts: PollReport, careful: bool) -> None:
    """The draft step. A failure here keeps the message and its decision; staff see no draft,
    the error is logged, and the template check of `check-config` is where such bugs are caught."""
    now = datetime.now(UTC)
    history = DraftHistory(session, now)
    try:  # the policy the batch was decided with; without deciding, the file as it is now
        policy = context.policies.get(mailbox.name) or current_versions(mailbox.policy)
    except ConfigError as exc:
        log.error("mailbox %s: no replies drafted: %s", mailbox.name, exc)
        counts.draft_failures += sum(1 for r in stored if r.request_id)
        return
    with session.no_autoflush:
        requests = {r.request_id: request for r in stored
                    if r.request_id and (request := session.get(Request, r.request_id)) is not None}
        new = [requests[r.request_id] for r in stored
               if r.request_id in requests and r.classification != "reply"]  # opened by this batch
        zone = (policy.latest if isinstance(policy, PolicyVersions) else policy).timezone
        history.preload(list(requests.values()), zone, new)
        for result in stored:
            if result.request_id not in requests:
                continue
            request = requests[result.request_id]
            decision = session.get(DecisionRecord, result.decision_id) if result.decision_id else None
            try:
                if careful:
                    with session.begin_nested():
                        counts.drafted += _draft(session, context, result, request, decision, now,
                                                 history, policy)
                else:
                    counts.drafted += _draft(session, context, result, request, decision, now,
                                             history, policy)
            except SQLAlchemyError:
                raise
            except Exception:  # one reply that cannot be drafted must not stop intake
                log.exception("request %s: drafting the reply failed", result.reference)
                counts.draft_failures += 1


def _draft(session: Session, context: PollContext, result: Ingested, request: Request,
           decision: DecisionRecord | None, now: datetime, history: DraftHistory,
           policy: Policy | PolicyVersions) -> int:
    if isinstance(policy, PolicyVersions):  # the version the request was decided under
        policy = policy.in_force(request.received_at)
    drafts = draft_replies(session, context.config, request, decision, now, history,
                           first_message=result.classification != "reply", policy=policy)
    if decision is not None:
        set_aside_stale(session, history, request, decision, now)
    return len(drafts)


def _folder_state(session: Session, mailbox: str, folder: str) -> FolderState:
    state = session.scalar(select(FolderState).where(FolderState.mailbox == mailbox,
                                                     FolderState.folder == folder))
    if state is None:
        state = FolderState(mailbox=mailbox, folder=folder, last_uid=0)
        session.add(state)
        session.flush()
    return state


def _record_outcome(context: PollContext, mailbox: MailboxConfig, report: PollReport) -> None:
    """Remember when each mailbox last polled and how, for `status`; never hides the poll's error."""
    now = datetime.now(UTC)
    folders = mailbox.imap.folders if mailbox.imap else (MaildirSource.folder,)
    try:
        with session_scope(context.sessions) as session:
            for folder in folders:
                state = _folder_state(session, mailbox.name, folder)
                state.last_poll_at = now
                state.last_error = report.error or report.server_action_error
                if report.error is None:
                    state.last_success_at = now
    except SQLAlchemyError as exc:
        log.error("mailbox %s: could not record the poll outcome: %s", mailbox.name, _short(exc))


def _chunks(items: Sequence[int] | Sequence[str], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def _short(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
