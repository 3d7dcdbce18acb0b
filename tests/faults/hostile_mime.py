"""Hypothesis strategies for hostile mail: MIME trees that lie about themselves, as bytes.

Each piece can go wrong the way real mail does: boundaries that are reused, mismatched, empty or
never closed; nesting hundreds deep; charsets that are unknown, mislabelled or not charsets at all;
transfer encodings that are wrong, truncated or invented; headers that are huge, 8-bit, NUL-laden,
missing or without a colon; mixed line endings; the whole message cut short anywhere.
"""

from __future__ import annotations

import base64
import quopri
from dataclasses import dataclass

from hypothesis import strategies as st

CHARSETS = ("utf-8", "us-ascii", "iso-8859-1", "windows-1252", "gb2312", "shift_jis", "utf-16",
            "utf-7", "x-unknown", "x-kreatorz-legacy", "", 'utf-8"; x="', "\u00e9t\u00e9", "a" * 300)
ENCODINGS = ("", "7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "bogus",
             "base64 base64")
LEAF_TYPES = ("text/plain", "text/html", "text", "text/", "/plain", "", "application/octet-stream",
              "image/png", "message/rfc822", "message/delivery-status", "text/calendar")
MULTIPART_SUBTYPES = ("mixed", "alternative", "related", "report", "digest", "signed", "x-bogus", "")
LINE_ENDINGS = (b"\r\n", b"\n", b"\r")

tokens = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789'()+_,-./:=? ", min_size=1, max_size=30)
words = st.text(max_size=200)  # any Unicode, including NUL and other controls


@st.composite
def bodies(draw: st.DrawFn, charset: str, encoding: str) -> bytes:
    """A body that matches its labels, or lies about its charset or its transfer encoding."""
    text = draw(words) + " KRZ-" + str(draw(st.integers(1000, 99999)))
    codec = draw(st.sampled_from(("utf-8", "latin-1", "gb18030", "utf-16", charset)))
    try:
        data = text.encode(codec or "utf-8", errors="replace")
    except LookupError:
        data = text.encode("utf-8", errors="surrogatepass")
    data = draw(st.sampled_from((data, data + draw(st.binary(max_size=300)))))
    how = draw(st.sampled_from(("as labelled", "raw", "truncated")))
    if how == "raw":
        return data
    if encoding.startswith("base64"):
        data = base64.encodebytes(data)
    elif encoding == "quoted-printable":
        data = quopri.encodestring(data)
    if how == "truncated" and data:
        data = data[:draw(st.integers(0, len(data) - 1))]
    return data


@st.composite
def headers(draw: st.DrawFn) -> list[bytes]:
    """Header lines, each already bytes: honest, encoded-word, raw 8-bit, huge or broken."""
    lines: list[bytes] = []
    sender = draw(st.sampled_from((
        b"From: Customer <customer@example.com>",
        b"From: =?utf-8?B?SMOpbMOobmU=?= <helene@example.net>",
        b"From: =?utf-8?B?###broken###?= <x@example.net>",
        "From: H\u00e9l\u00e8ne <helene@example.net>".encode("latin-1"),
        b"From: <>", b"From: not an address", b"From:", None,
    )))
    if sender is not None:
        lines.append(sender)
    # Sizes come from tiers, so the huge ones (hundreds of KB of header) turn up in every run.
    huge = st.sampled_from((1, 300, 30_000))
    lines += [b"Received: from relay.example.net by mx.kreatorz.co.za; Mon, 2 Nov 2026 09:00:00 +0200"
              ] * draw(st.sampled_from((0, 1, 40_000)))
    lines.append(b"To: " + b", ".join([b"accounts@kreatorz.co.za"]
                                      + [b"Someone %d <u%d@example.com>" % (i, i) for i in range(draw(huge))]))
    subject = draw(st.one_of(words.map(lambda s: s.encode("utf-8", "surrogatepass")),
                             st.binary(max_size=200),
                             st.integers(1, 300_000).map(lambda n: b"Refund " + b"x" * n),
                             huge.map(lambda n: b"=?utf-8?B?w6k=?= " * n),
                             st.just(b"=?gb2312?Q?=C4=E3=BA=C3?= =?bogus?X?abc?=")))
    lines.append(b"Subject: " + subject)
    if draw(st.booleans()):
        count = draw(st.one_of(st.integers(1, 50), huge))
        lines.append(b"References: " + b"\r\n ".join(b"<id%d@example.com>" % i for i in range(count)))
    lines += draw(st.lists(st.sampled_from((
        b"Date: Mon, 2 Nov 2026 09:00:00 +0200", b"Date: yesterday-ish", b"Date: Mon, 99 Foo 99999",
        b"Message-ID: <m1@example.com>", b"Message-ID:", b"In-Reply-To: <" + b"y" * 5000 + b">",
        b"Auto-Submitted: auto-replied", b"no colon on this header line", b"\x00Bad\x00Name: v",
        b"X-8bit-\xe9\xff: \xc3\x28\xa0\xa1", b"X-Null: a\x00b", b" folded continuation first",
        b"Content-Transfer-Encoding: base64",
    )), max_size=6))
    return lines


def part_headers(ctype: str, charset: str, encoding: str, filename: bytes | None) -> list[bytes]:
    lines = [f"Content-Type: {ctype}; charset=\"{charset}\"".encode("utf-8", "surrogatepass")]
    if encoding:
        lines.append(f"Content-Transfer-Encoding: {encoding}".encode())
    if filename is not None:
        lines.append(b'Content-Disposition: attachment; filename="' + filename + b'"')
    return lines


@st.composite
def leaves(draw: st.DrawFn) -> tuple[list[bytes], bytes]:
    ctype = draw(st.sampled_from(LEAF_TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    filename = draw(st.one_of(st.none(), st.sampled_from((
        b"../../.bashrc", b"/etc/passwd", b"con.txt", b"a\x00b.pdf", b"\xff\xfe.png", b"x" * 600))))
    return part_headers(ctype, charset, encoding, filename), draw(bodies(charset, encoding))


@dataclass(frozen=True)
class Multipart:
    """A multipart node whose lies are chosen when drawn and told when rendered under its parent."""

    subtype: str
    token: str
    boundary: str  # fresh | parent (reused) | empty | long | prefix (of the parent's)
    mismatch: bool  # the parts are delimited by another boundary than the declared one
    parameter: str  # quoted | bare | missing | valueless
    preamble: bytes
    closed: bool
    children: tuple[object, ...]


def multipart(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(
        Multipart, st.sampled_from(MULTIPART_SUBTYPES), tokens,
        st.sampled_from(("fresh", "fresh", "parent", "empty", "long", "prefix")),
        st.integers(0, 4).map(lambda n: n == 0), st.sampled_from(("quoted", "bare", "missing", "valueless")),
        st.sampled_from((b"", b"This is a MIME preamble.")), st.booleans(),
        st.lists(children, max_size=4).map(tuple))


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[bytes], bytes]:
    """A MIME tree rendered as (header lines, body)."""
    return _render(draw(st.recursive(leaves(), multipart, max_leaves=8)), parent=b"outer")


def _render(node: object, parent: bytes) -> tuple[list[bytes], bytes]:
    if not isinstance(node, Multipart):
        return node  # type: ignore[return-value]  # a leaf: already (headers, body)
    boundary = {"fresh": node.token.encode(), "parent": parent, "empty": b"",
                "long": (node.token * 20).encode()[:200], "prefix": parent[:-1] or b"p"}[node.boundary]
    used = b"not-" + boundary if node.mismatch else boundary
    parameter = {"quoted": b'boundary="' + boundary + b'"', "bare": b"boundary=" + boundary,
                 "missing": b"", "valueless": b"boundary"}[node.parameter]
    chunks = [node.preamble]
    for child in node.children:
        child_headers, child_body = _render(child, boundary)
        chunks += [b"--" + used, *child_headers, b"", child_body]
    if node.closed:
        chunks.append(b"--" + used + b"--")
    return [f"Content-Type: multipart/{node.subtype}; ".encode() + parameter], b"\r\n".join(chunks)


@st.composite
def nested(draw: st.DrawFn) -> tuple[list[bytes], bytes]:
    """A single part wrapped in hundreds of multiparts, with fresh or one reused boundary."""
    headers_, body = draw(leaves())
    same = draw(st.booleans())
    # Beyond about 1,000 levels both parsers give up (recursion limits) and the message is
    # quarantined; the cost grows with the square of the depth, so 500 keeps the suite quick.
    for depth in range(draw(st.one_of(st.integers(1, 40), st.integers(200, 500)))):
        boundary = b"deep" if same else b"deep%d" % depth
        wrapped = b"\r\n".join([b"--" + boundary, *headers_, b"", body, b"--" + boundary + b"--"])
        headers_, body = [b'Content-Type: multipart/mixed; boundary="' + boundary + b'"'], wrapped
    return headers_, body


class Raw(bytes):
    """Message bytes that print short: a failing example may be megabytes."""

    def __repr__(self) -> str:
        return f"<{len(self)} bytes: {bytes(self[:120])!r}...>"


@st.composite
def hostile_messages(draw: st.DrawFn) -> Raw:
    top = draw(headers())
    part_head, body = draw(st.one_of(trees(), nested(), leaves()))
    separator = draw(st.sampled_from((b"\r\n", b"")))  # no blank line: the body runs into the headers
    message = b"\r\n".join([*top, b"MIME-Version: 1.0", *part_head]) + b"\r\n" + separator + body
    newline = draw(st.sampled_from(LINE_ENDINGS))
    if newline != b"\r\n":
        message = message.replace(b"\r\n", newline)
    if draw(st.booleans()):
        message = message.replace(b"KRZ", b"K\x00RZ", 1)
    if draw(st.integers(0, 9)) == 0:  # cut short anywhere
        message = message[:draw(st.integers(0, len(message)))]
    return Raw(message)
