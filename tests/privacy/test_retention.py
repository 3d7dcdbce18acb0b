"""Retention with a fixed clock: what purge removes, when, and that it is gone from the file."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from base.models import Attachment, AuditEvent, Message, Order, RawMessage, Request
from privacy import retention as privacy
from privacy.anonymise import REMOVED
from refund_intake.privacy_commands import run_purge
from tests.privacy.world import ALICE, BOB, BOUNCE_MARKER, STAFF, T0, Person, World

CLOSED = T0 + timedelta(days=3)




def close(world: World, person: Person, when: object = CLOSED) -> None:
    with world.sessions.begin() as session:
        request = session.scalar(select(Request).where(Request.customer_email == person.email))
        assert request is not None
        privacy.close_request(session, request, STAFF["approver"], when)  # type: ignore[arg-type]


def mark_fraud(world: World, person: Person, when: object = CLOSED) -> None:
    with world.sessions.begin() as session:
        request = session.scalar(select(Request).where(Request.customer_email == person.email))
        assert request is not None
        privacy.mark_fraud(session, request, STAFF["admin"], "second chargeback on a used service",
                           when)  # type: ignore[arg-type]


def test_raw_mail_and_attachments_leave_the_file_after_the_configured_days(world: World) -> None:
    close(world, ALICE)
    decisions = world.decisions()
    assert world.holds(ALICE.raw_marker) and world.holds(f"receipt for {ALICE.marker}")

    early = run_purge(world.engine, world.sessions, world.config, CLOSED + timedelta(days=29, hours=23))
    assert early.raw_purged == 1 and world.holds(ALICE.raw_marker)  # only the bounce: older

    report = run_purge(world.engine, world.sessions, world.config, CLOSED + timedelta(days=30))
    assert (report.raw_purged, report.attachments_purged, report.requests_anonymised) == (1, 1, [])
    assert report.storage == "sqlite: vacuumed, write-ahead log emptied"
    assert not world.holds(ALICE.raw_marker)
    assert not world.holds(f"receipt for {ALICE.marker}")
    assert world.holds(BOB.raw_marker) and world.holds(f"receipt for {BOB.marker}")  # still open
    assert world.decisions() == decisions
    with world.sessions() as session:
        message = session.scalar(select(Message).where(Message.sender == ALICE.email))
        assert message is not None and message.raw.content is None
        assert len(message.raw_sha256) == 64 and message.size > 0  # the evidence trail stays
        [attachment] = message.attachments
        assert attachment.content is None and attachment.size == len(f"receipt for {ALICE.marker}")
        assert len(attachment.sha256) == 64
        assert ALICE.marker in message.text_body  # personal data is kept longer than raw bytes


def test_a_closed_request_is_anonymised_keeping_decision_amounts_and_policy(world: World) -> None:
    close(world, ALICE)
    decisions = world.decisions()
    reference = world.reference_of(ALICE)

    run_purge(world.engine, world.sessions, world.config, CLOSED + timedelta(days=89))
    assert world.holds(ALICE.marker) and world.holds(ALICE.email)

    report = run_purge(world.engine, world.sessions, world.config, CLOSED + timedelta(days=90))
    assert report.requests_anonymised == [reference]
    for trace in (ALICE.marker, ALICE.email, ALICE.name, ALICE.street):
        assert not world.holds(trace), trace
    for trace in (BOB.marker, BOB.email, BOB.name, BOB.street):
        assert world.holds(trace), trace
    assert world.decisions() == decisions  # outcome, amount, fee and policy version, per request
    assert ("R-000001", "review", "3600.0000", "900.0000", "2024-11-11") in decisions
    with world.sessions() as session:
        request = session.scalar(select(Request).where(Request.reference == reference))
        assert request is not None
        assert (request.customer_email, request.subject) == (REMOVED, REMOVED)
        assert request.received_at == T0 and request.closed_at == CLOSED
        assert request.anonymised_at == CLOSED + timedelta(days=90)
        order = session.scalar(select(Order).where(Order.order_id == ALICE.order))
        assert order is not None and order.amount == Decimal("4500.00") and order.currency == "ZAR"
        assert order.customer_email == REMOVED and order.facts == {}
        edit = session.scalar(select(AuditEvent).where(AuditEvent.action == "edit"))
        assert edit is not None and edit.detail == {"before": REMOVED, "after": REMOVED}


def test_a_fraud_marked_request_survives_until_one_year_after_the_marking(world: World) -> None:
    mark_fraud(world, ALICE)
    close(world, BOB)
    reference, bobs = world.reference_of(ALICE), world.reference_of(BOB)

    report = run_purge(world.engine, world.sessions, world.config, CLOSED + timedelta(days=364))
    assert report.held_for_fraud == [reference]
    assert report.requests_anonymised == [bobs]  # the one not marked went at 90 days
    for trace in (ALICE.raw_marker, ALICE.marker, ALICE.email, ALICE.street):
        assert world.holds(trace), trace
    assert not world.holds(BOB.marker)

    report = run_purge(world.engine, world.sessions, world.config, CLOSED + timedelta(days=365))
    assert report.held_for_fraud == [] and report.requests_anonymised == [reference]
    for trace in (ALICE.raw_marker, ALICE.marker, ALICE.email, ALICE.street):
        assert not world.holds(trace), trace
    with world.sessions() as session:
        request = session.scalar(select(Request).where(Request.reference == reference))
        assert request is not None and request.fraud_reason == REMOVED
        assert request.fraud_marked_at == CLOSED and request.decisions[-1].refund_amount is not None


def test_mail_without_a_request_goes_by_its_receipt_time(world: World) -> None:
    arrived = T0 + timedelta(hours=2)
    assert run_purge(world.engine, world.sessions, world.config,
                     arrived + timedelta(days=30) - timedelta(seconds=1)).raw_purged == 0
    assert run_purge(world.engine, world.sessions, world.config, arrived + timedelta(days=30)).raw_purged == 1
    assert world.holds(BOUNCE_MARKER)  # the parsed text stays until the personal-data period
    report = run_purge(world.engine, world.sessions, world.config, arrived + timedelta(days=90))
    assert report.messages_anonymised == 1 and report.requests_anonymised == []
    assert not world.holds(BOUNCE_MARKER)
    assert world.holds(ALICE.raw_marker)  # open requests are never touched


def test_dry_run_reports_without_changing_anything(world: World) -> None:
    close(world, ALICE)
    before = world.file_bytes()
    report = run_purge(world.engine, world.sessions, world.config, CLOSED + timedelta(days=400), dry_run=True)
    assert report.dry_run and report.requests_anonymised == [world.reference_of(ALICE)]
    assert report.raw_purged == 2 and report.attachments_purged == 1 and report.storage is None
    with world.sessions() as session:
        assert session.scalar(select(RawMessage).where(RawMessage.content.is_(None))) is None
        assert session.scalar(select(Attachment).where(Attachment.content.is_(None))) is None
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy:purge")) is None
    assert world.holds(ALICE.raw_marker) and len(world.file_bytes()) >= len(before) // 2


def test_purge_from_the_cli_as_of_a_date(world: World) -> None:
    result = world.cli("requests", "close", world.reference_of(ALICE), "--as", STAFF["approver"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"closed: {world.reference_of(ALICE)}"
    later = "2030-01-01T00:00:00+00:00"
    preview = world.cli("purge", "--dry-run", "--as-of", later, "--json")
    assert preview.returncode == 0, preview.stderr
    assert json.loads(preview.stdout)["requests_anonymised"] == [world.reference_of(ALICE)]
    assert world.holds(ALICE.marker)
    done = world.cli("purge", "--as-of", later)
    assert done.returncode == 0, done.stderr
    assert "anonymised: 1 request(s) R-000001" in done.stdout
    assert "storage: sqlite: vacuumed, write-ahead log emptied" in done.stdout
    assert not world.holds(ALICE.marker) and world.holds(BOB.marker)
    with world.sessions() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy:purge"))
        assert event.detail["requests"] == ["R-000001"] and event.actor == "purge"


def test_closing_and_marking_need_their_roles_and_are_audited(world: World) -> None:
    reference = world.reference_of(ALICE)
    refused = world.cli("requests", "close", reference, "--as", STAFF["viewer"])
    assert refused.returncode == 1
    assert refused.stderr.strip() == (f"refund-intake: error: {STAFF['viewer']} (viewer) may not "
                                      "close: the approver role is needed")
    refused = world.cli("requests", "mark-fraud", reference, "--reason", "stolen card",
                        "--as", STAFF["approver"])
    assert refused.returncode == 1 and "the admin role is needed" in refused.stderr
    marked = world.cli("requests", "mark-fraud", reference, "--reason", "stolen card",
                       "--as", STAFF["admin"])
    assert marked.returncode == 0, marked.stderr
    assert marked.stdout.startswith(f"{reference} marked as fraud/misuse; kept until ")
    with world.sessions() as session:
        request = session.scalar(select(Request).where(Request.reference == reference))
        assert request is not None and request.status == "closed" and request.closed_at is not None
        assert (request.fraud_reason, request.fraud_marked_by) == ("stolen card", STAFF["admin"])
        actions = [(e.actor, e.action) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.request_id == request.id).order_by(AuditEvent.id))]
    assert (STAFF["viewer"], "denied:close") in actions
    assert (STAFF["approver"], "denied:mark-fraud") in actions
    assert (STAFF["admin"], "mark-fraud") in actions
