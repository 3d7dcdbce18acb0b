"""Shared shape of the classification corpus: one Case per .eml file and how it is delivered."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.corpus.mime_bytes import Header, message
from tests.corpus.sample_mailbox import ACCOUNTS, composed, delivered, plain, sast
from tests.corpus.toml_text import Value


@dataclass(frozen=True)
class Case:
    """One corpus file: its bytes (built with LF, written as CRLF) and its expectations."""

    file: str
    received_at: datetime
    raw: bytes
    expect: dict[str, Value] = field(default_factory=dict)


def message_id(file: str, domain: str) -> str:
    """A stable Message-ID per corpus file, so replies can name their parents."""
    digest = hashlib.sha256(file.encode()).hexdigest()
    return f"<{digest[:12].upper()}.{digest[12:20]}@{domain}>"


def expect(
    classification: str,
    language: str,
    reason: str = "",
    refs: tuple[str, ...] = (),
    **more: Value,
) -> dict[str, Value]:
    """Manifest fields in a fixed order; empty optional fields are left out."""
    fields: dict[str, Value] = {"classification": classification}
    if "sub_kind" in more:
        fields["sub_kind"] = more.pop("sub_kind")
    fields["language"] = language
    if reason:
        fields["reason"] = reason
    fields["order_refs"] = list(refs)
    fields.update(more)
    return fields


def customer_case(
    file: str,
    day_time: tuple[int, int, int, int],
    sender: tuple[str, str],
    subject: str,
    text: str,
    expected: dict[str, Value],
    extra: list[Header] | None = None,
    charset: str = "utf-8",
    envelope_from: str | None = None,
) -> Case:
    """A single-part text message from a customer to the accounts address."""
    received = sast(*day_time)
    name, address = sender
    domain = address.split("@")[1]
    content = plain(f"{name} <{address}>", subject, received - timedelta(seconds=9),
                    message_id(file, domain), text, extra, charset)
    return deliver(file, received, address if envelope_from is None else envelope_from,
                   content, expected, client_domain=domain)


def customer_mime_case(
    file: str,
    day_time: tuple[int, int, int, int],
    sender: tuple[str, str],
    subject: str,
    mime: tuple[list[Header], bytes],
    expected: dict[str, Value],
    extra: list[Header] | None = None,
    to: str = f"Kreatorz Accounts <{ACCOUNTS}>",
    delivered_to: str = ACCOUNTS,
) -> Case:
    """A customer message with prepared MIME headers and body (multipart, HTML, ...)."""
    received = sast(*day_time)
    name, address = sender
    domain = address.split("@")[1]
    content = composed(f"{name} <{address}>", subject, received - timedelta(seconds=9),
                       message_id(file, domain), mime, extra, to=to)
    return deliver(file, received, address, content, expected, delivered_to, domain)


def deliver(
    file: str,
    received: datetime,
    envelope_from: str,
    content: tuple[list[Header], bytes],
    expected: dict[str, Value],
    delivered_to: str = ACCOUNTS,
    client_domain: str = "",
) -> Case:
    """Adds the Kreatorz server's delivery headers and the receipt time to the manifest.

    An empty envelope_from is the null reverse path (`Return-Path: <>`) of bounces and some
    automatic replies.
    """
    headers, body = content
    from_domain = client_domain or envelope_from.split("@")[-1]
    host = f"mail.{from_domain}"
    address = "192.0.2." + str(int(hashlib.sha256(host.encode()).hexdigest()[:2], 16) % 200 + 10)
    delivery = delivered(envelope_from, received, (host, address), from_domain, delivered_to)
    manifest = {"file": file, "received_at": received.isoformat(), **expected}
    return Case(file, received, message(delivery + headers, body), manifest)
