"""tests/corpus/malformed/: hostile and broken messages, byte for byte, and their manifest.

Each builder returns the exact bytes; the manifest says what is wrong and what the intake must
do: `stored` (kept with what could be read, the defect recorded under `reason`) or
`quarantined` (nothing usable could be read; `reason` is the quarantine reason keyword).
The biggest cases are not committed: tests call the generator named in the manifest.
"""

from __future__ import annotations

import base64
import hashlib

from tests.corpus.mime_bytes import png_image, pseudo_random_bytes

CRLF = b"\r\n"


def lines(*items: str | bytes) -> bytes:
    """CRLF-joined lines; str items must be ASCII, bytes items go in as they are."""
    return CRLF.join(item if isinstance(item, bytes) else item.encode("ascii") for item in items)


def envelope(number: int, subject: str, content_type: str, *, date: bool = True,
             message_id: bool = True, sender: str = "Lindiwe Zulu <lindiwe.zulu@example.org>"
             ) -> list[str | bytes]:
    """The usual top headers of a corpus message (delivery plus client headers)."""
    headers: list[str | bytes] = [
        "Return-Path: <" + sender.split("<")[1].rstrip(">") + ">",
        "Delivered-To: accounts@kreatorz.co.za",
        f"Received: from mail.example.org (mail.example.org [192.0.2.{number + 30}])",
        f"\tby mx.kreatorz.co.za (Postfix) with ESMTPS id 30{number:02d}A1B2C3",
        f"\tfor <accounts@kreatorz.co.za>; Wed, 25 Nov 2026 10:{number:02d}:00 +0200",
        f"From: {sender}",
        "To: accounts@kreatorz.co.za",
        f"Subject: {subject}",
    ]
    if date:
        headers.append(f"Date: Wed, 25 Nov 2026 10:{number:02d}:00 +0200")
    if message_id:
        headers.append(f"Message-ID: <malformed-{number:02d}@mail.example.org>")
    headers += ["MIME-Version: 1.0", f"Content-Type: {content_type}"]
    return headers


def b64_lines(data: bytes) -> list[str | bytes]:
    return list(base64.encodebytes(data).decode("ascii").splitlines())


def request_text(ref: str) -> list[str | bytes]:
    return ["Hello,", "", f"Please refund my order {ref}; I no longer need the service.", "",
            "Lindiwe"]


def tiny_png(shade: int = 128) -> bytes:
    return png_image(4, 4, lambda x, y: (shade + 16 * (x + y)) % 256)


def truncated_no_closing_boundary() -> bytes:
    boundary = "=_b7c1e0a9f3d2"
    return lines(
        *envelope(1, "Refund KRZ-30001", f'multipart/mixed; boundary="{boundary}"'), "",
        f"--{boundary}", 'Content-Type: text/plain; charset="utf-8"', "",
        *request_text("KRZ-30001"), "",
        f"--{boundary}", 'Content-Type: image/png; name="receipt.png"',
        'Content-Disposition: attachment; filename="receipt.png"',
        "Content-Transfer-Encoding: base64", "", *b64_lines(tiny_png()), "",
    )


def truncated_mid_base64() -> bytes:
    boundary = "=_4e2f9a7c1b0d"
    pdf = pseudo_random_bytes("statement", 600)
    encoded = base64.encodebytes(b"%PDF-1.4\n" + pdf).decode("ascii")
    cut = encoded[: 76 * 4 + 31]  # connection dropped: mid-line, length not a multiple of 4
    return lines(
        *envelope(2, "Refund KRZ-30002 (statement attached)",
                  f'multipart/mixed; boundary="{boundary}"'), "",
        f"--{boundary}", 'Content-Type: text/plain; charset="utf-8"', "",
        *request_text("KRZ-30002"), "",
        f"--{boundary}", 'Content-Type: application/pdf; name="statement.pdf"',
        'Content-Disposition: attachment; filename="statement.pdf"',
        "Content-Transfer-Encoding: base64", "",
    ) + CRLF + cut.replace("\n", "\r\n").encode("ascii")


def nested_same_boundary(closed: bool = True) -> bytes:
    """multipart/mixed whose multipart/related child reuses the outer boundary.

    With closed=False the one closing boundary is missing too: the outer part then has no
    epilogue, which is the shape that makes mail-parser raise.
    """
    boundary = "----=_NextPart_000_0000_01DB3F00.00000000"
    number = 3 if closed else 20
    ref = f"KRZ-300{number:02d}"
    message = lines(
        *envelope(number, f"Refund {ref}", f'multipart/mixed; boundary="{boundary}"'), "",
        "This is a multi-part message in MIME format.", "",
        f"--{boundary}", 'Content-Type: text/plain; charset="utf-8"', "",
        *request_text(ref), "",
        f"--{boundary}", f'Content-Type: multipart/related; boundary="{boundary}"', "",
        f"--{boundary}", 'Content-Type: text/html; charset="utf-8"', "",
        f'<p>Please refund my order {ref}.</p><img src="cid:logo@kreatorz">', "",
        f"--{boundary}", "Content-Type: image/png", "Content-ID: <logo@kreatorz>",
        "Content-Transfer-Encoding: base64", "", *b64_lines(tiny_png(40)), "",
    )
    return message + lines(f"--{boundary}--", "") if closed else message


def boundary_mismatch() -> bytes:
    """The declared boundary never occurs: a relay rewrote the header but not the body."""
    return lines(
        *envelope(21, "Refund KRZ-30021", 'multipart/mixed; boundary="=_declared_a1b2"'), "",
        "--=_actual_c3d4", 'Content-Type: text/plain; charset="utf-8"', "",
        *request_text("KRZ-30021"), "",
        "--=_actual_c3d4--", "",
    )


GBK_TEXT = (
    "您好：\n\n我在贵公司订购的招牌设计（订单号 KRZ-30004）与约定不符，"
    "设计稿上“镕金五金”的“镕”字印错了。请退款。\n\n谢谢！\n王女士\n"
)


def gb2312_holding_gbk() -> bytes:
    body = GBK_TEXT.replace("\n", "\r\n").encode("gbk")
    encoded_subject = base64.b64encode("退款申请 KRZ-30004".encode("gb2312")).decode()
    subject = f"=?gb2312?B?{encoded_subject}?="
    return lines(
        *envelope(4, subject, 'text/plain; charset="gb2312"',
                  sender="Wang Li <li.wang@example.net>"),
        "Content-Transfer-Encoding: base64", "",
        *b64_lines(body), "",
    )


def raw_8bit_headers() -> bytes:
    headers = envelope(5, "placeholder", 'text/plain; charset="iso-8859-1"',
                       sender="Helene Dubois <helene.dubois@example.net>")
    headers[5] = b"From: H\xe9l\xe8ne Dubois <helene.dubois@example.net>"
    headers[7] = b"Subject: Remboursement demand\xe9 pour la commande KRZ-30005"
    body = ("Bonjour,\r\n\r\nJe souhaite être remboursée pour la commande KRZ-30005.\r\n\r\n"
            "Hélène\r\n")
    return lines(*headers, "Content-Transfer-Encoding: 8bit", "") + CRLF + body.encode("latin-1")


def charset_x_unknown() -> bytes:
    body = ("Bonjour,\r\n\r\nJe voudrais être remboursé pour la commande KRZ-30006, déjà "
            "payée.\r\n\r\nMerci\r\n")
    return lines(*envelope(6, "Remboursement KRZ-30006", 'text/plain; charset="X-UNKNOWN"'),
                 "Content-Transfer-Encoding: 8bit", "") + CRLF + body.encode("utf-8")


def charset_made_up() -> bytes:
    body = ("Hi,\r\n\r\nI\u2019d like a refund for KRZ-30007 \u2013 the \u201cfinal\u201d logo "
            "isn\u2019t final at all. Caf\u00e9 Soleil\r\n")
    return lines(*envelope(7, "Refund KRZ-30007", 'text/plain; charset="x-kreatorz-legacy"'),
                 "Content-Transfer-Encoding: 8bit", "") + CRLF + body.encode("cp1252")


def missing_date() -> bytes:
    return lines(*envelope(8, "Refund KRZ-30008", 'text/plain; charset="utf-8"', date=False), "",
                 *request_text("KRZ-30008"), "")


def missing_message_id() -> bytes:
    return lines(*envelope(9, "Refund KRZ-30009", 'text/plain; charset="utf-8"',
                           message_id=False), "", *request_text("KRZ-30009"), "")


def unnamed_binary_parts() -> bytes:
    boundary = "Apple-Mail=_5A3F0C2E-91B4-4D7A-8E6B-2C1D0F9E8A7B"
    voice = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1eOpusHead" + pseudo_random_bytes("voice", 900)
    return lines(
        *envelope(10, "Refund KRZ-30010", f'multipart/mixed; boundary="{boundary}"'), "",
        f"--{boundary}", 'Content-Type: text/plain; charset="us-ascii"',
        "Content-Transfer-Encoding: 7bit", "", *request_text("KRZ-30010"),
        "Photo and voice note attached.", "",
        f"--{boundary}", "Content-Type: image/png", "Content-Transfer-Encoding: base64", "",
        *b64_lines(tiny_png(200)), "",
        f"--{boundary}", "Content-Type: audio/ogg", "Content-Transfer-Encoding: base64", "",
        *b64_lines(voice), "",
        f"--{boundary}--", "",
    )


def outlook_msg() -> bytes:
    """An Outlook .msg: an OLE compound file, not RFC 822 at all."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header += b"\x06\x00" + b"\x00" * 6 + pseudo_random_bytes("ole-header", 512 - len(header) - 8)
    names = "__substg1.0_0037001F__substg1.0_1000001FRefund KRZ-30011".encode("utf-16-le")
    return header + pseudo_random_bytes("ole-fat", 1024) + names + pseudo_random_bytes("ole", 2048)


def nul_bytes() -> bytes:
    headers = envelope(12, "placeholder", 'text/plain; charset="utf-8"')
    headers[7] = b"Subject: Refund\x00 request KRZ-30012"
    body = b"Hello,\r\n\r\nPlease refund\x00\x00 order KRZ-30012.\x00\r\n"
    return lines(*headers, "") + CRLF + body


def make_huge_header_message(size_kb: int = 200) -> bytes:
    """A request whose References header alone is about size_kb kilobytes (folded lines)."""
    ids: list[str | bytes] = []
    total = 0
    number = 0
    while total < size_kb * 1024:
        digest = hashlib.sha256(str(number).encode()).hexdigest()[:16]
        line = f" <{number:05d}.{digest}@mail.example.net>"
        ids.append(line)
        total += len(line) + 2
        number += 1
    ids[0] = "References:" + str(ids[0])
    return lines(*envelope(13, "Re: Refund KRZ-30013", 'text/plain; charset="utf-8"'), *ids, "",
                 *request_text("KRZ-30013"), "")


def make_many_parts_message(n_parts: int = 3000) -> bytes:
    """A request followed by n_parts tiny image parts (about 1 KB each)."""
    boundary = "=_parts_0f1e2d3c"
    pictures = [base64.encodebytes(png_image(23, 23, lambda x, y, s=shade: (s + x * y) % 256))
                for shade in range(0, 256, 16)]
    out = [lines(*envelope(14, "Refund KRZ-30014 (photos)",
                           f'multipart/mixed; boundary="{boundary}"'), "",
                 f"--{boundary}", 'Content-Type: text/plain; charset="utf-8"', "",
                 *request_text("KRZ-30014"), "", "")]
    for number in range(1, n_parts + 1):
        name = f"photo-{number:04d}.png"
        out.append(lines(f"--{boundary}", f'Content-Type: image/png; name="{name}"',
                         f'Content-Disposition: attachment; filename="{name}"',
                         "Content-Transfer-Encoding: base64", "", "")
                   + pictures[number % len(pictures)].replace(b"\n", CRLF))
    out.append(lines(f"--{boundary}--", ""))
    return b"".join(out)


def evil_attachment_names() -> bytes:
    boundary = "=_evil_names"
    gif = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000"
                        "010001000002024401003b")
    return lines(
        *envelope(15, "Refund KRZ-30015, see attachments",
                  f'multipart/mixed; boundary="{boundary}"'),
        "", f"--{boundary}", 'Content-Type: text/plain; charset="utf-8"', "",
        *request_text("KRZ-30015"), "",
        f"--{boundary}", 'Content-Type: image/gif; name="/evil/../x:y\\\\z.gif"',
        'Content-Disposition: attachment; filename="/evil/../x:y\\\\z.gif"',
        "Content-Transfer-Encoding: base64", "", *b64_lines(gif), "",
        f"--{boundary}", "Content-Type: text/plain",
        "Content-Disposition: attachment; filename*=UTF-8''..%2F..%2F.bashrc",
        "Content-Transfer-Encoding: base64", "", *b64_lines(b"echo pwned\n"), "",
        f"--{boundary}--", "",
    )


def bad_base64_body() -> bytes:
    return lines(
        *envelope(16, "Refund KRZ-30016", 'text/plain; charset="utf-8"'),
        "Content-Transfer-Encoding: base64", "",
        "Hi, I want a refund for KRZ-30016!!! This body is plain text, not base64 ~~~", "",
    )


def headers_only() -> bytes:
    headers = envelope(18, "Refund KRZ-30018", 'text/plain; charset="utf-8"')
    return lines(*headers) + CRLF  # the last header line ends; no blank line, no body


def make_large_attachment_message(size_mb: int = 25) -> bytes:
    """A request with a size_mb megabyte video attachment (base64, about 1.37 x on the wire)."""
    boundary = "=_large_7d6c5b4a"
    block = pseudo_random_bytes("video", 65536)
    video = (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
             + block * (size_mb * 16 + 1))[: size_mb * 1024 * 1024]
    head = lines(
        *envelope(19, "Refund KRZ-30019 - video of the problem",
                  f'multipart/mixed; boundary="{boundary}"'), "",
        f"--{boundary}", 'Content-Type: text/plain; charset="utf-8"', "",
        *request_text("KRZ-30019"), "",
        f"--{boundary}", 'Content-Type: video/mp4; name="site-walkthrough.mp4"',
        'Content-Disposition: attachment; filename="site-walkthrough.mp4"',
        "Content-Transfer-Encoding: base64", "", "",
    )
    return head + base64.encodebytes(video).replace(b"\n", CRLF) + lines(f"--{boundary}--", "")
