"""Load and validate the TOML configuration once, into frozen objects passed explicitly."""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import subprocess
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from base.config_schema import REQUIRED, Table, show
from base.errors import ConfigError, SecretError
from decisions.reference_format import check_format

CONFIG_ENV = "REFUND_INTAKE_CONFIG"
AFTER_ACTIONS = ("leave", "flag", "move")
SECURITY_MODES = ("tls", "starttls", "plain")
AUTH_MODES = ("password", "xoauth2")
REASONS = (
    "change_of_mind", "dissatisfied", "non_delivery", "not_as_described",
    "cancel_recurring", "dispute",
)


@dataclass(frozen=True)
class Secret:
    """Where a password or token lives: an environment variable, a file, or a command's output;
    never the config file itself."""

    env: str | None
    file: Path | None
    key_path: str
    command: tuple[str, ...] = ()
    file_key: str = "password_file"
    env_key: str = "password_env"

    def read(self) -> str:
        if self.command:
            return _run_token_command(self.command, self.key_path)
        if self.env:
            value = os.environ.get(self.env)
            if value is None:
                raise SecretError(f"{self.key_path}.{self.env_key}: environment variable {self.env} is not set")
            return value
        if self.file:
            try:
                return self.file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SecretError(f"{self.key_path}.{self.file_key}: cannot read {self.file}: {exc.strerror}") from exc
        raise SecretError(f"{self.key_path}: no password_env or password_file")


def _run_token_command(command: tuple[str, ...], key_path: str) -> str:
    """An OAuth2 access token from a helper (e.g. one that refreshes it); no shell involved."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SecretError(f"{key_path}.token_command: cannot run {command[0]}: {exc}") from exc
    if result.returncode != 0 or not result.stdout.strip():
        why = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        raise SecretError(f"{key_path}.token_command: {command[0]} gave no token: {why}")
    return result.stdout.strip()


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
    sent_folder: str | None = None  # None: the server's \Sent folder, else "Sent" (intake/folders.py)
    auth: str = "password"  # password | xoauth2 (then `password` holds the access token source)


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
    # The authserv-id our own receiving server writes in Authentication-Results; None: no pass
    # is believed ("unknown" at best), though a fail in the topmost header still counts.
    authserv_id: str | None = None
    order_ref_formats: tuple[str, ...] = ()  # canonical order references, e.g. "KRZ-##-####"


DEFAULT_PARSE_WORKERS = min(os.cpu_count() or 1, 4)


@dataclass(frozen=True)
class IntakeSettings:
    order_ref_patterns: tuple[re.Pattern[str], ...]
    reason_keywords: dict[str, dict[str, tuple[str, ...]]]
    max_parts: int
    parse_workers: int = 0  # processes that parse while the poller fetches and stores; 0: none


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str | None
    password: Secret | None
    timeout: float
    ca_file: Path | None


@dataclass(frozen=True)
class RepliesSettings:
    auto_send_acknowledgements: bool = False
    max_attempts: int = 8
    retry_base_seconds: int = 60
    sending_timeout_seconds: int = 600
    staff_address: str | None = None
    send_interval: int = 30
    # Also address every reply (envelope only) to the mailbox's own address, so the SMTP
    # server's acceptance leaves a copy in our IMAP mailbox: what makes recovery exact.
    journal_copy: bool = True
    # Drafts made for one customer address per day (the shop's calendar day); beyond it mail is
    # stored and decided but drafts nothing, so a flood cannot fill the approval queue.
    max_drafts_per_sender_per_day: int = 10
    # Approval tiers: a grant above this amount (per currency) needs a second approver or an admin.
    second_approval_above: Mapping[str, Decimal] = field(default_factory=dict)
    # `status` turns unhealthy when more requests than this wait on staff past their deadline.
    overdue_unhealthy_above: int | None = None


@dataclass(frozen=True)
class WebSettings:
    bind: str = "127.0.0.1"
    port: int = 8080
    session_minutes: int = 60
    secret_key: Secret | None = None
    # Addresses of the reverse proxies whose X-Forwarded-For/-Proto are believed; none by default.
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()


@dataclass(frozen=True)
class PrivacySettings:
    """Retention (days) and the optional key for encryption at rest; see config.example.toml."""

    raw_retention_days: int = 30
    personal_data_retention_days: int = 90
    fraud_retention_days: int = 365
    encryption_key: Secret | None = None  # None: raw mail and attachments are stored unencrypted


@dataclass(frozen=True)
class Config:
    path: Path
    database_url: str
    intake: IntakeSettings
    mailboxes: tuple[MailboxConfig, ...] = field(default_factory=tuple)
    smtp: SmtpSettings | None = None
    replies: RepliesSettings = field(default_factory=RepliesSettings)
    web: WebSettings = field(default_factory=WebSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)

    def mailbox(self, name: str) -> MailboxConfig:
        for mailbox in self.mailboxes:
            if mailbox.name == name:
                return mailbox
        known = ", ".join(m.name for m in self.mailboxes)
        raise ConfigError(f"{self.path}: no mailbox named {name!r} (configured: {known})")


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
    root = Table(data, "", errors)
    base = path.resolve().parent
    database = root.table("database") or Table({}, "database", errors)
    url = database.str("url", "sqlite:///refund-intake.db")
    database.finish()
    intake = _intake_settings(root.table("intake") or Table({}, "intake", errors))
    mailboxes = _mailboxes(root, base, errors)
    smtp_table = root.table("smtp")
    smtp = _smtp(smtp_table, base) if smtp_table else None
    replies = _replies(root.table("replies") or Table({}, "replies", errors))
    web = _web(root.table("web") or Table({}, "web", errors), base)
    privacy = _privacy(root.table("privacy") or Table({}, "privacy", errors), base)
    root.finish()
    if errors:
        more = f" (and {len(errors) - 1} more: {'; '.join(errors[1:])})" if len(errors) > 1 else ""
        raise ConfigError(f"{path}: {errors[0]}{more}")
    return Config(path=path, database_url=_resolve_sqlite(url, base), intake=intake,
                  mailboxes=mailboxes, smtp=smtp, replies=replies, web=web, privacy=privacy)


def _resolve_sqlite(url: str, base: Path) -> str:
    """A relative SQLite path is relative to the config file, not to the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(base / url[len(prefix):])
    return url


def _intake_settings(table: Table) -> IntakeSettings:
    patterns = []
    for index, pattern in enumerate(table.strings("order_ref_patterns", (r"\b[A-Z]{2,6}-\d{3,}\b",))):
        try:
            patterns.append(re.compile(pattern))
        except re.error as exc:
            table.errors.append(f"{table.key('order_ref_patterns')}[{index}]: bad regular expression: {exc}")
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
                    lang_table.errors.append(f"{lang_table.key(reason)}: unknown reason (known: {', '.join(REASONS)})")
                    continue
                keywords[language][reason] = lang_table.strings(reason)
            lang_table.finish()
        languages.finish()
    max_parts = table.int("max_parts", 1000, minimum=1)
    parse_workers = table.int("parse_workers", DEFAULT_PARSE_WORKERS, minimum=0)
    table.finish()
    return IntakeSettings(tuple(patterns), keywords, max_parts, parse_workers)


def _mailboxes(root: Table, base: Path, errors: list[str]) -> tuple[MailboxConfig, ...]:
    root.seen.add("mailbox")
    raw = root.data.get("mailbox", [])
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        errors.append("mailbox: expected [[mailbox]] tables")
        return ()
    if not raw:
        errors.append("mailbox: at least one [[mailbox]] is required")
    result, names = [], set()
    for index, item in enumerate(raw):
        mailbox = _mailbox(Table(item, f"mailbox[{index}]", errors), base)
        if mailbox is None:
            continue
        if mailbox.name in names:
            errors.append(f"mailbox[{index}].name: duplicate mailbox name {show(mailbox.name)}")
        names.add(mailbox.name)
        result.append(mailbox)
    return tuple(result)


def _mailbox(table: Table, base: Path) -> MailboxConfig | None:
    name = table.str("name", REQUIRED)
    address = table.str("address", REQUIRED)
    policy = table.str("policy", REQUIRED)
    language = table.str("language", "en")
    after = table.choice("after", AFTER_ACTIONS, "leave")
    move_to = table.str("move_to")
    if after == "move" and not move_to:
        table.errors.append(f"{table.key('move_to')}: required when after = \"move\"")
    mark_seen = table.bool("mark_seen", False)
    interval = table.int("poll_interval", 300, minimum=10)
    relays = table.strings("trusted_relays")
    authserv_id = table.str("authserv_id")
    formats = table.strings("order_ref_formats")
    for index, given in enumerate(formats):
        problem = check_format(given)
        if problem:
            table.errors.append(f"{table.key('order_ref_formats')}[{index}]: {problem}")
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
        authserv_id=authserv_id.strip().lower() if authserv_id else None,
        order_ref_formats=tuple(formats),
    )


def _imap(table: Table, base: Path) -> ImapSettings:
    host = table.str("host", REQUIRED)
    security = table.choice("security", SECURITY_MODES, "tls")
    port = table.int("port", 993 if security == "tls" else 143, minimum=1)
    username = table.str("username", REQUIRED)
    auth = table.choice("auth", AUTH_MODES, "password")
    secret = _token(table, base) if auth == "xoauth2" else _secret(table, base, required=True)
    timeout = table.int("timeout", 30, minimum=1)
    folders = table.strings("folders", ("INBOX",))
    batch_size = table.int("batch_size", 100, minimum=1)
    ca_file = table.str("ca_file")
    sent_folder = table.str("sent_folder")
    if security == "plain" and host and not _is_loopback(host):
        table.errors.append(
            f"{table.key('security')}: plain IMAP is allowed only to a loopback host, not {show(host)}"
        )
    table.finish()
    # A missing secret was reported above, and a config with errors is never returned.
    return ImapSettings(host or "", port or 0, security or "tls", username or "", secret or _NO_SECRET,
                        float(timeout or 30), folders, batch_size or 100,
                        (base / ca_file) if ca_file else None, sent_folder or None, auth or "password")


_NO_SECRET = Secret(env=None, file=None, key_path="")


def _secret(table: Table, base: Path, required: bool) -> Secret | None:
    table.forbid("password", "secrets are not read from the config file; use password_env or password_file")
    env, file = table.str("password_env"), table.str("password_file")
    if env is not None and file is not None:
        table.errors.append(f"{table.path}: give only one of password_env or password_file")
    if env is None and file is None:
        if required:
            table.errors.append(f"{table.path}: give exactly one of password_env or password_file")
        return None
    return Secret(env=env, file=(base / file) if file else None, key_path=table.path)


def _token(table: Table, base: Path) -> Secret | None:
    """XOAUTH2: the access token comes from token_command (run at each login) or token_file."""
    command, file = table.str("token_command"), table.str("token_file")
    for key in ("password_env", "password_file"):
        table.forbid(key, 'not used with auth = "xoauth2"; give token_command or token_file')
    if (command is None) == (file is None):
        table.errors.append(f"{table.path}: with auth = \"xoauth2\" give exactly one of token_command or token_file")
        return None
    argv = tuple(shlex.split(command)) if command else ()
    return Secret(env=None, file=(base / file) if file else None, key_path=table.path, command=argv,
                  file_key="token_file")


def _smtp(table: Table, base: Path) -> SmtpSettings:
    host = table.str("host", REQUIRED)
    security = table.choice("security", SECURITY_MODES, "starttls")
    port = table.int("port", {"tls": 465, "starttls": 587}.get(security or "", 25), minimum=1)
    username = table.str("username")
    password = _secret(table, base, required=username is not None)
    timeout = table.int("timeout", 30, minimum=1)
    ca_file = table.str("ca_file")
    if security == "plain" and host and not _is_loopback(host):
        table.errors.append(f"{table.key('security')}: plain SMTP is allowed only to a loopback host, not {show(host)}")
    table.finish()
    return SmtpSettings(host or "", port or 0, security or "starttls", username, password,
                        float(timeout or 30), (base / ca_file) if ca_file else None)


def _amounts(table: Table, key: str) -> dict[str, Decimal]:
    """A table of currency code -> amount, written as strings ("5000.00") so no float creeps in."""
    amounts = table.table(key)
    if amounts is None:
        return {}
    found: dict[str, Decimal] = {}
    for currency in amounts.data:
        text = amounts.str(currency)
        if not isinstance(text, str):
            continue  # already reported: expected a string
        try:
            value: Decimal | None = Decimal(text)
        except InvalidOperation:
            value = None
        if len(currency) != 3 or not currency.isalpha() or currency != currency.upper():
            table.errors.append(f"{amounts.key(currency)}: expected a currency code such as ZAR")
        elif value is None or not value.is_finite() or value < 0:
            table.errors.append(f"{amounts.key(currency)}: expected an amount as a string, "
                                f"e.g. \"5000.00\", got {show(amounts.data[currency])}")
        else:
            found[currency] = value
    return found


def _replies(table: Table) -> RepliesSettings:
    settings = RepliesSettings(
        auto_send_acknowledgements=table.bool("auto_send_acknowledgements", False),
        max_attempts=table.int("max_attempts", 8, minimum=1),
        retry_base_seconds=table.int("retry_base_seconds", 60, minimum=1),
        sending_timeout_seconds=table.int("sending_timeout_seconds", 600, minimum=10),
        staff_address=table.str("staff_address"),
        send_interval=table.int("send_interval", 30, minimum=1),
        journal_copy=table.bool("journal_copy", True),
        max_drafts_per_sender_per_day=table.int("max_drafts_per_sender_per_day", 10, minimum=1),
        second_approval_above=_amounts(table, "second_approval_above"),
        overdue_unhealthy_above=table.int("overdue_unhealthy_above", None, minimum=0),
    )
    table.finish()
    return settings


def _web(table: Table, base: Path) -> WebSettings:
    bind = table.str("bind", "127.0.0.1")
    port = table.int("port", 8080, minimum=1)
    minutes = table.int("session_minutes", 60, minimum=1)
    env, file = table.str("secret_key_env"), table.str("secret_key_file")
    table.forbid("secret_key", "secrets are not read from the config file; use secret_key_env or secret_key_file")
    proxies = _networks(table, "trusted_proxies")
    table.finish()
    secret = Secret(env=env, file=(base / file) if file else None, key_path=table.path) if (env or file) else None
    return WebSettings(bind=bind, port=port, session_minutes=minutes, secret_key=secret,
                       trusted_proxies=proxies)


def _networks(table: Table, key: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """A list of IP addresses or networks ("10.0.0.5", "10.1.0.0/16", "::1")."""
    networks = []
    for index, value in enumerate(table.strings(key)):
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            table.errors.append(f"{table.key(key)}[{index}]: expected an IP address or network "
                                f'such as "10.0.0.5" or "10.0.0.0/24", got "{value}"')
    return tuple(networks)


def _privacy(table: Table, base: Path) -> PrivacySettings:
    defaults = PrivacySettings()
    raw = table.int("raw_retention_days", defaults.raw_retention_days, minimum=0)
    personal = table.int("personal_data_retention_days", defaults.personal_data_retention_days, minimum=0)
    fraud = table.int("fraud_retention_days", defaults.fraud_retention_days, minimum=1)
    table.forbid("encryption_key", "keys are not read from the config file; use encryption_key_env "
                                   "or encryption_key_file")
    env, file = table.str("encryption_key_env"), table.str("encryption_key_file")
    if env is not None and file is not None:
        table.errors.append(f"{table.path}: give only one of encryption_key_env or encryption_key_file")
    table.finish()
    key = Secret(env=env, file=(base / file) if file else None, key_path=table.path,
                 file_key="encryption_key_file", env_key="encryption_key_env") if (env or file) else None
    return PrivacySettings(raw, personal, fraud, key)


def _maildir(table: Table, base: Path) -> MaildirSettings:
    path = table.str("path", REQUIRED)
    table.finish()
    return MaildirSettings(path=base / (path or ""))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
