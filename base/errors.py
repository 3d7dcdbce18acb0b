"""The one exception tree of refund-intake; the CLI prints any of these as one line.

    RefundIntakeError
    ├── ConfigError          bad or missing configuration (names the file and key)
    ├── SecretError          a password could not be read from its env variable or file
    ├── SourceError          the mail source failed (translated from imapclient / socket / ssl)
    │   ├── SourceUnavailable    cannot connect (refused, DNS, timeout, TLS)
    │   └── SourceAuthError      the server refused the login
    ├── StorageError         the database refused a write (locked, full, gone)
    ├── LockBusy             another run holds the lock for this mailbox
    ├── NotFound             a reference, message or draft that does not exist
    ├── PermissionDenied     a staff member's role does not allow the action (the attempt is audited)
    └── ActionRefused        the action does not fit the thing's state or the input (approve a sent draft)
"""


class RefundIntakeError(Exception):
    """Base of every error the service raises on purpose."""


class ConfigError(RefundIntakeError):
    pass


class SecretError(RefundIntakeError):
    pass


class SourceError(RefundIntakeError):
    pass


class SourceUnavailable(SourceError):
    pass


class SourceAuthError(SourceError):
    pass


class StorageError(RefundIntakeError):
    pass


class LockBusy(RefundIntakeError):
    pass


class NotFound(RefundIntakeError):
    pass


class PermissionDenied(RefundIntakeError):
    pass


class ActionRefused(RefundIntakeError):
    pass
