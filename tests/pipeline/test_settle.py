"""Staff decide from the command line, on the demo's real decisions: `requests resolve` (grant,
deny, ask, write) and `requests set` (reason, order, language), approval tiers, renewed promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from base.config import load_config
from base.db import make_engine, session_factory
from base.models import AuditEvent, DecisionRecord, Draft, Request
from refund_intake.cli import main
from tests.replies.demo import STAFF, demo


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return demo(tmp_path)


@pytest.fixture
def sessions(config: Path) -> sessionmaker[Session]:
    return session_factory(make_engine(load_config(config).database_url))


def run(config: Path, *args: str, who: str = "approver") -> int:
    return main(["--config", str(config), *args, "--as", STAFF[who]])


def waiting(sessions: sessionmaker[Session], reference: str) -> list[Draft]:
    with sessions() as session:
        return list(session.scalars(select(Draft).join(Request).where(
            Request.reference == reference, Draft.state == "draft")))


def events(sessions: sessionmaker[Session], action: str) -> list[AuditEvent]:
    with sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_grant_the_proposed_amount_and_explain_shows_both(
        config: Path, sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]) -> None:
    # R-000002 is a review: the rules propose 3,600.00 of 4,500.00 ZAR
    assert run(config, "requests", "resolve", "R-000002", "--approve", "3600.00", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["outcome"], shown["refund_amount"], shown["decided_by"]) == (
        "approve", "3600.00", STAFF["approver"])
    [draft] = waiting(sessions, "R-000002")
    assert (draft.id, draft.kind) == (shown["draft_id"], "approve")
    assert "has been approved" in draft.body_text and "ZAR3,600.00" in draft.body_text
    [event] = events(sessions, "resolve:grant")
    assert (event.actor, event.detail["amount"], event.detail["machine_outcome"]) == (
        STAFF["approver"], "3600.00", "review")
    assert main(["--config", str(config), "explain", "R-000002"]) == 0
    text = capsys.readouterr().out
    assert f"Staff decision: approve, 3600.00 ZAR, by {STAFF['approver']}" in text
    assert "The rules had decided:\nOutcome: staff review" in text
    assert main(["--config", str(config), "explain", "R-000002", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["decided_by"], data["machine"]["outcome"]) == (STAFF["approver"], "review")


def test_a_different_amount_needs_a_note_and_never_more_than_paid(
        config: Path, sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "requests", "resolve", "R-000002", "--approve", "3000") == 1
    assert "not the amount the rules propose (3600.00): add a note" in capsys.readouterr().err
    assert run(config, "requests", "resolve", "R-000002", "--approve", "4500.01", "--note", "x") == 1
    assert "never more than was paid" in capsys.readouterr().err
    assert run(config, "requests", "resolve", "R-000002", "--approve", "12.345", "--note", "x") == 1
    assert "more decimals" in capsys.readouterr().err
    assert [d.kind for d in waiting(sessions, "R-000002")] == ["review"]  # nothing changed
    assert run(config, "requests", "resolve", "R-000002", "--approve", "3000",
               "--note", "goodwill: the logo was half done") == 0
    with sessions() as session:
        record = session.scalars(select(DecisionRecord).order_by(DecisionRecord.id.desc())).first()
        assert record is not None and record.staff_note == "goodwill: the logo was half done"
        assert (record.refund_amount, record.fee, record.considered_amount) == (3000, 1500, 4500)
        assert record.trace[0]["rule"] == "staff-decision" and record.trace[1]["rule"] != "staff-decision"


def test_deny_cites_a_clause_of_the_policy(config: Path, sessions: sessionmaker[Session],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "requests", "resolve", "R-000002", "--deny", "no-such-rule") == 1
    assert "cite one of: ip-created, p2p-distribution" in capsys.readouterr().err
    assert run(config, "requests", "resolve", "R-000002", "--deny", "change-of-mind-substantial-use",
               "--note", "the logo was delivered") == 0
    [draft] = waiting(sessions, "R-000002")
    assert draft.kind == "deny" and "we cannot offer a refund" in draft.body_text
    assert "has not been substantially used or initiated" in draft.body_text
    [event] = events(sessions, "resolve:deny")
    assert event.detail["rule"] == "change-of-mind-substantial-use"
    assert "substantially used" in event.detail["clause"] and event.detail["note"] == "the logo was delivered"


def test_ask_for_evidence_and_free_text_in_the_customers_language(
        config: Path, sessions: sessionmaker[Session]) -> None:
    # R-000008 writes in French
    assert run(config, "requests", "resolve", "R-000008", "--ask", "evidence",
               "la date de fin du contrat") == 0
    [draft] = waiting(sessions, "R-000008")
    assert (draft.kind, draft.language) == ("needs_info", "fr")
    assert "la date de fin du contrat" in draft.body_text and draft.body_text.startswith("Bonjour")


def test_write_the_reply_yourself(config: Path, sessions: sessionmaker[Session], tmp_path: Path) -> None:
    reply = tmp_path / "reply.txt"
    reply.write_text("Dear Ayesha,\r\n\r\nWe will phone you tomorrow about the redesign.\r\n")
    assert run(config, "requests", "resolve", "R-000001", "--reply-file", str(reply),
               "--note", "phoned") == 0
    [draft] = waiting(sessions, "R-000001")
    assert draft.kind == "written" and draft.body_text == (
        "Dear Ayesha,\n\nWe will phone you tomorrow about the redesign.\n")
    assert "We will phone you tomorrow about the redesign.</p>" in draft.body_html


def test_a_viewer_may_not_decide(config: Path, sessions: sessionmaker[Session],
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "requests", "resolve", "R-000002", "--approve", "3600", who="viewer") == 1
    assert "may not resolve:grant" in capsys.readouterr().err
    assert [e.actor for e in events(sessions, "denied:resolve:grant")] == [STAFF["viewer"]]


def test_correct_the_reason_and_the_request_is_decided_again(
        config: Path, sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "requests", "set", "R-000004", "--reason", "nonsense") == 1
    assert "unknown reason 'nonsense'" in capsys.readouterr().err
    assert run(config, "requests", "set", "R-000004", "--reason", "dissatisfied", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    # R-000004 was denied as a change of mind outside the window; dissatisfied goes to review
    assert (shown["fact"], shown["outcome"], shown["refund_amount"]) == ("reason", "review", "3200.00")
    with sessions() as session:
        request = session.scalars(select(Request).where(Request.reference == "R-000004")).one()
        latest = request.decisions[-1]
        assert request.reason == "dissatisfied" and latest.decided_by is None
        assert latest.trace[0]["rule"] == "staff-correction"
        assert latest.trace[0]["facts"] == {"reason": "dissatisfied", "before": "change_of_mind",
                                            "staff": STAFF["approver"]}
    assert [d.decision_id for d in waiting(sessions, "R-000004")] == [latest.id]
    [event] = events(sessions, "set:reason")
    assert (event.detail["before"], event.detail["after"]) == ("change_of_mind", "dissatisfied")


def test_correct_the_order_and_the_language(config: Path, sessions: sessionmaker[Session],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "requests", "set", "R-000002", "--order", "KRZ-10063") == 1
    assert "belongs to another customer" in capsys.readouterr().err
    assert run(config, "requests", "set", "R-000002", "--order", "KRZ-99999") == 1
    assert "no order 'KRZ-99999'" in capsys.readouterr().err
    assert run(config, "requests", "set", "R-000002", "--language", "fr") == 0
    [draft] = waiting(sessions, "R-000002")
    assert draft.language == "fr" and draft.body_text.startswith("Bonjour")


def test_a_grant_above_the_tier_waits_for_a_second_approver(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = demo(tmp_path, 'second_approval_above = { ZAR = "3000.00" }')
    sessions = session_factory(make_engine(load_config(config).database_url))
    assert run(config, "requests", "resolve", "R-000002", "--approve", "3600") == 0
    [draft] = waiting(sessions, "R-000002")
    assert run(config, "queue", "approve", str(draft.id)) == 0
    assert "needs a second approver or an admin" in capsys.readouterr().out
    [still] = waiting(sessions, "R-000002")
    assert (still.state, still.first_approved_by) == ("draft", STAFF["approver"])
    assert run(config, "queue", "approve", str(draft.id)) == 1
    assert "you gave the first approval" in capsys.readouterr().err
    assert run(config, "queue", "approve", str(draft.id), who="second") == 0
    assert waiting(sessions, "R-000002") == []
    [first] = events(sessions, "approve:first")
    final = [e for e in events(sessions, "approve") if e.draft_id == draft.id]
    assert first.actor == STAFF["approver"]
    assert [(e.actor, e.detail["first_approved_by"]) for e in final] == [(STAFF["second"], STAFF["approver"])]
    # an admin alone is enough; a grant at or under the tier needs one approval
    assert run(config, "requests", "resolve", "R-000001", "--approve", "10000", who="admin") == 0
    [big] = waiting(sessions, "R-000001")
    assert run(config, "queue", "approve", str(big.id), who="admin") == 0
    assert waiting(sessions, "R-000001") == []
    assert run(config, "requests", "resolve", "R-000013", "--approve", "2560") == 0
    [small] = waiting(sessions, "R-000013")
    assert run(config, "queue", "approve", str(small.id)) == 0 and waiting(sessions, "R-000013") == []


def test_a_promise_that_has_passed_is_renewed_at_approval(
        config: Path, sessions: sessionmaker[Session]) -> None:
    # The demo's mail is from November 2026: the review note's "answer you by" date has passed.
    [draft] = waiting(sessions, "R-000002")
    assert draft.kind == "review" and "by November 10, 2026" in draft.body_text
    assert run(config, "queue", "approve", str(draft.id)) == 0
    with sessions() as session:
        approved = session.get(Draft, draft.id)
        assert approved is not None and approved.state == "approved"
        assert "November 10, 2026" not in approved.body_text
    [event] = events(sessions, "renew-promise")
    assert event.detail["before"] == "2026-11-10" and event.detail["after"] > "2026-11-10"


def test_overdue_counts_only_requests_waiting_on_staff_and_can_make_status_unhealthy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = demo(tmp_path, "overdue_unhealthy_above = 11")
    capsys.readouterr()
    assert main(["--config", str(config), "status", "--json"]) == 1
    status = json.loads(capsys.readouterr().out)
    # November 2026 mail, read in December: every open request is past its answer-by date
    before = status["responses_overdue"]
    assert (status["healthy"], status["overdue_unhealthy_above"], before) == (False, 11, 13)
    sessions = session_factory(make_engine(load_config(config).database_url))
    # answering: a denial approved, the wrong-channel note approved (no longer waiting on staff);
    # a "we are reviewing it" note approved is a promise, not an answer: still overdue
    for reference in ("R-000004", "R-000012", "R-000002"):
        [draft] = waiting(sessions, reference)
        assert run(config, "queue", "approve", str(draft.id)) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "status", "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert (after["healthy"], after["responses_overdue"]) == (True, before - 2)
