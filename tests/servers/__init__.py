"""Real servers the tests start on loopback: a throwaway Dovecot (IMAP) and aiosmtpd (SMTP)."""

from .dovecot import Dovecot
from .dovecot_process import DovecotNotInstalled, DovecotStartError
from .mail_user import MailUser
from .smtp import ReceivedMessage, SmtpServer

__all__ = [
    "Dovecot",
    "DovecotNotInstalled",
    "DovecotStartError",
    "MailUser",
    "ReceivedMessage",
    "SmtpServer",
]
