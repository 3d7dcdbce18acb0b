"""The systemd units pass `systemd-analyze verify` and keep their hardening; the crontab names real commands."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
VENV_BIN = Path(sys.executable).parent


def installed_copy(tmp_path: Path, name: str) -> Path:
    """The unit with ExecStart pointing at this checkout's venv (verify checks the binary exists)."""
    for unit in DEPLOY.glob("refund-intake*"):
        text = unit.read_text().replace("/opt/refund-intake/.venv/bin/", f"{VENV_BIN}/")
        (tmp_path / unit.name).write_text(text)
    return tmp_path / name


@pytest.mark.parametrize("unit", ["refund-intake.service", "refund-intake-poll.service",
                                  "refund-intake-poll.timer"])
def test_systemd_analyze_verify(tmp_path: Path, unit: str) -> None:
    tool = shutil.which("systemd-analyze")
    assert tool, "systemd-analyze is missing: run ./scripts/test as root (installs systemd)"
    result = subprocess.run([tool, "verify", str(installed_copy(tmp_path, unit))],
                            capture_output=True, text=True, timeout=60)
    problems = [line for line in result.stderr.splitlines()
                if unit.split(".")[0] in line or "refund-intake" in line]
    assert result.returncode == 0, result.stderr
    assert problems == [], problems


def test_service_is_hardened() -> None:
    text = (DEPLOY / "refund-intake.service").read_text()
    for setting in ("User=refund-intake", "ProtectSystem=strict", "NoNewPrivileges=yes",
                    "ProtectHome=yes", "PrivateTmp=yes", "StateDirectory=refund-intake",
                    "CapabilityBoundingSet=\n"):
        assert setting in text, setting
    assert "password" not in text.lower().replace("passwords and keys", "")


def test_unit_and_cron_commands_exist() -> None:
    from refund_intake.cli import build_parser

    parser = build_parser()
    lines = [*(DEPLOY / "crontab.example").read_text().splitlines(),
             *(DEPLOY / "refund-intake.service").read_text().splitlines(),
             *(DEPLOY / "refund-intake-poll.service").read_text().splitlines()]
    commands = [m.group(1).split() for line in lines
                if (m := re.search(r"/bin/refund-intake (.*?)(?: >>| >|$)", line))]
    assert len(commands) >= 5
    for argv in commands:
        parser.parse_args(argv)  # exits (SystemExit) on an unknown command or option
