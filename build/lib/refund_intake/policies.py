"""Read policy files from disk once, for the pure core; a bad file is a config error naming it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from decisions import Policy, PolicyError, load_policy
from refund_intake.config import Config
from refund_intake.errors import ConfigError


def read_policy(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy file: {exc.strerror}") from exc
    try:
        return load_policy(text, str(path))
    except PolicyError as exc:
        lines = str(exc).splitlines()
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        raise ConfigError(f"{lines[0]}{more}") from exc


def policies_by_mailbox(config: Config) -> Mapping[str, Policy]:
    """Each mailbox's policy, loaded and validated at start: a bad policy stops the run early."""
    loaded: dict[Path, Policy] = {}
    result = {}
    for mailbox in config.mailboxes:
        if mailbox.policy not in loaded:
            loaded[mailbox.policy] = read_policy(mailbox.policy)
        result[mailbox.name] = loaded[mailbox.policy]
    return result


def current_policy(path: Path) -> Policy:
    """The policy in `path`, read again only when the file changes (for callers on every message
    or every page)."""
    try:
        return _read_policy(path, path.stat().st_mtime_ns)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy file: {exc.strerror}") from exc


@lru_cache(maxsize=16)
def _read_policy(path: Path, _mtime_ns: int) -> Policy:
    return read_policy(path)


def local_dates(config: Config, now: datetime) -> Mapping[str, date]:
    """Today on each mailbox's policy calendar: answer-by dates are dates in that time zone."""
    return {mailbox.name: now.astimezone(ZoneInfo(current_policy(mailbox.policy).timezone)).date()
            for mailbox in config.mailboxes}
