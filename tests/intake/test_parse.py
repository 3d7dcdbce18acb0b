"""Parsing bad mail: whatever can be read is read, nothing raises, unusable mail says why."""

from __future__ import annotations

from intake.decode import safe_filename
from intake.parse import parse_message


def msg(headers: str, body: bytes = b"Hello", extra: bytes = b"") -> bytes:
    return headers.replace("\n", "\r\n").encode() + extra + body


BASE = ("From: Ann <ann@example.com>\nTo: accounts@kreatorz.co.za\nSubject: Refund\n"
        "Date: Mon, 2 Nov 2026 10:00:00 +0200\nMessage-ID: <a1@example.com>\n")


def test_plain_message() -> None:
    parsed = parse_message(msg(BASE + "\n", b"Please refund"))
    assert parsed.usable and parsed.problems == ()
    assert parsed.sender == "ann@example.com" and parsed.sender_name == "Ann"
    assert parsed.message_id == "<a1@example.com>"
    assert parsed.sent_at is not None and parsed.sent_at.utcoffset() is not None
    assert parsed.text.strip() == "Please refund"


def test_raw_8bit_header_is_decoded_not_leaked() -> None:
    raw = msg(BASE.replace("Subject: Refund", "Subject: remboursement d\xe9j\xe0 pay\xe9") + "\n")
    raw = raw.replace("d\xe9j\xe0 pay\xe9".encode(), "d\xe9j\xe0 pay\xe9".encode("latin-1"))
    parsed = parse_message(raw)
    assert parsed.subject == "remboursement déjà payé"
    assert "\\udc" not in repr(parsed.subject) and "\ufffd" not in parsed.subject


def test_gb2312_label_with_gbk_bytes() -> None:
    body = "退款申请 镕".encode("gb18030")  # 镕 is outside GB2312
    parsed = parse_message(msg(BASE + "Content-Type: text/plain; charset=gb2312\n\n", body))
    assert parsed.text == "退款申请 镕"


def test_unknown_charset_falls_back() -> None:
    parsed = parse_message(msg(BASE + "Content-Type: text/plain; charset=x-unknown\n\n", "café".encode()))
    assert parsed.text == "café"
    assert any("unknown charset" in p for p in parsed.problems)


def test_html_only_becomes_text_without_markup() -> None:
    html = b"<html><body><p>I want a <b>refund</b></p><img src='https://track.example/x.png'></body></html>"
    parsed = parse_message(msg(BASE + "Content-Type: text/html; charset=utf-8\n\n", html))
    assert "I want a refund" in parsed.text
    assert "<" not in parsed.text and "track.example" not in parsed.text


def test_nul_bytes_removed_from_text() -> None:
    parsed = parse_message(msg(BASE + "\n", b"a\x00b"))
    assert parsed.text.strip() == "ab"
    assert "NUL bytes removed from the text" in parsed.problems


def test_unnamed_binary_part_is_an_attachment_not_text() -> None:
    body = (b"--b\r\nContent-Type: text/plain\r\n\r\nsee picture\r\n--b\r\nContent-Type: image/png\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUg==\r\n--b--\r\n")
    parsed = parse_message(msg(BASE + 'Content-Type: multipart/mixed; boundary="b"\n\n', body))
    assert parsed.text.strip() == "see picture"
    assert [a.filename for a in parsed.attachments] == ["part-1.png"]
    assert parsed.attachments[0].content.startswith(b"\x89PNG")


def test_missing_date_and_message_id_are_stored_with_problems() -> None:
    parsed = parse_message(msg("From: ann@example.com\nTo: accounts@kreatorz.co.za\n\n", b"refund"))
    assert parsed.usable
    assert {"missing Date header", "missing Message-ID header"} <= set(parsed.problems)


def test_unusable_inputs_are_quarantined_with_reason() -> None:
    assert parse_message(b"").quarantine_reason == "empty message"
    assert "Outlook .msg" in (parse_message(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50).quarantine_reason or "")
    assert "no header block" in (parse_message(b"\x89PNG\r\n\x1a\nbinary").quarantine_reason or "")


def test_too_many_parts_is_capped_and_recorded() -> None:
    parts = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(50)) + b"--b--\r\n"
    parsed = parse_message(msg(BASE + 'Content-Type: multipart/mixed; boundary="b"\n\n', parts), max_parts=10)
    assert parsed.usable
    assert any("more than 10 MIME parts" in p for p in parsed.problems)


def test_attachment_names_never_become_paths() -> None:
    for hostile in ("/evil/../x:y\\z.gif", "../../etc/passwd", "..", "\x00", "C:\\Windows\\x.exe"):
        name = safe_filename(hostile, "image/gif", 1)
        assert "/" not in name and "\\" not in name and name not in ("", ".", "..")
        assert "\x00" not in name
