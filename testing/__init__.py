"""Real servers the tests start on loopback: a throwaway Dovecot (IMAP), aiosmtpd (SMTP) and
PostgreSQL."""

from .dovecot import Dovecot
from .dovecot_process import DovecotNotInstalled, DovecotStartError
from .mail_user import MailUser
from .postgres import Postgres, PostgresNotInstalled, PostgresStartError
from .smtp import ReceivedMessage, SmtpServer

__all__ = [
    "Dovecot",
    "DovecotNotInstalled",
    "DovecotStartError",
    "MailUser",
    "Postgres",
    "PostgresNotInstalled",
    "PostgresStartError",
    "ReceivedMessage",
    "SmtpServer",
]
