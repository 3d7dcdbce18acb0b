"""Cut hostile header sizes before any parser sees them, so that one message cannot stall a poll.

Real header blocks are a few KB. The parsers' header handling is quadratic in places (RFC 2047
words in `email.header.decode_header`, address lists in mail-parser and `_recipients`), so a
megabyte of header took minutes. Only the parsed view is cut, each cut listed as a problem; the
raw message is stored whole.
"""

from __future__ import annotations

import re

MAX_FIELD = 32 * 1024  # bytes of one field, folded lines included
MAX_BLOCK = 128 * 1024  # bytes of the whole header block

# The block ends at the first line that is neither a field nor a continuation, as the stdlib's
# feedparser decides, so a missing blank line never turns the body into headers.
_BLOCK_END = re.compile(rb"(?:\r\n|\n|\r(?!\n))(?![\t ]|[\x21-\x39\x3b-\x7e]*:)")
_FIELD_START = re.compile(rb"(?:\r\n|\n|\r(?!\n))(?![\t ])")
_NEWEST_LAST = (b"references", b"in-reply-to")


def bounded_headers(raw: bytes, wanted: frozenset[bytes], problems: list[str]) -> bytes:
    """`raw` with each header field cut to MAX_FIELD and the block to MAX_BLOCK; beyond that
    size only the `wanted` fields (lower-case names) are kept."""
    found = _BLOCK_END.search(raw)
    end = found.start() if found else len(raw)
    if end <= MAX_FIELD:
        return raw  # no field can be too large: real mail takes this path
    fields = _FIELD_START.split(raw[:end])
    if end > MAX_BLOCK:
        fields = [field for field in fields if _name(field) in wanted]
        problems.append(f"header block of {end} bytes: only the headers intake reads were parsed")
    kept: list[bytes] = []
    budget = MAX_BLOCK
    for whole in fields:
        field = whole
        if len(field) > MAX_FIELD:
            name = _name(field).decode("ascii", "replace")
            problems.append(f"header {name} of {len(field)} bytes cut to {MAX_FIELD}")
            field = _cut(field)
        budget -= len(field)
        if budget < 0:
            problems.append(f"headers beyond {MAX_BLOCK} bytes were not parsed")
            break
        kept.append(field)
    return b"\r\n".join(kept) + raw[end:]


def _name(field: bytes) -> bytes:
    return field.split(b":", 1)[0].strip().lower()


def _cut(field: bytes) -> bytes:
    name, _, value = field.partition(b":")
    if name.strip().lower() in _NEWEST_LAST:
        tail = value[-MAX_FIELD:]  # the newest ids, which threading tries first, come last
        return name + b": " + tail[tail.find(b"<"):] if b"<" in tail else name + b":"
    return field[:MAX_FIELD]
