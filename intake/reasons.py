"""Why the customer writes: one of the seven reasons, with a confidence and the evidence.

A linear model (multinomial logistic regression, trained from the labelled corpus's dev part by
scripts/train_reasons.py and kept in intake/reason_model.json) scores words, word pairs,
word beginnings (which absorb inflection and most typos), Han/Hangul/kana character pairs,
and the hits of the multilingual phrase lists (intake/lexicon.py), negated or not. Scoring is
a sum of weights: deterministic, fast, and each reason's score can be traced to the phrases
and words that made it. Below the model's threshold (chosen by cross-validation on dev) the
reason is `unclear`, and the two likeliest reasons are named.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from intake.lexicon import NEGATION_WINDOW, NEGATIONS, PHRASES

MODEL_PATH = Path(__file__).with_name("reason_model.json")
UNCLEAR = "unclear"
MAX_CHARS = 4000  # the start of the own text says what the mail is about
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_WIDE = 0x2E80  # from here on: CJK, kana, Hangul (no spaces between words, or few)
LEXICON_WEIGHT = 0.5  # a phrase of the lists weighs as much as several words
_NEGATABLE = ("change_of_mind", "dissatisfied", "dispute", "cancel_recurring")


@dataclass(frozen=True)
class ReasonGuess:
    code: str  # one of the seven, or "unclear"
    confidence: float
    candidates: tuple[tuple[str, float], ...]  # the likeliest first, with their probabilities
    evidence: tuple[str, ...]  # phrases and words that drove the winning reason


@dataclass(frozen=True)
class Model:
    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, Sequence[float]]
    threshold: float


@cache
def model() -> Model:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return Model(tuple(data["classes"]), tuple(data["bias"]), data["weights"], data["threshold"])


def fold(text: str) -> str:
    """Lower case, no accents (Latin and Vietnamese), straight apostrophes, single spaces."""
    text = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFC", text).split())


def lexicon_hits(folded: str, extra: Mapping[str, Sequence[str]] | None = None) -> list[tuple[str, str, bool]]:
    """(reason, phrase, negated) for each phrase of the lists found in the folded text."""
    hits = []
    for code in PHRASES:
        for phrase in (*PHRASES[code], *(extra or {}).get(code, ())):
            at = _find(folded, phrase)
            if at < 0:
                continue
            before = folded[max(0, at - NEGATION_WINDOW):at]
            negated = code in _NEGATABLE and any(_find(before, word.strip()) >= 0 for word in NEGATIONS)
            hits.append((code, phrase, negated))
    return hits


def _find(text: str, phrase: str) -> int:
    """Where the phrase starts a word in the text (anywhere, for Han/Hangul/kana), else -1."""
    start = text.find(phrase)
    if start < 0 or not phrase[:1].isascii():
        return start
    while start >= 0:
        if start == 0 or not text[start - 1].isalnum():
            return start
        start = text.find(phrase, start + 1)
    return -1


def features(text: str, extra: Mapping[str, Sequence[str]] | None = None) -> dict[str, float]:
    """The model's inputs for one text: binary features, scaled to unit length."""
    folded = fold(text[:MAX_CHARS])
    found: set[str] = set()
    previous = ""
    for token in _TOKEN.findall(folded):
        if ord(token[0]) >= _WIDE:
            found.update("c:" + token[i:i + 2] for i in range(max(1, len(token) - 1)))
            previous = ""
            continue
        found.add("w:" + token)
        if len(token) > 5:
            found.add("p:" + token[:5])
        if previous:
            found.add(f"b:{previous} {token}")
        previous = token
    scale = 1 / math.sqrt(len(found)) if found else 0.0
    values = dict.fromkeys(found, scale)
    for code, _, negated in lexicon_hits(folded, extra):
        name = ("NEG:" if negated else "LEX:") + code
        values[name] = min(values.get(name, 0.0) + LEXICON_WEIGHT, 2 * LEXICON_WEIGHT)
    return values


def classify(text: str, extra: Mapping[str, Sequence[str]] | None = None, chosen: Model | None = None) -> ReasonGuess:
    used = chosen or model()
    feats = features(text, extra)
    scores = list(used.bias)
    for name, value in feats.items():
        row = used.weights.get(name)
        if row is not None:
            for k, weight in enumerate(row):
                scores[k] += weight * value
    probabilities = _softmax(scores)
    ranked = sorted(zip(used.classes, probabilities, strict=True), key=lambda p: (-p[1], p[0]))
    best, confidence = ranked[0]
    code = best if confidence >= used.threshold else UNCLEAR
    candidates = tuple((c, round(p, 3)) for c, p in ranked[:3])
    return ReasonGuess(code, round(confidence, 3), candidates,
                       _evidence(text, feats, used, used.classes.index(best), extra))


def _softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def _evidence(text: str, feats: Mapping[str, float], used: Model, k: int,
              extra: Mapping[str, Sequence[str]] | None) -> tuple[str, ...]:
    """The phrases of the lists that hit, then the words that weighed most for the reason."""
    winner = used.classes[k]
    shown = [f"{'not ' if negated else ''}\u201c{phrase}\u201d ({code}{', negated' if negated else ''})"
             for code, phrase, negated in lexicon_hits(fold(text[:MAX_CHARS]), extra)
             if code == winner or negated][:4]
    weighed = sorted(((used.weights[n][k] - sum(used.weights[n]) / len(used.classes), n)
                      for n in feats if n in used.weights and n[:2] in ("w:", "b:", "p:", "c:")),
                     reverse=True)
    words = [f"\u201c{name[2:]}\u201d" for weight, name in weighed[:4] if weight > 0.05]
    return tuple(shown + ([f"words: {', '.join(words)}"] if words else []))
