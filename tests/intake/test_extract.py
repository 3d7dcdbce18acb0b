"""Facts read from headers: authentication (what the customer means: tests/intake/test_understand.py)."""

from __future__ import annotations

import pytest

from intake.extract import authentication

OURS = "mx.kreatorz.co.za"


@pytest.mark.parametrize("header, expected", [
    (None, "unknown"),
    ("mx.kreatorz.co.za; spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com", "pass"),
    ("mx.kreatorz.co.za; spf=fail smtp.mailfrom=example.com", "fail"),
    ("mx.kreatorz.co.za; dmarc=fail (p=reject) header.from=example.com", "fail"),
    ("mx.kreatorz.co.za; dkim=pass", "unknown"),
    # only the topmost header is our server's; a forged lower one claiming pass is ignored
    ("mx.kreatorz.co.za; dmarc=fail\nevil.example; dmarc=pass", "fail"),
    # the sender's own header above ours (another id) never counts, whatever it claims
    ("evil.example; dmarc=pass header.from=example.com\nmx.kreatorz.co.za; dmarc=fail", "fail"),
    ("evil.example; dmarc=pass header.from=example.com", "unknown"),
    ("mx.kreatorz.co.za.evil.example; dmarc=pass header.from=example.com", "unknown"),
    # a version after the id is allowed (RFC 8601)
    ("mx.kreatorz.co.za 1; dmarc=pass header.from=example.com", "pass"),
    # a pass for another domain than the sender's is not the sender's pass
    ("mx.kreatorz.co.za; dmarc=pass header.from=evil.example", "fail"),
    ("mx.kreatorz.co.za; dmarc=pass", "fail"),
])
def test_authentication(header: str | None, expected: str) -> None:
    assert authentication(header, OURS, "ann@example.com") == expected


def test_without_an_authserv_id_no_pass_is_trusted_but_a_fail_still_holds() -> None:
    header = f"{OURS}; dmarc=pass header.from=example.com"
    assert authentication(header, None, "ann@example.com") == "unknown"
    assert authentication(f"{OURS}; dmarc=fail header.from=example.com", None, "ann@example.com") == "fail"
    assert authentication(None, None, "ann@example.com") == "unknown"
