"""Decode the text of real-world mail: mislabelled charsets, raw 8-bit headers, HTML, file names."""

from __future__ import annotations

import codecs
import email.errors
import email.header
import re
import unicodedata

import html2text
from charset_normalizer import from_bytes

# A label often stands for a superset in practice; decoding with the superset loses nothing.
SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "iso-8859-1": "cp1252", "latin1": "cp1252",
    "latin-1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8", "iso-8859-8-i": "iso-8859-8",
    "shift_jis": "cp932", "sjis": "cp932", "big5": "big5hkscs", "tis-620": "cp874",
}
_SURROGATE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_text(payload: bytes, declared: str | None, problems: list[str]) -> str:
    """Bytes of a text part to str: declared charset (or its superset), UTF-8, a detector, cp1252."""
    for charset in _candidates(declared, problems):
        try:
            return payload.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
    guess = from_bytes(payload[:200_000]).best()
    if guess is not None and guess.encoding:
        problems.append(f"text decoded as {guess.encoding} (detected; label was {declared!r})")
        return payload.decode(guess.encoding, errors="replace")
    problems.append(f"text decoded as cp1252 with replacements (label was {declared!r})")
    return payload.decode("cp1252", errors="replace")


def _candidates(declared: str | None, problems: list[str]) -> list[str]:
    names: list[str] = []
    if declared:
        label = declared.strip().strip('"').lower()
        try:
            codecs.lookup(label)
            names.append(SUPERSETS.get(label, label))
        except LookupError:
            problems.append(f"unknown charset {declared!r}")
    names.append("utf-8")
    return names


def decode_header_value(value: str | email.header.Header | None, problems: list[str]) -> str:
    """A header to readable text: RFC 2047 words decoded, raw 8-bit bytes recovered, not leaked."""
    if isinstance(value, email.header.Header):
        # compat32 wraps headers holding raw 8-bit bytes in a Header of charset 'unknown-8bit'.
        problems.append("raw 8-bit bytes in a header (decoded by guess)")
        value = "".join(
            _decode_raw_header(chunk) if isinstance(chunk, bytes) else chunk
            for chunk, _ in email.header.decode_header(value)
        )
    if not value:
        return ""
    if _SURROGATE.search(value):
        raw = value.encode("utf-8", "surrogateescape")
        value = _decode_raw_header(raw)
        problems.append("raw 8-bit bytes in a header (decoded by guess)")
    text = _ENCODED_WORDS.sub(_decode_word_run, value)
    text = _CONTROL.sub("", text.replace("\x00", ""))
    return " ".join(text.split()) if "\n" in text or "\r" in text else text.strip()


_ENCODED_WORD = r"=\?[^?\s]+\?[qQbB]\?[^?\s]*\?="
# A run of encoded words; the white space between adjacent ones is not part of the text (RFC 2047).
_ENCODED_WORDS = re.compile(rf"{_ENCODED_WORD}(?:\s+{_ENCODED_WORD})*")


def _decode_word_run(match: re.Match[str]) -> str:
    """Decode encoded words one by one, so plain text with non-ASCII around them stays intact."""
    try:
        return "".join(
            chunk.decode(_header_charset(charset), errors="replace") if isinstance(chunk, bytes) else chunk
            for chunk, charset in email.header.decode_header(match.group(0))
        )
    except (ValueError, LookupError, email.errors.HeaderParseError):
        return match.group(0)


def _header_charset(charset: str | None) -> str:
    label = (charset or "utf-8").lower()
    try:
        codecs.lookup(label)
    except LookupError:
        return "utf-8"
    return SUPERSETS.get(label, label)


def _decode_raw_header(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def html_to_text(html: str) -> str:
    """Readable text from an HTML-only message; images and remote content are dropped, not fetched."""
    converter = html2text.HTML2Text()
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.body_width = 0
    try:
        return converter.handle(html).strip()
    except Exception:  # noqa: BLE001 - html2text can trip on pathological markup; fall back to stripping tags
        return re.sub(r"<[^>]*>", " ", html)


_UNSAFE_NAME = re.compile(r"[^\w.\- ()\[\]+,@]")

EXTENSIONS = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "application/pdf": ".pdf",
    "audio/mpeg": ".mp3", "audio/wav": ".wav", "message/rfc822": ".eml", "text/plain": ".txt",
    "text/html": ".html", "message/delivery-status": ".txt",
}


def safe_filename(name: str | None, content_type: str, position: int) -> str:
    """A display name that can never become a path: no separators, no '..', no controls."""
    if name:
        name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
        name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if not name:
        name = f"part-{position}{EXTENSIONS.get(content_type, '.bin')}"
    return name[:200]
