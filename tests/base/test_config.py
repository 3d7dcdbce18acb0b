"""Config loading: every error names the file and the key; secrets never come from the file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from base.config import load_config
from base.errors import ConfigError, SecretError

GOOD = """
[database]
url = "sqlite:///data/x.db"

[[mailbox]]
name = "accounts"
address = "Accounts@Kreatorz.co.za"
policy = "policies/kreatorz.toml"

[mailbox.imap]
host = "127.0.0.1"
security = "plain"
port = 1143
username = "accounts"
password_env = "TEST_IMAP_PASSWORD"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_resolves_paths_relative_to_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    mailbox = config.mailbox("accounts")
    assert config.database_url == f"sqlite:///{tmp_path}/data/x.db"
    assert mailbox.policy == tmp_path / "policies/kreatorz.toml"
    assert mailbox.address == "accounts@kreatorz.co.za"
    assert mailbox.imap is not None and mailbox.imap.port == 1143
    assert mailbox.after == "leave" and mailbox.mark_seen is False


@pytest.mark.parametrize("change, expected", [
    (('port = 1143', 'port = "abc"'), 'mailbox[0].imap.port: expected an integer, got "abc"'),
    (('security = "plain"', 'security = "ssl"'), "mailbox[0].imap.security: expected one of tls, starttls, plain"),
    (('host = "127.0.0.1"', 'host = "imap.example.net"'), "plain IMAP is allowed only to a loopback host"),
    (('password_env = "TEST_IMAP_PASSWORD"', 'password = "hunter2"'),
     "mailbox[0].imap.password: secrets are not read from the config file"),
    (('name = "accounts"', 'nmae = "accounts"'), "mailbox[0].name: missing (required)"),
    (('[database]', '[databse]'), "databse: unknown key (did you mean database?)"),
    (('security = "plain"', 'security = "plain"\nsent_foldr = "Sent"'),
     "mailbox[0].imap.sent_foldr: unknown key (did you mean mailbox[0].imap.sent_folder?)"),
    (('policy = "policies/kreatorz.toml"', 'policy = "p.toml"\nafter = "move"'),
     'mailbox[0].move_to: required when after = "move"'),
    (('[mailbox.imap]', '[mailbox.maildir]\npath = "md"\n[mailbox.imap]'),
     "give exactly one of [mailbox.imap] or [mailbox.maildir]"),
    (('[database]', '[intake]\norder_ref_patterns = ["(unclosed"]\n[database]'),
     "intake.order_ref_patterns[0]: bad regular expression"),
])
def test_bad_config_names_file_and_key(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}: ")
    assert expected in str(error.value)


def test_an_unknown_key_unlike_any_known_one_gets_no_guess(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, GOOD.replace("[database]", "colour = 1\n[database]")))
    assert str(error.value).endswith("colour: unknown key")


def test_invalid_toml_gives_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[database\nurl = 1\n")
    with pytest.raises(ConfigError, match=r"invalid TOML: .*line 1"):
        load_config(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_secret_from_env_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(write(tmp_path, GOOD))
    secret = config.mailboxes[0].imap.password  # type: ignore[union-attr]
    monkeypatch.delenv("TEST_IMAP_PASSWORD", raising=False)
    with pytest.raises(SecretError, match="TEST_IMAP_PASSWORD is not set"):
        secret.read()
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "s3cret")
    assert secret.read() == "s3cret"

    (tmp_path / "pw").write_text("from-file\n")
    config = load_config(write(tmp_path, GOOD.replace('password_env = "TEST_IMAP_PASSWORD"',
                                                      'password_file = "pw"')))
    assert config.mailboxes[0].imap.password.read() == "from-file"  # type: ignore[union-attr]


def test_cli_prints_one_line_and_exits_nonzero(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("port = 1143", 'port = "abc"'))
    result = subprocess.run([sys.executable, "-m", "refund_intake.cli", "--config", str(path),
                             "check-config"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert 'mailbox[0].imap.port: expected an integer, got "abc"' in result.stderr
