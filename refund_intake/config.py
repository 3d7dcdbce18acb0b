"""Load and validate the TOML configuration once, into frozen objects passed explicitly."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refund_intake.errors import ConfigError, SecretError

CONFIG_ENV = "REFUND_INTAKE_CONFIG"
AFTER_ACTIONS = ("leave", "flag", "move")
SECURITY_MODES = ("tls", "starttls", "plain")
REASONS = (
    "change_of_mind", "dissatisfied", "non_delivery", "not_as_described",
    "cancel_recurring", "dispute",
)


@dataclass(frozen=True)
class Secret:
    """Where a password lives: an environment variable or a file, never the config itself."""

    env: str | None
    file: Path | None
    key_path: str

    def read(self) -> str:
        if self.env:
            value = os.environ.get(self.env)
            if value is None:
                raise SecretError(f"{self.key_path}.password_env: environment variable {self.env} is not set")
            return value
        if self.file:
            try:
                return self.file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SecretError(f"{self.key_path}.password_file: cannot read {self.file}: {exc.strerror}") from exc
        raise SecretError(f"{self.key_path}: no password_env or password_file")


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str
    username: str
    password: Secret
    timeout: float
    folders: tuple[str, ...]
    batch_size: int
    ca_file: Path | None = None


@dataclass(frozen=True)
class MaildirSettings:
    path: Path


@dataclass(frozen=True)
class MailboxConfig:
    name: str
    address: str
    policy: Path
    language: str
    after: str
    move_to: str | None
    mark_seen: bool
    poll_interval: int
    trusted_relays: tuple[str, ...]
    imap: ImapSettings | None
    maildir: MaildirSettings | None


@dataclass(frozen=True)
class IntakeSettings:
    order_ref_patterns: tuple[re.Pattern[str], ...]
    reason_keywords: dict[str, dict[str, tuple[str, ...]]]
    max_parts: int


@dataclass(frozen=True)
class Config:
    path: Path
    database_url: str
    intake: IntakeSettings
    mailboxes: tuple[MailboxConfig, ...] = field(default_factory=tuple)

    def mailbox(self, name: str) -> MailboxConfig:
        for mailbox in self.mailboxes:
            if mailbox.name == name:
                return mailbox
        known = ", ".join(m.name for m in self.mailboxes)
        raise ConfigError(f"{self.path}: no mailbox named {name!r} (configured: {known})")


class _Table:
    """A TOML table being validated; every problem is reported with file and key path."""

    def __init__(self, data: dict[str, Any], path: str, errors: list[str]) -> None:
        self.data, self.path, self.errors = data, path, errors
        self.seen: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, kind: type | tuple[type, ...], label: str, default: Any) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                self.errors.append(f"{self._key(key)}: missing (required)")
            return None if default is _REQUIRED else default
        value = self.data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            self.errors.append(f"{self._key(key)}: expected {label}, got {_show(value)}")
            return None if default is _REQUIRED else default
        return value

    def str(self, key: str, default: Any = None) -> Any:
        return self._get(key, str, "a string", default)

    def int(self, key: str, default: Any = None, minimum: int = 0) -> Any:
        value = self._get(key, int, "an integer", default)
        if isinstance(value, int) and value < minimum:
            self.errors.append(f"{self._key(key)}: must be at least {minimum}, got {value}")
        return value

    def bool(self, key: str, default: Any = None) -> Any:
        return self._get(key, bool, "true or false", default)

    def choice(self, key: str, choices: tuple[str, ...], default: Any = None) -> Any:
        value = self.str(key, default)
        if value is not None and value not in choices:
            self.errors.append(f"{self._key(key)}: expected one of {', '.join(choices)}, got {_show(value)}")
        return value

    def strings(self, key: str, default: Any = ()) -> tuple[str, ...]:
        value = self._get(key, list, "a list of strings", list(default))
        if any(not isinstance(item, str) for item in value):
            self.errors.append(f"{self._key(key)}: expected a list of strings, got {_show(value)}")
            return tuple(default)
        return tuple(value)

    def table(self, key: str) -> _Table | None:
        value = self._get(key, dict, "a table", None)
        return None if value is None else _Table(value, self._key(key), self.errors)

    def forbid(self, key: str, why: str) -> None:
        self.seen.add(key)
        if key in self.data:
            self.errors.append(f"{self._key(key)}: {why}")

    def finish(self) -> None:
        for key in self.data:
            if key not in self.seen:
                self.errors.append(f"{self._key(key)}: unknown key")


_REQUIRED = object()


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def config_path(explicit: str | None) -> Path:
    """The config path from --config, else $REFUND_INTAKE_CONFIG, else ./config.toml."""
    return Path(explicit or os.environ.get(CONFIG_ENV) or "config.toml")


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found (use --config or ${CONFIG_ENV})") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path) -> Config:
    errors: list[str] = []
    root = _Table(data, "", errors)
    base = path.resolve().parent
    database = root.table("database") or _Table({}, "database", errors)
    url = database.str("url", "sqlite:///refund-intake.db")
    database.finish()
    intake = _intake_settings(root.table("intake") or _Table({}, "intake", errors))
    mailboxes = _mailboxes(root, base, errors)
    root.finish()
    if errors:
        more = f" (and {len(errors) - 1} more: {'; '.join(errors[1:])})" if len(errors) > 1 else ""
        raise ConfigError(f"{path}: {errors[0]}{more}")
    return Config(path=path, database_url=_resolve_sqlite(url, base), intake=intake, mailboxes=mailboxes)


def _resolve_sqlite(url: str, base: Path) -> str:
    """A relative SQLite path is relative to the config file, not to the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(base / url[len(prefix):])
    return url


def _intake_settings(table: _Table) -> IntakeSettings:
    patterns = []
    for index, pattern in enumerate(table.strings("order_ref_patterns", (r"\b[A-Z]{2,6}-\d{3,}\b",))):
        try:
            patterns.append(re.compile(pattern))
        except re.error as exc:
            table.errors.append(f"{table._key('order_ref_patterns')}[{index}]: bad regular expression: {exc}")
    keywords: dict[str, dict[str, tuple[str, ...]]] = {}
    languages = table.table("reason_keywords")
    if languages is not None:
        for language in list(languages.data):
            lang_table = languages.table(language)
            if lang_table is None:
                continue
            keywords[language] = {}
            for reason in list(lang_table.data):
                if reason not in REASONS:
                    lang_table.seen.add(reason)
                    lang_table.errors.append(f"{lang_table._key(reason)}: unknown reason (known: {', '.join(REASONS)})")
                    continue
                keywords[language][reason] = lang_table.strings(reason)
            lang_table.finish()
        languages.finish()
    max_parts = table.int("max_parts", 1000, minimum=1)
    table.finish()
    return IntakeSettings(tuple(patterns), keywords, max_parts)


def _mailboxes(root: _Table, base: Path, errors: list[str]) -> tuple[MailboxConfig, ...]:
    root.seen.add("mailbox")
    raw = root.data.get("mailbox", [])
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        errors.append("mailbox: expected [[mailbox]] tables")
        return ()
    if not raw:
        errors.append("mailbox: at least one [[mailbox]] is required")
    result, names = [], set()
    for index, item in enumerate(raw):
        mailbox = _mailbox(_Table(item, f"mailbox[{index}]", errors), base)
        if mailbox is None:
            continue
        if mailbox.name in names:
            errors.append(f"mailbox[{index}].name: duplicate mailbox name {_show(mailbox.name)}")
        names.add(mailbox.name)
        result.append(mailbox)
    return tuple(result)


def _mailbox(table: _Table, base: Path) -> MailboxConfig | None:
    name = table.str("name", _REQUIRED)
    address = table.str("address", _REQUIRED)
    policy = table.str("policy", _REQUIRED)
    language = table.str("language", "en")
    after = table.choice("after", AFTER_ACTIONS, "leave")
    move_to = table.str("move_to")
    if after == "move" and not move_to:
        table.errors.append(f"{table._key('move_to')}: required when after = \"move\"")
    mark_seen = table.bool("mark_seen", False)
    interval = table.int("poll_interval", 300, minimum=10)
    relays = table.strings("trusted_relays")
    imap_table, maildir_table = table.table("imap"), table.table("maildir")
    if (imap_table is None) == (maildir_table is None):
        table.errors.append(f"{table.path}: give exactly one of [mailbox.imap] or [mailbox.maildir]")
    imap = _imap(imap_table, base) if imap_table else None
    maildir = _maildir(maildir_table, base) if maildir_table else None
    table.finish()
    if name is None or address is None or policy is None:
        return None
    return MailboxConfig(
        name=name, address=address.lower(), policy=(base / policy), language=language,
        after=after, move_to=move_to, mark_seen=mark_seen, poll_interval=interval,
        trusted_relays=tuple(r.lower() for r in relays), imap=imap, maildir=maildir,
    )


def _imap(table: _Table, base: Path) -> ImapSettings:
    host = table.str("host", _REQUIRED)
    security = table.choice("security", SECURITY_MODES, "tls")
    port = table.int("port", 993 if security == "tls" else 143, minimum=1)
    username = table.str("username", _REQUIRED)
    table.forbid("password", "secrets are not read from the config file; use password_env or password_file")
    env, file = table.str("password_env"), table.str("password_file")
    if (env is None) == (file is None):
        table.errors.append(f"{table.path}: give exactly one of password_env or password_file")
    timeout = table.int("timeout", 30, minimum=1)
    folders = table.strings("folders", ("INBOX",))
    batch_size = table.int("batch_size", 100, minimum=1)
    ca_file = table.str("ca_file")
    if security == "plain" and host and not _is_loopback(host):
        table.errors.append(
            f"{table._key('security')}: plain IMAP is allowed only to a loopback host, not {_show(host)}"
        )
    table.finish()
    secret = Secret(env=env, file=(base / file) if file else None, key_path=table.path)
    return ImapSettings(host or "", port or 0, security or "tls", username or "", secret,
                        float(timeout or 30), folders, batch_size or 100,
                        (base / ca_file) if ca_file else None)


def _maildir(table: _Table, base: Path) -> MaildirSettings:
    path = table.str("path", _REQUIRED)
    table.finish()
    return MaildirSettings(path=base / (path or ""))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
