"""Drafting: which replies a request gets, threaded under the customer's email, once."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config
from base.models import AuditEvent, Draft, Request
from replies.draft import draft_replies, reply_subject, thread_references
from tests.replies.builders import (
    ACCOUNTS,
    RECEIVED,
    add_decision,
    add_message,
    add_request,
    write_config,
)

NOW = RECEIVED + timedelta(minutes=5)


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Config:
    return write_config(tmp_path, db_url)


def kinds(drafts: list[Draft]) -> list[str]:
    return [d.kind for d in drafts]


def test_acknowledgement_is_threaded_under_the_customer_message(
        sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        request = add_request(session, references=("<first@example.com>",))
        [ack] = draft_replies(session, config, request, None, NOW)
        assert ack.kind == "acknowledgement" and ack.state == "draft" and not ack.auto_send
        assert ack.subject == f"Re: Refund for order KRZ-10042 [{request.reference}]"
        assert ack.in_reply_to == "<req-1@example.com>"
        assert ack.references == ["<first@example.com>", "<req-1@example.com>"]
        assert (ack.from_address, ack.to_address) == (ACCOUNTS, "sam@example.com")
        assert ack.message_id.startswith("<") and ack.message_id.endswith("@kreatorz.co.za>")
        assert request.reference and request.reference in ack.body_text
        # Received Monday 09:30 in Johannesburg; kreatorz answers within 3 business days, and
        # Wednesday 4 November 2026 is a public holiday there (local government elections).
        assert "We received it on November 2, 2026, 9:30\u202fAM (South Africa Standard Time)" in ack.body_text
        assert "by November 6, 2026 at the latest (within 3 business days)" in ack.body_text
        assert "> I changed my mind about order KRZ-10042. Please refund me." in ack.body_text


def test_the_latest_customer_message_is_the_one_answered(
        sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        request = add_request(session)
        add_message(session, request, text="Any news?", message_id="<req-2@example.com>",
                    references=("<req-1@example.com>",), received_at=RECEIVED + timedelta(hours=1))
        [reply] = draft_replies(session, config, request, add_decision(session, request, "review"), NOW)
        assert reply.kind == "review" and reply.in_reply_to == "<req-2@example.com>"
        assert reply.references == ["<req-1@example.com>", "<req-2@example.com>"]
        assert "> Any news?" in reply.body_text


@pytest.mark.parametrize(("subject", "expected"), [
    ("Refund please", "Re: Refund please [R-000007]"),
    ("RE: Fwd: re:Refund please [R-000007]", "Re: Refund please [R-000007]"),
    ("Re: [R-000007] Re: Refund please", "Re: Refund please [R-000007]"),
    ("AW: Rückerstattung", "Re: Rückerstattung [R-000007]"),
    ("", "Re: Your refund request [R-000007]"),
    ("Re:   ", "Re: Your refund request [R-000007]"),
    ("line\r\nBcc: victim@example.com", "Re: line Bcc: victim@example.com [R-000007]"),
])
def test_reply_subject_carries_one_re_and_one_token(subject: str, expected: str) -> None:
    assert reply_subject(subject, "R-000007", "en") == expected


@pytest.mark.parametrize("language, expected", [
    ("fr", "Re: Votre demande de remboursement [R-000007]"),
    ("de", "Re: Ihr Erstattungsantrag [R-000007]"),
    ("es", "Re: Su solicitud de reembolso [R-000007]"),
    ("ko", "Re: 환불 요청 [R-000007]"),
    ("vi", "Re: Your refund request [R-000007]"),  # no templates: the replies are in English
])
def test_fallback_subject_in_the_reply_language(language: str, expected: str) -> None:
    assert reply_subject("", "R-000007", language) == expected


def test_a_long_references_chain_keeps_its_first_and_latest_ids(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        refs = tuple(f"<m{i}@example.com>" for i in range(30))
        request = add_request(session, references=refs)
        chain = thread_references(request.messages[-1])
        assert len(chain) == 20 and chain[0] == "<m0@example.com>" and chain[-1] == "<req-1@example.com>"


@pytest.mark.parametrize(("outcome", "language", "expected"), [
    ("approve", "en", ["We will refund ZAR3,600.00.", "Refunds within 7 days of purchase."]),
    ("approve", "fr", ["Nous vous rembourserons 3\u202f600,00\xa0ZAR.", "« Refunds within 7 days of purchase. »"]),
    ("deny", "en", ["we cannot offer a refund", '"Refunds within 7 days of purchase."']),
    ("deny", "fr", ["pas pouvoir vous accorder de remboursement"]),
    ("review", "en", ["answer you by November 20, 2026 at the latest"]),
    ("review", "fr", ["au plus tard le 20 novembre 2026"]),
])
def test_a_decision_gets_the_draft_for_its_outcome(
        sessions: sessionmaker[Session], config: Config, outcome: str, language: str,
        expected: list[str]) -> None:
    with sessions() as session:
        request = add_request(session, language=language)
        decision = add_decision(session, request, outcome, deadline=date(2026, 11, 20))
        [reply] = draft_replies(session, config, request, decision, NOW)  # one reply waits
        assert (reply.kind, reply.decision_id, reply.language) == (outcome, decision.id, language)
        for text in expected:
            assert text in reply.body_text


def test_needs_info_lists_exactly_what_is_missing(sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        request = add_request(session)
        decision = add_decision(session, request, "needs_info", refund=None, considered=None,
                                missing=("order_reference", "evidence"))
        [reply] = draft_replies(session, config, request, decision, NOW)
        items = [line for line in reply.body_text.splitlines() if line.startswith("  - ")]
        assert items == ["  - your order number (it is on your order confirmation and on your invoice)",
                         "  - a photo, screenshot or document that shows the problem, attached to your reply"]


def test_a_dispute_is_acknowledged_with_the_dispute_steps(
        sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        request = add_request(session, reason="dispute", language="fr")
        [reply] = draft_replies(session, config, request, None, NOW)
        assert reply.kind == "dispute"
        for step in ("Accord entre vous et nous", "répond sous 5 jours ouvrés", "Médiation externe"):
            assert step in reply.body_text


def test_a_dispute_under_review_gets_one_reply_the_dispute_steps(
        sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        request = add_request(session, reason="dispute")
        decision = add_decision(session, request, "review", refund=None, considered=None)
        [reply] = draft_replies(session, config, request, decision, NOW)
        assert (reply.kind, reply.decision_id) == ("dispute", decision.id)
        assert draft_replies(session, config, request, decision, NOW) == []  # drafting again
        denied = add_decision(session, request, "deny")
        [deny] = draft_replies(session, config, request, denied, NOW)
        assert reply.state == "rejected" and deny.kind == "deny"
        assert "We received your request on" in deny.body_text  # no acknowledgement went out


def test_wrong_channel_tells_the_accounts_address(sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        request = add_request(session, kind="wrong_channel")
        [reply] = draft_replies(session, config, request, None, NOW)
        assert reply.kind == "wrong_channel" and f"\n  {ACCOUNTS}\n" in reply.body_text


def test_a_duplicate_points_to_the_original(sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        original = add_request(session)
        duplicate = add_request(session, kind="duplicate", duplicate_of=original,
                                message_id="<again@example.com>", received_at=RECEIVED + timedelta(days=1))
        [reply] = draft_replies(session, config, duplicate, None, NOW + timedelta(days=1))
        assert reply.kind == "duplicate" and reply.in_reply_to == "<again@example.com>"
        assert f"We already have your refund request {original.reference}, received on November 2" in reply.body_text
        assert "We will answer you by November 6, 2026" in reply.body_text  # the original's deadline


def test_privacy_requests_and_bad_addresses_get_nothing(
        sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        assert draft_replies(session, config, add_request(session, kind="privacy"), None, NOW) == []
        bad = add_request(session, customer="not an address", message_id="<x@example.com>")
        assert draft_replies(session, config, bad, None, NOW) == []


def test_drafting_twice_adds_nothing(sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        request = add_request(session)
        decision = add_decision(session, request, "approve")
        assert kinds(draft_replies(session, config, request, decision, NOW)) == ["approve"]
        assert draft_replies(session, config, request, decision, NOW) == []
        redecided = add_decision(session, request, "deny")
        assert kinds(draft_replies(session, config, request, redecided, NOW)) == ["deny"]


def test_the_decision_replaces_a_waiting_acknowledgement_and_says_what_it_said(
        sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        request = add_request(session)
        [ack] = draft_replies(session, config, request, None, NOW)
        registered = f"registered it under the reference {request.reference}"
        assert registered in ack.body_text
        [reply] = draft_replies(session, config, request, add_decision(session, request), NOW)
        assert (ack.state, ack.decided_by) == ("rejected", "system")
        assert "replaced by the newer approve reply" in (ack.note or "")
        assert "We received your request on November 2, 2026" in reply.body_text
        assert f"under the reference {request.reference}" in reply.body_text
        newer = add_decision(session, request, "deny")
        [deny] = draft_replies(session, config, request, newer, NOW)
        assert reply.state == "rejected" and deny.state == "draft"
        waiting = session.scalars(select(Draft).where(Draft.request_id == request.id,
                                                      Draft.state == "draft")).all()
        assert waiting == [deny]
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "supersede")).all()
        assert [(e.actor, e.detail["kind"], e.detail["by_kind"]) for e in events] == [
            ("system", "acknowledgement", "approve"), ("system", "approve", "deny")]


def test_a_reply_after_a_sent_acknowledgement_does_not_repeat_it(
        sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        request = add_request(session)
        [ack] = draft_replies(session, config, request, None, NOW)
        ack.state = "sent"
        [reply] = draft_replies(session, config, request, add_decision(session, request), NOW)
        assert "We received your request on" not in reply.body_text
        assert ack.state == "sent"


def test_one_acknowledgement_per_sender_per_day(sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        first = add_request(session)
        second = add_request(session, customer="SAM@example.com", message_id="<req-2@example.com>")
        assert kinds(draft_replies(session, config, first, None, NOW)) == ["acknowledgement"]
        decision = add_decision(session, second, "approve")
        # Same Johannesburg day (23:59 local): no second acknowledgement, the decision still drafts.
        late = NOW.replace(hour=21, minute=59)
        assert kinds(draft_replies(session, config, second, decision, late)) == ["approve"]
        skipped = session.scalars(select(AuditEvent).where(AuditEvent.action == "skip:acknowledgement")).all()
        assert [e.request_id for e in skipped] == [second.id]
        third = add_request(session, message_id="<req-3@example.com>")
        next_day = NOW.replace(hour=22, minute=0)  # 00:00 the next day in Johannesburg
        assert kinds(draft_replies(session, config, third, None, next_day)) == ["acknowledgement"]
        other = add_request(session, customer="kim@example.com", message_id="<req-4@example.com>")
        assert kinds(draft_replies(session, config, other, None, late)) == ["acknowledgement"]


def test_a_later_reply_is_never_acknowledged(sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        first = add_request(session)
        second = add_request(session, message_id="<req-2@example.com>")
        draft_replies(session, config, first, None, NOW)
        assert draft_replies(session, config, second, None, NOW) == []  # same sender, same day
        add_message(session, second, text="Here is my order number.", message_id="<req-3@example.com>",
                    received_at=RECEIVED + timedelta(days=1))
        decision = add_decision(session, second, "approve")
        [reply] = draft_replies(session, config, second, decision, NOW + timedelta(days=1))
        assert reply.kind == "approve" and reply.in_reply_to == "<req-3@example.com>"


def test_acknowledgements_may_go_without_approval_when_configured(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session]) -> None:
    config = write_config(tmp_path, db_url, replies="auto_send_acknowledgements = true")
    with sessions() as session:
        request = add_request(session)
        ack, reply = draft_replies(session, config, request, add_decision(session, request), NOW)
        assert (ack.state, ack.auto_send, ack.decided_by) == ("approved", True, "auto")
        assert (reply.state, reply.auto_send) == ("draft", False)
        assert "We received your request on" not in reply.body_text  # the ack said it
        [event] = session.scalars(select(AuditEvent)).all()
        assert (event.actor, event.action, event.draft_id) == ("auto", "approve", ack.id)


def test_unknown_language_falls_back_to_the_mailbox_language(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session]) -> None:
    config = write_config(tmp_path, db_url, language="fr")
    with sessions() as session:
        [ack] = draft_replies(session, config, add_request(session, language="vi"), None, NOW)
        assert ack.language == "fr" and ack.body_text.startswith("Bonjour Sam Sample,")


def test_customer_text_is_quoted_inert(sessions: sessionmaker[Session], config: Config) -> None:
    hostile = "{{ config }} {{ 7*7 }}\n<script>alert(1)</script><img src=x onerror=alert(2)>"
    with sessions() as session:
        request = add_request(session, subject="{{ 7*7 }} <b>refund</b>", text=hostile,
                              sender_name="{{ config.items() }}")
        [ack] = draft_replies(session, config, request, None, NOW)
        assert ack.subject == f"Re: {{{{ 7*7 }}}} <b>refund</b> [{request.reference}]"
        assert ack.body_text.startswith("Hello {{ config.items() }},")
        assert "> {{ config }} {{ 7*7 }}\n> <script>alert(1)</script><img src=x onerror=alert(2)>" in ack.body_text
        assert "49" not in ack.body_text and "<script>" not in ack.body_html
        assert "&lt;img src=x onerror=alert(2)&gt;" in ack.body_html


def test_drafts_are_kept_with_the_request(sessions: sessionmaker[Session], config: Config) -> None:
    with sessions() as session:
        request = add_request(session)
        draft_replies(session, config, request, add_decision(session, request), NOW)
        session.commit()
    with sessions() as session:
        stored = session.scalars(select(Draft).order_by(Draft.id)).all()
        assert [(d.kind, d.state, d.request_id) for d in stored] == [("approve", "draft", 1)]
        assert stored[0].message_id.endswith("@kreatorz.co.za>")
        assert session.get(Request, 1) is not None


@pytest.mark.parametrize(("language", "words"), [
    ("en", "An order is cancelled in our app or on our website, not by email"),
    ("fr", "Une commande s'annule dans notre application ou sur notre site"),
])
def test_a_cancel_in_app_answer_tells_how_to_cancel_and_quotes_the_clause(
        sessions: sessionmaker[Session], config: Config, language: str, words: str) -> None:
    clause = "Buyers should initiate the cancellation process through the Kajet platform or app"
    with sessions() as session:
        request = add_request(session, language=language)
        draft_replies(session, config, request, None, NOW)
        decision = add_decision(session, request, "cancel_in_app", refund=None, considered=None, fee=None,
                                trace=[{"rule": "cancel-in-app-first", "clause": clause, "verdict": "miss",
                                        "code": "not_recorded", "facts": {}, "effect": "redirect",
                                        "note": None}])
        [reply] = draft_replies(session, config, request, decision, NOW)
        assert (reply.kind, reply.decision_id, reply.language) == ("cancel_in_app", decision.id, language)
        assert words in reply.body_text and clause in reply.body_text
        assert "KRZ-10042" in reply.body_text and request.reference in reply.body_text
