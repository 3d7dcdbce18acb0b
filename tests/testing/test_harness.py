"""The test servers are real: Dovecot keeps dates, resets UIDVALIDITY, speaks TLS; SMTP fails."""

from __future__ import annotations

import smtplib
import ssl
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import imapclient
import imapclient.exceptions
import pytest

from testing import Dovecot, MailUser, SmtpServer

pytestmark = pytest.mark.dovecot

MESSAGE = (
    b"From: Customer <customer@example.org>\r\n"
    b"To: accounts@shop.example\r\n"
    b"Subject: Refund for order 1234\r\n"
    b"Message-ID: <harness-1@example.org>\r\n"
    b"\r\n"
    b"Please refund my order.\r\n"
)


def fetch_internaldates(client: imapclient.IMAPClient, folder: str = "INBOX") -> list[datetime]:
    client.normalise_times = False  # keep the server's offset, so we compare instants
    client.select_folder(folder, readonly=True)
    fetched = client.fetch(client.search("ALL"), ["INTERNALDATE"])
    return [fetched[uid][b"INTERNALDATE"] for uid in sorted(fetched)]


def test_append_keeps_the_chosen_internaldate(mailbox_user: MailUser) -> None:
    received = datetime(2024, 3, 31, 1, 59, 30, tzinfo=ZoneInfo("Europe/Paris"))
    mailbox_user.append(MESSAGE, received)
    with mailbox_user.client() as client:
        assert fetch_internaldates(client) == [received]


def test_a_maildir_file_is_served_with_its_mtime_as_internaldate(
    dovecot: Dovecot, mailbox_user: MailUser
) -> None:
    received = datetime(2023, 12, 24, 23, 0, 5, tzinfo=UTC)
    dovecot.write_maildir_message(mailbox_user, "Bulk", MESSAGE, received, flags=["\\Seen"])
    with mailbox_user.client() as client:
        assert fetch_internaldates(client, "Bulk") == [received]
        [flags] = client.get_flags(client.search("ALL")).values()
        assert b"\\Seen" in flags


def test_each_test_gets_an_empty_mailbox_of_its_own(
    dovecot: Dovecot, mailbox_user: MailUser
) -> None:
    assert dovecot.folder_status(mailbox_user)["MESSAGES"] == 0
    assert mailbox_user.name not in Dovecot.DEFAULT_USERS


@pytest.mark.parametrize("folder", ["INBOX", "Refunds"])
def test_reset_uidvalidity_changes_it_and_keeps_the_messages(
    dovecot: Dovecot, mailbox_user: MailUser, folder: str
) -> None:
    dovecot.create_folder(mailbox_user, folder)
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    for _ in range(3):
        mailbox_user.append(MESSAGE, when, folder=folder)
    before = dovecot.folder_status(mailbox_user, folder)

    old, new = dovecot.reset_uidvalidity(mailbox_user, folder)

    after = dovecot.folder_status(mailbox_user, folder)
    assert (old, new) == (before["UIDVALIDITY"], after["UIDVALIDITY"])
    assert new != old
    assert after["MESSAGES"] == 3
    with mailbox_user.client() as client:
        assert fetch_internaldates(client, folder) == [when] * 3


def test_implicit_tls_verifies_against_the_generated_certificate(mailbox_user: MailUser) -> None:
    with mailbox_user.client(security="tls") as client:
        assert isinstance(client.socket(), ssl.SSLSocket)
        assert client.list_folders()
    with pytest.raises(ssl.SSLCertVerificationError):  # the certificate is really checked
        imapclient.IMAPClient(mailbox_user.host, mailbox_user.tls_port, ssl=True, timeout=5)


def test_starttls_upgrades_the_plain_port(dovecot: Dovecot, mailbox_user: MailUser) -> None:
    with imapclient.IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=5) as client:
        assert b"STARTTLS" in client.capabilities()
        client.starttls(dovecot.ssl_context())
        assert isinstance(client.socket(), ssl.SSLSocket)
        client.login(mailbox_user.name, mailbox_user.password)
        assert client.select_folder("INBOX")[b"EXISTS"] == 0


def test_a_wrong_password_is_refused(dovecot: Dovecot) -> None:
    with (
        imapclient.IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=5) as client,
        pytest.raises(imapclient.exceptions.LoginError),
    ):
        client.login("accounts", "not-the-password")


def test_a_private_server_starts_fast_and_keeps_mail_and_ports_across_restart(
    dovecot: Dovecot,  # only for its one-line failure when Dovecot is not installed
) -> None:
    started = time.monotonic()
    with Dovecot() as server:
        assert time.monotonic() - started < 2.0
        user = server.user("accounts")
        user.append(MESSAGE, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
        port, tls_port = server.port, server.tls_port

        server.stop()
        with pytest.raises(ConnectionRefusedError):
            imapclient.IMAPClient(server.host, port, ssl=False, timeout=5)
        server.start()

        assert (server.port, server.tls_port) == (port, tls_port)
        assert server.folder_status(user)["MESSAGES"] == 1
        assert "starting up for imap" in server.log_text()


def send(server: SmtpServer, subject: str) -> None:
    with smtplib.SMTP(server.host, server.port, timeout=5) as client:
        client.sendmail(
            "accounts@shop.example",
            ["customer@example.org"],
            f"From: accounts@shop.example\r\nSubject: {subject}\r\n\r\nHello.\r\n",
        )


def test_smtp_records_what_it_accepts(smtp_server: SmtpServer) -> None:
    send(smtp_server, "Your refund [R-000123]")

    [message] = smtp_server.messages
    assert message.mail_from == "accounts@shop.example"
    assert message.rcpt_tos == ("customer@example.org",)
    assert message.parsed()["Subject"] == "Your refund [R-000123]"
    assert message.raw.endswith(b"Hello.\r\n")


def test_smtp_fails_temporarily_then_accepts(smtp_server: SmtpServer) -> None:
    smtp_server.fail_temporarily(times=1)

    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        client.ehlo()
        replies = []
        for subject in ("first try", "second try"):
            client.mail("accounts@shop.example")
            client.rcpt("customer@example.org")
            replies.append(client.data(f"Subject: {subject}\r\n\r\nHello.\r\n")[0])

    assert replies == [451, 250]
    assert smtp_server.rejections == [("DATA", "451 4.3.0 Try again later")]
    assert [m.parsed()["Subject"] for m in smtp_server.messages] == ["second try"]


def test_smtp_fails_permanently_until_told_to_accept(smtp_server: SmtpServer) -> None:
    smtp_server.fail_permanently(at="RCPT")
    for _ in range(2):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(smtp_server, "refused")
        assert refused.value.recipients["customer@example.org"][0] == 554
    smtp_server.accept()
    send(smtp_server, "accepted")
    assert [m.parsed()["Subject"] for m in smtp_server.messages] == ["accepted"]


def test_smtp_can_go_down_and_come_back_on_the_same_port(smtp_server: SmtpServer) -> None:
    smtp_server.stop()
    with pytest.raises(ConnectionRefusedError):
        send(smtp_server, "while down")
    smtp_server.start()
    send(smtp_server, "after restart")
    assert len(smtp_server.wait_for_messages(1, timeout=1)) == 1
