"""scripts/train_reasons.py's fitting and honest measuring of the reason model (scikit-learn).

Every choice (C, the threshold, the temperature) is made by cross-validation on the rows it is
given only; `nested` scores each email with a model whose choices never saw it.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_selection import chi2
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from decisions.request import REASONS
from intake.reasons import (
    MAX_CHARS,
    UNCLEAR,
    Model,
    _scores,
    classify,
    features,
    fold,
    lexicon_hits,
)

# Mails that state no reason (written for this check, not taken from the corpus): each model of the
# nested cross-validation reads them with its own threshold, and should read them `unclear`.
CONTENT_FREE = (
    "Refund\nAbout my order KRZ-26-0101. Call me.", "\nHello, please see below. Thanks",
    "Order KJ-1234567\nHi, please get back to me. Regards, Tom",
    "Commande CMD-2026-00412\nBonjour, merci de me rappeler. Cordialement",
    "Bestellung\nHallo, bitte melden Sie sich bei mir. Danke", "주문\n안녕하세요. 연락 부탁드립니다.",
    "Bestelling\nGoeiedag, kan u mij even terugbellen? Groeten", "Pedido\nHola, ¿me pueden llamar? Gracias",
)
THRESHOLDS = [t / 100 for t in range(0, 80, 2)]
TEMPERATURES = [t / 20 for t in range(10, 81)]  # 0.5 to 4


@dataclass
class Settings:
    """What the model is fitted with; the command's options change them to compare others."""
    cs: tuple[float, ...] = (4.0, 16.0, 64.0)  # regularisation strengths tried, by CV on dev
    chars: tuple[int, int] | None = (2, 5)  # character n-grams within words; None: none
    class_weight: str | None = None  # "balanced": each reason weighs alike whatever its count
    wrong_cost: int = 2  # a wrong reason stated with confidence costs this many right ones
    gram_weight: float = 1.0  # the character n-grams' block scaled by this against the words'
    temperature: bool = False  # probabilities calibrated on out-of-fold predictions
    min_df: int = 2  # a character n-gram must occur in this many training emails to be kept
    bare: bool = False  # a threshold of its own for mail where no phrase of the lists was found
    word_floor: int = 30  # the word block scaled as if it had at least this many features
    average: bool = True  # ship the mean of the CV's models, not a refit on all the rows
    margin: bool = False  # the threshold on the lead over the second reason, not the probability
    chi2: float | None = None  # keep the words whose link to a reason has a chi-square p-value under this

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--chars", default=None, help="character n-grams LOW-HIGH, or none")
        parser.add_argument("--class-weight", default=None, help="balanced, or none")
        parser.add_argument("--wrong-cost", type=int, default=None)
        parser.add_argument("--cs", default=None, help="C values to choose from, comma separated")
        parser.add_argument("--gram-weight", type=float, default=None)
        parser.add_argument("--temperature", choices=("yes", "no"), default=None)
        parser.add_argument("--bare-threshold", choices=("yes", "no"), default=None)
        parser.add_argument("--margin", choices=("yes", "no"), default=None)
        parser.add_argument("--average", choices=("yes", "no"), default=None)
        parser.add_argument("--word-floor", type=int, default=None)
        parser.add_argument("--chi2", type=float, default=None, help="p-value, e.g. 0.05; 1: keep all")

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
        self.bare = self.bare if args.bare_threshold is None else args.bare_threshold == "yes"
        self.margin = self.margin if args.margin is None else args.margin == "yes"
        self.average = self.average if args.average is None else args.average == "yes"
        self.word_floor = self.word_floor if args.word_floor is None else args.word_floor
        if args.chi2 is not None:
            self.chi2 = None if args.chi2 >= 1 else args.chi2


SETTINGS = Settings()


class Prediction(NamedTuple):
    label: str
    best: str  # the likeliest reason
    read: str  # the reading: the likeliest reason, or unclear
    p: float  # its probability
    scores: tuple[float, ...]  # each reason's score, for the temperature
    phrased: bool  # a phrase of the lists was found (not negated)


Thresholds = tuple[float, float]  # with a phrase of the lists found, without


class Data:
    """Each email's features, worked out once (they do not depend on the training part)."""

    def __init__(self, texts: list[str], labels: list[str], extra: Mapping[str, Sequence[str]] | None):
        self.texts, self.labels, self.extra = texts, labels, extra
        self.vectorizer = DictVectorizer()
        self.matrix = self.vectorizer.fit_transform([features(t, extra, SETTINGS.chars, SETTINGS.word_floor) for t in texts]).tocsr()
        self.names = self.vectorizer.feature_names_
        self.is_gram = np.array([n.startswith("g:") for n in self.names])
        self.is_phrase = np.array([n[:2] in ("h:", "n:") or n[:4] in ("LEX:", "NEG:") for n in self.names])

    def fit(self, rows: Iterable[int], c: float, temperature: float = 1.0) -> Model:
        rows = list(rows)
        matrix = self.matrix[rows]
        seen = np.asarray((matrix > 0).sum(axis=0)).ravel()
        keep = np.flatnonzero(~self.is_gram | (seen >= SETTINGS.min_df))
        if SETTINGS.chi2 is not None:  # words no likelier with one reason than another are dropped
            _, p_values = chi2((matrix[:, keep] > 0).astype(float), [self.labels[i] for i in rows])
            keep = keep[(np.nan_to_num(p_values, nan=1.0) <= SETTINGS.chi2) | self.is_phrase[keep]]
        scale = np.where(self.is_gram[keep], SETTINGS.gram_weight, 1.0)
        fitted = LogisticRegression(C=c, max_iter=3000, class_weight=SETTINGS.class_weight).fit(
            matrix[:, keep].multiply(scale).tocsr(), [self.labels[i] for i in rows])
        coef = np.round(fitted.coef_ * scale / temperature, 3)  # per unscaled feature, as read
        strong = np.flatnonzero(np.abs(coef).max(axis=0) >= 0.05)  # smaller weights change no reading
        weights = {self.names[keep[j]]: coef[:, j].tolist() for j in strong}
        bias = tuple(round(float(b) / temperature, 3) for b in fitted.intercept_)
        return Model(tuple(str(k) for k in fitted.classes_), bias, weights, threshold=0.0, chars=SETTINGS.chars,
                     margin=SETTINGS.margin, word_floor=SETTINGS.word_floor)

    def predict(self, model: Model, rows: Iterable[int]) -> dict[int, Prediction]:
        out = {}
        for i in rows:
            guess = classify(self.texts[i], self.extra, chosen=model)
            scores = _scores(features(self.texts[i], self.extra, model.chars, model.word_floor), model)
            best = guess.candidates[0][0]
            read = guess.code if guess.code == UNCLEAR else best
            phrased = any(not n for _, _, n in lexicon_hits(fold(self.texts[i][:MAX_CHARS]), self.extra))
            p = guess.confidence - guess.candidates[1][1] if SETTINGS.margin else guess.confidence
            out[i] = Prediction(self.labels[i], best, read, p, tuple(scores), phrased)
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


def cross_validate(data: Data, rows: Sequence[int], c: float,
                   seed: int = 13) -> tuple[dict[int, Prediction], list[Model]]:
    """Each of `rows` predicted by a model trained on the others of `rows` only; and the models."""
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    out: dict[int, Prediction] = {}
    models = []
    for train, test in folds.split(rows, [data.labels[i] for i in rows]):
        models.append(data.fit([rows[i] for i in train], c))
        out.update(data.predict(models[-1], [rows[i] for i in test]))
    return out, models


def average(models: list[Model], temperature: float) -> Model:
    """One model whose weights are the mean of the cross-validation's: it is as sure as they were,
    so the threshold chosen on their out-of-fold readings holds for it (a refit on all the rows
    is surer than any of them)."""
    names = sorted({name for m in models for name in m.weights})
    zero = (0.0,) * len(models[0].classes)
    rows = np.array([[m.weights.get(name, zero) for m in models] for name in names]).mean(axis=1)
    rows = np.round(rows / temperature, 3)
    weights = {name: row.tolist() for name, row in zip(names, rows, strict=True) if np.abs(row).max() >= 0.05}
    bias = tuple(round(float(b) / temperature, 3) for b in np.mean([m.bias for m in models], axis=0))
    return replace(models[0], bias=bias, weights=weights)


class Choice(NamedTuple):
    c: float
    threshold: Thresholds
    temperature: float
    predictions: dict[int, Prediction]  # out of fold
    models: list[Model]  # the cross-validation's

    def model(self, data: Data, rows: Sequence[int]) -> Model:
        """The model read with these choices: the CV models' mean, or one refit on all `rows`."""
        return average(self.models, self.temperature) if SETTINGS.average else data.fit(rows, self.c, self.temperature)


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
        e = np.sort(np.exp(z - z.max()))[::-1] / np.exp(z - z.max()).sum()
        out[i] = p._replace(p=float(e[0] - e[1] if SETTINGS.margin else e[0]))
    return out


def choose(data: Data, rows: Sequence[int]) -> Choice:
    """C, threshold and temperature chosen by cross-validation on `rows` only."""
    best = None
    classes = sorted(set(data.labels))
    for c in SETTINGS.cs:
        predictions, models = cross_validate(data, rows, c)
        temperature = fit_temperature(list(predictions.values()), classes) if SETTINGS.temperature else 1.0
        predictions = tempered(predictions, temperature) if SETTINGS.temperature else predictions
        threshold = pick_thresholds(list(predictions.values()))
        score = utility(list(predictions.values()), threshold)
        if best is None or score > best[0]:
            best = (score, Choice(c, threshold, temperature, predictions, models))
    assert best is not None
    return best[1]


def nested(data: Data, rows: Sequence[int]) -> dict[int, Prediction]:
    """Honest figures: each email read by a model whose choices were made without it."""
    rows = list(rows)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
    out: dict[int, Prediction] = {}
    for train, test in folds.split(rows, [data.labels[i] for i in rows]):
        part = [rows[i] for i in train]
        choice = choose(data, part)
        model, threshold = choice.model(data, part), choice.threshold
        for i, p in data.predict(model, [rows[i] for i in test]).items():
            out[i] = p if p.p >= needed(p, threshold) else p._replace(read=UNCLEAR)
        print(f"  outer fold: C={choice.c:g} threshold={threshold} temperature={choice.temperature} "
              f"content-free read unclear: {content_free_unclear(model, threshold)}/{len(CONTENT_FREE)}", flush=True)
    return out


def content_free_unclear(model: Model, threshold: Thresholds) -> int:
    used = replace(model, threshold=threshold[0], bare_threshold=threshold[1] if SETTINGS.bare else None)
    return sum(classify(text, chosen=used).code == UNCLEAR for text in CONTENT_FREE)


def by_language_left_out(data: Data, languages: list[str], c: float, threshold: Thresholds) -> str:
    """Reason accuracy (unclear counted wrong) on each language by a model that never saw it."""
    rows = ["| language left out | n | reason |", "|---|---|---|"]
    for language in sorted(set(languages)):
        test = [i for i, lang in enumerate(languages) if lang == language]
        train = [i for i, lang in enumerate(languages) if lang != language]
        got = data.predict(data.fit(train, c), test).values()
        right = sum(p.label == p.read and p.p >= needed(p, threshold) for p in got)
        rows.append(f"| {language} | {len(test)} | {100 * right / len(test):.0f}% |")
    return "\n".join(rows)


def needed(p: Prediction, threshold: Thresholds) -> float:
    return threshold[0] if p.phrased else threshold[1]


def utility(predictions: list[Prediction], threshold: Thresholds) -> int:
    sure = [p for p in predictions if p.p >= needed(p, threshold) and p.read != UNCLEAR]
    right = sum(p.label == p.read for p in sure)
    return right - SETTINGS.wrong_cost * (len(sure) - right)


def pick_thresholds(predictions: list[Prediction]) -> Thresholds:
    """The threshold of most utility; with `bare`, one for each kind of mail (the utilities add up)."""
    if not SETTINGS.bare:
        t = max(THRESHOLDS, key=lambda t: (utility(predictions, (t, t)), -t))
        return t, t
    phrased = [p for p in predictions if p.phrased]
    bare = [p for p in predictions if not p.phrased]
    return (max(THRESHOLDS, key=lambda t: (utility(phrased, (t, t)), -t)),
            max(THRESHOLDS, key=lambda t: (utility(bare, (t, t)), -t)))


def summary(predictions: list[Prediction], threshold: Thresholds = (0.0, 0.0)) -> dict[str, float]:
    n = len(predictions)
    right = sum(p.label == p.best for p in predictions)
    sure = [p for p in predictions if p.p >= needed(p, threshold) and p.read != UNCLEAR]
    sure_right = sum(p.label == p.read for p in sure)
    return {"emails": n, "accuracy_without_threshold": round(right / n, 3),
            "accuracy_unclear_counted_wrong": round(sure_right / n, 3),
            "unclear_share": round(1 - len(sure) / n, 3),
            "accuracy_when_not_unclear": round(sure_right / max(1, len(sure)), 3)}


def by_language(predictions: list[Prediction], languages: list[str]) -> str:
    """Honest reason accuracy per language (unclear counted wrong) and the confusion."""
    rows = ["| language | n | reason (unclear counted wrong) | unclear |", "|---|---|---|---|"]
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
