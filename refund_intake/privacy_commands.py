"""CLI commands of privacy: requests close / mark-fraud, purge, privacy export / erase / rekey.

Erasing, exporting and marking as fraud need the admin role; the CLI acts as the staff member
named by --as or $REFUND_INTAKE_STAFF (see replies/commands.py), and a refusal is audited.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config
from base.db import session_scope
from base.errors import ActionRefused, ConfigError, NotFound, RefundIntakeError
from base.models import Request
from base.vault import new_key, open_vault, rekey
from intake.thread import typed_reference
from privacy import anonymise, subject_rights
from privacy import retention as privacy
from refund_intake.output import STAFF_ENV, acting_staff, emit, open_database
from staff.audit import audit, require_role

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 24 * 3600
REKEY_BATCH = 100
ACCOUNTING_KEPT = ("kept for the shop's accounting, without personal data: decisions, amounts, "
                   "dates, policy versions, order ids and amounts, sha256 and size of what was received")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             requests: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    close = requests.add_parser("close", help="close a request: the retention clocks start")
    close.add_argument("ref", metavar="REF")
    _with_acting(close).set_defaults(handler=requests_close)
    fraud = requests.add_parser("mark-fraud", help="keep a request whole for the fraud retention "
                                                   "period (admin); also closes it")
    fraud.add_argument("ref", metavar="REF")
    fraud.add_argument("--reason", required=True, help="why (kept with the request)")
    _with_acting(fraud).set_defaults(handler=requests_mark_fraud)

    purge = sub.add_parser("purge", help="apply the retention rules of [privacy] (nightly in `run`)")
    purge.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    purge.add_argument("--as-of", metavar="TIME", help="apply the rules as of this ISO 8601 time "
                                                       "(with --dry-run: a preview)")
    purge.add_argument("--json", action="store_true", help="JSON report")
    purge.set_defaults(handler=purge_command)

    group = sub.add_parser("privacy", help="a person's data: export, erase; encryption keys") \
        .add_subparsers(dest="action", required=True)
    export = group.add_parser("export", help="everything stored about one person, as JSON (admin)")
    export.add_argument("email")
    export.add_argument("--include-content", action="store_true",
                        help="add the raw messages and attachment contents (base64)")
    _with_acting(export).set_defaults(handler=privacy_export)
    erase = group.add_parser("erase", help="erase a person's data except what retention keeps (admin)")
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.add_argument("--json", action="store_true", help="JSON report")
    _with_acting(erase).set_defaults(handler=privacy_erase)
    group.add_parser("rekey", help="seal all stored mail under the first configured key") \
        .set_defaults(handler=privacy_rekey)
    group.add_parser("new-key", help="print a fresh encryption key") \
        .set_defaults(handler=privacy_new_key, needs_config=False)


def _with_acting(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--as", dest="as_email", metavar="EMAIL",
                        help=f"the staff member acting (default ${STAFF_ENV})")
    return parser


def _now() -> datetime:
    return datetime.now(UTC)


def requests_close(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with session_scope(sessions) as session:
        staff = acting_staff(session, args)
        request = _request(session, args.ref)
        require_role(session, staff, "approver", "close", request.id)
        closed = privacy.close_request(session, request, staff.email, _now())
    print(f"closed: {', '.join(closed)}")
    return 0


def requests_mark_fraud(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with session_scope(sessions) as session:
        staff = acting_staff(session, args)
        request = _request(session, args.ref)
        require_role(session, staff, "admin", "mark-fraud", request.id)
        privacy.mark_fraud(session, request, staff.email, args.reason, _now())
        until = privacy.held_until(request, config.privacy)
    print(f"{typed_reference(args.ref)} marked as fraud/misuse; kept until {until:%Y-%m-%d}")
    return 0


def purge_command(config: Config, args: argparse.Namespace) -> int:
    now = _as_of(args.as_of) if args.as_of else _now()
    engine, sessions = open_database(config)
    report = run_purge(engine, sessions, config, now, args.dry_run)
    references = " ".join(report.requests_anonymised)
    lines = [
        (f"{'would remove' if report.dry_run else 'removed'}: raw bytes of {report.raw_purged} "
         f"message(s), {report.attachments_purged} attachment content(s)"),
        (f"{'would anonymise' if report.dry_run else 'anonymised'}: "
         f"{len(report.requests_anonymised)} request(s) {references}".rstrip()
         + f", {report.messages_anonymised} message(s), {report.orders_scrubbed} order(s)"),
        f"kept as fraud/misuse records: {' '.join(report.held_for_fraud) or 'none'}",
    ]
    if report.storage:
        lines.append(f"storage: {report.storage}")
    emit(args, asdict(report), "\n".join(lines))
    return 0


def run_purge(engine: Engine, sessions: sessionmaker[Session], config: Config, now: datetime,
              dry_run: bool = False) -> privacy.PurgeReport:
    """Purge as of `now`, commit, then make the freed bytes unreadable in the database files."""
    with session_scope(sessions) as session:
        report = privacy.purge(session, config.privacy, now, dry_run)
        if dry_run:
            session.rollback()
    if report.changed and not report.dry_run:
        report.storage = anonymise.forget_freed_pages(engine)
    return report


def purge_job(engine: Engine, sessions: sessionmaker[Session], config: Config) -> None:
    """The nightly run in the service; a failure is logged and the next run tries again."""
    try:
        report = run_purge(engine, sessions, config, _now())
    except (RefundIntakeError, SQLAlchemyError) as exc:
        log.error("purge: %s", exc)
        return
    if report.changed:
        log.warning("purge: raw bytes of %s message(s) and %s attachment(s) removed, %s request(s) "
                    "anonymised; %s", report.raw_purged, report.attachments_purged,
                    len(report.requests_anonymised), report.storage)


def privacy_export(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    vault = open_vault(config, sessions) if args.include_content else None
    with session_scope(sessions) as session:
        staff = acting_staff(session, args)
        require_role(session, staff, "admin", "export")
        now = _now()
        data = subject_rights.export_person(session, args.email, now, vault, args.include_content)
        audit(session, staff.email, "privacy:export", detail={
            "subject_sha256": subject_rights.subject_hash(args.email),
            "requests": [r["reference"] for r in data["requests"]],
            "counts": {"messages": len(data["messages"]), "orders": len(data["orders"])}}).at = now
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0


def privacy_erase(config: Config, args: argparse.Namespace) -> int:
    engine, sessions = open_database(config)
    with sessions() as session:
        staff = acting_staff(session, args)
        require_role(session, staff, "admin", "erase")
        count = len(subject_rights.requests_of(session, args.email))
    if not args.yes:
        _confirm(f"Erase the personal data of {args.email} ({count} request(s))? "
                 "This cannot be undone. [y/N] ")
    with session_scope(sessions) as session:
        erasure = subject_rights.erase_person(session, args.email, config.privacy, _now(), staff.email)
    erasure.storage = anonymise.forget_freed_pages(engine)
    lines = [f"erased: {len(erasure.erased)} request(s) {' '.join(erasure.erased)}".rstrip()
             + f", {erasure.messages_erased} message(s), {erasure.orders_scrubbed} order(s) "
             "without the address"]
    lines += [f"kept: {k['reference']} until {k['until'][:10]}: {k['why']}" for k in erasure.kept]
    lines += [ACCOUNTING_KEPT, f"storage: {erasure.storage}"]
    emit(args, asdict(erasure) | {"accounting": ACCOUNTING_KEPT}, "\n".join(lines))
    return 0


def privacy_rekey(config: Config, args: argparse.Namespace) -> int:
    engine, sessions = open_database(config)
    vault = open_vault(config, sessions)
    if vault is None:
        raise ConfigError(f"{config.path}: privacy: no encryption key configured; nothing to seal with")
    total = 0
    while True:
        with session_scope(sessions) as session:  # in batches: memory stays flat, progress is kept
            done = rekey(session, vault, REKEY_BATCH)
        total += done
        if not done:
            break
    with session_scope(sessions) as session:
        audit(session, os.environ.get(STAFF_ENV) or "cli", "privacy:rekey",
              detail={"counts": {"sealed": total}, "kind": vault.current})
    storage = anonymise.forget_freed_pages(engine) if total else "nothing to rewrite"
    print(f"sealed {total} stored content(s) under key {vault.current}; storage: {storage}")
    return 0


def privacy_new_key(config: Config | None, args: argparse.Namespace) -> int:
    print(new_key())
    return 0


def _request(session: Session, ref: str) -> Request:
    request = session.scalar(select(Request).where(Request.reference == typed_reference(ref)))
    if request is None:
        raise NotFound(f"no request with reference {ref}")
    return request


def _confirm(question: str) -> None:
    print(question, end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise ActionRefused("not confirmed; nothing erased")


def _as_of(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"--as-of: not an ISO 8601 time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

