"""A real aiosmtpd SMTP server on a loopback port that records what it accepts and fails on demand.

Not yet: AUTH and STARTTLS (issue 4's outbox needs them). They belong here as constructor options
(`Controller(..., auth_require_tls=..., authenticator=..., tls_context=...)`, using
certificates.make_self_signed for the certificate), so tests keep a single SMTP harness.

`deliver_to(recipient, raw)`, when given, is called for every recipient of an accepted message
before the 250 goes out, as an MTA's local delivery: e.g. writing into a Dovecot user's Maildir
(`local_delivery`), so the outbox's journal copy lands in the mailbox it was addressed to.
"""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, Literal, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from .ports import LOOPBACK, free_port

Stage = Literal["MAIL", "RCPT", "DATA"]
Delivery = Callable[[str, bytes], None]


@dataclass(frozen=True)
class ReceivedMessage:
    """One message the server accepted (replied 250 to its DATA)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    received_at: datetime

    def parsed(self) -> EmailMessage:
        message = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message


@dataclass
class _Fault:
    stage: Stage
    reply: str
    remaining: int | None  # None: until told otherwise


@dataclass
class _Record:
    lock: threading.Condition = field(default_factory=threading.Condition)
    messages: list[ReceivedMessage] = field(default_factory=list)
    rejections: list[tuple[Stage, str]] = field(default_factory=list)
    fault: _Fault | None = None

    def reply_for(self, stage: Stage) -> str | None:
        """The injected failure reply for this stage, if one is due (and count it)."""
        with self.lock:
            fault = self.fault
            if fault is None or fault.stage != stage:
                return None
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.fault = None
            self.rejections.append((stage, fault.reply))
            return fault.reply


class _RecordingHandler:
    # aiosmtpd calls handle_<VERB>; defining MAIL and RCPT means recording the envelope here.
    def __init__(self, record: _Record, deliver_to: Delivery | None = None) -> None:
        self.record = record
        self.deliver_to = deliver_to

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if failure := self.record.reply_for("MAIL"):
            return failure
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if failure := self.record.reply_for("RCPT"):
            return failure
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if failure := self.record.reply_for("DATA"):
            return failure
        raw = envelope.original_content or b""
        if self.deliver_to is not None:  # durable before the 250, as a real MTA's queue is
            for recipient in envelope.rcpt_tos:
                self.deliver_to(recipient, raw)
        message = ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=raw,
            received_at=datetime.now(UTC),
        )
        with self.record.lock:
            self.record.messages.append(message)
            self.record.lock.notify_all()
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 in a background thread; same port across stop()/start()."""

    def __init__(self, deliver_to: Delivery | None = None, **smtp_options: Any) -> None:
        self.host = LOOPBACK
        self.port = free_port()
        self._record = _Record()
        self._deliver_to = deliver_to
        self._options = {"enable_SMTPUTF8": True, "decode_data": False, **smtp_options}
        self._controller: Controller | None = None

    # -- up and down --------------------------------------------------------------------------

    def start(self) -> None:
        if self._controller is not None:
            return
        # A Controller closes its event loop on stop, so each start needs a new one.
        controller = Controller(
            _RecordingHandler(self._record, self._deliver_to),
            hostname=self.host,
            port=self.port,
            ready_timeout=5,
            **self._options,
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening: clients now get `connection refused` until start()."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- behaviour ----------------------------------------------------------------------------

    def accept(self) -> None:
        """Back to normal: accept everything."""
        with self._record.lock:
            self._record.fault = None

    def fail_temporarily(
        self, times: int = 1, reply: str = "451 4.3.0 Try again later", at: Stage = "DATA"
    ) -> None:
        """Answer the next `times` commands of stage `at` with a 4xx reply, then accept again."""
        if not reply.startswith("4") or times < 1:
            raise ValueError("a temporary failure is a 4xx reply given at least once")
        with self._record.lock:
            self._record.fault = _Fault(at, reply, times)

    def fail_permanently(self, reply: str = "554 5.7.1 Rejected", at: Stage = "DATA") -> None:
        """Answer every command of stage `at` with a 5xx reply until accept() is called."""
        if not reply.startswith("5"):
            raise ValueError("a permanent failure is a 5xx reply")
        with self._record.lock:
            self._record.fault = _Fault(at, reply, None)

    # -- what arrived -------------------------------------------------------------------------

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Messages accepted so far, oldest first (a copy)."""
        with self._record.lock:
            return list(self._record.messages)

    @property
    def rejections(self) -> list[tuple[Stage, str]]:
        """Every injected failure reply given so far, as (stage, reply)."""
        with self._record.lock:
            return list(self._record.rejections)

    def wait_for_messages(self, count: int, timeout: float = 10.0) -> list[ReceivedMessage]:
        """Block until at least `count` messages arrived; raise TimeoutError otherwise."""
        with self._record.lock:
            if not self._record.lock.wait_for(
                lambda: len(self._record.messages) >= count, timeout=timeout
            ):
                got = len(self._record.messages)
                raise TimeoutError(f"expected {count} messages within {timeout}s, got {got}")
            return list(self._record.messages)

    def clear(self) -> None:
        with self._record.lock:
            self._record.messages.clear()
            self._record.rejections.clear()


def local_delivery(mailboxes: Mapping[str, Callable[[bytes], object]]) -> Delivery:
    """A `deliver_to` that stores mail for the given addresses (lower case) and ignores the rest.

    Each value writes one message, e.g. `lambda raw: dovecot.write_maildir_message(user, "INBOX", raw)`.
    """
    def deliver(recipient: str, raw: bytes) -> None:
        store = mailboxes.get(recipient.lower())
        if store is not None:
            store(raw)
    return deliver
