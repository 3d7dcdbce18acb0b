"""`make bench-understanding` (`python -m benchmarks understanding [--split dev|heldout]`).

Reads every email of one part of the labelled corpus (tests/corpus/understanding/<split>/),
runs it through the real parse and understanding steps with its shop's mailbox settings, and
prints per-field accuracy, accuracy per language, the reason confusion matrix and
classifications per second. The default split is `heldout`, the part no tuning looks at; the
reason model is trained (scripts/train_reasons.py) from `dev` only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from decisions.request import REASONS
from intake.parse import parse_message
from intake.understand import Hints, Understanding, understand

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus" / "understanding"
SPLITS = ("dev", "heldout")
# The shops' mailbox settings as config.toml would give them (language, canonical formats).
SHOPS = {
    "kreatorz": Hints("en", ("KRZ-##-####",)),
    "cafe24": Hints("ko", ("########-#######",)),
    "french-saas": Hints("fr", ("CMD-####-#####",)),
    "kajet": Hints("en", ("KJ-#######",)),
}
FIELDS = ("reason", "language", "order_refs")
# The corpus's parts, by id number (tests/corpus/understanding/README.md), each shown on a line of
# its own: A and B, the first writers' (1-299, 500-599); C, mail written hard on purpose (indirect,
# negated, the confusable pairs; 601 and up); D, the plain everyday mail of a real mailbox
# (300-499), written after C.
PART_C_FROM = 601
PART_D = range(300, 500)


def corpus_part(sample_id: str) -> str:
    """"A+B", "C" or "D", by the number at the end of the id."""
    number = int(sample_id.rsplit("-", 1)[1])
    return "C" if number >= PART_C_FROM else "D" if number in PART_D else "A+B"


@dataclass(frozen=True)
class Sample:
    id: str
    label: dict[str, Any]
    raw: bytes


def load(split: str) -> list[Sample]:
    if split not in SPLITS:
        raise SystemExit(f"--split: one of {', '.join(SPLITS)}, not {split!r}")
    folder = CORPUS / split
    samples = []
    for path in sorted(folder.glob("*.json")):
        eml = path.with_suffix(".eml")
        if eml.exists():
            samples.append(Sample(path.stem, json.loads(path.read_text(encoding="utf-8")), eml.read_bytes()))
    return samples


def read(sample: Sample) -> Understanding:
    parsed = parse_message(sample.raw)
    return understand(parsed.subject, parsed.text, SHOPS[sample.label["shop"]])


def scores(label: dict[str, Any], got: Understanding) -> dict[str, bool]:
    return {"reason": got.reason == label["reason"], "language": got.language == label["language"],
            "order_refs": set(got.order_refs) == set(label["order_refs"])}


def report(samples: list[Sample]) -> str:
    read(samples[0])  # loads the detector and the reason weights, as a parse worker does once
    started = time.perf_counter()
    results = [(s, read(s)) for s in samples]
    elapsed = time.perf_counter() - started
    total: Counter[str] = Counter()
    by_language: dict[str, Counter[str]] = defaultdict(Counter)
    by_part: dict[str, Counter[str]] = defaultdict(Counter)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for sample, got in results:
        language = sample.label["language"]
        by_language[language]["n"] += 1
        by_part[_part(sample)]["n"] += 1
        for field, ok in scores(sample.label, got).items():
            total[field] += ok
            by_language[language][field] += ok
            by_part[_part(sample)][field] += ok
        confusion[sample.label["reason"]][got.reason] += 1
    n = len(results) or 1
    lines = [f"{len(results)} emails, {len(results) / elapsed:,.0f} classifications/s "
             f"(parse + understand, one process, {1000 * elapsed / n:.2f} ms each)", "",
             "| field | accuracy |", "|---|---|"]
    lines += [f"| {field} | {100 * total[field] / n:.1f}% ({total[field]}/{len(results)}) |" for field in FIELDS]
    lines += ["", _unclear_line(results)]
    lines += ["", *_table("language", by_language), "", *_table("corpus part", by_part)]
    columns = (*REASONS, "unclear")
    lines += ["", "Reason confusion (rows: label, columns: read):", "",
              "| label | " + " | ".join(_short(c) for c in columns) + " |",
              "|---" * (len(columns) + 1) + "|"]
    for code in REASONS:
        lines.append(f"| {code} | " + " | ".join(str(confusion[code][c] or ".") for c in columns) + " |")
    return "\n".join(lines)


def _table(name: str, rows: dict[str, Counter[str]]) -> list[str]:
    lines = [f"| {name} | n | reason | language | order refs |", "|---|---|---|---|---|"]
    for key, counts in sorted(rows.items()):
        cells = " | ".join(f"{100 * counts[f] / counts['n']:.0f}%" for f in FIELDS)
        lines.append(f"| {key} | {counts['n']} | {cells} |")
    return lines


def _part(sample: Sample) -> str:
    return corpus_part(sample.id)


def _unclear_line(results: list[tuple[Sample, Understanding]]) -> str:
    """Reason accuracy above counts `unclear` as wrong; this says how much went to staff review,
    how often the two candidates named there hold the right reason, and how right the confident
    readings were."""
    sure = [(s, got) for s, got in results if got.reason != "unclear"]
    right = sum(got.reason == s.label["reason"] for s, got in sure)
    unsure = [(s, got) for s, got in results if got.reason == "unclear"]
    named = sum(s.label["reason"] in [c for c, _ in got.details["reason"]["candidates"][:2]]
                for s, got in unsure)
    return (f"reason unclear (to staff, two candidates named): {len(unsure)} of {len(results)}, "
            f"the right one among the two named in {named}; right when not unclear: "
            f"{100 * right / max(1, len(sure)):.1f}% ({right}/{len(sure)})")


def _short(code: str) -> str:
    return {"change_of_mind": "mind", "dissatisfied": "dissat", "non_delivery": "non_deliv",
            "not_as_described": "not_desc", "cancel_recurring": "cancel_rec"}.get(code, code)


def cost(count: int = 600) -> str:
    """CPU time per message of parse and of each understanding part, on the throughput
    benchmark's generated mail (best of three, `time.process_time`)."""
    from benchmarks.generate import RequestGenerator
    from intake.language import detect_language
    from intake.own_text import own_text
    from intake.reasons import classify
    from intake.references import find_references

    raws = [g.raw for g in RequestGenerator(7, count).messages()]
    parsed = [parse_message(raw) for raw in raws]
    owns = [own_text(m.text) for m in parsed]
    hints = Hints("en", ("KRZ-##-####",))
    understand("", "Warm up: load the detector and the weights.", hints)
    parts = {
        "parse": lambda: [parse_message(raw) for raw in raws],
        "understand (all)": lambda: [understand(m.subject, m.text, hints) for m in parsed],
        "  own text": lambda: [own_text(m.text) for m in parsed],
        "  language": lambda: [detect_language(o.text, "en") for o in owns],
        "  reason": lambda: [classify(f"{m.subject}\n{o.text}") for m, o in zip(parsed, owns, strict=True)],
        "  references": lambda: [find_references(f"{m.subject}\n{m.text}", hints.ref_formats) for m in parsed],
    }
    lines = [f"CPU ms per message, {count} generated benchmark messages:"]
    for name, run in parts.items():
        best = min(_cpu(run) for _ in range(3))
        lines.append(f"{name:<18} {1000 * best / count:.3f}")
    return "\n".join(lines)


def _cpu(run: Any) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks understanding")
    parser.add_argument("--split", default="heldout", choices=SPLITS)
    parser.add_argument("--cost", action="store_true", help="CPU time per message, per part, and stop")
    args = parser.parse_args(argv)
    if args.cost:
        print(cost())
        return 0
    samples = load(args.split)
    if not samples:
        print(f"no labelled emails under {CORPUS / args.split}", file=sys.stderr)
        return 1
    print(f"Understanding, split {args.split}:")
    if args.split == "dev":
        print("(the reason model was fitted on dev: its dev reason figure is in-sample; "
              "scripts/train_reasons.py prints the cross-validated one)")
    print(report(samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
