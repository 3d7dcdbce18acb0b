"""The understanding benchmark's report (`make bench-understanding`): what it counts, on dev mail
(never held-out: that part is read only by the benchmark run itself)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from benchmarks.understanding import _part, load, report


def test_report_counts_fields_languages_and_parts_from_the_samples() -> None:
    samples = load("dev")[:6]
    renamed = [replace(s, id=re.sub(r"\d{3}$", "917", s.id)) for s in samples[:2]]  # as if part C
    text = report(samples[2:] + renamed)
    assert text.startswith("6 emails, ")
    assert re.search(r"^\| A\+B \| 4 \| ", text, re.M)
    assert re.search(r"^\| C \| 2 \| ", text, re.M)
    languages = {s.label["language"] for s in samples}
    for language in languages:
        n = sum(s.label["language"] == language for s in samples)
        assert re.search(rf"^\| {language} \| {n} \| ", text, re.M)
    confusion_rows = re.findall(r"^\| (change_of_mind|dissatisfied|non_delivery|not_as_described|"
                                r"cancel_recurring|dispute|other) \|((?: [.\d]+ \|)+)$", text, re.M)
    counted = sum(int(cell) for _, row in confusion_rows for cell in row.split("|") if cell.strip().isdigit())
    assert counted == 6


@pytest.mark.parametrize("number, part", [
    ("001", "A+B"), ("299", "A+B"), ("300", "D"), ("499", "D"), ("500", "A+B"), ("600", "A+B"),
    ("601", "C"), ("999", "C"),
])
def test_the_corpus_parts_are_told_apart_by_the_id_number(number: str, part: str) -> None:
    sample = load("dev")[0]
    assert _part(replace(sample, id=f"kj-es-{number}")) == part
