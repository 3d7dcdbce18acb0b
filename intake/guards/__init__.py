"""Classification guards: small named checks, each in a file of its own, that say why a message
is not a refund request (README, "What happens to an email"). intake/classify.py holds their
order, as a chain, and the threading step between them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from base.config import MailboxConfig
from intake.parse import ParsedMessage


@dataclass(frozen=True)
class Verdict:
    classification: str  # not_a_request | wrong_channel
    detail: str          # auto_reply | bounce | list | privacy | staff_forward | other_address


Guard = Callable[[ParsedMessage, MailboxConfig], Verdict | None]


def own_domain(mailbox: MailboxConfig) -> str:
    """The domain of the mailbox's own address, the one the shop's staff write from."""
    return mailbox.address.rsplit("@", 1)[-1]


def is_staff(sender: str, mailbox: MailboxConfig) -> bool:
    """A sender on the shop's own domain that is not one of its trusted relays (the shop's web
    form writes from the same domain, for a customer named in Reply-To)."""
    return sender.endswith("@" + own_domain(mailbox)) and sender not in mailbox.trusted_relays
