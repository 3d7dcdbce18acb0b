"""Why the customer writes: one of the seven reasons, with a confidence and the evidence.

A linear model (multinomial logistic regression, trained from the labelled corpus's dev part by
scripts/train_reasons.py and kept in intake/reason_model.json) scores words, word pairs,
word beginnings (which absorb inflection and most typos), Han/Hangul/kana character pairs,
character n-grams within words (each counted once per distinct word it is in, so a word's
n-grams are summed once and kept: the evidence shows them summed into their word), and the hits
of the multilingual phrase lists (intake/lexicon.py), negated or not. Scoring is a sum of
weights kept in integer thousandths: deterministic in any order, fast, and each reason's score
can be traced to the phrases and words that made it. Below the model's threshold (chosen by cross-validation on
dev) the reason is `unclear`, and the two likeliest reasons are named.
"""

from __future__ import annotations

import heapq
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from intake.lexicon import NEGATION_WINDOW, NEGATIONS, PHRASES

MODEL_PATH = Path(__file__).with_name("reason_model.json")
UNCLEAR = "unclear"
MAX_CHARS = 4000  # the start of the own text says what the mail is about
GRAM_FLOOR = 150  # a short mail's few n-grams are not scaled up as if they said more
CHAR_GRAM_CHARS = 1500  # character n-grams from the start only: they cost per character
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_WIDE = 0x2E80  # from here on: CJK, kana, Hangul (no spaces between words, or few)
UNIT = 1000  # weights are kept in thousandths
LEXICON_WEIGHT = 0.3  # a phrase of the lists weighs as much as several words (chosen by CV on dev)
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff]")  # accents
_WORDS = ("w:", "b:", "p:", "c:")  # features shown as evidence words
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
    # Each feature's weight per reason, in thousandths (integers: sums are exact, in any order).
    weights: Mapping[str, Sequence[int]]
    threshold: float
    # Character n-grams within words (lowest, highest length), or none: models before them
    # read words only.
    chars: tuple[int, int] | None = None
    # A short mail's few words are not scaled up as if they said more: the word block is scaled
    # as if it had at least this many features.
    word_floor: int = 0
    _gram_sums: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_gram_sums", {})

    def gram_sum(self, word: str) -> tuple[int, ...]:
        """Each reason's weight summed over the word's character n-grams: a word's n-grams are
        looked up once, then the word is (customers use the same words)."""
        known = self._gram_sums
        found = known.get(word)
        if found is None:
            rows = [row for row in map(self.weights.get, _word_grams(word, *(self.chars or (2, 1)))) if row]
            found = tuple(map(sum, zip(*rows, strict=True))) if rows else (0,) * len(self.classes)
            if len(known) > 50_000:
                known.clear()
            known[word] = found
        return found


@cache
def model() -> Model:
    return load(MODEL_PATH)


def load(path: Path) -> Model:
    data = json.loads(path.read_text(encoding="utf-8"))
    chars = tuple(data["char_ngrams"]) if data.get("char_ngrams") else None
    return Model(tuple(data["classes"]), tuple(data["bias"]), data["weights"], data["threshold"], chars,
                 data.get("word_floor") or 0)


def fold(text: str) -> str:
    """Lower case, no accents (Latin and Vietnamese), straight apostrophes, single spaces."""
    text = text.lower().replace("\u2019", "'")
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.replace("đ", "d")))
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def lexicon_hits(folded: str, extra: Mapping[str, Sequence[str]] | None = None) -> list[tuple[str, str, bool]]:
    """(reason, phrase, negated) for each phrase of the lists found in the folded text.

    Phrases are looked up by the first characters of each word of the text (of each character,
    in Han/Hangul/kana), not searched one by one: a message costs a few hundred dictionary
    look-ups whatever the size of the lists."""
    index = _index(tuple((code, phrase) for code, phrases in (extra or {}).items() for phrase in phrases))
    found: dict[tuple[str, str], int] = {}
    for match in _STARTS.finditer(folded):
        at = match.start()
        key = folded[at:at + (2 if ord(folded[at]) >= _WIDE else 3)]
        for code, phrase in index.get(key, ()):
            if (code, phrase) not in found and folded.startswith(phrase, at):
                found[(code, phrase)] = at
    hits = []
    for (code, phrase), at in sorted(found.items(), key=lambda item: item[1]):
        before = folded[max(0, at - NEGATION_WINDOW):at]
        negated = code in _NEGATABLE and _NEGATION.search(before) is not None
        hits.append((code, phrase, negated))
    return hits


@cache
def _index(extra: tuple[tuple[str, str], ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    index: dict[str, list[tuple[str, str]]] = {}
    pairs = [(code, phrase) for code, phrases in PHRASES.items() for phrase in phrases]
    for code, phrase in (*pairs, *((c, fold(p)) for c, p in extra)):
        key = phrase[:2] if ord(phrase[0]) >= _WIDE else phrase[:3]
        index.setdefault(key, []).append((code, phrase))
    return {key: tuple(value) for key, value in index.items()}


_STARTS = re.compile(r"(?<![^\W_])\w|[\u2e80-\uffff]")  # where a word starts; any Han/Hangul/kana
_NEGATION = re.compile("|".join(
    re.escape(w.strip()) if not w.isascii() else rf"(?<![a-z]){re.escape(w.strip())}" for w in NEGATIONS))


class Grams(NamedTuple):
    """The character n-gram block of a text: the distinct words whose n-grams are read (first
    seen first), and the value each n-gram of each of them counts for."""
    words: tuple[str, ...]
    value: float


NO_GRAMS = Grams((), 0.0)


def features(text: str, extra: Mapping[str, Sequence[str]] | None = None,
             chars: tuple[int, int] | None = None, word_floor: int = 0) -> dict[str, float]:
    """The model's inputs for one text (what the trainer fits on): word features, each block
    scaled to unit length, and each character n-gram counted once per distinct word it is in."""
    folded = fold(text[:MAX_CHARS])
    values = _features(folded, lexicon_hits(folded, extra), word_floor)
    grams = _grams(folded, chars)
    for name, count in _gram_counts(grams.words, chars).items():
        values[name] = count * grams.value
    return values


def char_grams(folded: str, low: int, high: int) -> dict[str, int]:
    """Character n-grams of each distinct word padded with spaces (scikit-learn's `char_wb`),
    for words of spaced scripts, with how often each occurs: they carry across inflection,
    typos and related languages."""
    return {name[2:]: count for name, count in _gram_counts(_grams(folded, (low, high)).words, (low, high)).items()}


def _grams(folded: str, chars: tuple[int, int] | None) -> Grams:
    if not chars:
        return NO_GRAMS
    words = tuple(dict.fromkeys(w for w in _TOKEN.findall(folded[:CHAR_GRAM_CHARS]) if ord(w[0]) < _WIDE))
    total = sum(len(_word_grams(word, *chars)) for word in words)
    return Grams(words, 1 / math.sqrt(max(total, GRAM_FLOOR)))


def _gram_counts(words: Sequence[str], chars: tuple[int, int] | None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for word in words:
        counts.update(_word_grams(word, *(chars or (2, 1))))
    return counts


@lru_cache(maxsize=20_000)  # customers use the same words: most are worked out once
def _word_grams(word: str, low: int, high: int) -> tuple[str, ...]:
    """The feature names of the word's n-grams."""
    padded = f" {word} "
    size = len(padded)
    return tuple("g:" + padded[i:i + n] for n in range(low, min(high, size) + 1) for i in range(size - n + 1))


def _features(folded: str, hits: list[tuple[str, str, bool]], word_floor: int = 0) -> dict[str, float]:
    """Words, word pairs and beginnings, Han/Hangul/kana pairs and the lists' phrases (one block,
    scaled to unit length), then each reason's hits of the lists, negated or not."""
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
    found.update(("n:" if negated else "h:") + phrase for _, phrase, negated in hits)
    scale = 1 / math.sqrt(max(len(found), word_floor)) if found else 0.0
    values = dict.fromkeys(found, scale)  # the block first: _scores relies on it
    for code, _, negated in hits:
        name = ("NEG:" if negated else "LEX:") + code
        values[name] = min(values.get(name, 0.0) + LEXICON_WEIGHT, 2 * LEXICON_WEIGHT)
    return values


def classify(text: str, extra: Mapping[str, Sequence[str]] | None = None, chosen: Model | None = None) -> ReasonGuess:
    used = chosen or model()
    folded = fold(text[:MAX_CHARS])
    hits = lexicon_hits(folded, extra)
    feats = _features(folded, hits, used.word_floor)
    grams = _grams(folded, used.chars)
    probabilities = _softmax(_scores(feats, grams, used))
    ranked = sorted(zip(used.classes, probabilities, strict=True), key=lambda p: (-p[1], p[0]))
    best, confidence = ranked[0]
    code = best if confidence >= used.threshold else UNCLEAR
    candidates = tuple((c, round(p, 3)) for c, p in ranked[:3])
    return ReasonGuess(code, round(confidence, 3), candidates,
                       _evidence(hits, feats, grams, used, used.classes.index(best)))


def _scores(feats: Mapping[str, float], grams: Grams, used: Model) -> list[float]:
    """Bias plus the weighted sum of the features. Weights are summed per value (the features of
    a block share one) in exact integer thousandths, and the n-grams word by word."""
    weights = used.weights
    scores = list(used.bias)
    for value, run in groupby(feats.items(), key=itemgetter(1)):  # the blocks come one after another
        rows = [row for row in map(weights.get, map(itemgetter(0), run)) if row]
        for k, column in enumerate(zip(*rows, strict=True)):
            scores[k] += value * sum(column) / UNIT
    if grams.words:
        sums = [used.gram_sum(word) for word in grams.words]
        for k, column in enumerate(zip(*sums, strict=True)):
            scores[k] += grams.value * sum(column) / UNIT
    return scores


def _softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def _evidence(hits: list[tuple[str, str, bool]], feats: Mapping[str, float], grams: Grams, used: Model,
              k: int) -> tuple[str, ...]:
    """The phrases of the lists that hit, then the words that weighed most for the reason."""
    winner = used.classes[k]
    shown = [f"{'not ' if negated else ''}\u201c{phrase}\u201d ({code}{', negated' if negated else ''})"
             for code, phrase, negated in hits if code == winner or negated][:4]
    read = frozenset(grams.words)
    weighed = heapq.nlargest(4, ((_lean(name, feats, grams, read, used, k), name) for name in feats
                                 if (len(name) > 5 or name[0] == "c") and name[:2] in _WORDS))
    words = [f"\u201c{name[2:]}\u201d" for weight, name in weighed if weight > 0.05 * feats[name]]
    return tuple(shown + ([f"words: {', '.join(words)}"] if words else []))


def _leaning(row: Sequence[int], k: int) -> float:
    """What a row of weights adds to reason k against the mean of the reasons, in units."""
    return (row[k] - sum(row) / len(row)) / UNIT


def _lean(name: str, feats: Mapping[str, float], grams: Grams, read: frozenset[str], used: Model,
          k: int) -> float:
    """What a word (pair, beginning, character pair) adds to reason k's score against the mean,
    with the character n-grams of a word added to the word's own weight."""
    row = used.weights.get(name)
    total = feats[name] * _leaning(row, k) if row else 0.0
    if name[0] == "w" and name[2:] in read:
        total += grams.value * _leaning(used.gram_sum(name[2:]), k)
    return total
