"""Rebuild intake/reason_model.json from the corpus's dev part (never heldout/).

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python scripts/train_reasons.py            # writes the model, prints CV figures
    .venv/bin/python scripts/train_reasons.py --measure  # honest figures only, writes nothing

scikit-learn fits a multinomial logistic regression on the features of intake/reasons.py
(lbfgs: deterministic for the same input, and the samples are read in sorted order). Its
inverse regularisation C and the threshold below which the reason is `unclear` are chosen by
5-fold cross-validation on dev: the threshold maximises correct answers minus twice the wrong
confident ones (a wrong reason stated with confidence costs staff more than a review that names
two candidates). Only the weights are kept (rounded, small ones dropped): intake reads them
without scikit-learn.

The honest figure is a nested cross-validation: for each outer fold, C and the threshold are
chosen by an inner cross-validation on the other four folds only, so nothing picked by looking
at a fold is scored on it. The phrase lists are fixed (intake/lexicon.py's PHRASES, written
from how customers write); the phrases once picked from dev's misses (FROM_DEV_MISSES) would
flatter any CV on dev, so they are left out (`--with-dev-misses` shows by how much).
A second figure leaves one language out at a time: how the reading carries to a language it
never saw (the corpus has few examples of some).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from benchmarks.understanding import load
from decisions.request import REASONS
from intake.lexicon import FROM_DEV_MISSES
from intake.own_text import own_text
from intake.parse import parse_message
from intake.reasons import MODEL_PATH, Model, classify, features
from intake.understand import bare_subject


@dataclass
class Settings:
    """What the model is fitted with; the command's options change them to compare others."""
    cs: tuple[float, ...] = (4.0, 16.0, 64.0)  # regularisation strengths tried, by CV on dev
    chars: tuple[int, int] | None = None  # character n-grams within words, e.g. (2, 5); None: none
    class_weight: str | None = None  # "balanced": each reason weighs alike whatever its count
    wrong_cost: int = 2  # a wrong reason stated with confidence costs this many right ones


SETTINGS = Settings()
MIN_DF = 2  # a character n-gram must occur in this many training emails to be kept
THRESHOLDS = [t / 100 for t in range(10, 80, 2)]
Prediction = tuple[str, str, float]  # label, likeliest reason, its probability


def texts_and_labels() -> tuple[list[str], list[str], list[str]]:
    """The dev emails' own texts, their reasons and their languages."""
    texts, labels, languages = [], [], []
    for sample in load("dev"):  # dev only: heldout/ is the lead's, never read here
        parsed = parse_message(sample.raw)
        texts.append(f"{bare_subject(parsed.subject)}\n{own_text(parsed.text).text}")
        labels.append(sample.label["reason"])
        languages.append(sample.label["language"])
    return texts, labels, languages


class Data:
    """Each dev email's features, worked out once (they do not depend on the training part)."""

    def __init__(self, texts: list[str], labels: list[str], extra: Mapping[str, Sequence[str]] | None):
        self.texts, self.labels, self.extra = texts, labels, extra
        self.vectorizer = DictVectorizer()
        self.matrix = self.vectorizer.fit_transform([features(t, extra, SETTINGS.chars) for t in texts]).tocsr()
        self.names = self.vectorizer.feature_names_
        self.is_gram = np.array([n.startswith("g:") for n in self.names])

    def fit(self, rows: Sequence[int], c: float) -> Model:
        matrix = self.matrix[list(rows)]
        seen = np.asarray((matrix > 0).sum(axis=0)).ravel()
        keep = np.flatnonzero(~self.is_gram | (seen >= MIN_DF))
        fitted = LogisticRegression(C=c, max_iter=3000, class_weight=SETTINGS.class_weight).fit(
            matrix[:, keep], [self.labels[i] for i in rows])
        classes = tuple(str(k) for k in fitted.classes_)
        weights = {}
        for column, j in enumerate(keep):
            row = [round(float(fitted.coef_[k][column]), 3) for k in range(len(classes))]
            if max(abs(w) for w in row) >= 0.05:  # smaller weights change no reading
                weights[self.names[j]] = row
        bias = tuple(round(float(b), 3) for b in fitted.intercept_)
        return Model(classes, bias, weights, threshold=0.0, chars=SETTINGS.chars)

    def predict(self, model: Model, rows: Sequence[int]) -> dict[int, Prediction]:
        out = {}
        for i in rows:
            guess = classify(self.texts[i], self.extra, chosen=model)
            out[i] = (self.labels[i], guess.candidates[0][0], guess.confidence)
        return out


def cross_validate(data: Data, rows: Sequence[int], c: float, seed: int = 13) -> dict[int, Prediction]:
    """Each of `rows` predicted by a model trained on the others of `rows` only."""
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    labels = [data.labels[i] for i in rows]
    out: dict[int, Prediction] = {}
    for train, test in folds.split(rows, labels):
        out.update(data.predict(data.fit([rows[i] for i in train], c), [rows[i] for i in test]))
    return out


def choose(data: Data, rows: Sequence[int]) -> tuple[float, float, dict[int, Prediction]]:
    """C and threshold chosen by cross-validation on `rows` only."""
    best = None
    for c in SETTINGS.cs:
        predictions = cross_validate(data, rows, c)
        threshold = pick_threshold(list(predictions.values()))
        score = utility(list(predictions.values()), threshold)
        if best is None or score > best[0]:
            best = (score, c, threshold, predictions)
    assert best is not None
    return best[1], best[2], best[3]


def nested(data: Data) -> list[Prediction]:
    """Honest figures: each email read by a model whose C and threshold were chosen without it."""
    rows = list(range(len(data.texts)))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
    out: list[Prediction] = [("", "", 0.0)] * len(rows)
    for train, test in folds.split(rows, data.labels):
        c, threshold, _ = choose(data, list(train))
        model = data.fit(list(train), c)
        for i, (label, got, p) in data.predict(model, list(test)).items():
            out[i] = (label, got, 1.0 if p >= threshold else 0.0)  # 0: read as unclear
        print(f"  outer fold: C={c:g} threshold={threshold}", file=sys.stderr)
    return out


def by_language_left_out(data: Data, languages: list[str], c: float, threshold: float) -> str:
    """Reason accuracy (unclear counted wrong) on each language by a model that never saw it."""
    rows = ["| language left out | n | reason |", "|---|---|---|"]
    for language in sorted(set(languages)):
        test = [i for i, lang in enumerate(languages) if lang == language]
        train = [i for i, lang in enumerate(languages) if lang != language]
        got = data.predict(data.fit(train, c), test).values()
        right = sum(label == read and p >= threshold for label, read, p in got)
        rows.append(f"| {language} | {len(test)} | {100 * right / len(test):.0f}% |")
    return "\n".join(rows)


def utility(predictions: list[Prediction], threshold: float) -> int:
    sure = [(label, got) for label, got, p in predictions if p >= threshold]
    right = sum(label == got for label, got in sure)
    return right - SETTINGS.wrong_cost * (len(sure) - right)


def pick_threshold(predictions: list[Prediction]) -> float:
    return max(THRESHOLDS, key=lambda t: (utility(predictions, t), -t))


def summary(predictions: list[Prediction], threshold: float) -> dict[str, float]:
    n = len(predictions)
    right = sum(label == got for label, got, _ in predictions)
    sure = [(label, got) for label, got, p in predictions if p >= threshold]
    sure_right = sum(label == got for label, got in sure)
    return {"emails": n, "accuracy_without_threshold": round(right / n, 3),
            "accuracy_unclear_counted_wrong": round(sure_right / n, 3),
            "unclear_share": round(1 - len(sure) / n, 3),
            "accuracy_when_not_unclear": round(sure_right / max(1, len(sure)), 3)}


def by_language(predictions: list[Prediction], languages: list[str]) -> str:
    """Honest reason accuracy per language (unclear counted wrong) and the confusion."""
    rows = ["| language | n | reason (nested CV) |", "|---|---|---|"]
    for language in sorted(set(languages)):
        mine = [(label, got) for (label, got, sure), lang in zip(predictions, languages, strict=True)
                if lang == language and sure]
        right = sum(label == got for label, got in mine)
        n = languages.count(language)
        rows.append(f"| {language} | {n} | {100 * right / n:.0f}% |")
    rows += ["", "| label \\ read | " + " | ".join(REASONS) + " | unclear |", "|---" * (len(REASONS) + 2) + "|"]
    for code in REASONS:
        read = [got if sure else "unclear" for label, got, sure in predictions if label == code]
        rows.append(f"| {code} | " + " | ".join(str(read.count(c) or ".") for c in (*REASONS, "unclear")) + " |")
    return "\n".join(rows)


def configure(chars: str | None, class_weight: str | None, cs: str | None) -> None:
    """Other settings than the module's, to compare them (the model is trained with the module's)."""
    if cs is not None:
        SETTINGS.cs = tuple(float(c) for c in cs.split(","))
    if chars is not None:
        SETTINGS.chars = None if chars == "none" else tuple(int(n) for n in chars.split("-"))  # type: ignore[assignment]
    if class_weight is not None:
        SETTINGS.class_weight = None if class_weight == "none" else class_weight


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", action="store_true", help="print the honest figures, write nothing")
    parser.add_argument("--with-dev-misses", action="store_true", help="measure with FROM_DEV_MISSES too")
    parser.add_argument("--by-language", action="store_true", help="also leave one language out at a time")
    parser.add_argument("--chars", default=None, help="character n-grams LOW-HIGH, or none (default: none)")
    parser.add_argument("--class-weight", default=None, help="balanced, or none (default: none)")
    parser.add_argument("--wrong-cost", type=int, default=None, help="default: 2")
    parser.add_argument("--cs", default=None, help="C values to choose from, comma separated (default: 4,16,64)")
    args = parser.parse_args(argv)
    configure(args.chars, args.class_weight, args.cs)
    SETTINGS.wrong_cost = args.wrong_cost or SETTINGS.wrong_cost
    texts, labels, languages = texts_and_labels()
    missing = sorted(set(REASONS) - set(labels))
    if missing:
        print(f"dev has no example of {', '.join(missing)}: cannot train", file=sys.stderr)
        return 1
    data = Data(texts, labels, FROM_DEV_MISSES if args.with_dev_misses else None)
    honest = nested(data)
    figures = {"nested": summary(honest, 0.5)}
    print(by_language(honest, languages))
    c, threshold, predictions = choose(data, list(range(len(texts))))
    figures["plain"] = summary(list(predictions.values()), threshold)
    if args.by_language:
        print(by_language_left_out(data, languages, c, threshold))
    print(json.dumps({"C": c, "threshold": threshold, "chars": SETTINGS.chars, "class_weight": SETTINGS.class_weight,
                      **figures}, indent=2))
    if args.measure or args.with_dev_misses:
        return 0
    model = data.fit(range(len(texts)), c)
    MODEL_PATH.write_text(json.dumps({
        "about": "reason model: scripts/train_reasons.py from tests/corpus/understanding/dev",
        "classes": list(model.classes), "bias": list(model.bias), "threshold": threshold,
        "C": c, "char_ngrams": list(SETTINGS.chars) if SETTINGS.chars else None,
        "dev_cross_validation": figures, "weights": dict(sorted(model.weights.items())),
    }, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"features: {len(model.weights)}, {MODEL_PATH.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
