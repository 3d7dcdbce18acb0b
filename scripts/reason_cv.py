"""scripts/train_reasons.py's fitting and honest measuring of the reason model (scikit-learn).

Every choice (C, the threshold, the temperature) is made by cross-validation on the rows it is
given only; `nested` scores each email with a model whose choices never saw it.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from decisions.request import REASONS
from intake.reasons import UNCLEAR, Model, _scores, classify, features

THRESHOLDS = [t / 100 for t in range(10, 80, 2)]
TEMPERATURES = [t / 20 for t in range(10, 81)]  # 0.5 to 4


@dataclass
class Settings:
    """What the model is fitted with; the command's options change them to compare others."""
    cs: tuple[float, ...] = (4.0, 16.0, 64.0)  # regularisation strengths tried, by CV on dev
    chars: tuple[int, int] | None = None  # character n-grams within words, e.g. (2, 5); None: none
    class_weight: str | None = None  # "balanced": each reason weighs alike whatever its count
    wrong_cost: int = 2  # a wrong reason stated with confidence costs this many right ones
    gram_weight: float = 1.0  # the character n-grams' block scaled by this against the words'
    temperature: bool = False  # probabilities calibrated on out-of-fold predictions
    min_df: int = 2  # a character n-gram must occur in this many training emails to be kept

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--chars", default=None, help="character n-grams LOW-HIGH, or none")
        parser.add_argument("--class-weight", default=None, help="balanced, or none")
        parser.add_argument("--wrong-cost", type=int, default=None)
        parser.add_argument("--cs", default=None, help="C values to choose from, comma separated")
        parser.add_argument("--gram-weight", type=float, default=None)
        parser.add_argument("--temperature", choices=("yes", "no"), default=None)

    def configure(self, args: argparse.Namespace) -> None:
        if args.cs is not None:
            self.cs = tuple(float(c) for c in args.cs.split(","))
        if args.chars is not None:
            low, _, high = args.chars.partition("-")
            self.chars = None if args.chars == "none" else (int(low), int(high))
        if args.class_weight is not None:
            self.class_weight = None if args.class_weight == "none" else args.class_weight
        self.wrong_cost = args.wrong_cost or self.wrong_cost
        self.gram_weight = args.gram_weight or self.gram_weight
        self.temperature = self.temperature if args.temperature is None else args.temperature == "yes"


SETTINGS = Settings()


class Prediction(NamedTuple):
    label: str
    best: str  # the likeliest reason
    read: str  # the reading: the likeliest reason, or unclear
    p: float  # its probability
    scores: tuple[float, ...]  # each reason's score, for the temperature


class Data:
    """Each email's features, worked out once (they do not depend on the training part)."""

    def __init__(self, texts: list[str], labels: list[str], extra: Mapping[str, Sequence[str]] | None):
        self.texts, self.labels, self.extra = texts, labels, extra
        self.vectorizer = DictVectorizer()
        self.matrix = self.vectorizer.fit_transform([features(t, extra, SETTINGS.chars) for t in texts]).tocsr()
        self.names = self.vectorizer.feature_names_
        self.is_gram = np.array([n.startswith("g:") for n in self.names])

    def fit(self, rows: Iterable[int], c: float, temperature: float = 1.0) -> Model:
        rows = list(rows)
        matrix = self.matrix[rows]
        seen = np.asarray((matrix > 0).sum(axis=0)).ravel()
        keep = np.flatnonzero(~self.is_gram | (seen >= SETTINGS.min_df))
        scale = np.where(self.is_gram[keep], SETTINGS.gram_weight, 1.0)
        fitted = LogisticRegression(C=c, max_iter=3000, class_weight=SETTINGS.class_weight).fit(
            matrix[:, keep].multiply(scale).tocsr(), [self.labels[i] for i in rows])
        coef = np.round(fitted.coef_ * scale / temperature, 3)  # per unscaled feature, as read
        strong = np.flatnonzero(np.abs(coef).max(axis=0) >= 0.05)  # smaller weights change no reading
        weights = {self.names[keep[j]]: coef[:, j].tolist() for j in strong}
        bias = tuple(round(float(b) / temperature, 3) for b in fitted.intercept_)
        return Model(tuple(str(k) for k in fitted.classes_), bias, weights, threshold=0.0, chars=SETTINGS.chars)

    def predict(self, model: Model, rows: Iterable[int]) -> dict[int, Prediction]:
        out = {}
        for i in rows:
            guess = classify(self.texts[i], self.extra, chosen=model)
            scores = _scores(features(self.texts[i], self.extra, model.chars), model)
            best = guess.candidates[0][0]
            read = guess.code if guess.code == UNCLEAR else best
            out[i] = Prediction(self.labels[i], best, read, guess.confidence, tuple(scores))
        return out

    def subsample(self, rows: Iterable[int], share: float, seed: int = 5) -> list[int]:
        """`share` of `rows`, as many of each reason (rounded), the same ones for the same seed."""
        rows = list(rows)
        chosen: list[int] = []
        for code in sorted({self.labels[i] for i in rows}):
            mine = [i for i in rows if self.labels[i] == code]
            order = np.random.RandomState(seed).permutation(len(mine))
            chosen += [mine[j] for j in order[:round(share * len(mine))]]
        return sorted(chosen)


def cross_validate(data: Data, rows: Sequence[int], c: float, seed: int = 13) -> dict[int, Prediction]:
    """Each of `rows` predicted by a model trained on the others of `rows` only."""
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    out: dict[int, Prediction] = {}
    for train, test in folds.split(rows, [data.labels[i] for i in rows]):
        out.update(data.predict(data.fit([rows[i] for i in train], c), [rows[i] for i in test]))
    return out


def fit_temperature(predictions: list[Prediction], classes: Sequence[str]) -> float:
    """The temperature that makes the out-of-fold probabilities likeliest (least log loss)."""
    scores = np.array([p.scores for p in predictions])
    truth = np.array([classes.index(p.label) for p in predictions])
    best = []
    for t in TEMPERATURES:
        z = scores / t
        z = z - z.max(axis=1, keepdims=True)
        log_p = z[np.arange(len(truth)), truth] - np.log(np.exp(z).sum(axis=1))
        best.append((-log_p.mean(), t))
    return min(best)[1]


def tempered(predictions: dict[int, Prediction], temperature: float) -> dict[int, Prediction]:
    out = {}
    for i, p in predictions.items():
        z = np.array(p.scores) / temperature
        e = np.exp(z - z.max())
        out[i] = p._replace(p=float(e.max() / e.sum()))
    return out


def choose(data: Data, rows: Sequence[int]) -> tuple[float, float, float, dict[int, Prediction]]:
    """C, threshold and temperature chosen by cross-validation on `rows` only."""
    best = None
    classes = sorted(set(data.labels))
    for c in SETTINGS.cs:
        predictions = cross_validate(data, rows, c)
        temperature = fit_temperature(list(predictions.values()), classes) if SETTINGS.temperature else 1.0
        predictions = tempered(predictions, temperature) if SETTINGS.temperature else predictions
        threshold = pick_threshold(list(predictions.values()))
        score = utility(list(predictions.values()), threshold)
        if best is None or score > best[0]:
            best = (score, c, threshold, temperature, predictions)
    assert best is not None
    return best[1], best[2], best[3], best[4]


def nested(data: Data, rows: Sequence[int]) -> dict[int, Prediction]:
    """Honest figures: each email read by a model whose choices were made without it."""
    rows = list(rows)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
    out: dict[int, Prediction] = {}
    for train, test in folds.split(rows, [data.labels[i] for i in rows]):
        part = [rows[i] for i in train]
        c, threshold, temperature, _ = choose(data, part)
        for i, p in data.predict(data.fit(part, c, temperature), [rows[i] for i in test]).items():
            out[i] = p if p.p >= threshold else p._replace(read=UNCLEAR)
        print(f"  outer fold: C={c:g} threshold={threshold} temperature={temperature}", flush=True)
    return out


def by_language_left_out(data: Data, languages: list[str], c: float, threshold: float) -> str:
    """Reason accuracy (unclear counted wrong) on each language by a model that never saw it."""
    rows = ["| language left out | n | reason |", "|---|---|---|"]
    for language in sorted(set(languages)):
        test = [i for i, lang in enumerate(languages) if lang == language]
        train = [i for i, lang in enumerate(languages) if lang != language]
        got = data.predict(data.fit(train, c), test).values()
        right = sum(p.label == p.read and p.p >= threshold for p in got)
        rows.append(f"| {language} | {len(test)} | {100 * right / len(test):.0f}% |")
    return "\n".join(rows)


def utility(predictions: list[Prediction], threshold: float) -> int:
    sure = [p for p in predictions if p.p >= threshold and p.read != UNCLEAR]
    right = sum(p.label == p.read for p in sure)
    return right - SETTINGS.wrong_cost * (len(sure) - right)


def pick_threshold(predictions: list[Prediction]) -> float:
    return max(THRESHOLDS, key=lambda t: (utility(predictions, t), -t))


def summary(predictions: list[Prediction], threshold: float = 0.0) -> dict[str, float]:
    n = len(predictions)
    right = sum(p.label == p.best for p in predictions)
    sure = [p for p in predictions if p.p >= threshold and p.read != UNCLEAR]
    sure_right = sum(p.label == p.read for p in sure)
    return {"emails": n, "accuracy_without_threshold": round(right / n, 3),
            "accuracy_unclear_counted_wrong": round(sure_right / n, 3),
            "unclear_share": round(1 - len(sure) / n, 3),
            "accuracy_when_not_unclear": round(sure_right / max(1, len(sure)), 3)}


def by_language(predictions: list[Prediction], languages: list[str]) -> str:
    """Honest reason accuracy per language (unclear counted wrong) and the confusion."""
    rows = ["| language | n | reason (nested CV) | unclear |", "|---|---|---|---|"]
    for language in sorted(set(languages)):
        mine = [p for p, lang in zip(predictions, languages, strict=True) if lang == language]
        right = sum(p.label == p.read for p in mine)
        unclear = sum(p.read == UNCLEAR for p in mine)
        rows.append(f"| {language} | {len(mine)} | {100 * right / len(mine):.0f}% | {unclear} |")
    rows += ["", "| label \\ read | " + " | ".join(REASONS) + " | unclear |", "|---" * (len(REASONS) + 2) + "|"]
    for code in REASONS:
        read = [p.read for p in predictions if p.label == code]
        rows.append(f"| {code} | " + " | ".join(str(read.count(c) or ".") for c in (*REASONS, UNCLEAR)) + " |")
    return "\n".join(rows)
