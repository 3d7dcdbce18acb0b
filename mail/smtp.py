"""Hand one message to the SMTP server (smtplib) and say plainly how it went.

The outcome is a value, not an exception, because the outbox does something different for
each: `accepted` (the server took it), `temporary` (4xx, connection refused, timeout: retry
later), `permanent` (5xx for this message: staff must look), `uncertain` (the connection
broke after the message was transmitted, so the server may have taken it: never retried
automatically), `setup` (our own TLS, password or login is wrong: no draft is blamed) and
`withdrawn` (`still_ours` said no just before DATA: the message was not sent).
TLS is never given up for plaintext: a server without STARTTLS is a setup error.

`journal` is an extra envelope recipient (the mailbox's own address, no header names it) given
in the same transaction, so the one 250 that accepts the reply also delivers our own copy.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from base.config import SmtpSettings
from base.errors import SecretError


@dataclass(frozen=True)
class Attempt:
    outcome: str  # accepted | temporary | permanent | uncertain | setup | withdrawn
    detail: str


class _Failed(Exception):
    def __init__(self, outcome: str, detail: str) -> None:
        super().__init__(detail)
        self.attempt = Attempt(outcome, detail)


def tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """System CAs plus the configured one; certificates and host names are always checked."""
    context = ssl.create_default_context()
    if settings.ca_file is not None:
        context.load_verify_locations(cafile=str(settings.ca_file))
    return context


def deliver(settings: SmtpSettings, sender: str, recipient: str, data: bytes,
            smtputf8: bool = False, journal: str | None = None,
            still_ours: Callable[[], bool] | None = None) -> Attempt:
    """`still_ours`, asked just before DATA: may this sender still send? (The outbox checks that
    recovery has not taken over a reply whose sender was slower than sending_timeout_seconds.)"""
    where = f"SMTP {settings.host}:{settings.port}"
    try:
        client = _connect(settings, where)
    except _Failed as failed:
        return failed.attempt
    try:
        _login(client, settings, where)
        return _transfer(client, sender, recipient, data, smtputf8, journal, still_ours)
    except _Failed as failed:
        return failed.attempt
    finally:
        _quietly_quit(client)


def _connect(settings: SmtpSettings, where: str) -> smtplib.SMTP:
    try:
        context = tls_context(settings)
    except (OSError, ssl.SSLError) as exc:
        raise _Failed("setup", f"SMTP ca_file {settings.ca_file}: cannot load: {exc}") from exc
    try:
        if settings.security == "tls":
            return smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                    context=context)
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except ssl.SSLError as exc:
        raise _Failed("setup", f"{where}: TLS failed: {exc.reason or exc}") from exc
    except smtplib.SMTPConnectError as exc:
        raise _Failed(_by_code(exc.smtp_code, "setup"), f"{where}: greeting refused: {_reply(exc)}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise _Failed("temporary", f"{where}: cannot connect: {_describe(exc)}") from exc
    if settings.security == "starttls":
        try:
            _starttls(client, context, where)
        except BaseException:
            _quietly_quit(client)
            raise
    return client


def _starttls(client: smtplib.SMTP, context: ssl.SSLContext, where: str) -> None:
    try:
        client.ehlo()
        if not client.has_extn("starttls"):
            raise _Failed("setup", f"{where}: the server offers no STARTTLS; not sending in plaintext")
        client.starttls(context=context)
        client.ehlo()
    except ssl.SSLError as exc:
        raise _Failed("setup", f"{where}: STARTTLS failed: {exc.reason or exc}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise _Failed("temporary", f"{where}: STARTTLS failed: {_describe(exc)}") from exc


def _login(client: smtplib.SMTP, settings: SmtpSettings, where: str) -> None:
    if not settings.username:
        return
    try:
        password = settings.password.read() if settings.password else ""
        client.login(settings.username, password)
    except SecretError as exc:
        raise _Failed("setup", str(exc)) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise _Failed(_by_code(exc.smtp_code, "setup"),
                      f"{where}: login refused for {settings.username}: {_reply(exc)}") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise _Failed("setup", f"{where}: the server offers no AUTH; set no username for it") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise _Failed("temporary", f"{where}: login failed: {_describe(exc)}") from exc


def _transfer(client: smtplib.SMTP, sender: str, recipient: str, data: bytes,
              smtputf8: bool, journal: str | None = None,
              still_ours: Callable[[], bool] | None = None) -> Attempt:
    try:
        client.ehlo_or_helo_if_needed()
        if smtputf8 and not client.has_extn("smtputf8"):
            return Attempt("permanent", "an address is not ASCII and the server offers no SMTPUTF8")
        options = ["SMTPUTF8", "BODY=8BITMIME"] if smtputf8 else []
        code, reply = client.mail(sender, options)
        if code != 250:
            return Attempt(_by_code(code, "permanent"), f"MAIL FROM refused: {code} {_text(reply)}")
        code, reply = client.rcpt(recipient)
        if code not in (250, 251):
            return Attempt(_by_code(code, "permanent"), f"RCPT TO {recipient} refused: {code} {_text(reply)}")
        if journal and journal.lower() != recipient.lower():
            code, reply = client.rcpt(journal)
            if code not in (250, 251):
                # Our own address refused: a setup problem (or a passing 4xx), not the draft's fault.
                return Attempt(_by_code(code, "setup"),
                               f"RCPT TO {journal} (the journal copy) refused: {code} {_text(reply)}")
    except (OSError, smtplib.SMTPException) as exc:
        return Attempt("temporary", f"SMTP conversation broke before the message was sent: {_describe(exc)}")
    if still_ours is not None and not still_ours():
        with contextlib.suppress(OSError, smtplib.SMTPException):
            client.rset()
        return Attempt("withdrawn", "not sent: another run took this reply over before DATA")
    try:
        code, reply = client.data(data)
    except smtplib.SMTPDataError as exc:
        return Attempt(_by_code(exc.smtp_code, "permanent"), f"message refused: {_reply(exc)}")
    except (OSError, smtplib.SMTPException) as exc:
        # The message may have reached the server before the line dropped: sending it again
        # could make a second copy, so this is for a person to check.
        return Attempt("uncertain", f"connection lost during DATA: {_describe(exc)}")
    if code != 250:  # smtplib returns the final reply after the message, it does not raise
        return Attempt(_by_code(code, "permanent"), f"message refused: {code} {_text(reply)}")
    return Attempt("accepted", f"{code} {_text(reply)}")


def _by_code(code: int | None, otherwise: str) -> str:
    return "temporary" if code is not None and 400 <= code < 500 else otherwise


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _quietly_quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
