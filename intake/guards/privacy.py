"""A message about the customer's own personal data goes to staff, not to the refund rules."""

from __future__ import annotations

import re

from base.config import MailboxConfig
from intake.guards import Verdict
from intake.parse import ParsedMessage

_PRIVACY = re.compile(
    r"(personal (data|information)|my data|gdpr|popia|données personnelles|mes données|rgpd)",
    re.IGNORECASE,
)
_PRIVACY_ACTION = re.compile(
    r"\b(delete|erase|remove|correct|access|view|copy|supprimer|effacer|rectifier|consulter|accéder)\b",
    re.IGNORECASE,
)

def privacy(parsed: ParsedMessage, mailbox: MailboxConfig) -> Verdict | None:
    """A request about the customer's own personal data goes to staff, not to the refund rules."""
    text = f"{parsed.subject}\n{parsed.text[:5000]}"
    if _PRIVACY.search(text) and _PRIVACY_ACTION.search(text):
        return Verdict("not_a_request", "privacy request (personal data: view, correct or delete)")
    return None
