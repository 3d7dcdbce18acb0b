"""scripts/train_reasons.py's fitting and honest measuring of the reason model (scikit-learn).

Every choice (C, the threshold) is made by cross-validation on the rows it is given only;
`nested` scores each email with a model whose choices never saw it. Tried and dropped (README,
"What was tried"; the trainer of commit 17a5224 has them): a temperature fitted on out-of-fold
scores, a threshold on the lead over the second reason, chi-square word selection, and a
threshold of its own for mail where no phrase of the lists was found.
"""

from __future__ import annotations

import argparse
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from content_free import CONTENT_FREE_TRAINING
from plain_training import PLAIN_TRAINING
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold

from decisions.request import REASONS
from intake.pieces import vocabulary
from intake.reasons import UNCLEAR, UNIT, Model, classify, features, piece_shares

VECTORS = Path(__file__).resolve().parent.parent / "var" / "pieces-e5.npy"  # scripts/build_pieces.py

# Mails that state no reason (written for this check, not taken from the corpus): each model of the
# nested cross-validation reads them with its own threshold, and should read them `unclear`.
CONTENT_FREE = (
    "Refund\nAbout my order KRZ-26-0101. Call me.", "\nHello, please see below. Thanks",
    "Order KJ-1234567\nHi, please get back to me. Regards, Tom",
    "Commande CMD-2026-00412\nBonjour, merci de me rappeler. Cordialement",
    "Bestellung\nHallo, bitte melden Sie sich bei mir. Danke", "주문\n안녕하세요. 연락 부탁드립니다.",
    "Bestelling\nGoeiedag, kan u mij even terugbellen? Groeten", "Pedido\nHola, ¿me pueden llamar? Gracias",
)
THRESHOLDS = [t / 100 for t in range(10, 80, 2)]


@dataclass
class Settings:
    """What the model is fitted with; the command's options change them to compare others."""
    cs: tuple[float, ...] = (4.0, 16.0)  # regularisation strengths tried, by CV on dev
    chars: tuple[int, int] | None = (2, 5)  # character n-grams within words; None: none
    class_weight: str | None = None  # "balanced": each reason weighs alike whatever its count
    wrong_cost: int = 2  # a wrong reason stated with confidence costs this many right ones
    gram_weight: float = 1.0  # the character n-grams' block scaled by this against the words'
    min_df: int = 2  # a character n-gram must occur in this many training emails to be kept
    word_floor: int = 30  # the word block scaled as if it had at least this many features
    average: bool = True  # ship the mean of the CV's models, not a refit on all the rows
    max_weights: int = 45_000  # the mean's strongest weights kept (the file stays under about 3 MB)
    content_free: bool = True  # also fit content_free.py's mails, each with a uniform target
    plain: bool = True  # also fit plain_training.py's short direct mails, each with its reason
    # A corpus part's mail weighs this much. Part C (hard, indirect, negated on purpose) at full weight
    # taught that "changed my mind ... please refund me" leans `other` (README, Understanding).
    part_weights: dict[str, float] = field(default_factory=lambda: {"C": 0.25})
    pieces: bool = True  # weigh the subword pieces through their sentence-model vectors
    piece_weight: float = 4.0  # the pieces' mean vector scaled to this length (typically) against the words'
    # The pieces averaged over at least this many: a short mail's few pieces are not scaled up (at
    # 30, "refund", "order" and a street name outweighed "I changed my mind"; README, session 8).
    piece_floor: int = 100


    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--chars", default=None, help="character n-grams LOW-HIGH, or none")
        parser.add_argument("--class-weight", default=None, help="balanced, or none")
        parser.add_argument("--wrong-cost", type=int, default=None)
        parser.add_argument("--cs", default=None, help="C values to choose from, comma separated")
        parser.add_argument("--gram-weight", type=float, default=None)
        parser.add_argument("--average", choices=("yes", "no"), default=None,
                            help="keep the mean of the CV models (yes) or refit on all of dev (no)")
        parser.add_argument("--word-floor", type=int, default=None)
        parser.add_argument("--max-weights", type=int, default=None)
        parser.add_argument("--no-content-free", action="store_true",
                            help="do not fit scripts/content_free.py's mails that state no reason (uniform target)")
        parser.add_argument("--no-plain", action="store_true",
                            help="do not fit scripts/plain_training.py's short direct mails")
        parser.add_argument("--part-weight", action="append", default=[], metavar="PART=WEIGHT",
                            help="weigh a corpus part's mail this much in fitting (e.g. C=0.5; repeatable)")
        parser.add_argument("--no-pieces", action="store_true", help="words and n-grams only, as before session 7")
        parser.add_argument("--piece-weight", type=float, default=None)
        parser.add_argument("--piece-floor", type=int, default=None)

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
        self.average = self.average if args.average is None else args.average == "yes"
        self.word_floor = self.word_floor if args.word_floor is None else args.word_floor
        self.max_weights = args.max_weights or self.max_weights
        self.content_free = self.content_free and not args.no_content_free
        self.plain = self.plain and not args.no_plain
        self.pieces = self.pieces and not args.no_pieces
        self.piece_weight = args.piece_weight or self.piece_weight
        self.piece_floor = self.piece_floor if args.piece_floor is None else args.piece_floor
        for item in args.part_weight:
            part, _, weight = item.partition("=")
            self.part_weights[part] = float(weight)


SETTINGS = Settings()


class Prediction(NamedTuple):
    label: str
    best: str  # the likeliest reason
    read: str  # the reading: the likeliest reason, or unclear
    p: float  # its probability


class Data:
    """Each email's features, worked out once (they do not depend on the training part)."""

    def __init__(self, texts: list[str], labels: list[str], extra: Mapping[str, Sequence[str]] | None,
                 parts: Sequence[str] = ()):
        self.texts, self.labels, self.extra = texts, labels, extra
        self.weights = np.array([SETTINGS.part_weights.get(part, 1.0) for part in parts] or [1.0] * len(texts))
        self.vectorizer = DictVectorizer()
        said_nothing = list(CONTENT_FREE_TRAINING) if SETTINGS.content_free else []
        plain = list(PLAIN_TRAINING) if SETTINGS.plain else []
        written = [*said_nothing, *(text for text, _ in plain)]
        every = self.vectorizer.fit_transform(
            [features(t, extra, SETTINGS.chars, SETTINGS.word_floor) for t in [*texts, *written]]).tocsr()
        end = len(texts) + len(said_nothing)
        self.matrix, self.said_nothing, self.plain = every[:len(texts)], every[len(texts):end], every[end:]
        self.plain_labels = [code for _, code in plain]
        self.names = self.vectorizer.feature_names_
        self.is_gram = np.array([n.startswith("g:") for n in self.names])
        self.vectors = self.piece_block([*texts, *written])
        self.said_nothing_vectors, self.plain_vectors = self.vectors[len(texts):end], self.vectors[end:]

    def piece_block(self, texts: Sequence[str]) -> np.ndarray:
        """Each text's mean piece vector (centred, scaled to SETTINGS.piece_weight's length for a
        typical text), and the per-piece matrix that turns the block's weights into each piece's."""
        if not SETTINGS.pieces:
            self.piece_names: list[str] = []
            return np.zeros((len(texts), 0))
        if not VECTORS.exists():
            raise SystemExit(f"{VECTORS}: missing; run scripts/build_pieces.py first (about 9 minutes)")
        known = vocabulary()
        self.piece_names = list(known.index)
        vectors = np.load(VECTORS).astype(np.float64)
        if vectors.shape[0] != len(self.piece_names):
            raise SystemExit(f"{VECTORS}: {vectors.shape[0]} vectors for {len(self.piece_names)} pieces; rebuild it")
        vectors -= vectors.mean(axis=0)
        shares = sp.lil_matrix((len(texts), len(known.index)))
        for row, text in enumerate(texts):  # the pieces alone: the words' features are worked out once, above
            for piece, value in piece_shares(text, SETTINGS.piece_floor).items():
                shares[row, known.index[piece]] = value
        block = shares.tocsr() @ vectors
        scale = SETTINGS.piece_weight / float(np.median(np.linalg.norm(block[:len(self.texts)], axis=1)))
        self.piece_vectors = vectors * scale
        return block * scale

    def fit(self, rows: Iterable[int], c: float) -> Model:
        rows = list(rows)
        matrix = self.matrix[rows]
        seen = np.asarray((matrix > 0).sum(axis=0)).ravel()
        keep = np.flatnonzero(~self.is_gram | (seen >= SETTINGS.min_df))
        scale = np.where(self.is_gram[keep], SETTINGS.gram_weight, 1.0)
        labels, sample_weight = [self.labels[i] for i in rows], self.weights[rows]
        dense = self.vectors[rows]
        if self.said_nothing.shape[0]:  # each mail that says nothing once per reason: a uniform target
            matrix = sp.vstack([matrix, *[self.said_nothing] * len(REASONS)]).tocsr()
            dense = np.vstack([dense, *[self.said_nothing_vectors] * len(REASONS)])
            labels += [code for code in REASONS for _ in range(self.said_nothing.shape[0])]
            sample_weight = np.concatenate([sample_weight, np.full(len(labels) - len(rows), 1 / len(REASONS))])
        if self.plain.shape[0]:  # the short direct mails, each with its reason
            matrix = sp.vstack([matrix, self.plain]).tocsr()
            dense = np.vstack([dense, self.plain_vectors])
            labels += self.plain_labels
            sample_weight = np.concatenate([sample_weight, np.ones(self.plain.shape[0])])
        fitted = LogisticRegression(C=c, max_iter=3000, class_weight=SETTINGS.class_weight).fit(
            sp.hstack([matrix[:, keep].multiply(scale), sp.csr_matrix(dense)]).tocsr(), labels,
            sample_weight=sample_weight)
        sparse_coef = fitted.coef_[:, :len(keep)]
        coef = np.rint(sparse_coef * scale * UNIT).astype(int)  # per unscaled feature, in thousandths
        strong = np.flatnonzero(np.abs(coef).max(axis=0) >= 0.05 * UNIT)  # smaller weights change no reading
        weights = {self.names[keep[j]]: coef[:, j].tolist() for j in strong}
        per_piece = array("i")
        if self.piece_names:  # the block's weights, per piece: its vector times them
            per_piece.frombytes(np.rint(self.piece_vectors @ fitted.coef_[:, len(keep):].T * UNIT)
                                .astype(np.int32).tobytes())
        bias = tuple(round(float(b), 3) for b in fitted.intercept_)
        return Model(tuple(str(k) for k in fitted.classes_), bias, weights, threshold=0.0, chars=SETTINGS.chars,
                     word_floor=SETTINGS.word_floor, pieces=bool(self.piece_names), piece_floor=SETTINGS.piece_floor,
                     piece_weights=per_piece)

    def predict(self, model: Model, rows: Iterable[int]) -> dict[int, Prediction]:
        out = {}
        for i in rows:
            guess = classify(self.texts[i], self.extra, chosen=model)
            best = guess.candidates[0][0]
            out[i] = Prediction(self.labels[i], best, best, guess.confidence)
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


def average(models: list[Model]) -> Model:
    """One model whose weights are the mean of the cross-validation's: it is as sure as they were,
    so the threshold chosen on their out-of-fold readings holds for it (a refit on all the rows
    is surer than any of them)."""
    names = sorted({name for m in models for name in m.weights})
    zero = (0,) * len(models[0].classes)
    rows = np.rint(np.array([[m.weights.get(name, zero) for m in models] for name in names]).mean(axis=1)).astype(int)
    sizes = np.abs(rows).max(axis=1)
    strong = [j for j in np.argsort(-sizes, kind="stable")[:SETTINGS.max_weights] if sizes[j] >= 0.05 * UNIT]
    weights = {names[j]: rows[j].tolist() for j in sorted(strong)}
    per_piece = array("i")
    if models[0].pieces:
        per_piece.frombytes(np.rint(np.mean([np.frombuffer(m.piece_weights, dtype=np.int32) for m in models], axis=0))
                            .astype(np.int32).tobytes())
    bias = tuple(round(float(b), 3) for b in np.mean([m.bias for m in models], axis=0))
    return replace(models[0], bias=bias, weights=weights, piece_weights=per_piece)


class Choice(NamedTuple):
    c: float
    threshold: float
    predictions: dict[int, Prediction]  # out of fold
    models: list[Model]  # the cross-validation's

    def model(self, data: Data, rows: Sequence[int]) -> Model:
        """The model read with these choices: the CV models' mean, or one refit on all `rows`."""
        return average(self.models) if SETTINGS.average else data.fit(rows, self.c)


def choose(data: Data, rows: Sequence[int]) -> Choice:
    """C and threshold chosen by cross-validation on `rows` only."""
    best = None
    for c in SETTINGS.cs:
        predictions, models = cross_validate(data, rows, c)
        threshold = pick_threshold(list(predictions.values()))
        score = utility(list(predictions.values()), threshold)
        if best is None or score > best[0]:
            best = (score, Choice(c, threshold, predictions, models))
    assert best is not None
    return best[1]


def nested(data: Data, rows: Sequence[int], groups: Sequence[str] | None = None) -> dict[int, Prediction]:
    """Honest figures: each email read by a model whose choices were made without it. With
    `groups` (each row's writer), an outer fold holds out whole writers: how the reading carries
    to mail by people it never saw (random folds share each writer's phrasing)."""
    rows = list(rows)
    labels = [data.labels[i] for i in rows]
    splits = (GroupKFold(n_splits=5).split(rows, labels, [groups[i] for i in rows]) if groups
              else StratifiedKFold(n_splits=5, shuffle=True, random_state=7).split(rows, labels))
    out: dict[int, Prediction] = {}
    for train, test in splits:
        part = [rows[i] for i in train]
        choice = choose(data, part)
        model, threshold = choice.model(data, part), choice.threshold
        for i, p in data.predict(model, [rows[i] for i in test]).items():
            out[i] = p if p.p >= threshold else p._replace(read=UNCLEAR)
        print(f"  outer fold: C={choice.c:g} threshold={threshold} "
              f"content-free read unclear: {content_free_unclear(model, threshold)}/{len(CONTENT_FREE)}", flush=True)
    return out


def content_free_unclear(model: Model, threshold: float) -> int:
    used = replace(model, threshold=threshold)
    return sum(classify(text, chosen=used).code == UNCLEAR for text in CONTENT_FREE)


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
