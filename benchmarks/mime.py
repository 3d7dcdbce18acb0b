"""Hand-built MIME for the generator: encoded words, text parts in several charsets, attachments.

Written out with string formatting rather than `email.message`, so that filling a folder with
50,000 messages takes seconds; the parser under test is what must cope with the result.
"""

from __future__ import annotations

import base64
import binascii
import html
import random
from dataclasses import dataclass

CRLF = "\r\n"
# How a text part is written: (charset label, Content-Transfer-Encoding).
ENCODINGS = {
    "ascii": ("us-ascii", "7bit"),
    "utf8": ("utf-8", "8bit"),
    "qp-latin1": ("iso-8859-1", "quoted-printable"),
    "qp-utf8": ("utf-8", "quoted-printable"),
    "b64-utf8": ("utf-8", "base64"),
}


@dataclass(frozen=True)
class Part:
    """A MIME entity: its own header lines (each ending in CRLF) and its encoded body."""

    headers: str
    body: bytes

    def to_bytes(self) -> bytes:
        return self.headers.encode("ascii") + b"\r\n" + self.body


def encoded_word(text: str, latin1: bool = False) -> str:
    """RFC 2047: plain ASCII stays as is; otherwise a Q word in latin-1 or a B word in UTF-8."""
    if text.isascii():
        return text
    if latin1 and _fits_latin1(text):
        data = binascii.b2a_qp(text.encode("iso-8859-1"), header=True).decode("ascii")
        return f"=?iso-8859-1?q?{data.replace('?', '=3F')}?="
    return f"=?utf-8?b?{base64.b64encode(text.encode('utf-8')).decode('ascii')}?="


def address(name: str, email: str, latin1: bool = False) -> str:
    shown = encoded_word(name, latin1)
    if shown == name and any(c in name for c in ",.;:'\""):
        shown = '"' + name.replace('"', "") + '"'
    return f"{shown} <{email}>"


def text_part(text: str, subtype: str, encoding: str) -> Part:
    """A text/plain or text/html part, its body in the charset and transfer encoding named."""
    charset, transfer = ENCODINGS[encoding]
    if charset == "iso-8859-1" and not _fits_latin1(text):
        charset = "iso-8859-15"  # the euro and the French ligatures live here
    data = text.replace("\r\n", "\n").replace("\n", CRLF).encode(_codec(charset), "replace")
    if transfer == "quoted-printable":
        body = binascii.b2a_qp(data)
    elif transfer == "base64":
        body = base64_lines(data)
    else:
        body = data
    headers = (f"Content-Type: text/{subtype}; charset=\"{charset}\"{CRLF}"
               f"Content-Transfer-Encoding: {transfer}{CRLF}")
    return Part(headers, body if body.endswith(b"\r\n") else body + b"\r\n")


def attachment_part(filename: str, content_type: str, data: bytes) -> Part:
    headers = (f"Content-Type: {content_type}; name=\"{filename}\"{CRLF}"
               f"Content-Disposition: attachment; filename=\"{filename}\"{CRLF}"
               f"Content-Transfer-Encoding: base64{CRLF}")
    return Part(headers, base64_lines(data))


def multipart(subtype: str, parts: list[Part], boundary: str) -> Part:
    chunks = [b"This is a multi-part message in MIME format.\r\n"]
    for part in parts:
        chunks += [f"\r\n--{boundary}\r\n".encode("ascii"), part.to_bytes()]
    chunks.append(f"\r\n--{boundary}--\r\n".encode("ascii"))
    headers = f"Content-Type: multipart/{subtype};{CRLF}\tboundary=\"{boundary}\"{CRLF}"
    return Part(headers, b"".join(chunks))


def base64_lines(data: bytes) -> bytes:
    """Base64 in 76-character lines, as mail clients write it."""
    encoded = base64.b64encode(data)
    return b"".join(encoded[i:i + 76] + b"\r\n" for i in range(0, len(encoded), 76))


def html_document(paragraphs: list[str], style: str, head_css: str = "") -> str:
    """The HTML a webmail (`gmail`), Outlook (`outlook`) or a simple client (`plain`) would send."""
    escaped = [html.escape(p).replace("\n", "<br>\n") for p in paragraphs]
    if style == "gmail":
        inner = "\n".join(f"<div>{p}</div><div><br></div>" for p in escaped)
        return f'<div dir="ltr">{inner}\n<div class="gmail_signature" dir="ltr"></div></div>\n'
    if style == "outlook":
        inner = "\n".join(
            f'<p class="MsoNormal"><span lang="EN-US" style="font-size:11.0pt">{p}'
            "<o:p></o:p></span></p>\n<p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p>" for p in escaped)
        return ('<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>'
                '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">'
                f"<style><!--\n{head_css}--></style></head>\n"
                f'<body lang="EN-ZA" link="#0563C1" vlink="#954F72"><div class="WordSection1">\n'
                f"{inner}\n</div></body></html>\n")
    inner = "\n".join(f"<p>{p}</p>" for p in escaped)
    return f"<html><body>\n{inner}\n</body></html>\n"


def _signature(rng: random.Random, size: int = 256) -> str:
    text = rng.randbytes(size).hex()
    return "\r\n\t ".join(text[i:i + 72] for i in range(0, len(text), 72))


def dkim_signature(rng: random.Random, domain: str) -> str:
    digest = rng.randbytes(32).hex()[:43] + "="
    return (f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=selector1;\r\n"
            f"\th=from:to:subject:date:message-id:mime-version:content-type;\r\n"
            f"\tbh={digest};\r\n\tb={_signature(rng)}")


def arc_headers(rng: random.Random, domain: str, ip: str) -> list[str]:
    """The ARC set and relay lines a big provider adds: a real header block is 3-5 KB."""
    return [
        (f"ARC-Seal: i=1; a=rsa-sha256; t={rng.getrandbits(31)}; cv=none; d={domain}; s=arc-2024;"
         f"\r\n\tb={_signature(rng)}"),
        (f"ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=arc-2024;"
         f"\r\n\th=to:subject:message-id:date:from:mime-version:dkim-signature;"
         f"\r\n\tbh={rng.randbytes(32).hex()[:43]}=;\r\n\tb={_signature(rng)}"),
        (f"ARC-Authentication-Results: i=1; mx.{domain}; dkim=pass header.i=@{domain};"
         f"\r\n\tspf=pass (domain of {domain} designates {ip} as permitted sender)"),
        (f"X-Received: by 2002:a05:6402:{rng.getrandbits(16):x} with SMTP id "
         f"{rng.getrandbits(64):x};\r\n\tTue, 03 Nov 2026 01:02:03 -0800 (PST)"),
        f"X-Gm-Message-State: {_signature(rng, 48)}",
        f"X-Google-Smtp-Source: {_signature(rng, 40)}",
    ]


def _fits_latin1(text: str) -> bool:
    try:
        text.encode("iso-8859-1")
    except UnicodeEncodeError:
        return False
    return True


def _codec(charset: str) -> str:
    return "ascii" if charset == "us-ascii" else charset
