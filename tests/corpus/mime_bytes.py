"""Byte-exact building blocks for the mail corpora: headers, MIME parts, tiny attachments.

The corpus generator writes exact bytes, so nothing here uses `email.generator`: its output
changes between Python versions (folding, boundaries, quoting) and the corpus must not.
Everything is built with "\n" line ends; `crlf()` turns a finished message into wire form.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import quopri
import struct
import zlib
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime

Header = tuple[str, str]

_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def crlf(message: bytes) -> bytes:
    """The wire form of a message built with bare "\n" line ends."""
    assert b"\r" not in message, "build with \\n only; crlf() adds the \\r"
    return message.replace(b"\n", b"\r\n")


def rfc_date(moment: datetime) -> str:
    """A Date/Received timestamp such as 'Thu, 05 Nov 2026 10:12:07 +0200'."""
    return format_datetime(moment)


def encoded_words(text: str, charset: str = "utf-8", encoding: str = "Q") -> str:
    """RFC 2047 encoded words for a header value, folded onto continuation lines."""
    words: list[str] = []
    chunk = ""
    for char in text:
        if len(_encode_word(chunk + char, charset, encoding)) > 75:
            words.append(_encode_word(chunk, charset, encoding))
            chunk = ""
        chunk += char
    words.append(_encode_word(chunk, charset, encoding))
    return "\n ".join(words)


def _encode_word(text: str, charset: str, encoding: str) -> str:
    raw = text.encode(charset)
    if encoding == "B":
        payload = base64.b64encode(raw).decode("ascii")
    else:
        payload = "".join(
            "_" if byte == 0x20 else chr(byte) if byte in _Q_SAFE else f"={byte:02X}"
            for byte in raw
        )
    return f"=?{charset}?{encoding}?{payload}?="


def header_block(headers: list[Header]) -> bytes:
    """Header lines in the given order; values must already be ASCII (encode first)."""
    lines = [f"{name}: {value}\n" for name, value in headers]
    return "".join(lines).encode("ascii")


def message(headers: list[Header], body: bytes) -> bytes:
    """A whole message: headers, the blank line, the body."""
    return header_block(headers) + b"\n" + body


def transfer_encode(data: bytes, cte: str) -> bytes:
    """The body bytes for a Content-Transfer-Encoding, ending in a newline."""
    if cte == "base64":
        return base64.encodebytes(data)
    if cte == "quoted-printable":
        encoded = quopri.encodestring(data)
        return encoded if encoded.endswith(b"\n") else encoded + b"\n"
    return data if data.endswith(b"\n") else data + b"\n"


def text_entity(
    text: str, subtype: str = "plain", charset: str = "utf-8", cte: str = "quoted-printable"
) -> tuple[list[Header], bytes]:
    """The MIME headers and encoded body of a text/* entity, to place in a message or part."""
    headers = [
        ("Content-Type", f'text/{subtype}; charset="{charset}"'),
        ("Content-Transfer-Encoding", cte),
    ]
    return headers, transfer_encode(text.encode(charset), cte)


def text_part(
    text: str, subtype: str = "plain", charset: str = "utf-8", cte: str = "quoted-printable"
) -> bytes:
    """A text/* body part (headers, blank line, encoded body)."""
    headers, body = text_entity(text, subtype, charset, cte)
    return message(headers, body)


def attachment_part(
    data: bytes,
    content_type: str,
    filename: str | None,
    disposition: str = "attachment",
    extra: list[Header] | None = None,
) -> bytes:
    """A base64 binary part; filename None leaves the part unnamed (no disposition at all)."""
    headers: list[Header] = []
    if filename is None:
        headers.append(("Content-Type", content_type))
    else:
        headers.append(("Content-Type", f'{content_type}; name="{filename}"'))
        headers.append(("Content-Disposition", f'{disposition}; filename="{filename}"'))
    headers.append(("Content-Transfer-Encoding", "base64"))
    headers.extend(extra or [])
    return message(headers, base64.encodebytes(data))


def multipart_body(boundary: str, parts: list[bytes], preamble: str = "") -> bytes:
    """The body of a multipart entity: optional preamble, each part, the closing boundary."""
    out = preamble.encode("ascii")
    for part in parts:
        out += f"--{boundary}\n".encode("ascii") + part
        if not part.endswith(b"\n"):
            out += b"\n"
    return out + f"--{boundary}--\n".encode("ascii")


def multipart_part(subtype: str, boundary: str, parts: list[bytes]) -> bytes:
    """A multipart entity usable as a part of another multipart."""
    headers = [("Content-Type", f'multipart/{subtype}; boundary="{boundary}"')]
    return message(headers, multipart_body(boundary, parts))


def pseudo_random_bytes(seed: str, size: int) -> bytes:
    """Deterministic filler bytes (sha256 in counter mode): the same on every platform."""
    blocks = []
    for counter in range((size + 31) // 32):
        blocks.append(hashlib.sha256(f"{seed}:{counter}".encode()).digest())
    return b"".join(blocks)[:size]


def png_image(width: int, height: int, pixel: Callable[[int, int], int]) -> bytes:
    """An 8-bit greyscale PNG with stored (uncompressed) deflate blocks.

    zlib's compressed output differs between zlib builds (zlib-ng on some distributions),
    so compression would break byte-identical regeneration; stored blocks never change.
    """
    raw = b"".join(
        b"\x00" + bytes(pixel(x, y) for x in range(width)) for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", _zlib_stored(raw))
        + _png_chunk(b"IEND", b"")
    )



def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = binascii.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _zlib_stored(data: bytes) -> bytes:
    out = bytearray(b"\x78\x01")
    for start in range(0, max(len(data), 1), 65535):
        block = data[start : start + 65535]
        final = 1 if start + 65535 >= len(data) else 0
        out += struct.pack("<BHH", final, len(block), len(block) ^ 0xFFFF) + block
    # A checksum, not compression: adler32 is the same in every zlib build.
    return bytes(out) + struct.pack(">I", zlib.adler32(data) & 0xFFFFFFFF)


def pdf_document(lines: list[str]) -> bytes:
    """A one-page PDF showing the given lines in Helvetica, with a correct xref table."""
    text_ops = "BT /F1 12 Tf 56 780 Td 16 TL\n" + "".join(
        f"({_pdf_escape(line)}) Tj T*\n" for line in lines
    ) + "ET\n"
    stream = text_ops.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)


def _pdf_escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
