"""Encryption at rest of raw mail and attachment contents: AES-256-GCM with a key ring.

A sealed blob is ``MAGIC | len(key id) | key id | nonce | ciphertext+tag``. The header is the
authenticated associated data, so a blob cannot be moved to another key id unnoticed. The key id
is derived from the key itself (a hash), so a wrong key is recognised before anything is written.

The key secret (`[privacy] encryption_key_env` or `encryption_key_file`) holds one or more keys,
URL-safe base64 of 32 random bytes, separated by white space or commas. The first key seals new
data; the others only open data sealed earlier: that is how keys are rotated (`privacy rekey`).
The database row keeps the key id next to the content (NULL: stored in the clear), so a check at
start-up and a rekey never have to guess whether a blob is sealed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import or_, select, union
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config, PrivacySettings, Secret
from base.errors import ConfigError, SecretError, StorageError
from base.models import Attachment, RawMessage

MAGIC = b"RIv1"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_LENGTH = 16
_SEPARATORS = re.compile(r"[\s,]+")
Sealable = TypeVar("Sealable", RawMessage, Attachment)


class Vault:
    """Seals with the first key of the ring; opens with whichever key a blob names."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("a vault needs at least one key")
        self._ciphers = {key_id(key): AESGCM(key) for key in keys}
        self.current = key_id(keys[0])

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._ciphers)

    def can_open(self, sealed_with: str) -> bool:
        return sealed_with in self._ciphers

    def seal(self, plaintext: bytes) -> bytes:
        header = _header(self.current)
        nonce = os.urandom(NONCE_BYTES)  # random 96-bit nonces: safe far beyond this data's volume
        return header + nonce + self._ciphers[self.current].encrypt(nonce, plaintext, header)

    def open(self, blob: bytes) -> bytes:
        sealed_with, header = _parse_header(blob)
        cipher = self._ciphers.get(sealed_with)
        if cipher is None:
            raise ConfigError(f"privacy: data sealed with key {sealed_with}, which no configured key opens")
        nonce = blob[len(header):len(header) + NONCE_BYTES]
        try:
            return cipher.decrypt(nonce, blob[len(header) + NONCE_BYTES:], header)
        except InvalidTag as exc:
            raise StorageError(f"sealed content (key {sealed_with}) failed its integrity check: "
                               "it was altered or damaged") from exc


def key_id(key: bytes) -> str:
    """A short public name for a key: it tells keys apart and reveals nothing usable about one."""
    return hashlib.sha256(b"refund-intake key id\0" + key).hexdigest()[:KEY_ID_LENGTH]


def new_key() -> str:
    """A fresh key in the form the key secret holds."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=8 * KEY_BYTES)).decode("ascii")


def load_vault(settings: PrivacySettings) -> Vault | None:
    """The vault of the configured keys; None when encryption is off. Raises if a key is unusable."""
    if settings.encryption_key is None:
        return None
    return Vault(_read_keys(settings.encryption_key))


def open_vault(config: Config, sessions: sessionmaker[Session]) -> Vault | None:
    """The vault for a command that stores or reads mail, checked against what the database holds.

    Refuses (one-line error) when encryption is on and the key cannot be read, and when the
    database holds data sealed with a key the ring does not have: better not to start than to
    write plaintext or seal new mail under a key nobody meant to use.
    """
    vault = load_vault(config.privacy)
    with sessions() as session:
        missing = [k for k in sealed_key_ids(session) if vault is None or not vault.can_open(k)]
    if missing and vault is None:
        raise ConfigError(f"{config.path}: privacy: the database holds data sealed with key "
                          f"{', '.join(missing)} but [privacy] names no encryption key; set "
                          "encryption_key_env or encryption_key_file")
    if missing:
        assert config.privacy.encryption_key is not None
        raise ConfigError(f"{config.path}: privacy: wrong encryption key: the database holds data "
                          f"sealed with key {', '.join(missing)}, which the configured key "
                          f"({_where(config.privacy.encryption_key)}) does not open; give that key "
                          "(while rotating, list it after the new one)")
    return vault


def sealed_key_ids(session: Session) -> list[str]:
    """Every key id the stored raw mail and attachments were sealed with (indexed, so cheap)."""
    query = union(select(RawMessage.key_id).where(RawMessage.key_id.is_not(None)),
                  select(Attachment.key_id).where(Attachment.key_id.is_not(None)))
    return sorted(session.scalars(select(query.subquery().c[0])))


def seal(vault: Vault | None, data: bytes) -> tuple[bytes, str | None]:
    """Content and key id to store: sealed when there is a vault, else as is."""
    if vault is None:
        return data, None
    return vault.seal(data), vault.current


def unseal(vault: Vault | None, content: bytes | None, sealed_with: str | None) -> bytes | None:
    """The stored content in the clear (None if it was purged)."""
    if content is None or sealed_with is None:
        return content
    if vault is None:
        raise ConfigError(f"privacy: this content is sealed with key {sealed_with} and no "
                          "encryption key is configured")
    found, _ = _parse_header(content)
    if found != sealed_with:
        raise StorageError(f"sealed content names key {found}, its row says {sealed_with}")
    return vault.open(content)


def rekey(session: Session, vault: Vault, limit: int = 100) -> int:
    """Seal up to `limit` stored contents under the current key: those sealed with an older key
    and those stored in the clear. Returns how many were sealed; call until it returns 0."""
    done = _reseal(session, vault, RawMessage, limit)
    return done + _reseal(session, vault, Attachment, limit - done)


def _reseal(session: Session, vault: Vault, model: type[Sealable], limit: int) -> int:
    rows = list(session.scalars(select(model).where(
        model.content.is_not(None),
        or_(model.key_id.is_(None), model.key_id != vault.current)).limit(limit)))
    for row in rows:
        row.content, row.key_id = seal(vault, unseal(vault, row.content, row.key_id) or b"")
    return len(rows)


def _header(sealed_with: str) -> bytes:
    name = sealed_with.encode("ascii")
    return MAGIC + bytes([len(name)]) + name


def _parse_header(blob: bytes) -> tuple[str, bytes]:
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 1:
        raise StorageError("content marked as sealed is not a sealed blob")
    length = blob[len(MAGIC)]
    header = blob[:len(MAGIC) + 1 + length]
    if len(blob) < len(header) + NONCE_BYTES + 16:
        raise StorageError("sealed content is truncated")
    return header[len(MAGIC) + 1:].decode("ascii", "replace"), header


def _read_keys(secret: Secret) -> list[bytes]:
    where = _where(secret)
    try:
        text = secret.read()
    except SecretError as exc:
        raise ConfigError(f"privacy: encryption is on but its key cannot be read ({exc}); "
                          "refusing to store mail in the clear") from exc
    keys = []
    for index, word in enumerate(w for w in _SEPARATORS.split(text.strip()) if w):
        try:
            key = base64.urlsafe_b64decode(word.encode("ascii") + b"=" * (-len(word) % 4))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise ConfigError(f"privacy: key {index + 1} in {where} is not {KEY_BYTES} bytes of "
                              "URL-safe base64 (make one with `refund-intake privacy new-key`)")
        keys.append(key)
    if not keys:
        raise ConfigError(f"privacy: encryption is on but {where} is empty; refusing to store "
                          "mail in the clear")
    return keys


def _where(secret: Secret) -> str:
    return f"${secret.env}" if secret.env else str(secret.file)
