"""Addresses come from the raw header: whatever a display name holds, encoded or not, it never
becomes the sender's address (table and property tests of intake/addresses.py)."""

from __future__ import annotations

import email.header
import logging
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from base.logs import TextLines
from intake.addresses import address_list, lookalike_note, mailbox
from intake.parse import parse_message

REAL = "x@evil.example"


def encoded(text: str) -> str:
    return email.header.Header(text, "utf-8").encode()


@pytest.mark.parametrize("raw, name, address", [
    ("Grace Adams <grace@example.com>", "Grace Adams", "grace@example.com"),
    ("GRACE@Example.COM", None, "grace@example.com"),
    (f"=?utf-8?b?Z3JhY2VAZXhhbXBsZS5jb20=?= <{REAL}>", "grace@example.com", REAL),
    (f"=?utf-8?q?a=0D=0AFrom=3A_grace=40example.com?= <{REAL}>", "a From: grace@example.com", REAL),
    (f"\"grace@example.com\" <{REAL}>", "grace@example.com", REAL),
    ("<=?utf-8?q?grace=40example.com?=>", None, None),
    ("name@evil.example=?utf-8?q?=0D=0A?=x-name", None, None),
    ("", None, None),
])
def test_mailbox(raw: str, name: str | None, address: str | None) -> None:
    assert mailbox(raw, []) == (name, address)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_no_display_name_ever_becomes_the_sender(name: str) -> None:
    raw = f"From: {encoded(name)} <{REAL}>\r\nTo: a@kreatorz.co.za\r\nSubject: s\r\n\r\nhello\r\n"
    assert parse_message(raw.encode()).sender == REAL


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=40))
def test_encoded_words_never_add_or_hide_recipients(names: list[str]) -> None:
    raw = ", ".join(f"{encoded(n)} <r{i}@example.com>" for i, n in enumerate(names))
    assert address_list([raw]) == [f"r{i}@example.com" for i in range(len(names))]


@pytest.mark.parametrize("name, address, flagged", [
    ("grace.adams@example.com", REAL, True),
    ("Grace <grace.adams@example.com>", REAL, True),
    ("grace.adams (at) example.com", REAL, True),
    ("x@evil.example", REAL, False),
    ("Grace Adams", REAL, False),
    (None, REAL, False),
])
def test_a_display_name_showing_another_address_is_flagged(
        name: str | None, address: str, flagged: bool) -> None:
    assert (lookalike_note(name, address) is not None) == flagged


def test_a_logged_exception_is_one_line_without_traceback() -> None:
    try:
        raise RecursionError("maximum recursion depth exceeded")
    except RecursionError:
        record = logging.LogRecord("intake", logging.ERROR, __file__, 1, "quarantined", None,
                                   sys.exc_info())
    short, full = TextLines(tracebacks=False).format(record), TextLines(tracebacks=True).format(record)
    assert "Traceback" not in short and "\n" not in short
    assert "quarantined (RecursionError: maximum recursion depth exceeded)" in short
    assert "Traceback" in full
