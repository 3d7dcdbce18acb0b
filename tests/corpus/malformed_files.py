"""tests/corpus/malformed/: which builder makes which file, and what the intake must do with it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from tests.corpus import malformed_corpus as build
from tests.corpus.toml_text import Value, array_of_tables

NO_FFFD = ["\ufffd"]
# Raw 8-bit header bytes leak out of a careless decode as the literal text "\udce9".
NO_SURROGATE_ESCAPE = ["\\udc"]


@dataclass(frozen=True)
class Malformed:
    file: str
    make: Callable[[], bytes]
    problem: str
    expect: str  # "stored" or "quarantined"
    reason: str
    checks: dict[str, Value] = field(default_factory=dict)
    generator: str = ""  # set for cases made at test time instead of committed
    args: dict[str, int | str] = field(default_factory=dict)
    note: str = ""

    def manifest_row(self) -> dict[str, Value]:
        row: dict[str, Value] = {"file": self.file, "problem": self.problem,
                                 "expect": self.expect, "reason": self.reason}
        if self.generator:
            row.update(generated=True, generator=self.generator, args=self.args)
        row.update(self.checks)
        if self.note:
            row["note"] = self.note
        return row


def text_has(*needles: str) -> dict[str, Value]:
    return {"text_contains": list(needles)}


CASES: list[Malformed] = [
    Malformed("truncated_no_closing_boundary.eml", build.truncated_no_closing_boundary,
              "multipart/mixed without its closing boundary: the message ends after the last "
              "part", "stored", "truncated", {**text_has("KRZ-30001"), "attachments": 1}),
    Malformed("truncated_mid_base64.eml", build.truncated_mid_base64,
              "cut mid-line inside a base64 attachment (length not a multiple of 4), no "
              "closing boundary, no final newline", "stored", "truncated",
              {**text_has("KRZ-30002"), "attachments": 1},
              note="keep the partial attachment, flagged; never drop the text part"),
    Malformed("nested_same_boundary.eml", build.nested_same_boundary,
              "a multipart/related part reuses the outer multipart/mixed boundary",
              "stored", "bad_mime_structure", text_has("KRZ-30003"),
              note="parsers split it differently; the text part must survive"),
    Malformed("nested_same_boundary_unclosed.eml", partial(build.nested_same_boundary, False),
              "the same reused boundary, and the closing boundary is missing",
              "stored", "bad_mime_structure", text_has("KRZ-30020"),
              note="mail-parser 4.8 raises AttributeError here (no epilogue); fall back to the "
              "stdlib email parser"),
    Malformed("boundary_mismatch.eml", build.boundary_mismatch,
              "the declared boundary never occurs in the body", "stored", "bad_mime_structure",
              {"subject_contains": ["KRZ-30021"]},
              note="mail-parser and the stdlib both find no text at all; falling back to the "
              "raw body as text would recover KRZ-30021"),
    Malformed("gb2312_holding_gbk.eml", build.gb2312_holding_gbk,
              "text labelled gb2312 holds GBK bytes: 镕 (U+9555) is outside GB2312",
              "stored", "charset_mislabelled",
              {**text_has("镕", "KRZ-30004", "退款"), "text_excludes": NO_FFFD},
              note="decode gb2312 as gb18030 (a superset); mail-parser gives UTF-8 garbage and "
              "the stdlib a replacement character"),
    Malformed("raw_8bit_headers.eml", build.raw_8bit_headers,
              "raw ISO-8859-1 bytes in Subject and From, no RFC 2047 encoding",
              "stored", "raw_8bit_header",
              {"subject_contains": ["KRZ-30005", "demand"], "header_excludes": NO_SURROGATE_ESCAPE,
               "from_address": "helene.dubois@example.net"},
              note="best: decode as UTF-8, else Windows-1252, giving 'demandé' and 'Hélène'; "
              "mail-parser drops the byte from Subject and leaks \\udce9 into From"),
    Malformed("charset_x_unknown.eml", build.charset_x_unknown,
              "charset=X-UNKNOWN on a UTF-8 body", "stored", "unknown_charset",
              {**text_has("KRZ-30006", "remboursé"), "text_excludes": NO_FFFD},
              note="the stdlib raises LookupError on get_content()"),
    Malformed("charset_made_up.eml", build.charset_made_up,
              "a made-up charset (x-kreatorz-legacy) on Windows-1252 bytes (curly quotes, en "
              "dash, é)", "stored", "unknown_charset",
              {**text_has("KRZ-30007", "refund"), "text_excludes": NO_FFFD},
              note="UTF-8 fails; Windows-1252 gives the intended ’ – “ ” é"),
    Malformed("missing_date.eml", build.missing_date, "no Date header", "stored",
              "missing_date", text_has("KRZ-30008"),
              note="the receipt time still comes from the server; the Date column stays empty"),
    Malformed("missing_message_id.eml", build.missing_message_id, "no Message-ID header",
              "stored", "missing_message_id", text_has("KRZ-30009"),
              note="exactly-once must not rely on Message-ID; a re-poll stores nothing twice"),
    Malformed("unnamed_binary_parts.eml", build.unnamed_binary_parts,
              "an image/png part and an audio/ogg voice note with no filename and no "
              "Content-Disposition", "stored", "unnamed_part",
              {**text_has("KRZ-30010"), "text_excludes": [*NO_FFFD, "OggS", "IHDR"],
               "attachments": 2},
              note="keep both as attachments with made-up names; mail-parser puts them in "
              "text_not_managed, so its .body fills with replacement characters"),
    Malformed("outlook_item.msg", build.outlook_msg,
              "an Outlook .msg file (OLE compound document D0 CF 11 E0 A1 B1 1A E1), not "
              "RFC 822", "quarantined", "not_rfc822",
              note="mail-parser 'parses' it into a binary text body; it holds 'Refund KRZ-30011' "
              "in UTF-16 to tempt a regex"),
    Malformed("nul_bytes.eml", build.nul_bytes, "NUL bytes in the Subject and in the body",
              "stored", "nul_bytes",
              {**text_has("KRZ-30012"), "text_excludes": ["\x00"],
               "subject_contains": ["KRZ-30012"], "header_excludes": ["\x00"]},
              note="PostgreSQL text columns reject NUL; the raw bytes keep them"),
    Malformed("huge_header.eml", partial(build.make_huge_header_message, 200),
              "a 200 KB References header (4,500 folded message ids)", "stored",
              "header_too_large", text_has("KRZ-30013"),
              note="must not hang threading; the stored header may be truncated"),
    Malformed("many_parts.eml", partial(build.make_many_parts_message, 3000),
              "3,000 tiny image parts, about 3 MB", "stored", "too_many_parts",
              text_has("KRZ-30014"), generator="make_many_parts_message",
              args={"n_parts": 3000},
              note="bounded time and memory; storing only the first N attachments is fine"),
    Malformed("evil_attachment_names.eml", build.evil_attachment_names,
              "attachment names '/evil/../x:y\\z.gif' and (RFC 2231) '../../.bashrc'",
              "stored", "unsafe_filename",
              {**text_has("KRZ-30015"), "attachments": 2,
               "unsafe_names": ["/evil/../x:y\\z.gif", "../../.bashrc"]},
              note="a name may be shown, never used as a path: no file is written outside "
              "the attachment store"),
    Malformed("bad_base64_body.eml", build.bad_base64_body,
              "Content-Transfer-Encoding: base64 on a body that is plain text", "stored",
              "bad_transfer_encoding", text_has("KRZ-30016"),
              note="mail-parser and the stdlib fall back to the undecoded text; keep that"),
    Malformed("empty.eml", lambda: b"", "an empty file (0 bytes)", "quarantined", "empty"),
    Malformed("headers_only.eml", build.headers_only,
              "headers only: no blank line and no body", "stored", "empty_body",
              {"subject_contains": ["KRZ-30018"]}),
    Malformed("large_attachment.eml", partial(build.make_large_attachment_message, 25),
              "a 25 MB video attachment (about 34 MB as base64)", "stored",
              "attachment_too_large", text_has("KRZ-30019"),
              generator="make_large_attachment_message", args={"size_mb": 25},
              note="the raw message is kept; the attachment content may be capped"),
]

MANIFEST_HEADER = """\
tests/corpus/malformed/manifest.toml: broken and hostile messages, and what the intake must do.
Generated by tests/corpus/make_corpus.py; edit the script, not this file.

file              the file in this directory, or (generated = true) a name for the bytes that
                  tests get from tests.corpus.make_corpus.<generator>(**args); never committed
problem           what is wrong with it
expect            stored: stored with what could be read, the defect recorded as `reason`;
                  quarantined: nothing usable could be read, quarantined with `reason`
reason            a keyword for the defect or quarantine reason
text_contains     must be in the stored text body
text_excludes     must not be in the stored text body
subject_contains  must be in the stored, decoded Subject
header_excludes   must not be in any stored, decoded header value
from_address      the stored sender address
attachments       how many attachments are stored
unsafe_names      attachment names that must never become file paths
Every case must leave the poll running and the rest of the batch stored; none may be lost.
"""


def malformed_files() -> dict[str, bytes]:
    """The committed files under tests/corpus/malformed/, keyed by name."""
    files = {case.file: case.make() for case in CASES if not case.generator}
    rows = [case.manifest_row() for case in CASES]
    files["manifest.toml"] = array_of_tables(MANIFEST_HEADER, "message", rows).encode("utf-8")
    return files
