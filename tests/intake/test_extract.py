"""Facts read from headers: authentication (what the customer means: tests/intake/test_understand.py)."""

from __future__ import annotations

import pytest

from intake.extract import authentication


@pytest.mark.parametrize("header, expected", [
    (None, "none"),
    ("mx.kreatorz.co.za; spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com", "pass"),
    ("mx.kreatorz.co.za; spf=fail smtp.mailfrom=example.com", "fail"),
    ("mx.kreatorz.co.za; dmarc=fail (p=reject) header.from=example.com", "fail"),
    ("mx.kreatorz.co.za; dkim=pass", "none"),
    # only the topmost header is our server's; a forged lower one claiming pass is ignored
    ("mx.kreatorz.co.za; dmarc=fail\nevil.example; dmarc=pass", "fail"),
])
def test_authentication(header: str | None, expected: str) -> None:
    assert authentication(header) == expected
