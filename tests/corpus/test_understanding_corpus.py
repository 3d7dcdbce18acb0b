"""The understanding corpus (issue 13) passes its own checker, and the checker catches mistakes."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CHECKER = Path(__file__).resolve().parent / "understanding" / "check_corpus.py"


def load_checker(here: Path | None = None) -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_corpus", CHECKER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if here is not None:
        setattr(module, "HERE", here)  # noqa: B010 (the checker reads its folder from HERE)
    return module


def test_the_corpus_passes_its_checker() -> None:
    checker = load_checker()
    assert len(checker.labels()) >= 250
    assert checker.check_all() == []


@pytest.mark.parametrize(("written", "meant", "expected"), [
    ("KRZ-26-0939", "KRZ-26-0933", True),     # one digit changed
    ("KJ-4470219", "KJ-4470291", True),       # two neighbours swapped
    ("CMD-2026-0041", "CMD-2026-00412", True),  # one digit dropped
    ("KRZ-26-0939", "KRZ-26-0093", False),    # two digits apart
    ("KJ-1234567", "KJ-1234567", False),      # the same
    ("KJ-1234567", "KJ-7234561", False),      # a swap of distant digits
])
def test_near_miss_is_one_slip_away(written: str, meant: str, expected: bool) -> None:
    assert load_checker().one_off(written, meant) is expected


def copy_one(tmp_path: Path, stem: str) -> Path:
    """A corpus folder holding only this email and its label, in the part they are in."""
    copy = tmp_path / "understanding"
    for part in ("dev", "heldout"):
        (copy / part).mkdir(parents=True)
    [label] = CHECKER.parent.glob(f"*/{stem}.json")
    for suffix in (".json", ".eml"):
        shutil.copy(label.with_suffix(suffix), copy / label.parent.name)
    return copy


def broken(tmp_path: Path, stem: str, change: dict[str, Any]) -> list[str]:
    copy = copy_one(tmp_path, stem)
    [label] = copy.glob(f"*/{stem}.json")
    data = json.loads(label.read_text(encoding="utf-8")) | change
    label.write_text(json.dumps(data), encoding="utf-8")
    problems: list[str] = load_checker(copy).check_all()
    return problems


@pytest.mark.parametrize(("change", "problem"), [
    ({"order_refs": ["krz-26-0501"]}, "not canonical"),
    ({"reason": "refund"}, "reason 'refund' unknown"),
    ({"lookalikes": []}, "mess 'lookalike' disagrees"),
    ({"lookalikes": ["INV-99999"]}, "lookalike 'INV-99999' is not in the message"),
    ({"also": ["change_of_mind"]}, "the primary reason"),
    ({"near_miss": {"written": "KRZ-26-0501", "meant": "KRZ-26-0105"}}, "one character apart"),
])
def test_the_checker_names_a_broken_label(tmp_path: Path, change: dict[str, Any],
                                          problem: str) -> None:
    problems = broken(tmp_path, "krz-en-004", change)
    assert len(problems) >= 1 and all("krz-en-004" in p for p in problems)
    assert any(problem in p for p in problems)


def test_the_checker_finds_a_file_in_the_wrong_part(tmp_path: Path) -> None:
    copy = copy_one(tmp_path, "kj-en-001")
    [label] = copy.glob("*/kj-en-001.json")
    other = copy / ("dev" if label.parent.name == "heldout" else "heldout")
    for suffix in (".json", ".eml"):
        label.with_suffix(suffix).rename(other / f"kj-en-001{suffix}")
    assert load_checker(copy).check_all() == [f"{other.name}/kj-en-001: in {other.name}/, the hash "
                                              f"rule says {label.parent.name}/"]


def test_the_checker_finds_bytes_not_in_the_declared_charset(tmp_path: Path) -> None:
    copy = copy_one(tmp_path, "fs-fr-003")
    [eml] = copy.glob("*/fs-fr-003.eml")
    eml.write_bytes(eml.read_bytes().replace(b'charset="windows-1252"', b'charset="us-ascii"'))
    [problem] = load_checker(copy).check_all()
    assert "not in its declared charset" in problem
