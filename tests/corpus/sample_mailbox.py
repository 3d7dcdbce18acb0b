"""Building blocks of the demo Maildir: sample records and the headers delivery adds.

Each sample is delivered as a Maildir file whose name starts with the server receipt time
(git keeps no mtimes). The top `Received:` header carries the same time; the `Date:` header is
whatever the sender's client wrote, and some disagree on purpose.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from tests.corpus.mime_bytes import (
    Header,
    encoded_words,
    message,
    multipart_body,
    rfc_date,
    text_entity,
)

SAST = timezone(timedelta(hours=2), "SAST")
ACCOUNTS = "accounts@kreatorz.co.za"
MAILDIR_PID = 3117


def sast(day: int, hour: int, minute: int, second: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SAST)


@dataclass(frozen=True)
class Expected:
    """What the intake (and, for requests, the Kreatorz policy) should make of a sample."""

    classification: str
    language: str
    shows: str
    sub_kind: str = ""
    reason: str = ""
    order_refs: tuple[str, ...] = ()
    customer: str = ""
    thread_of: str = ""
    duplicate_of: str = ""
    stored: str = "complete"
    outcome: str = ""
    refund_amount: str = ""
    fee: str = ""
    missing: tuple[str, ...] = ()
    outcome_note: str = ""


@dataclass(frozen=True)
class Sample:
    key: str
    received_at: datetime
    folder: str  # "cur" (seen by a mail client) or "new" (not yet)
    raw: bytes
    expected: Expected
    flags: str = "S"
    message_id: str = field(default="")

    def file_name(self, sequence: int) -> str:
        stamp = int(self.received_at.timestamp())
        base = f"{stamp}.M{sequence}P{MAILDIR_PID}.sample"
        return f"cur/{base}:2,{self.flags}" if self.folder == "cur" else f"new/{base}"


def delivered(
    envelope_from: str,
    received_at: datetime,
    client: tuple[str, str],
    from_domain: str,
    delivered_to: str = ACCOUNTS,
) -> list[Header]:
    """The headers the Kreatorz mail server adds on delivery into the Maildir."""
    host, address = client
    queue_id = hashlib.sha256(f"{envelope_from}{received_at}".encode()).hexdigest()[:10].upper()
    # SPF checks the envelope domain, or the HELO name for the null reverse path of bounces.
    spf = f"smtp.mailfrom={envelope_from.split('@')[-1]}" if envelope_from else f"smtp.helo={host}"
    auth = (
        f"mx.kreatorz.co.za;\n\tdkim=pass header.d={from_domain};\n"
        f"\tspf=pass {spf};\n"
        f"\tdmarc=pass header.from={from_domain}"
    )
    return [
        ("Return-Path", f"<{envelope_from}>"),
        ("Delivered-To", delivered_to),
        ("Received", f"from {host} ({host} [{address}])\n\tby mx.kreatorz.co.za (Postfix) "
                     f"with ESMTPS id {queue_id}\n\tfor <{delivered_to}>; "
                     f"{rfc_date(received_at)}"),
        ("Authentication-Results", auth),
    ]


def composed(
    sender: str,
    subject: str,
    date: datetime,
    message_id: str,
    mime: tuple[list[Header], bytes],
    extra: list[Header] | None = None,
    to: str = f"Kreatorz Accounts <{ACCOUNTS}>",
    charset: str = "utf-8",
) -> tuple[list[Header], bytes]:
    """Headers and body of a message as the sender's client wrote it (before delivery)."""
    mime_headers, body = mime
    subject_value = subject if subject.isascii() else encoded_words(subject, charset)
    headers: list[Header] = [
        ("From", sender),
        ("To", to),
        ("Subject", subject_value),
        ("Date", rfc_date(date)),
        ("Message-ID", message_id),
        *(extra or []),
        ("MIME-Version", "1.0"),
        *mime_headers,
    ]
    return headers, body


def plain(
    sender: str,
    subject: str,
    date: datetime,
    message_id: str,
    text: str,
    extra: list[Header] | None = None,
    charset: str = "utf-8",
) -> tuple[list[Header], bytes]:
    """An ordinary single-part text message."""
    cte = "7bit" if text.isascii() else "quoted-printable"
    mime = text_entity(text, charset=charset, cte=cte)
    return composed(sender, subject, date, message_id, mime, extra, charset=charset)


def mixed(boundary: str, parts: list[bytes]) -> tuple[list[Header], bytes]:
    """The MIME headers and body of a multipart/mixed message."""
    headers = [("Content-Type", f'multipart/mixed; boundary="{boundary}"')]
    preamble = "This is a multi-part message in MIME format.\n"
    return headers, multipart_body(boundary, parts, preamble)


def build(key: str, received_at: datetime, folder: str, delivery: list[Header],
          content: tuple[list[Header], bytes], expected: Expected, flags: str = "S") -> Sample:
    headers, body = content
    message_id = next((value for name, value in headers if name.lower() == "message-id"), "")
    return Sample(key, received_at, folder, message(delivery + headers, body), expected,
                  flags, message_id)
