"""Turn raw message bytes into a ParsedMessage, reading whatever can be read from bad mail.

mail-parser does the parse (and reports MIME defects and the Date); the body and headers are
then read from the stdlib message it wraps, because mail-parser drops raw 8-bit header bytes,
decodes mislabelled charsets as garbage and pours unnamed binary parts into the text body.
"""

from __future__ import annotations

import email
import email.message
import email.utils
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import mailparser

from intake.decode import decode_header_value, decode_text, html_to_text, safe_filename
from intake.header_limits import bounded_headers

log = logging.getLogger(__name__)
# mail-parser logs every content type it does not handle as a warning; we record problems ourselves.
logging.getLogger("mailparser").setLevel(logging.ERROR)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_HTML_FOR_TEXT = 2_000_000
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=\s]")


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class ParsedMessage:
    usable: bool
    problems: tuple[str, ...]
    quarantine_reason: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    sender: str | None = None
    sender_name: str | None = None
    reply_to: str | None = None
    recipients: tuple[str, ...] = ()
    subject: str = ""
    date_header: str | None = None
    sent_at: datetime | None = None
    text: str = ""
    html: str | None = None
    attachments: tuple[ParsedAttachment, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/plain"


def quarantined(reason: str, problems: tuple[str, ...] = ()) -> ParsedMessage:
    return ParsedMessage(usable=False, problems=(*problems, reason), quarantine_reason=reason)


def parse_message(raw: bytes, max_parts: int = 1000) -> ParsedMessage:
    """Never raises for bad input: returns a ParsedMessage, usable or with a quarantine reason."""
    refusal = _refuse_early(raw)
    if refusal:
        return quarantined(refusal)
    problems: list[str] = []
    bounded = bounded_headers(raw, HEADERS_READ, problems)  # the raw bytes are stored whole
    message, sent_at = _parse_with_mailparser(bounded, problems)
    if message is None:
        return quarantined("unparseable: neither mail-parser nor the stdlib parser could read it",
                           tuple(problems))
    headers = _headers(message, problems)
    body = _Body(max_parts, problems)
    body.walk(message)
    text = body.text()
    sender_name, sender = _address(headers.get("from", ""))
    if sent_at is None and headers.get("date"):
        sent_at = _parse_date(headers["date"], problems)
    if not headers.get("date"):
        problems.append("missing Date header")
    if not headers.get("message-id"):
        problems.append("missing Message-ID header")
    if sender is None and not text.strip():
        return quarantined("no sender and no readable text", tuple(problems))
    return ParsedMessage(
        usable=True, problems=tuple(problems), message_id=_msgid(headers.get("message-id")),
        in_reply_to=_msgid(headers.get("in-reply-to")),
        references=tuple(_msgids(headers.get("references", ""))),
        sender=sender, sender_name=sender_name, reply_to=_address(headers.get("reply-to", ""))[1],
        recipients=tuple(_recipients(headers)), subject=headers.get("subject", ""),
        date_header=headers.get("date"), sent_at=sent_at, text=text, html=body.html,
        attachments=tuple(body.attachments), headers=headers,
        content_type=message.get_content_type(),
    )


def _refuse_early(raw: bytes) -> str | None:
    if not raw.strip():
        return "empty message"
    if raw.startswith(OLE_MAGIC):
        return "not an RFC 822 message: an Outlook .msg (OLE) file"
    first_line = raw.lstrip(b"\r\n").split(b"\n", 1)[0]
    name = first_line.split(b":", 1)[0]
    no_header = b":" not in first_line or not name or any(c <= 32 or c > 126 for c in name)
    if no_header and not first_line.startswith(b"From "):  # mbox separator line is tolerated
        return "not an RFC 822 message: no header block at the start"
    return None


def _parse_with_mailparser(
    raw: bytes, problems: list[str]
) -> tuple[email.message.Message | None, datetime | None]:
    try:
        mail = mailparser.parse_from_bytes(raw)
    except Exception as exc:  # noqa: BLE001 - mail-parser raises many kinds on bad MIME; we fall back below
        problems.append(f"mail-parser failed: {type(exc).__name__}: {exc}"[:300])
        try:
            return email.message_from_bytes(raw), None
        except Exception as fallback_exc:  # noqa: BLE001 - recorded; the message is quarantined
            problems.append(f"stdlib parser failed: {fallback_exc}"[:300])
            return None, None
    for defect in mail.defects_categories or ():
        problems.append(f"MIME defect: {defect}")
    sent_at = mail.date if isinstance(mail.date, datetime) and mail.date.tzinfo else None
    return mail.message, sent_at


HEADERS_KEPT = (
    "from", "reply-to", "to", "cc", "delivered-to", "x-original-to", "envelope-to", "subject",
    "date", "message-id", "in-reply-to", "references", "auto-submitted", "precedence",
    "list-id", "list-unsubscribe", "return-path", "x-autoreply", "x-autorespond",
    "x-auto-response-suppress", "authentication-results", "content-type",
)
HEADERS_READ = frozenset({name.encode() for name in HEADERS_KEPT} | {
    b"mime-version", b"content-transfer-encoding", b"content-disposition"})


def _headers(message: email.message.Message, problems: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name in HEADERS_KEPT:
        values = message.get_all(name) or []
        decoded = [decode_header_value(v, problems) for v in values]
        if decoded:
            joiner = "\n" if name == "authentication-results" else ", "
            headers[name] = joiner.join(decoded) if name in ("to", "cc", "delivered-to",
                                                              "authentication-results") else decoded[0]
    return headers


def _address(value: str) -> tuple[str | None, str | None]:
    name, address = email.utils.parseaddr(value)
    address = address.strip().lower()
    if "@" not in address:
        return (name or None), None
    return (name or None), address


def _recipients(headers: dict[str, str]) -> list[str]:
    fields = [headers.get(k, "") for k in ("to", "cc", "delivered-to", "x-original-to", "envelope-to")]
    found: list[str] = []
    for _, given in email.utils.getaddresses([f for f in fields if f]):
        address = given.strip().lower()
        if "@" in address and address not in found:
            found.append(address)
    return found


def _msgid(value: str | None) -> str | None:
    ids = _msgids(value or "")
    return ids[0] if ids else None


def _msgids(value: str) -> list[str]:
    ids = []
    for word in value.replace(",", " ").split():
        token = word.strip()
        if token.startswith("<") and token.endswith(">") and len(token) > 2:
            ids.append(token)
    if not ids and value.strip() and "@" in value and " " not in value.strip():
        ids.append(f"<{value.strip().strip('<>')}>")  # a bare id without brackets
    return ids


def _parse_date(value: str, problems: list[str]) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        problems.append(f"unreadable Date header: {value[:80]!r}")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class _Body:
    """Walks the MIME tree once, collecting text, HTML and attachments within a part budget."""

    def __init__(self, max_parts: int, problems: list[str]) -> None:
        self.max_parts, self.problems = max_parts, problems
        self.plain: list[str] = []
        self.html_parts: list[str] = []
        self.attachments: list[ParsedAttachment] = []
        self.seen = 0

    @property
    def html(self) -> str | None:
        return "\n".join(self.html_parts) if self.html_parts else None

    def walk(self, message: email.message.Message) -> None:
        for part in message.walk():
            if part.is_multipart():
                continue
            self.seen += 1
            if self.seen > self.max_parts:
                self.problems.append(
                    f"more than {self.max_parts} MIME parts: only the first {self.max_parts} were read "
                    "(the raw message is kept whole)")
                return
            try:
                self._take(part)
            except Exception as exc:  # noqa: BLE001 - one broken part must not lose the others
                self.problems.append(f"part {self.seen} unreadable: {type(exc).__name__}: {exc}"[:300])

    def _take(self, part: email.message.Message) -> None:
        ctype = part.get_content_type()
        filename = part.get_filename()
        disposition = (part.get_content_disposition() or "").lower()
        payload = self._payload(part)
        if ctype.startswith("multipart/"):
            # A multipart whose boundary never occurs arrives as one opaque part: its body is
            # still the customer's words, so read it as text rather than lose them.
            self.problems.append(f"{ctype} boundary not found: body read as plain text")
            self.plain.append(decode_text(payload, part.get_content_charset(), self.problems))
            return
        if ctype in ("text/plain", "text/html") and not filename and disposition != "attachment":
            text = decode_text(payload, part.get_content_charset(), self.problems)
            (self.plain if ctype == "text/plain" else self.html_parts).append(text)
            return
        if ctype == "message/rfc822" and not payload:
            payload = part.as_bytes() if hasattr(part, "as_bytes") else b""
        name = safe_filename(decode_header_value(filename, self.problems) if filename else None,
                             ctype, len(self.attachments) + 1)
        self.attachments.append(ParsedAttachment(name, ctype, payload))

    def _payload(self, part: email.message.Message) -> bytes:
        encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
        body = part.get_payload(decode=False)
        if encoding == "base64" and isinstance(body, str) and _NOT_BASE64.search(body):
            self.problems.append("declared base64 but the body is not base64: read as is")
            return body.encode("utf-8", "surrogateescape")
        payload = part.get_payload(decode=True)
        return payload if isinstance(payload, bytes) else b""

    def text(self) -> str:
        text = "\n".join(p for p in self.plain if p.strip())
        if not text.strip() and self.html_parts:
            html = self.html or ""
            if len(html) > MAX_HTML_FOR_TEXT:
                self.problems.append("HTML body too large to convert: text cut")
                html = html[:MAX_HTML_FOR_TEXT]
            text = html_to_text(html)
        if "\x00" in text:
            self.problems.append("NUL bytes removed from the text")
            text = text.replace("\x00", "")
        return text
