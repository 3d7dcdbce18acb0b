"""tests/corpus/attacks/: mail written as an attacker would, and what intake must make of each.

Run `python -m tests.corpus.attack_messages` to write the .eml files and manifest.toml again;
the files are committed, and tests/intake/test_attack_corpus.py checks they match this script.
The public-corpus cases (a To: of thousands of encoded words, white space before the headers,
a zip behind a reused boundary) are our own small messages with the same structure.
"""

from __future__ import annotations

import base64
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.corpus.toml_text import Value, array_of_tables

DIRECTORY = Path(__file__).resolve().parent / "attacks"
ACCOUNTS = "accounts@kreatorz.co.za"
OURS = "mx.kreatorz.co.za"  # the authserv_id of our receiving server in the test config
GRACE = "grace.adams@example.com"  # R-000001, open
LI = "li.wei@example.org"  # R-000002, closed before the attacks
ORDERS_CSV = (
    "order_id,customer_email,amount,currency,ordered_at,service_type,is_package,web_based,"
    "service_started_at,work_commenced\n"
    f"KRZ-50001,{GRACE},4500.00,ZAR,2026-11-01T09:00:00+02:00,Graphic Design,false,false,"
    "2026-11-01T09:00:00+02:00,false\n"
    f"KRZ-50002,{LI},3000.00,ZAR,2026-10-01T09:00:00+02:00,Graphic Design,false,false,"
    "2026-10-01T09:00:00+02:00,true\n"
)


@dataclass(frozen=True)
class Attack:
    file: str
    raw: bytes
    note: str
    sender: str  # the stored sender ("" for none)
    classification: str
    expect: dict[str, Value] = field(default_factory=dict)


def mail(headers: list[tuple[str, str]], body: str, *, date: str = "Mon, 2 Nov 2026 10:00:00 +0200",
         content_type: str = "text/plain; charset=utf-8") -> bytes:
    lines = [f"{name}: {value}" for name, value in headers]
    lines += [f"Date: {date}", "MIME-Version: 1.0", f"Content-Type: {content_type}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")


def ours(result: str) -> tuple[str, str]:
    return ("Authentication-Results", f"{OURS}; {result}")


def setup_messages() -> list[Attack]:
    """The two genuine requests the attacks aim at: R-000001 (Grace) and R-000002 (Li, closed)."""
    return [
        Attack("setup_grace_request.eml", mail([
            ("From", f"Grace Adams <{GRACE}>"), ("To", ACCOUNTS), ("Subject", "Refund for KRZ-50001"),
            ("Message-ID", "<grace-1@example.com>"),
            ours("spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com")],
            "Hello, I changed my mind about order KRZ-50001. Please refund me.\nGrace\n"),
            "the customer's own request: R-000001", GRACE, "new_request"),
        Attack("setup_li_request.eml", mail([
            ("From", f"Li Wei <{LI}>"), ("To", ACCOUNTS), ("Subject", "Refund KRZ-50002"),
            ("Message-ID", "<li-1@example.org>"),
            ours("spf=pass smtp.mailfrom=example.org; dmarc=pass header.from=example.org")],
            "I changed my mind about KRZ-50002, please refund.\nLi\n"),
            "the customer's own request: R-000002 (closed by the test before the attacks)", LI,
            "new_request"),
    ]


def spoofing() -> list[Attack]:
    encoded = base64.b64encode(GRACE.encode()).decode()
    return [
        Attack("spoof_encoded_display_name.eml", mail([
            ("From", f"=?utf-8?b?{encoded}?= <attacker@evil.example>"), ("To", ACCOUNTS),
            ("Subject", "Refund for KRZ-50001"), ("Message-ID", "<spoof-1@evil.example>")],
            "Please refund order KRZ-50001 to my new card.\n"),
            "the display name is Grace's address in an encoded word; the sender is the attacker",
            "attacker@evil.example", "new_request",
            {"sender_name": GRACE, "customer": "attacker@evil.example", "trust_note": "display name shows"}),
        Attack("spoof_crlf_encoded_word.eml", mail([
            ("From", "=?utf-8?q?Grace_=3Cgrace.adams=40example.com=3E=0D=0A?= <name@evil.example>"),
            ("To", ACCOUNTS), ("Subject", "Refund for KRZ-50001"), ("Message-ID", "<spoof-2@evil.example>")],
            "Refund KRZ-50001 please.\n"),
            "an encoded CR LF ends the display name early; the address is still the real one",
            "name@evil.example", "new_request",
            {"customer": "name@evil.example", "trust_note": "display name shows"}),
        Attack("spoof_crlf_in_address.eml", mail([
            ("From", "name@evil.example=?utf-8?q?=0D=0A?=x-name"), ("To", ACCOUNTS),
            ("Subject", "Refund for KRZ-50001"), ("Message-ID", "<spoof-3@evil.example>")],
            "Refund KRZ-50001 please.\n"),
            "an encoded word glued to the address: no address is made up from it",
            "", "new_request"),
    ]


def hijacks() -> list[Attack]:
    return [
        Attack("hijack_subject_token.eml", mail([
            ("From", "Mallory <mallory@evil.example>"), ("To", ACCOUNTS),
            ("Subject", "Re: Refund for KRZ-50001 [R-000001]"), ("Message-ID", "<hijack-1@evil.example>")],
            "Hi, please pay the refund into account 12345678 instead. Thanks!\n"),
            "a stranger writes with R-000001's token", "mallory@evil.example", "not_a_request",
            {"claims": "R-000001", "detail": "claims to be about R-000001, sent by someone else"}),
        Attack("hijack_in_reply_to.eml", mail([
            ("From", "mallory@evil.example"), ("To", ACCOUNTS), ("Subject", "Re: Refund for KRZ-50001"),
            ("Message-ID", "<hijack-2@evil.example>"), ("In-Reply-To", "<grace-1@example.com>"),
            ("References", "<grace-1@example.com>")],
            "Forget what I said, refund to my PayPal mallory@evil.example.\n"),
            "a stranger answers Grace's Message-ID", "mallory@evil.example", "not_a_request",
            {"claims": "R-000001"}),
        Attack("hijack_closed_request.eml", mail([
            ("From", "mallory@evil.example"), ("To", ACCOUNTS), ("Subject", "Re: Refund KRZ-50002"),
            ("Message-ID", "<hijack-3@evil.example>"), ("References", "<li-1@example.org>")],
            "I want this reopened.\n"),
            "a stranger names a closed request: it stays closed", "mallory@evil.example",
            "not_a_request", {"claims": "R-000002"}),
        Attack("hijack_relay_wrong_reply_to.eml", mail([
            ("From", "Contact form <noreply@kreatorz.co.za>"), ("Reply-To", "mallory@evil.example"),
            ("To", ACCOUNTS), ("Subject", "Re: Refund [R-000001]"), ("Message-ID", "<hijack-4@kreatorz.co.za>")],
            "Name: Grace\nMessage: send my refund to mallory@evil.example\n"),
            "the trusted relay, but for someone other than the customer", "noreply@kreatorz.co.za",
            "not_a_request", {"claims": "R-000001"}),
        Attack("hijack_unverified_staff.eml", mail([
            ("From", "Amir <amir@kreatorz.co.za>"), ("To", ACCOUNTS),
            ("Subject", "Re: Refund [R-000001]"), ("Message-ID", "<hijack-5@evil.example>")],
            "Approved, refund to the new account please.\n"),
            "a staff address our server did not authenticate", "amir@kreatorz.co.za",
            "not_a_request", {"claims": "R-000001"}),
        Attack("customer_reply_other_case.eml", mail([
            ("From", "Grace <Grace.Adams@Example.COM>"), ("To", ACCOUNTS),
            ("Subject", "Re: Refund for KRZ-50001 [R-000001]"), ("Message-ID", "<grace-2@example.com>"),
            ours("spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com")],
            "Here is the URL of the project: https://grace.example.com\n"),
            "the customer herself, in other letter case: she joins her thread (kept defence)",
            GRACE, "reply", {"joins": "R-000001"}),
    ]


def authentication() -> list[Attack]:
    return [
        Attack("forged_dmarc_pass_other_id.eml", mail([
            ("From", "Ben Okafor <ben.okafor@example.net>"), ("To", ACCOUNTS),
            ("Subject", "Refund for KRZ-50003"), ("Message-ID", "<ben-1@example.net>"),
            ("Authentication-Results", "mx.google.com; dmarc=pass header.from=example.net")],
            "I changed my mind about KRZ-50003.\n"),
            "a dmarc=pass the sender wrote (not our server's id): unknown", "ben.okafor@example.net",
            "new_request", {"authentication": "unknown"}),
        Attack("dmarc_pass_for_other_domain.eml", mail([
            ("From", "Ben Okafor <ben.okafor@example.net>"), ("To", ACCOUNTS),
            ("Subject", "Refund for KRZ-50004"), ("Message-ID", "<ben-2@example.net>"),
            ours("dmarc=pass header.from=evil.example")],
            "Refund KRZ-50004 please.\n"),
            "our server passed DMARC for another From domain than the one we read: fail",
            "ben.okafor@example.net", "new_request", {"authentication": "fail"}),
        Attack("staff_forward_unverified.eml", mail([
            ("From", "Amir <amir@kreatorz.co.za>"), ("To", ACCOUNTS), ("Subject", "Fwd: refund"),
            ("Message-ID", "<fwd-1@evil.example>")],
            "FYI\n\n---------- Forwarded message ---------\nFrom: Victim <victim@example.com>\n"
            "Subject: refund\n\nPlease refund me.\n"),
            "a staff forward our server did not authenticate: the named customer is not trusted",
            "amir@kreatorz.co.za", "wrong_channel",
            {"customer": "amir@kreatorz.co.za", "trust_note": "did not authenticate"}),
        Attack("staff_forward_verified.eml", mail([
            ("From", "Amir <amir@kreatorz.co.za>"), ("To", ACCOUNTS), ("Subject", "Fwd: refund"),
            ("Message-ID", "<fwd-2@kreatorz.co.za>"),
            ours("spf=pass smtp.mailfrom=kreatorz.co.za; dmarc=pass header.from=kreatorz.co.za")],
            "FYI\n\n---------- Forwarded message ---------\nFrom: Carla <carla@example.com>\n"
            "Subject: refund\n\nPlease refund me.\n"),
            "a staff forward our server authenticated: the forwarded customer is answered (kept)",
            "amir@kreatorz.co.za", "wrong_channel", {"customer": "carla@example.com"}),
    ]


def automated() -> list[Attack]:
    subjects = {
        "auto_reply_automatic_reply.eml": "Automatic reply: Re: Refund for KRZ-50001 [R-000001]",
        "auto_reply_out_of_office.eml": "Out of Office: Re: Refund for KRZ-50001 [R-000001]",
        "auto_reply_french.eml": "Réponse automatique : Re: Refund for KRZ-50001 [R-000001]",
        "auto_reply_german.eml": "Abwesenheitsnotiz: Re: Refund for KRZ-50001 [R-000001]",
    }
    found = [Attack(name, mail([("From", f"Grace Adams <{GRACE}>"), ("To", ACCOUNTS),
                                ("Subject", subject), ("Message-ID", f"<{name[:-4]}@example.com>")],
                               "I am away until Monday and will read your message then.\n"),
                    "an auto-reply with none of the usual headers, from the customer's own address",
                    GRACE, "not_a_request", {"detail": "auto_reply"})
             for name, subject in subjects.items()]
    found += [
        Attack("bounce_bounces_address.eml", mail([
            ("From", "bounces@mail.example.net"), ("To", ACCOUNTS),
            ("Subject", "Undeliverable: Re: Refund for KRZ-50001 [R-000001]"),
            ("Message-ID", "<bounce-1@mail.example.net>")],
            "Your message to grace.adams@example.com could not be delivered.\n"),
            "a text/plain bounce from bounces@ carrying our token", "bounces@mail.example.net",
            "not_a_request", {"detail": "bounce", "claims": "R-000001", "trust_note": "bounced"}),
        Attack("bounce_dsn_subject.eml", mail([
            ("From", "Mail Delivery <delivery@mx.example.org>"), ("To", ACCOUNTS),
            ("Subject", "Delivery Status Notification (Failure)"),
            ("Message-ID", "<bounce-2@mx.example.org>")],
            "Delivery to the following recipient failed permanently: grace.adams@example.com\n\n"
            "----- Original message -----\nSubject: Re: Refund for KRZ-50001 [R-000001]\n"),
            "a bounce known by its subject; our token only in the quoted original",
            "delivery@mx.example.org", "not_a_request",
            {"detail": "bounce", "claims": "R-000001", "trust_note": "bounced"}),
    ]
    return found


def public_corpus_shapes() -> list[Attack]:
    words = " ".join(f"=?utf-8?b?{base64.b64encode(f'Meeting 10:08:{i % 60:02d} room {i}'.encode()).decode()}?="
                     for i in range(600))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(zipfile.ZipInfo("receipt.txt", (2026, 11, 2, 9, 0, 0)),
                        "Order KRZ-50005, paid 1200.00 ZAR")  # a fixed time: the same bytes each run
    zipped = base64.encodebytes(archive.getvalue()).decode()
    boundary = "----=Part_77_reused"
    return [
        Attack("to_many_encoded_words.eml", mail([
            ("From", "Dora <dora@example.com>"), ("To", f"{words} <{ACCOUNTS}>"),
            ("Subject", "Refund KRZ-50006"), ("Message-ID", "<dora-1@example.com>")],
            "I changed my mind about KRZ-50006.\n"),
            "a To: of 600 encoded words holding times (10:08:28): no recursion, addresses read",
            "dora@example.com", "new_request", {"parse_status": "ok"}),
        Attack("whitespace_before_headers.eml", b" \r\n" + mail([
            ("From", "Eve Moyo <eve.moyo@example.com>"), ("To", ACCOUNTS),
            ("Subject", "Refund KRZ-50007"), ("Message-ID", "<eve-1@example.com>")],
            "I changed my mind about KRZ-50007.\n"),
            "a first line of white space, then real headers: stored partial, headers read",
            "eve.moyo@example.com", "new_request", {"parse_status": "partial"}),
        Attack("zip_behind_reused_boundary.eml", mail([
            ("From", "Femi <femi@example.com>"), ("To", ACCOUNTS), ("Subject", "Refund KRZ-50005"),
            ("Message-ID", "<femi-1@example.com>")],
            f"--{boundary}\nContent-Type: multipart/alternative;\n boundary=\"{boundary}\"\n\n"
            f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\nRefund KRZ-50005 please, "
            f"receipt attached.\n--{boundary}\nContent-Type: text/html; charset=utf-8\n\n"
            f"<p>Refund KRZ-50005 please</p>\n\n--{boundary}--\n\n--{boundary}\n"
            "Content-Type: application/zip; name=\"receipt.zip\"\nContent-Transfer-Encoding: base64\n\n"
            f"{zipped}\n--{boundary}--\n",
            content_type=f"multipart/mixed; boundary=\"{boundary}\""),
            "the inner multipart reuses the outer boundary: the zip after it is still kept",
            "femi@example.com", "new_request", {"attachments": ["receipt.zip"], "parse_status": "partial"}),
    ]


def attacks() -> list[Attack]:
    """In feeding order, after the setup messages."""
    return [*spoofing(), *hijacks(), *authentication(), *automated(), *public_corpus_shapes()]


MANIFEST_HEADER = """\
tests/corpus/attacks/manifest.toml: what intake must make of each attack mail.
Generated by tests/corpus/attack_messages.py; edit the script, not this file.

The world: mailbox accounts@kreatorz.co.za, authserv_id mx.kreatorz.co.za, policy kreatorz.
Feed the two setup_* files first (R-000001 Grace, open; R-000002 Li, then closed), then each
attack on its own, one poll each.

file            the .eml file in this directory (CRLF line ends)
sender          the stored sender: the real address, never one from an encoded word ("" none)
classification  what intake classifies it as
note            why the file is here
sender_name     the display name stored beside the address, decoded on its own
customer        the customer of the request it opens
claims          the request it names but may not join: linked for staff, it changes nothing
                (that request is not decided again, not reopened, gets no draft)
joins           the request it joins as a reply (the customer herself)
authentication  our receiving server's verdict as intake reads it: pass | fail | unknown
detail          a word the classification detail contains (auto_reply, bounce)
trust_note      words a note for staff on the message contains
parse_status    ok | partial
attachments     the attachment file names kept
"""


def manifest() -> str:
    rows = []
    for case in [*setup_messages(), *attacks()]:
        rows.append({"file": case.file, "sender": case.sender, "classification": case.classification,
                     "note": case.note, **case.expect})
    return array_of_tables(MANIFEST_HEADER, "case", rows)


def write() -> None:
    DIRECTORY.mkdir(exist_ok=True)
    for case in [*setup_messages(), *attacks()]:
        (DIRECTORY / case.file).write_bytes(case.raw)
    (DIRECTORY / "manifest.toml").write_text(manifest(), encoding="utf-8")
    (DIRECTORY / "orders.csv").write_text(ORDERS_CSV, encoding="utf-8")


if __name__ == "__main__":
    write()
