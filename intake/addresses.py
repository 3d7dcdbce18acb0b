"""Addresses read from the raw header, before any encoded word is decoded.

An encoded word (RFC 2047) may only ever be display text. Decoding a header first and reading
the address afterwards lets a sender write an address, a comma, a colon or a line break inside
an encoded word and have it read as structure: `=?utf-8?b?Z3JhY2VAZXhhbXBsZS5jb20=?=
<attacker@evil.example>` became grace@example.com, and a `To:` of thousands of encoded words
holding times ("10:08:28") became nested group syntax that overflowed the stack. So the address
is read from the raw text with a real address parser (email.headerregistry), and the display
name is decoded on its own, to be shown beside the address and never in its place.
"""

from __future__ import annotations

import email.header
import email.policy
import email.utils
import re
from collections.abc import Iterable

from intake.decode import decode_header_value

_HEADER_FACTORY = email.policy.default.header_factory
# What a reader takes for an address inside a display name ("grace@example.com", "grace at x").
_LOOKS_LIKE_ADDRESS = re.compile(r"[^\s<>\"'(),;:@]+\s*(?:@|＠|\(at\)|\[at\])\s*[^\s<>\"'(),;:@]+\.[^\s<>\"'(),;:@]+",
                                 re.IGNORECASE)


def raw_text(value: str | email.header.Header | None) -> str:
    """The header as received: encoded words left as they are, raw 8-bit bytes read as text."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):  # compat32 wraps headers with raw 8-bit bytes
        return "".join(_text_of(chunk) for chunk, _ in email.header.decode_header(value))
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        return _text_of(value.encode("utf-8", "surrogateescape"))
    return value


def _text_of(chunk: bytes | str) -> str:
    if isinstance(chunk, str):
        return chunk
    try:
        return chunk.decode("utf-8")
    except UnicodeDecodeError:
        return chunk.decode("cp1252", errors="replace")


def mailbox(raw: str, problems: list[str]) -> tuple[str | None, str | None]:
    """(display name, address) of the first mailbox in a From or Reply-To header.

    The address is lower-cased and never comes from an encoded word; the display name is
    decoded on its own, with control characters (an encoded CR LF) removed.
    """
    if not raw.strip():
        return None, None
    found: tuple[str, str | None] = ("", None)
    if "=?" in raw or not raw.isascii():  # nothing encoded: the quick reader below agrees
        found = _registry_mailbox(raw)
    name, given = found if found[1] is not None else email.utils.parseaddr(raw)
    display = decode_header_value(name, problems) if name else ""
    address = (given or "").strip().lower()
    return (display or None), (address if _usable(address) else None)


def _registry_mailbox(raw: str) -> tuple[str, str | None]:
    try:
        header = _HEADER_FACTORY("from", raw)
        found = header.addresses
    except (ValueError, TypeError, IndexError, RecursionError):
        return "", None  # e.g. an encoded CR LF in the display name, which the registry refuses
    for address in found:
        if address.addr_spec and "@" in address.addr_spec:
            return address.display_name, address.addr_spec
    return "", None


def _usable(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return bool(local and domain) and not any(c.isspace() or c in "<>\"(),;:" for c in domain) \
        and "=?" not in address


def address_list(raws: Iterable[str]) -> list[str]:
    """Every address in some To/Cc/Delivered-To headers, lower-case, first seen first.

    Read by the stdlib's flat address-list reader on the raw text: encoded words never reach
    it decoded, so no text inside them can open a group or end an address.
    """
    found: dict[str, None] = {}
    for _, given in email.utils.getaddresses([raw for raw in raws if raw]):
        address = given.strip().lower()
        if "@" in address and _usable(address):
            found.setdefault(address, None)
    return list(found)


def lookalike_note(display_name: str | None, address: str | None) -> str | None:
    """A note for staff when the display name shows an address other than the real sender's."""
    if not display_name or not address:
        return None
    for shown in _LOOKS_LIKE_ADDRESS.findall(display_name):
        normal = re.sub(r"\s*(?:＠|\(at\)|\[at\])\s*", "@", shown, flags=re.IGNORECASE).strip().lower()
        if normal.strip(".") != address:
            return (f"display name shows the address {shown.strip()!r}, but the mail was sent "
                    f"from {address}")
    return None
