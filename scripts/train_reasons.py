"""Rebuild intake/reason_model.json from the corpus's dev part (never heldout/).

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python scripts/train_reasons.py            # writes the model, prints CV figures
    .venv/bin/python scripts/train_reasons.py --measure  # honest figures only, writes nothing
    .venv/bin/python scripts/train_reasons.py --measure --curve --extra-dev OTHER/dev  # learning curve

scikit-learn fits a multinomial logistic regression on the features of intake/reasons.py
(words, word pairs and beginnings, character n-grams 2-5 within words, the phrase lists' hits;
lbfgs: deterministic for the same input, and the samples are read in sorted order). Its
inverse regularisation C and the threshold below which the reason is `unclear` are chosen by
5-fold cross-validation on dev: the threshold maximises correct answers minus twice the wrong
confident ones (a wrong reason stated with confidence costs staff more than a review that names
two candidates). The model kept is the mean of the five cross-validation models of the chosen
C: the threshold was chosen on their out-of-fold readings, and a model refitted on all of dev
would be surer than they were (it read a mail that says nothing as `other`). Only the weights
are kept (rounded, small ones dropped): intake reads them without scikit-learn.

The honest figure is a nested cross-validation: for each outer fold, C and the threshold are
chosen by an inner cross-validation on the other four folds only, so nothing picked by looking
at a fold is scored on it. The phrase lists are fixed (intake/lexicon.py's PHRASES, written
from how customers write); the phrases once picked from dev's misses (FROM_DEV_MISSES) would
flatter any CV on dev, so they are left out (`--with-dev-misses` shows by how much).
`--curve` repeats the nested figure on 50% and 75% of dev (and with `--extra-dev` folders'
dev mails added): how much more labelled mail buys. `--by-language` leaves one language out at
a time: how the reading carries to a language it never saw.
"""

from __future__ import annotations

import os

# One BLAS thread: on the shared cores several threads fight and make each fit 5 to 10 times slower.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reason_cv import (
    SETTINGS,
    Choice,
    Data,
    Prediction,
    by_language,
    by_language_left_out,
    choose,
    nested,
    summary,
)

from benchmarks.understanding import CORPUS, PART_C_FROM, PART_D, corpus_part
from decisions.request import REASONS
from intake.lexicon import FROM_DEV_MISSES
from intake.own_text import own_text
from intake.parse import parse_message
from intake.reasons import MODEL_PATH, UNCLEAR, piece_weights_json
from intake.understand import bare_subject

# The corpus parts whose dev mail the shipped model is trained on (benchmarks.understanding's
# corpus_part). Part C, written hard on purpose (indirect, negated, the confusable pairs), weighs a
# quarter (reason_cv.Settings.part_weights): at full weight, plain "I changed my mind about
# order ... Please refund me." read `unclear` with `other` close behind (README, Understanding).
PARTS = ("A+B", "C", "D")


class Samples(NamedTuple):
    texts: list[str]  # each email's bare subject and own text
    labels: list[str]
    languages: list[str]
    parts: list[str]  # its corpus part ("extra" for the --extra-dev folders' mail)
    writers: list[str]  # who wrote it (corpus README: each writer has its own ids and languages)
    own: int  # the first `own` are dev's, of the parts trained on
    left_out: int  # the last `left_out` are dev's, of the parts not trained on (read, to compare)


def samples(folders: list[Path], parts: Sequence[str] = PARTS) -> Samples:
    """The own texts, reasons and languages of dev's emails of the given corpus parts, then
    those of the other folders not already read (by id), then dev's of the other parts."""
    rows: dict[str, list[tuple[str, str, str, str, str]]] = {"own": [], "extra": [], "left out": []}
    seen: set[str] = set()
    for folder in (CORPUS / "dev", *folders):
        if "heldout" in folder.resolve().parts:
            raise SystemExit(f"{folder}: held-out mail is never read here")
        for path in sorted(folder.glob("*.json")):
            eml = path.with_suffix(".eml")
            if path.stem in seen or not eml.exists():
                continue
            seen.add(path.stem)
            part = corpus_part(path.stem) if folder == CORPUS / "dev" else "extra"
            label = json.loads(path.read_text(encoding="utf-8"))
            parsed = parse_message(eml.read_bytes())
            text = f"{bare_subject(parsed.subject)}\n{own_text(parsed.text).text}"
            group = "extra" if part == "extra" else "own" if part in parts else "left out"
            who = writer(path.stem, label["language"]) if part != "extra" else f"extra {folder}"
            rows[group].append((text, label["reason"], label["language"], part, who))
    every = rows["own"] + rows["extra"] + rows["left out"]
    texts, labels, languages, kinds, writers = (list(column) for column in zip(*every, strict=True))
    return Samples(texts, labels, languages, kinds, writers, len(rows["own"]), len(rows["left out"]))


def writer(sample_id: str, language: str) -> str:
    """Who wrote a dev mail, by its id (tests/corpus/understanding/README.md): parts C and D
    number each writer's mail in a block of 50; part A wrote en, fr, af, zu, nl, pt, it and the
    Cafe24 English from 501, part B ko, de, es, vi, zh, ja and the Cafe24 English below 100."""
    number = int(sample_id.rsplit("-", 1)[1])
    if number >= PART_C_FROM or number in PART_D:
        return f"{number // 50 * 50}s"
    part_b = language in {"ko", "de", "es", "vi", "zh", "ja"} or (sample_id.startswith("c24-en") and number < 500)
    return "B" if part_b else "A"


def by_part(predictions: Mapping[int, Prediction], parts: list[str], threshold: float = 0.0) -> str:
    """The figures of each corpus part's mail."""
    lines = ["| corpus part | emails | reason (unclear wrong) | unclear | right when not unclear | likeliest right |",
             "|---|---|---|---|---|---|"]
    for part in sorted({parts[i] for i in predictions}):
        s = summary([p for i, p in predictions.items() if parts[i] == part], threshold)
        lines.append(f"| {part} | {s['emails']} | {s['accuracy_unclear_counted_wrong']:.1%} | {s['unclear_share']:.1%} | "
                     f"{s['accuracy_when_not_unclear']:.1%} | {s['accuracy_without_threshold']:.1%} |")
    return "\n".join(lines)


def curve(data: Data, own: int, end: int) -> None:
    """Nested figures on part of dev, all of it, and dev with the other folders' mail (rows
    `own` to `end`)."""
    rows = ["| training mail | emails | reason (unclear wrong) | unclear | when not unclear | likeliest right |",
            "|---|---|---|---|---|---|"]

    def row(name: str, predictions: list[Prediction]) -> str:
        s = summary(predictions)
        return (f"| {name} | {len(predictions)} | {s['accuracy_unclear_counted_wrong']:.1%} | {s['unclear_share']:.1%} | "
                f"{s['accuracy_when_not_unclear']:.1%} | {s['accuracy_without_threshold']:.1%} |")

    for share in (0.5, 0.75, 1.0):
        got = nested(data, data.subsample(range(own), share))
        rows.append(row(f"dev {share:.0%}", list(got.values())))
    if end > own:
        got = nested(data, list(range(end)))
        rows.append(row("dev + extra, all read", list(got.values())))
        rows.append(row("dev + extra, dev's own read", [got[i] for i in range(own)]))
        rows.append(row("dev + extra, the extra read", [got[i] for i in range(own, end)]))
    print("\n".join(rows))


def read_extra(data: Data, own: int, end: int, languages: list[str]) -> None:
    """The extra folders' mail read by the model trained (and its choices made) on dev alone:
    how the reading carries to mail by other writers."""
    choice = choose(data, list(range(own)))
    extra = range(own, end)
    got = {i: p if p.p >= choice.threshold else p._replace(read=UNCLEAR)
           for i, p in data.predict(choice.model(data, range(own)), extra).items()}
    print(by_language([got[i] for i in extra], [languages[i] for i in extra]))
    print(json.dumps({"C": choice.c, "threshold": choice.threshold, "extra": summary(list(got.values()))}, indent=2))


def write(data: Data, figures: dict[str, object], choice: Choice, rows: Sequence[int], path: Path,
          parts: Sequence[str]) -> None:
    model, threshold = choice.model(data, rows), choice.threshold
    path.write_text(json.dumps({
        "about": "reason model: scripts/train_reasons.py from tests/corpus/understanding/dev",
        "classes": list(model.classes), "bias": list(model.bias), "threshold": threshold,
        "word_floor": SETTINGS.word_floor, "weight_unit": "thousandths", "C": choice.c, "averaged": SETTINGS.average,
        "parts": list(parts), "part_weights": SETTINGS.part_weights,
        "wrong_cost": SETTINGS.wrong_cost, "content_free": SETTINGS.content_free,
        "plain": SETTINGS.plain,
        "char_ngrams": list(SETTINGS.chars) if SETTINGS.chars else None,
        "pieces": model.pieces, "piece_weight": SETTINGS.piece_weight if model.pieces else None,
        "piece_floor": SETTINGS.piece_floor if model.pieces else None,
        "dev_cross_validation": figures, "weights": dict(sorted(model.weights.items())),
        "piece_weights": piece_weights_json(model) if model.pieces else None,
    }, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"features: {len(model.weights)}, {path.stat().st_size} bytes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", action="store_true", help="print the honest figures, write nothing")
    parser.add_argument("--with-dev-misses", action="store_true", help="measure with FROM_DEV_MISSES too")
    parser.add_argument("--by-language", action="store_true", help="also leave one language out at a time")
    parser.add_argument("--curve", action="store_true", help="nested figures on 50%%, 75%%, 100%% of dev (+ extra)")
    parser.add_argument("--read-extra", action="store_true",
                        help="read the --extra-dev mail with the model trained on dev alone")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the model")
    parser.add_argument("--by-writer", action="store_true",
                        help="outer folds hold out whole writers (measures only: writes nothing)")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"the corpus parts whose dev mail to train on, of A+B, C, D (default {','.join(PARTS)})")
    parser.add_argument("--extra-dev", action="append", type=Path, default=[],
                        help="another folder of labelled dev mail to measure with (repeatable)")
    SETTINGS.add_options(parser)
    args = parser.parse_args(argv)
    SETTINGS.configure(args)
    parts = args.parts.split(",")
    if unknown := set(parts) - {"A+B", "C", "D"}:
        parser.error(f"--parts: no corpus part {', '.join(sorted(unknown))} (A+B, C, D)")
    texts, labels, languages, row_parts, writers, own, left_out = samples(args.extra_dev, parts)
    missing = sorted(set(REASONS) - set(labels))
    if missing:
        print(f"dev has no example of {', '.join(missing)}: cannot train", file=sys.stderr)
        return 1
    data = Data(texts, labels, FROM_DEV_MISSES if args.with_dev_misses else None, row_parts)
    print(f"settings: {SETTINGS}; {len(texts)} emails ({own} from dev's {'/'.join(parts)}, "
          f"{left_out} of dev's other parts only read)", file=sys.stderr)
    if args.curve:
        curve(data, own, len(texts) - left_out)
        return 0
    if args.read_extra:
        read_extra(data, own, len(texts) - left_out, languages)
        return 0
    every = list(range(len(texts) - left_out))
    honest = nested(data, every, writers if args.by_writer else None)
    figures: dict[str, object] = {"nested" + (" by writer" if args.by_writer else ""): summary([honest[i] for i in every])}
    print(by_language([honest[i] for i in every], languages[:len(every)]))
    print(by_part(honest, row_parts))
    choice = choose(data, every)
    figures["plain"] = summary(list(choice.predictions.values()), choice.threshold)
    if left_out:
        rest = range(len(every), len(texts))
        read = data.predict(choice.model(data, every), rest)
        print(f"dev's mail of the parts not trained on, read by the model trained:\n"
              f"{by_part({i: p if p.p >= choice.threshold else p._replace(read=UNCLEAR) for i, p in read.items()}, row_parts)}")
    if args.by_language:
        print(by_language_left_out(data, languages, choice.c, choice.threshold))
    print(json.dumps({"C": choice.c, "threshold": choice.threshold, **figures}, indent=2))
    if not (args.measure or args.with_dev_misses or args.extra_dev or args.by_writer):
        write(data, figures, choice, every, args.out, parts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
