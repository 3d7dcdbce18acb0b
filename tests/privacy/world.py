"""A refunds mailbox with two customers, run through the real intake into a real SQLite file.

Every time is fixed: mail arrives at the delivery times in the Maildir file names, and the
privacy functions are given `now` explicitly.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config, load_config
from base.db import make_engine, session_factory, upgrade
from base.models import DecisionRecord, Draft, Request, StaffUser
from base.policies import policies_by_mailbox
from base.vault import open_vault
from pipeline.poll import PollContext, poll_all
from refund_intake.decision_commands import orders_import
from replies.approval import approve
from replies.draft import draft_replies
from staff.accounts import get_staff

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = "accounts@kreatorz.co.za"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # when the customers write
STAFF = {"viewer": "vera@kreatorz.co.za", "approver": "amir@kreatorz.co.za",
         "admin": "ada@kreatorz.co.za"}
KEY_ENV = "REFUND_INTAKE_TEST_ENCRYPTION_KEY"
ORDER_COLUMNS = ("order_id,customer_email,amount,currency,ordered_at,service_type,is_package,"
                 "web_based,service_url,recurring,billing_basis,service_started_at,work_commenced,"
                 "ip_created,final_approval_given,services_rendered,chargeback_failed,p2p_distributed,"
                 "hours_included,hours_worked,billing_address")


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    order: str
    marker: str  # in the body, subject, attachment name and content: unique to this person
    street: str  # a postal address, in an order fact and in the mail's text

    @property
    def raw_marker(self) -> str:
        """Only in a header of the raw bytes: never parsed into any column."""
        return f"RAWONLY-{self.marker}"


ALICE = Person("alice.moyo@example.com", "Alice Moyo", "KRZ-20001", "ZQXALICE7F3A",
               "12 Jacaranda Street Pretoria")
BOB = Person("bob.naidoo@example.org", "Bob Naidoo", "KRZ-20002", "ZQXBOB9C1D",
             "4 Protea Road Durban")


def customer_mail(person: Person, serial: int, *, marker_suffix: str = "") -> bytes:
    marker = person.marker + marker_suffix
    message = EmailMessage()
    message["From"] = f"{person.name} <{person.email}>"
    message["To"] = ACCOUNTS
    message["Subject"] = f"Refund for {person.order} {marker}"
    message["Message-ID"] = f"<{person.order.lower()}-{serial}-{marker.lower()}@mail.example>"
    message["Date"] = "Mon, 2 Nov 2026 11:00:00 +0200"
    message["X-Trace"] = person.raw_marker + marker_suffix
    message.set_content(f"Hello,\n\nI have changed my mind about order {person.order} and no longer need "
                        f"it. Please cancel it and refund me.\n\nKind regards,\n{person.name}\n"
                        f"{person.street}\nReference {marker}\n")
    message.add_attachment(f"receipt for {marker}".encode(), maintype="application",
                           subtype="octet-stream", filename=f"receipt-{marker}.bin")
    message.set_boundary(f"boundary-{serial}")  # the same bytes every time
    return message.as_bytes()


def auto_reply(serial: int, marker: str) -> bytes:
    message = EmailMessage()
    message["From"] = "mailer-daemon@relay.example.net"
    message["To"] = ACCOUNTS
    message["Subject"] = f"Delivery Status Notification {marker}"
    message["Message-ID"] = f"<bounce-{serial}@relay.example.net>"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(f"Your message could not be delivered. {marker}\n")
    return message.as_bytes()


def order_row(person: Person, started: datetime) -> str:
    return (f"{person.order},{person.email},4500.00,ZAR,2026-10-28T14:20:00+02:00,Branding,false,"
            f"false,,false,,{started.isoformat()},false,false,false,false,false,false,15,0,{person.street}")


class World:
    """The files of one test: a Maildir, a config, a migrated SQLite database."""

    def __init__(self, root: Path, *, encryption: bool = False) -> None:
        self.root = root
        self.serial = 0
        for sub in ("cur", "new", "tmp"):
            (root / "md" / sub).mkdir(parents=True, exist_ok=True)
        key = f'encryption_key_env = "{KEY_ENV}"' if encryption else ""
        self.config_path = root / "config.toml"
        self.config_path.write_text(f"""
[database]
url = "sqlite:///privacy.db"
[[mailbox]]
name = "accounts"
address = "{ACCOUNTS}"
policy = "{ROOT / 'policies' / 'kreatorz.toml'}"
[mailbox.maildir]
path = "md"
[privacy]
raw_retention_days = 30
personal_data_retention_days = 90
fraud_retention_days = 365
{key}
""")
        self.db_path = root / "privacy.db"
        self.config: Config = load_config(self.config_path)
        upgrade(self.config.database_url)
        self.engine: Engine = make_engine(self.config.database_url)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # --- what happens in the mailbox and at the desk -------------------------------------------
    def deliver(self, raw: bytes, received_at: datetime) -> None:
        self.serial += 1
        name = f"{int(received_at.timestamp())}.M{self.serial}P1.test"
        (self.root / "md" / "new" / name).write_bytes(raw)

    def poll(self) -> None:
        context = PollContext(self.engine, self.sessions, self.config,
                              policies=policies_by_mailbox(self.config),
                              vault=open_vault(self.config, self.sessions))
        [report] = poll_all(context)
        assert report.ok, report.error

    def import_orders(self, *people: Person) -> None:
        csv = self.root / "orders.csv"
        csv.write_text("\n".join([ORDER_COLUMNS, *(order_row(p, T0 - timedelta(days=3)) for p in people)]) + "\n")
        assert orders_import(self.config, argparse.Namespace(file=csv)) == 0

    def add_staff(self) -> None:
        """The CLI names staff with --as and never asks for a password: skip the slow hashing."""
        with self.sessions.begin() as session:
            for role, email in STAFF.items():
                session.add(StaffUser(email=email, password_hash="(not used by the CLI)", role=role))

    def draft_all(self, now: datetime) -> None:
        with self.sessions.begin() as session:
            for request in session.scalars(select(Request).order_by(Request.id)):
                decision = request.decisions[-1] if request.decisions else None
                draft_replies(session, self.config, request, decision, now)

    # --- looking at the results ----------------------------------------------------------------
    def file_bytes(self) -> bytes:
        """The database file and its write-ahead log, as they lie on the disk."""
        data = self.db_path.read_bytes()
        wal = self.db_path.with_name(self.db_path.name + "-wal")
        return data + (wal.read_bytes() if wal.exists() else b"")

    def holds(self, text: str) -> bool:
        """Whether the text lies anywhere in the database file or its WAL (any letter case)."""
        return text.lower().encode() in self.file_bytes().lower()

    def reference_of(self, person: Person) -> str:
        with self.sessions() as session:
            request = session.scalars(select(Request).where(Request.customer_email == person.email)
                                      .order_by(Request.id)).first()
            assert request is not None and request.reference, f"no request of {person.email}"
            return request.reference

    def decisions(self) -> list[tuple[str, str, str | None, str | None, str]]:
        with self.sessions() as session:
            return [(d.request.reference or "", d.outcome, str(d.refund_amount), str(d.fee),
                     d.policy_version) for d in session.scalars(select(DecisionRecord).order_by(DecisionRecord.id))]

    def cli(self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None,
            unset: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in unset}
        return subprocess.run(
            [sys.executable, "-m", "refund_intake.cli", "--config", str(self.config_path), *args],
            capture_output=True, text=True, timeout=120, input=stdin, env=environment, cwd=self.root,
            check=False)



BOUNCE_MARKER = "ZQXBOUNCE5E2B"


def seed(world: World) -> None:
    """Alice and Bob each write once (with an attachment); a bounce arrives; every request is
    decided and drafted; an approver edits Alice's reply (audited before/after)."""
    world.import_orders(ALICE, BOB)
    world.add_staff()
    world.deliver(customer_mail(ALICE, 1), T0)
    world.deliver(customer_mail(BOB, 2), T0 + timedelta(hours=1))
    world.deliver(auto_reply(3, BOUNCE_MARKER), T0 + timedelta(hours=2))
    world.poll()
    world.draft_all(T0 + timedelta(hours=3))
    with world.sessions.begin() as session:
        draft = session.scalars(select(Draft).join(Request).where(
            Request.customer_email == ALICE.email).order_by(Draft.id)).first()
        assert draft is not None
        staff = get_staff(session, STAFF["approver"])
        assert staff is not None
        approve(session, draft.id, staff, draft.body_text + f"\nP.S. about {ALICE.marker}\n")
