"""One rule says who writes as staff (own domain, not a relay): the wrong-channel guard and the
thread trust check read it from intake/guards, so they can never disagree."""

from __future__ import annotations

from pathlib import Path

import pytest

from base.config import MailboxConfig
from base.models import Request
from intake.guards import is_staff
from intake.guards.wrong_channel import wrong_channel
from intake.parse import parse_message
from intake.trust import may_join

SHOP = MailboxConfig(name="accounts", address="accounts@kreatorz.co.za", policy=Path("p.toml"),
                     language="en", after="leave", move_to=None, mark_seen=False, poll_interval=300,
                     trusted_relays=("forms@kreatorz.co.za",), imap=None, maildir=None)
CUSTOMER = "sam@example.com"


@pytest.mark.parametrize(("sender", "staff"), [
    ("ada@kreatorz.co.za", True),
    ("accounts@kreatorz.co.za", True),        # the mailbox's own address is on its domain too
    ("forms@kreatorz.co.za", False),          # the shop's web form: a relay, not staff
    ("ada@notkreatorz.co.za", False),         # a domain that merely ends the same way
    ("ada@kreatorz.co.za.example.com", False),
    ("ada@mail.kreatorz.co.za", False),       # a subdomain is another domain
    (CUSTOMER, False),
    ("", False),
])
def test_staff_is_the_own_domain_without_the_relays(sender: str, staff: bool) -> None:
    assert is_staff(sender, SHOP) is staff


def mail(sender: str, subject: str = "Fwd: refund [R-000001]") -> bytes:
    return (f"From: {sender}\r\nTo: accounts@kreatorz.co.za\r\nSubject: {subject}\r\n"
            "Message-ID: <x@example.com>\r\n\r\nPlease refund.\r\n").encode()


@pytest.mark.parametrize("sender", ["ada@kreatorz.co.za", "forms@kreatorz.co.za", "ada@notkreatorz.co.za"])
def test_the_guard_and_the_trust_check_agree_on_who_is_staff(sender: str) -> None:
    parsed = parse_message(mail(sender))
    verdict = wrong_channel(parsed, SHOP)
    request = Request(customer_email=CUSTOMER)
    staff = is_staff(sender, SHOP)
    assert (verdict is not None and verdict.detail.startswith("staff_forward")) is staff
    # an authenticated staff member may write into any request's thread; nobody else but the
    # customer (or a relay writing for the customer) may
    assert may_join(parsed, request, SHOP, authentication="pass") is staff
    assert not may_join(parsed, request, SHOP, authentication="none")


def test_a_staff_mail_is_forwarded_or_sent_by_its_subject() -> None:
    forwarded = wrong_channel(parse_message(mail("ada@kreatorz.co.za")), SHOP)
    sent = wrong_channel(parse_message(mail("ada@kreatorz.co.za", "Refund please")), SHOP)
    assert forwarded is not None and forwarded.detail == "staff_forward (forwarded by staff member ada@kreatorz.co.za)"
    assert sent is not None and sent.detail == "staff_forward (sent by staff member ada@kreatorz.co.za)"
