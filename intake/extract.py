"""Facts read from a message's headers and forwarded blocks: authentication, a forwarded sender.

What the customer means (reason, language, order references) is read by intake/understand.py.
"""

from __future__ import annotations

import email.utils
import re


def authentication(results: str | None) -> str:
    """'fail' when the receiving server's Authentication-Results says DMARC or SPF failed."""
    if not results:
        return "none"
    first = results.split("\n", 1)[0].lower()  # the topmost header is our own server's
    if re.search(r"\b(dmarc|spf)=(fail|softfail|permerror)\b", first):
        return "fail"
    if re.search(r"\bdmarc=pass\b", first):
        return "pass"
    return "none"


_FORWARD_MARK = re.compile(
    r"(forwarded message|original message|message transféré|message d'origine|"
    r"début du message réexpédié|begin forwarded message)", re.IGNORECASE)
_FORWARDED_FROM = re.compile(r"^\s*(?:from|de)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


def forwarded_sender(text: str, own_domain: str) -> str | None:
    """The original sender named in a forwarded block, when a staff member forwarded a customer's mail."""
    mark = _FORWARD_MARK.search(text)
    if mark is None:
        return None
    for match in _FORWARDED_FROM.finditer(text, mark.end()):
        address = email.utils.parseaddr(match.group(1))[1].strip().lower()
        if "@" in address and not address.endswith("@" + own_domain):
            return address
    return None
