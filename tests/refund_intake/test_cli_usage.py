"""The command line as people use it: help, argument names, typed references, readable output,
sentences, and the first run (`init`, `demo`) from the package itself."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from base.resources import folder, shipped_policy_names
from intake.thread import typed_reference
from refund_intake import cli_help
from refund_intake.cli import build_parser, main
from refund_intake.table import fields, human

LEAVES = cli_help.commands(build_parser())


@pytest.mark.parametrize("path, command, purpose", LEAVES, ids=[p for p, _, _ in LEAVES])
def test_every_command_has_a_purpose_and_an_example(path: str, command, purpose: str) -> None:
    text = command.format_help()
    assert purpose, f"{path} has no one-line help in the command list"
    description = command.description.strip()
    assert description and "\n" not in description and description.endswith(".")
    example = re.search(r"example:\n  (refund-intake .+)", text)
    assert example is not None, f"{path}: no example in --help"
    words = path.split()
    assert " ".join(words) in example.group(1), f"{path}: the example runs another command"


@pytest.mark.parametrize("path, command, purpose", LEAVES, ids=[p for p, _, _ in LEAVES])
def test_positionals_are_named_alike(path: str, command, purpose: str) -> None:
    names = {a.dest: a.metavar for a in command._actions if not a.option_strings}
    expected = {"ref": "REF", "id": "ID", "file": "FILE", "email": "EMAIL", "dir": "DIR",
                "old": "OLD", "new": "NEW", "role": "ROLE"}
    for dest, metavar in names.items():
        assert metavar == expected[dest], f"{path}: {dest} shows as {metavar}"


@pytest.mark.parametrize("typed, reference", [
    ("5", "R-000005"), ("R-000005", "R-000005"), ("r-5", "R-000005"), (" 000123 ", "R-000123"),
    ("R5", "R-000005"), ("1234567", "R-1234567"), ("R-00000x", "R-00000X"), ("", ""),
])
def test_a_typed_reference_finds_the_request(typed: str, reference: str) -> None:
    assert typed_reference(typed) == reference


@given(st.integers(min_value=1, max_value=10**9))
def test_any_request_number_round_trips(number: int) -> None:
    assert typed_reference(str(number)) == typed_reference(f"R-{number:06d}") == f"R-{number:06d}"


@pytest.mark.parametrize("value, text", [
    (None, "-"), ([], "-"), (["KRZ-1", "KRZ-2"], "KRZ-1, KRZ-2"), (True, "yes"), (False, "no"),
    ({"spf": "pass", "dmarc": None}, "spf pass, dmarc -"), ("R-000001", "R-000001"), (0, "0"),
])
def test_human_values_are_words_not_python(value: object, text: str) -> None:
    assert human(value) == text


def test_fields_put_long_text_under_its_key() -> None:
    shown = fields({"reference": "R-000001", "order_refs": ["KRZ-1"], "fee": None,
                    "text": "Hello,\nrefund me"}, skip=("secret",))
    assert shown == "reference: R-000001\norder_refs: KRZ-1\nfee: -\ntext:\n    Hello,\n    refund me"


def test_init_writes_a_config_that_checks_and_says_what_next(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: options only
    assert main(["init", str(tmp_path / "shop"), "--address", "refunds@shop.example",
                 "--imap-host", "imap.shop.example", "--policy", "marketplace"]) == 0
    out = capsys.readouterr().out
    for step in ("check-config --connect", "db upgrade", "poll --once", "staff add", " web "):
        assert step in out
    for variable in ("REFUND_INTAKE_IMAP_PASSWORD", "REFUND_INTAKE_SMTP_PASSWORD", "REFUND_INTAKE_WEB_SECRET"):
        assert variable in out
    config = tmp_path / "shop" / "config.toml"
    assert (tmp_path / "shop" / "marketplace.toml").read_bytes() == \
        (folder("policies") / "marketplace.toml").read_bytes()
    monkeypatch.setenv("REFUND_INTAKE_IMAP_PASSWORD", "x")
    monkeypatch.setenv("REFUND_INTAKE_SMTP_PASSWORD", "y")
    assert main(["--config", str(config), "check-config"]) == 0
    assert main(["init", str(tmp_path / "shop"), "--address", "a@b.c", "--imap-host", "h",
                 "--policy", "marketplace"]) == 2  # never overwrites without --force
    assert "exists already" in capsys.readouterr().err


def test_init_without_a_terminal_names_the_missing_option(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["init", str(tmp_path), "--address", "refunds@shop.example"]) == 2
    assert capsys.readouterr().err.strip() == "refund-intake: error: init: --imap-host is needed (no terminal to ask on)"
    assert main(["init", str(tmp_path), "--address", "refunds@shop.example", "--imap-host", "h",
                 "--policy", "nope"]) == 2
    assert f"the shipped ones are {', '.join(shipped_policy_names())}" in capsys.readouterr().err
    assert not (tmp_path / "config.toml").exists()


def test_db_upgrade_says_what_it_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from refund_intake.demo import prepare

    config = prepare(tmp_path)
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    assert capsys.readouterr().out.startswith("Created the database at sqlite:///")
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    assert "was already at the latest schema" in capsys.readouterr().out


def test_demo_runs_from_the_package_into_any_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--dir", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "16 new message(s) stored" in out and "== Why? (refund-intake explain R-000002)" in out
    assert main(["--config", str(tmp_path / "d" / "demo.toml"), "requests", "show", "2"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("reference: R-000002") and "None" not in shown and "['" not in shown
    # The README's web recipe exports REFUND_INTAKE_WEB_SECRET: the demo's config reads it.
    from base.config import load_config

    secret = load_config(tmp_path / "d" / "demo.toml").web.secret_key
    assert secret is not None and secret.env == "REFUND_INTAKE_WEB_SECRET"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_init_on_a_terminal_asks_for_what_the_options_leave_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["", "refunds@shop.example", "imap.shop.example", ""])  # blank: ask again / default
    asked: list[str] = []
    monkeypatch.setattr("sys.stdin", Terminal(""))
    monkeypatch.setattr("builtins.input", lambda question: asked.append(question) or next(answers))
    assert main(["init", str(tmp_path)]) == 0
    assert [q.split(" (")[0].split(" [")[0] for q in asked] == [
        "Address customers write to", "Address customers write to", "IMAP server of that mailbox", "Policy"]
    text = (tmp_path / "config.toml").read_text()
    assert 'address = "refunds@shop.example"' in text and 'host = "imap.shop.example"' in text
    assert 'policy = "kreatorz.toml"' in text  # the default offered in brackets
