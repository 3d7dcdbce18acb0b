"""Facts read from a message's headers and forwarded blocks: authentication, a forwarded sender.

What the customer means (reason, language, order references) is read by intake/understand.py.
"""

from __future__ import annotations

import email.utils
import re


def authentication(results: str | None, authserv_id: str | None, sender: str | None) -> str:
    """pass | fail | unknown: what our own receiving server found (RFC 8601).

    Only an Authentication-Results header whose authserv-id is ours (`authserv_id` of the
    mailbox) counts, the topmost of them: the sender can write any number of others, claiming
    anything. A DMARC pass counts only for the sender's own domain (`header.from`). No header of
    ours, or no DMARC/SPF verdict in it, is `unknown`.
    """
    ours = own_results(results, authserv_id)
    if ours is None and authserv_id is None and results:
        # No id configured: a fail in the topmost header still holds the request (a forged
        # fail harms only its forger), but nothing there can make a sender pass.
        topmost = results.split("\n", 1)[0].lower()
        return "fail" if _FAILED.search(topmost) else "unknown"
    if ours is None:
        return "unknown"
    if re.search(r"\b(dmarc|spf)\s*=\s*(fail|softfail|permerror)\b", ours):
        return "fail"
    dmarc = re.search(r"\bdmarc\s*=\s*pass\b[^;]*", ours)
    if dmarc is None:
        return "unknown"
    domain = re.search(r"\bheader\.from\s*=\s*\"?([^\s;\"]+)", dmarc.group(0))
    sender_domain = (sender or "").rpartition("@")[2].lower()
    if domain is None or not sender_domain or domain.group(1).lower().rstrip(".") != sender_domain:
        return "fail"  # a pass for another From than the one we read: not this sender's
    return "pass"


_FAILED = re.compile(r"\b(dmarc|spf)\s*=\s*(fail|softfail|permerror)\b")


def own_results(results: str | None, authserv_id: str | None) -> str | None:
    """The topmost Authentication-Results header our own server added, lower-case, or None."""
    if not results or not authserv_id:
        return None
    wanted = authserv_id.strip().lower()
    for header in results.lower().split("\n"):
        given = header.split(";", 1)[0].split()
        if given and given[0] == wanted:  # "mx.example.com" or "mx.example.com 1" (a version)
            return header
    return None


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
