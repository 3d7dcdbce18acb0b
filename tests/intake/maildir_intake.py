"""Intake of Maildirs as an operator runs it, for the tests that put real customer mail through it.

The poll is `refund-intake poll --once` in a process of its own. The other commands (the upgrade,
the order import, and the reads of what was stored) go through the CLI's own main() in this
process: starting Python for each of them cost a second or more, most of a minute per module.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

from refund_intake.cli import main

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def maildir(path: Path) -> Path:
    """An empty Maildir at `path`; mail goes in its new/ as a delivery agent leaves it."""
    for folder in ("new", "cur", "tmp"):
        (path / folder).mkdir(parents=True)
    return path


def mailbox_table(name: str, address: str, policy: str, language: str, ref_format: str,
                  path: Path) -> str:
    """A [[mailbox]] of the config, reading the Maildir at `path` under policies/`policy`."""
    return f"""
[[mailbox]]
name = "{name}"
address = "{address}"
policy = "{POLICIES / policy}"
language = "{language}"
order_ref_formats = ["{ref_format}"]

[mailbox.maildir]
path = "{path}"
"""


def run_intake(work: Path, mailboxes: list[str], orders: Path) -> Path:
    """Write the config (SQLite in `work`), upgrade, import `orders`, poll once; the config."""
    config = work / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{work / "intake.db"}"\n' + "".join(mailboxes),
                      encoding="utf-8")
    cli(config, "db", "upgrade")
    cli(config, "orders", "import", str(orders))
    result = subprocess.run([sys.executable, "-m", "refund_intake.cli", "--config", str(config), "poll",
                             "--once"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return config


def cli(config: Path, *args: str) -> str:
    """A command through the CLI's own main(), in this process; what it printed (its errors go to
    stderr, which pytest shows when the assertion fails)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--config", str(config), *args])
    assert code == 0, out.getvalue()
    return out.getvalue()
