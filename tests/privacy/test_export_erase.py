"""The right to view and the right to erasure, through the real CLI, with roles and audit."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, or_, select

from base.models import AuditEvent, DecisionRecord, Draft, Message, Order, Request
from privacy import subject_rights
from privacy.anonymise import REMOVED
from tests.privacy.world import ALICE, BOB, BOUNCE_MARKER, STAFF, T0, World


def alice_rows(world: World) -> dict[str, int]:
    """How many rows of each kind the database holds about Alice, counted independently."""
    with world.sessions() as session:
        [request_id] = session.scalars(select(Request.id).where(Request.customer_email == ALICE.email))

        def count(model: type, *where: object) -> int:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        return {
            "requests": 1,
            "messages": count(Message, or_(Message.request_id == request_id, Message.sender == ALICE.email)),
            "decisions": count(DecisionRecord, DecisionRecord.request_id == request_id),
            "drafts": count(Draft, Draft.request_id == request_id),
            "orders": count(Order, Order.customer_email == ALICE.email),
            "audit_events": count(AuditEvent, AuditEvent.request_id == request_id),
        }


def test_export_returns_every_row_about_a_person_and_none_about_another(world: World) -> None:
    expected = alice_rows(world)
    # one reply per request: the decision's, which also acknowledges (issue 14)
    assert expected["drafts"] == 1 and expected["audit_events"] >= 2  # the edit and the approval
    result = world.cli("privacy", "export", ALICE.email.upper(), "--as", STAFF["admin"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    [request] = data["requests"]
    assert {"requests": len(data["requests"]), "messages": len(data["messages"]),
            "decisions": len(request["decisions"]), "drafts": len(request["drafts"]),
            "orders": len(data["orders"]), "audit_events": len(data["audit_events"])} == expected
    assert data["person"] == ALICE.email and request["sender"] == ALICE.email
    [message] = data["messages"]
    assert ALICE.marker in message["text"] and ALICE.street in message["text"]
    [attachment] = message["attachments"]
    assert attachment["filename"] == f"receipt-{ALICE.marker}.bin" and len(attachment["sha256"]) == 64
    assert "raw_base64" not in message  # contents only with --include-content
    assert request["decisions"][0]["refund_amount"] == "3600.00"
    assert data["orders"][0]["facts"]["billing_address"] == ALICE.street
    assert any(e["action"] == "edit" and ALICE.marker in e["detail"]["after"] for e in data["audit_events"])
    for other in (BOB.email, BOB.name, BOB.marker, BOB.order, BOB.street, BOUNCE_MARKER):
        assert other.lower() not in result.stdout.lower(), other
    with world.sessions() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy:export"))
    assert event.actor == STAFF["admin"] and event.detail["requests"] == [request["reference"]]
    assert event.detail["subject_sha256"] == subject_rights.subject_hash(ALICE.email)
    assert ALICE.email not in json.dumps(event.detail)  # the trail names people by hash only


def test_export_with_content_gives_back_the_bytes_as_received(world: World) -> None:
    result = world.cli("privacy", "export", ALICE.email, "--include-content", "--as", STAFF["admin"])
    assert result.returncode == 0, result.stderr
    [message] = json.loads(result.stdout)["messages"]
    assert ALICE.raw_marker.encode() in base64.b64decode(message["raw_base64"])
    assert base64.b64decode(message["attachments"][0]["content_base64"]) == f"receipt for {ALICE.marker}".encode()


def test_erase_leaves_no_trace_in_the_file_and_keeps_the_accounting_record(world: World) -> None:
    decisions = world.decisions()
    assert world.holds(ALICE.marker)
    result = world.cli("privacy", "erase", ALICE.email, "--yes", "--as", STAFF["admin"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "erased: 1 request(s) R-000001, 1 message(s), 1 order(s) without the address"
    assert lines[1].startswith("kept for the shop's accounting, without personal data: decisions, amounts")
    assert lines[2] == "storage: sqlite: vacuumed, write-ahead log emptied"
    for trace in (ALICE.marker, ALICE.raw_marker, ALICE.email, ALICE.name, ALICE.street):
        assert not world.holds(trace), trace
    for trace in (BOB.marker, BOB.raw_marker, BOB.email, BOB.name, BOB.street):
        assert world.holds(trace), trace
    assert world.decisions() == decisions
    with world.sessions() as session:
        order = session.scalar(select(Order).where(Order.order_id == ALICE.order))
        assert order is not None and (order.amount, order.currency) == (Decimal("4500.00"), "ZAR")
        assert order.ordered_at is not None and (order.customer_email, order.facts) == (REMOVED, {})
        drafts = list(session.scalars(select(Draft).join(Request).where(Request.reference == "R-000001")))
        assert {d.state for d in drafts} == {"rejected"}  # nothing goes out to an erased address
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy:erase"))
        assert event.actor == STAFF["admin"] and event.detail["erased"] == ["R-000001"]
        assert event.detail["subject_sha256"] == subject_rights.subject_hash(ALICE.email)
    export = world.cli("privacy", "export", ALICE.email, "--as", STAFF["admin"])
    assert json.loads(export.stdout)["requests"] == []  # nothing is about her any more


def test_erase_keeps_a_fraud_marked_request_and_says_why(world: World) -> None:
    marked = world.cli("requests", "mark-fraud", "R-000001", "--reason", "refund fraud ring",
                       "--as", STAFF["admin"])
    assert marked.returncode == 0, marked.stderr
    result = world.cli("privacy", "erase", ALICE.email, "--yes", "--json", "--as", STAFF["admin"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["erased"] == [] and data["orders_scrubbed"] == 0
    [kept] = data["kept"]
    assert kept["reference"] == "R-000001" and kept["until"].startswith(str(T0.year + 1))
    assert "fraud/misuse" in kept["why"] and "365 days" in kept["why"]
    assert world.holds(ALICE.marker) and world.holds(ALICE.raw_marker)


def test_a_viewer_cannot_erase_and_the_attempt_is_audited(world: World) -> None:
    for staff in (STAFF["viewer"], STAFF["approver"]):
        result = world.cli("privacy", "erase", ALICE.email, "--yes", "--as", staff)
        assert result.returncode == 1
        assert "may not erase: the admin role is needed" in result.stderr
        assert len(result.stderr.splitlines()) == 1
    refused = world.cli("privacy", "export", ALICE.email, "--as", STAFF["viewer"])
    assert refused.returncode == 1 and refused.stdout == ""
    assert world.holds(ALICE.marker)
    with world.sessions() as session:
        denied = [(e.actor, e.action) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("denied:%")).order_by(AuditEvent.id))]
    assert denied == [(STAFF["viewer"], "denied:erase"), (STAFF["approver"], "denied:erase"),
                      (STAFF["viewer"], "denied:export")]


def test_erase_asks_first(world: World) -> None:
    result = world.cli("privacy", "erase", ALICE.email, "--as", STAFF["admin"], stdin="n\n")
    assert result.returncode == 1
    assert f"Erase the personal data of {ALICE.email} (1 request(s))?" in result.stderr
    assert result.stderr.splitlines()[-1].endswith("error: not confirmed; nothing erased")
    assert world.holds(ALICE.marker)


def test_showing_a_request_or_message_from_the_cli_is_audited(world: World) -> None:
    env = {"REFUND_INTAKE_STAFF": STAFF["viewer"]}
    assert world.cli("requests", "show", "R-000001", "--json", env=env).returncode == 0
    with world.sessions() as session:
        message_id = session.scalar(select(Message.id).where(Message.sender == ALICE.email))
    assert world.cli("messages", "show", str(message_id), env=env).returncode == 0
    with world.sessions() as session:
        views = [(e.actor, e.request_id, e.detail["what"]) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "view").order_by(AuditEvent.id))]
    assert views == [(STAFF["viewer"], 1, "request R-000001"), (STAFF["viewer"], 1, f"message {message_id}")]


def test_importing_the_orders_again_does_not_undo_an_erasure(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert world.cli("privacy", "erase", ALICE.email, "--yes", "--as", STAFF["admin"]).returncode == 0
    capsys.readouterr()
    world.import_orders(ALICE, BOB)  # the shop's next export still has her address
    assert "0 order(s) added, 1 updated, 1 kept without the address (the customer was erased)" \
        in capsys.readouterr().out
    with world.sessions() as session:
        orders = {o.order_id: o for o in session.scalars(select(Order))}
    assert (orders[ALICE.order].customer_email, orders[ALICE.order].facts) == (REMOVED, {})
    assert orders[ALICE.order].amount == Decimal("4500.00")
    assert orders[BOB.order].customer_email == BOB.email.lower()
    assert not world.holds(ALICE.email)


def test_policy_simulate_leaves_anonymised_requests_out(world: World) -> None:
    """An erased request lost the facts it was decided on; deciding it again would only show a
    change that means nothing."""
    policy = str(Path(world.config.mailboxes[0].policy))
    before = world.cli("policy", "simulate", policy)
    assert before.returncode == 0 and "0 decision(s) would change" in before.stdout
    assert world.cli("privacy", "erase", ALICE.email, "--yes", "--as", STAFF["admin"]).returncode == 0
    after = world.cli("policy", "simulate", policy)
    assert after.returncode == 0, after.stderr
    assert after.stdout.splitlines()[-1].endswith(
        "0 decision(s) would change under kreatorz 2024-11-11 (1 anonymised request(s) left out)")
