"""A seeded generator of realistic refund requests, and the orders they name.

About 25 KB a message on average: plain text, HTML and multipart/alternative bodies, 10% with a
50-300 KB attachment, English and French, some in quoted-printable latin-1 or base64 UTF-8,
replies that thread to earlier requests by In-Reply-To, and a few out-of-office auto-replies.
The same seed and count always give the same bytes.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from benchmarks import phrases as words
from benchmarks.mime import (
    Part,
    address,
    arc_headers,
    attachment_part,
    dkim_signature,
    encoded_word,
    html_document,
    multipart,
    text_part,
)

ACCOUNTS = "accounts@kreatorz.co.za"
SAST = timezone(timedelta(hours=2))
START = datetime(2026, 9, 21, 8, 0, tzinfo=SAST)
SPAN = timedelta(days=45)  # whatever the count, the mail arrives over six weeks
TEMPLATE_ORDERS = Path(__file__).resolve().parent.parent / "examples" / "orders.csv"
DATE_COLUMNS = ("ordered_at", "service_started_at", "period_start", "period_end", "last_payment_at")
REASON_WEIGHTS = {"change_of_mind": 40, "dissatisfied": 15, "non_delivery": 15,
                  "not_as_described": 10, "cancel_recurring": 12, "dispute": 8}
ENCODINGS = {"en": (("ascii", 55), ("utf8", 15), ("qp-utf8", 15), ("b64-utf8", 15)),
             "fr": (("utf8", 35), ("qp-latin1", 35), ("b64-utf8", 30))}
ATTACHMENTS = (("application/pdf", "invoice-{n}.pdf", b"%PDF-1.7\n"),
               ("image/jpeg", "IMG_{n}.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
               ("image/png", "screenshot-{n}.png", b"\x89PNG\r\n\x1a\n"))


@dataclass
class Customer:
    email: str
    name: str
    language: str
    mailer: tuple[str, str, str | None]
    orders: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sent:
    """What a later reply needs of an earlier message."""

    customer: Customer
    message_id: str
    subject: str
    text: str
    sent_at: datetime


@dataclass(frozen=True)
class Generated:
    raw: bytes
    received_at: datetime


class RequestGenerator:
    """Messages in receipt order (`messages()`), then the orders they refer to (`orders_csv()`)."""

    def __init__(self, seed: int, count: int) -> None:
        self.rng = random.Random(seed)
        self.count = count
        self.customers: list[Customer] = []
        self.orders: list[dict[str, str]] = []
        self.sent: list[Sent] = []
        self.stats: Counter[str] = Counter()
        with TEMPLATE_ORDERS.open(newline="", encoding="utf-8") as file:
            self.templates = list(csv.DictReader(file))

    def messages(self) -> Iterator[Generated]:
        gap = SPAN / self.count
        clock = START
        for index in range(self.count):
            clock += gap * self.rng.uniform(0.2, 1.8)
            received = clock.replace(microsecond=0)
            yield Generated(self._one(index, received), received)

    def orders_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(self.templates[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.orders)
        return out.getvalue()

    # -- one message ----------------------------------------------------------------------------

    def _one(self, index: int, received: datetime) -> bytes:
        roll = self.rng.random()
        if self.sent and roll < 0.15:
            return self._reply(index, received)
        if self.sent and roll < 0.17:
            return self._auto_reply(index, received)
        return self._request(index, received)

    def _request(self, index: int, received: datetime) -> bytes:
        rng = self.rng
        customer, known = self._customer(received)
        ref = customer.orders[-1]
        if known and rng.random() < 0.5:  # else the same order again: a duplicate request
            ref = self._new_order(customer, received)
        lang = customer.language
        reason = rng.choices(list(REASON_WEIGHTS), list(REASON_WEIGHTS.values()))[0]
        shown_ref = ref if rng.random() > 0.05 else "my recent order"  # some forget the number
        paragraphs = [rng.choice(words.GREETINGS[lang]),
                      rng.choice(words.OPENERS[lang]).format(ref=shown_ref, date=_day(received, lang))
                      + " " + rng.choice(words.REASONS[lang][reason])]
        details = rng.sample(words.DETAILS[lang], rng.randint(1, 4))
        paragraphs.append(" ".join(d.format(domain=customer.email.split("@")[1]) for d in details))
        paragraphs.append(f"{rng.choice(words.CLOSINGS[lang])}\n{customer.name}")
        subject = rng.choice(words.SUBJECTS[lang]).format(ref=shown_ref)
        self.stats[f"request:{lang}"] += 1
        return self._compose(index, received, customer, subject, paragraphs, None)

    def _reply(self, index: int, received: datetime) -> bytes:
        rng = self.rng
        original = rng.choice(self.sent[-2000:])
        customer, lang = original.customer, original.customer.language
        said = rng.choice(words.REPLY_TEXTS[lang]).format(
            ref=customer.orders[-1], domain=customer.email.split("@")[1])
        quote_header = words.QUOTE_HEADERS[lang].format(
            date=format_datetime(original.sent_at), name="Kreatorz Accounts", email=ACCOUNTS)
        quoted = "\n".join("> " + line for line in original.text.splitlines())
        subject = original.subject if original.subject.lower().startswith("re") else (
            ("Re: " if lang == "en" else "RE : ") + original.subject)
        paragraphs = [said, f"{rng.choice(words.CLOSINGS[lang])}\n{customer.name}",
                      f"{quote_header}\n{quoted}"]
        self.stats[f"reply:{lang}"] += 1
        return self._compose(index, received, customer, subject, paragraphs, original.message_id)

    def _auto_reply(self, index: int, received: datetime) -> bytes:
        original = self.rng.choice(self.sent[-2000:])
        lang = original.customer.language
        subject, text = words.AUTO_REPLY[lang]
        self.stats["auto-reply"] += 1
        return self._compose(index, received, original.customer,
                             subject.format(subject=original.subject), [text], None, automated=True)

    # -- assembling -----------------------------------------------------------------------------

    def _compose(self, index: int, received: datetime, customer: Customer, subject: str,
                 paragraphs: list[str], in_reply_to: str | None, automated: bool = False) -> bytes:
        rng = self.rng
        sent_at = received - timedelta(seconds=rng.randint(2, 900))
        message_id = f"<{rng.getrandbits(64):016x}.{index}@{customer.mailer[0]}>"
        text = "\n\n".join(paragraphs)
        body = self._body(customer, text, paragraphs, index, attach=not automated)
        headers = self._headers(customer, subject, sent_at, received, message_id, in_reply_to)
        if automated:
            headers.append("Auto-Submitted: auto-replied")
        self.sent.append(Sent(customer, message_id, subject, text, sent_at))
        return ("\r\n".join(headers) + "\r\n").encode("ascii") + body.to_bytes()

    def _headers(self, customer: Customer, subject: str, sent_at: datetime, received: datetime,
                 message_id: str, in_reply_to: str | None) -> list[str]:
        rng = self.rng
        domain = customer.email.split("@")[1]
        ip = f"198.51.100.{rng.randint(1, 254)}"
        verdict = "fail" if rng.random() < 0.01 else "pass"
        latin1 = customer.language == "fr" and rng.random() < 0.5
        lines = [
            f"Return-Path: <{customer.email}>",
            f"Delivered-To: {ACCOUNTS}",
            (f"Received: from mx.{domain} (mx.{domain} [{ip}])\r\n\tby mail.kreatorz.co.za "
             f"(Postfix) with ESMTPS id {rng.getrandbits(40):010X}\r\n\tfor <{ACCOUNTS}>; "
             f"{format_datetime(received)}"),
            (f"Received: by mx.{domain} with SMTP id {rng.getrandbits(64):x}; "
             f"{format_datetime(sent_at)}"),
            (f"Authentication-Results: mail.kreatorz.co.za; spf=pass smtp.mailfrom={domain};\r\n"
             f"\tdkim=pass header.d={domain}; dmarc={verdict} header.from={domain}"),
            *arc_headers(rng, domain, ip),
            dkim_signature(rng, domain),
            f"From: {address(customer.name, customer.email, latin1)}",
            f"To: Kreatorz Accounts <{ACCOUNTS}>",
            f"Subject: {encoded_word(subject, latin1)}",
            f"Date: {format_datetime(sent_at)}",
            f"Message-ID: {message_id}",
            "MIME-Version: 1.0",
        ]
        if in_reply_to:
            lines += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
        if customer.mailer[2]:
            lines.append(f"{customer.mailer[1]}: {customer.mailer[2]}")
        lines.append(f"Content-Language: {'fr-FR' if customer.language == 'fr' else 'en-ZA'}")
        return lines

    def _body(self, customer: Customer, text: str, paragraphs: list[str], index: int,
              attach: bool) -> Part:
        rng = self.rng
        encoding = _weighted(rng, ENCODINGS[customer.language])
        if encoding == "ascii" and not text.isascii():
            encoding = "qp-utf8"
        style = {"mail.gmail.com": "gmail", "outlook.com": "outlook"}.get(customer.mailer[0], "plain")
        shape = rng.choices(("plain", "alternative", "html"), (40, 40, 20))[0]
        html_text = html_document(paragraphs, style, words.OUTLOOK_STYLE)
        html_encoding = "qp-utf8" if encoding in ("ascii", "utf8", "qp-latin1") else encoding
        if shape == "plain":
            body = text_part(text, "plain", encoding)
        elif shape == "html":
            body = text_part(html_text, "html", html_encoding)
        else:
            body = multipart("alternative", [text_part(text, "plain", encoding),
                                             text_part(html_text, "html", html_encoding)],
                             f"alt-{rng.getrandbits(48):012x}")
        self.stats[f"{shape}:{encoding}"] += 1
        if attach and rng.random() < 0.102:  # auto-replies never attach: 10% of all mail does
            body = multipart("mixed", [body, self._attachment(index)], f"mix-{rng.getrandbits(48):012x}")
        return body

    def _attachment(self, index: int) -> Part:
        rng = self.rng
        content_type, name, magic = rng.choice(ATTACHMENTS)
        size = int(50_000 + 250_000 * rng.random() ** 1.5)  # 50-300 KB, smaller ones more common
        self.stats["attachment"] += 1
        return attachment_part(name.format(n=1000 + index % 9000), content_type,
                               magic + rng.randbytes(size - len(magic)))

    # -- customers and orders -------------------------------------------------------------------

    def _customer(self, received: datetime) -> tuple[Customer, bool]:
        """A new customer with an order, or (a quarter of the time) one who wrote before."""
        rng = self.rng
        if self.customers and rng.random() < 0.25:
            return rng.choice(self.customers[-3000:]), True
        lang = "fr" if rng.random() < 0.4 else "en"
        first, last = rng.choice(words.FIRST_NAMES[lang]), rng.choice(words.LAST_NAMES[lang])
        local = f"{_ascii(first)}.{_ascii(last)}{len(self.customers)}".lower().replace(" ", "")
        customer = Customer(f"{local}@{rng.choice(words.DOMAINS)}", f"{first} {last}", lang,
                            rng.choice(words.MAILERS))
        self.customers.append(customer)
        self._new_order(customer, received)
        return customer, False

    def _new_order(self, customer: Customer, received: datetime) -> str:
        """An order placed 1-12 days before the mail: the template's dates shift together."""
        template = self.rng.choice(self.templates)
        ordered_at = received - timedelta(days=self.rng.uniform(1, 12))
        shift = ordered_at - datetime.fromisoformat(template["ordered_at"])
        row = dict(template)
        for column in DATE_COLUMNS:
            if row[column]:
                row[column] = (datetime.fromisoformat(row[column]) + shift).replace(
                    microsecond=0).isoformat()
        order_id = f"KRZ-{100000 + len(self.orders)}"
        row["order_id"], row["customer_email"] = order_id, customer.email
        self.orders.append(row)
        customer.orders.append(order_id)
        return order_id


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def _day(moment: datetime, lang: str) -> str:
    earlier = moment - timedelta(days=5)
    return earlier.strftime("%d/%m/%Y") if lang == "fr" else earlier.strftime("%d %B %Y")


def _ascii(name: str) -> str:
    table = str.maketrans("éèêëàâäçîïôöùûüÿœæÉÈÊ'", "eeeeaaaciioouuuyoeEEE-")
    return name.translate(table)
