"""CLI commands for policy authors: policy test, policy check, policy diff, and requests redecide."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from base import db
from base.config import Config
from base.errors import ConfigError, NotFound
from base.models import Request
from base.policies import current_versions, read_policy
from decisions import Decision, Policy, PolicyError, decide, load_policy
from decisions.lint import lint, located
from decisions.policy_diff import diff
from decisions.verify import Coverage, PolicyTestResult, run_tests
from intake.decide import OrderBook, decide_request, request_facts
from intake.understand import Hints, understand
from refund_intake.output import STAFF_ENV, acting_staff, emit, open_database
from refund_intake.table import render
from replies.draft import draft_replies
from staff.audit import audit, require_role


def register(policy: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    test = policy.add_parser("test", help="run the [[tests]] of a policy file; a failure shows each field that differs")
    test.add_argument("file", type=Path)
    test.add_argument("--coverage", action="store_true", help="show, per rule, the tests where it hits and does not")
    test.add_argument("--min-coverage", type=Decimal, metavar="N",
                      help="fail unless at least N%% of the rules are covered (hit and not hit)")
    test.add_argument("--json", action="store_true")
    test.set_defaults(handler=policy_test, needs_config=False)
    check = policy.add_parser("check", help="validate a policy file and report authoring mistakes, each with its line")
    check.add_argument("file", type=Path)
    check.set_defaults(handler=policy_check, needs_config=False)
    changes = policy.add_parser("diff", help="decide the stored requests under two policies and count what changes")
    changes.add_argument("old", type=Path)
    changes.add_argument("new", type=Path)
    changes.add_argument("--mailbox", help="only requests of this mailbox")
    changes.add_argument("--json", action="store_true")
    changes.set_defaults(handler=policy_diff)


def register_redecide(requests: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    again = requests.add_parser("redecide", help="decide a request again on purpose (approver); adds a decision")
    again.add_argument("ref", metavar="REF")
    again.add_argument("--version", help="the policy version to decide under (default: the one in force "
                                         "at the request's receipt)")
    again.add_argument("--as", dest="as_email", metavar="EMAIL", help=f"the staff member acting (default ${STAFF_ENV})")
    again.set_defaults(handler=requests_redecide)


def _load(path: Path) -> tuple[Policy, str]:
    """The policy and its text; every load error is printed by the caller, not just the first."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy file: {exc.strerror}") from exc
    return load_policy(text, str(path)), text


def _refused(exc: PolicyError) -> int:
    """A policy that cannot be used: every error on its own line (not only the first), exit 2."""
    for error in exc.errors:
        print(f"refund-intake: error: {error}", file=sys.stderr)
    return 2


def policy_check(config: Config | None, args: argparse.Namespace) -> int:
    try:
        policy, text = _load(args.file)
    except PolicyError as exc:
        return _refused(exc)
    mistakes = located(lint(policy), text, str(args.file))
    if mistakes:
        print("\n".join(mistakes))
        print(f"{args.file}: {len(mistakes)} authoring mistake(s)")
        return 1
    print(f"{args.file}: OK: {policy.name} version {policy.version}, {len(policy.rules)} rules, "
          f"{len(policy.tests)} tests, time zone {policy.timezone}")
    return 0


def classify(words: str, language: str) -> str:
    """A test's `words` as intake reads an email's text."""
    return understand("", words, Hints(language)).reason


def policy_test(config: Config | None, args: argparse.Namespace) -> int:
    try:
        policy, _ = _load(args.file)
    except PolicyError as exc:
        return _refused(exc)
    results, coverage = run_tests(policy, classify)
    failed = [result for result in results if not result.passed]
    low = args.min_coverage is not None and coverage.percent < args.min_coverage
    if args.json:
        data = {"file": str(args.file), "policy": policy.name, "version": policy.version,
                "tests": len(results), "passed": len(results) - len(failed), "failed": len(failed),
                "results": [result.to_dict() for result in results], "coverage": coverage.to_dict(),
                "min_coverage": None if args.min_coverage is None else str(args.min_coverage)}
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print("\n".join(_report(args, policy, results, coverage, low)))
    return 1 if failed or low else 0


def _report(args: argparse.Namespace, policy: Policy, results: list[PolicyTestResult],
            coverage: Coverage, low: bool) -> Iterator[str]:
    for result in results:
        if result.passed:
            continue
        yield f"FAIL {args.file}:{result.test.line}: {result.test.name}"
        if result.error:
            yield f"  {result.error}"
        width = max((len(d.field) for d in result.differences), default=0)
        for difference in result.differences:
            yield f"  {difference.field.ljust(width)}  expected {difference.expected}"
            yield f"  {''.ljust(width)}  got      {difference.got}"
    passed = sum(result.passed for result in results)
    yield (f"{args.file}: {policy.name} {policy.version}: {len(results)} test(s), {passed} passed, "
           f"{len(results) - passed} failed")
    if args.coverage or args.min_coverage is not None:
        yield from _coverage_lines(coverage, args)
    if low:
        yield f"coverage {coverage.percent}% is below the minimum of {args.min_coverage}%"


def _coverage_lines(coverage: Coverage, args: argparse.Namespace) -> Iterator[str]:
    yield (f"coverage: {len(coverage.covered)} of {len(coverage.hit_by)} rules hit and not hit "
           f"by some test ({coverage.percent}%)")
    gaps: dict[str, list[str]] = {}
    for rule, side in coverage.gaps():
        gaps.setdefault(rule, []).append("hits" if side == "hit" else "does not hit")
    for rule, sides in gaps.items():
        yield f"  {rule}: no test where it {' nor where it '.join(sides)}"
    if args.coverage:
        for rule in coverage.hit_by:
            hits, misses = len(coverage.hit_by[rule]), len(coverage.missed_by[rule])
            yield f"  {rule}: hit in {hits}, not hit in {misses}"


def policy_diff(config: Config, args: argparse.Namespace) -> int:
    old, new = read_policy(args.old), read_policy(args.new)
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        pairs, left_out = list(_decide_stored(session, args.mailbox, old, new)), _anonymised(session, args.mailbox)
    summary = diff(pairs)
    data = {"old": {"name": old.name, "version": old.version}, "new": {"name": new.name, "version": new.version},
            **summary.to_dict(), "left_out": left_out}
    rows = [{"outcome_before": o["before"], "outcome_after": o["after"], "requests": o["requests"]}
            for o in data["outcomes"]]
    money = render([m.to_dict() for m in summary.money],
                   ("currency", "refund_before", "refund_after", "moved", "proposed_before", "proposed_after"))
    outcome_table = render(rows, ("outcome_before", "outcome_after", "requests"))
    note = f" ({left_out} anonymised request(s) left out)" if left_out else ""
    text = (f"{summary.requests} stored request(s) decided under {old.name} {old.version} and "
            f"{new.name} {new.version}{note}; {summary.changed} change outcome.\n\n{outcome_table}\n\n"
            f"Refunds approved (moved), and proposed for staff review (not moved):\n{money}")
    emit(args, data, text)
    return 0


def _stored(mailbox: str | None) -> Select[Request]:
    query = select(Request).where(Request.kind == "refund").order_by(Request.id)
    return query.where(Request.mailbox == mailbox) if mailbox else query


def _anonymised(session: Session, mailbox: str | None) -> int:
    """An anonymised request has lost the facts it was decided on: it cannot be decided again."""
    query = _stored(mailbox).where(Request.anonymised_at.is_not(None))
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _decide_stored(session: Session, mailbox: str | None, old: Policy,
                   new: Policy) -> Iterator[tuple[Decision, Decision]]:
    orders = OrderBook(session)
    for request in session.scalars(_stored(mailbox).where(Request.anonymised_at.is_(None))):
        facts = request_facts(request)
        candidates = orders.candidates(facts)
        yield decide(facts, candidates, old), decide(facts, candidates, new)


def requests_redecide(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        staff = acting_staff(session, args)
        request = session.scalar(select(Request).where(Request.reference == args.ref.upper()))
        if request is None:
            raise NotFound(f"no request with reference {args.ref}")
        require_role(session, staff, "approver", "redecide", request.id)
        versions = current_versions(config.mailbox(request.mailbox).policy)
        policy = versions.in_force(request.received_at)
        if args.version:
            policy = versions.named(args.version) or _no_version(args.version, versions.versions)
        record = decide_request(session, request, policy)
        session.flush()
        audit(session, staff.email, "redecide", request.id,
              detail={"policy": policy.name, "version": policy.version, "outcome": record.outcome})
        draft_replies(session, config, request, record, datetime.now(UTC))
        line = (f"{request.reference}: decided again under {policy.name} version {policy.version}: "
                f"{record.outcome}")
    print(line)
    return 0


def _no_version(version: str, versions: tuple[Policy, ...]) -> Policy:
    known = ", ".join(policy.version for policy in versions)
    raise NotFound(f"no policy version {version!r} (this mailbox has {known})")
