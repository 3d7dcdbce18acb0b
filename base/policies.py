"""Read policy files from disk once, for the pure core; a bad file is a config error naming it.

A mailbox's `policy` names one file, or a directory whose `*.toml` files are the versions
of its policy (each with its own `effective_date`); see docs/policy-format.md, "Versions".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from base.config import Config
from base.errors import ConfigError
from decisions import Policy, PolicyError, load_policy
from decisions.versions import PolicyVersions


def read_policy(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy file: {exc.strerror}") from exc
    try:
        return load_policy(text, str(path))
    except PolicyError as exc:
        raise _config_error(exc) from exc


def read_versions(path: Path) -> PolicyVersions:
    """The versions of the policy at `path`: a file (one version) or a directory of files."""
    files = version_files(path)
    try:
        return PolicyVersions.of([read_policy(file) for file in files], str(path))
    except PolicyError as exc:
        raise _config_error(exc) from exc


def version_files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    files = sorted(path.glob("*.toml"))
    if not files:
        raise ConfigError(f"{path}: a policy directory holds its versions as *.toml files; found none")
    return files


def _config_error(exc: PolicyError) -> ConfigError:
    lines = str(exc).splitlines()
    more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
    return ConfigError(f"{lines[0]}{more}")


def policies_by_mailbox(config: Config) -> Mapping[str, PolicyVersions]:
    """Each mailbox's policy versions, loaded and validated at start: a bad policy stops the run early."""
    loaded: dict[Path, PolicyVersions] = {}
    result = {}
    for mailbox in config.mailboxes:
        if mailbox.policy not in loaded:
            loaded[mailbox.policy] = read_versions(mailbox.policy)
        result[mailbox.name] = loaded[mailbox.policy]
    return result


def current_versions(path: Path) -> PolicyVersions:
    """The versions at `path`, read again only when a file changes (for callers on every message
    or every page)."""
    try:
        stamps = tuple((file, file.stat().st_mtime_ns) for file in version_files(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy file: {exc.strerror}") from exc
    return _read_versions(path, stamps)


def current_policy(path: Path, at: datetime | None = None) -> Policy:
    """The version in force at `at` (default: now)."""
    return current_versions(path).in_force(at or datetime.now(UTC))


@lru_cache(maxsize=16)
def _read_versions(path: Path, _stamps: tuple[tuple[Path, int], ...]) -> PolicyVersions:
    return read_versions(path)


def local_dates(config: Config, now: datetime) -> Mapping[str, date]:
    """Today on each mailbox's policy calendar: answer-by dates are dates in that time zone."""
    return {mailbox.name: now.astimezone(ZoneInfo(current_policy(mailbox.policy, now).timezone)).date()
            for mailbox in config.mailboxes}
