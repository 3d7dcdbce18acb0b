"""Why the customer writes: one of the seven reasons, with a confidence and the evidence.

A linear model (multinomial logistic regression, trained from the labelled corpus's dev part by
scripts/train_reasons.py and kept in intake/reason_model.json) scores words, word pairs,
word beginnings (which absorb inflection and most typos), Han/Hangul/kana character pairs,
character n-grams within words (each counted once per distinct word it is in, so a word's
n-grams are summed once and kept: the evidence shows them summed into their word), and the hits
of the multilingual phrase lists (intake/lexicon.py), negated or not, and the text's subword
pieces (intake/pieces.py), each weighed by what a multilingual sentence model's vector for it
says (fitted on those vectors, so pieces of like meaning weigh alike in every language, words the
corpus never had included; averaged over the text's pieces). Scoring is a sum of
weights kept in integer thousandths: deterministic in any order, fast, and each reason's score
can be traced to the phrases and words that made it. Below the model's threshold (chosen by cross-validation on
dev) the reason is `unclear`, and the two likeliest reasons are named.
"""

from __future__ import annotations

import base64
import heapq
import json
import math
import re
import sys
import unicodedata
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from intake.lexicon import NEGATION_WINDOW, NEGATIONS, PHRASES
from intake.pieces import META, vocabulary

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
    # Subword pieces weighed ("t:" weights, intake/pieces.py), averaged over the text's pieces,
    # or over this many if it has fewer: a short mail's few pieces are not scaled up.
    pieces: bool = False
    piece_floor: int = 0
    # Each piece's weight per reason, for every piece of the vocabulary in its order
    # (intake/pieces.json), in thousandths divided by `piece_scale`: a model read from its file
    # keeps the file's hundredths (2 bytes a weight, nothing converted at start-up), one the
    # trainer fits its thousandths.
    piece_weights: array[int] = field(default_factory=lambda: array("i"))
    piece_scale: int = 1
    _gram_sums: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    _piece_sums: dict[str, tuple[int, tuple[int, ...]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_gram_sums", {})
        object.__setattr__(self, "_piece_sums", {})

    def piece_sum(self, word: str) -> tuple[int, tuple[int, ...]]:
        """How many pieces a marked word is cut into, and each reason's weight summed over them."""
        known = self._piece_sums
        found = known.get(word)
        if found is None:
            known_pieces = vocabulary()
            cut = known_pieces.cut(word)
            n, weights = len(self.classes), self.piece_weights
            sums = [0] * n
            for piece in cut:
                at = known_pieces.index[piece] * n
                for k in range(n):
                    sums[k] += weights[at + k]
            found = (len(cut), tuple(total * self.piece_scale for total in sums))
            if len(known) > 50_000:
                known.clear()
            known[word] = found
        return found

    def weight(self, name: str) -> Sequence[int] | None:
        """A feature's weights per reason (a piece's, "t:" and the piece, from the piece block)."""
        if name.startswith("t:"):
            at = vocabulary().index.get(name[2:])
            n = len(self.classes)
            if at is None or not self.pieces:
                return None
            return [w * self.piece_scale for w in self.piece_weights[at * n:(at + 1) * n]]
        return self.weights.get(name)

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
    piece_weights, scale = array("i"), 1
    if block := data.get("piece_weights"):
        known = vocabulary()
        if block["pieces"] != len(known.index) or block["source_sha256"] != known.source:
            raise ValueError(f"{path}: its piece weights are for another vocabulary than intake/pieces.json "
                             f"({block['pieces']} pieces, from {block['source_sha256'][:12]}); retrain it")
        piece_weights, scale = array("h"), 10  # hundredths: a piece's weight is divided by the text's pieces
        piece_weights.frombytes(base64.b64decode(block["int16_le_hundredths_base64"]))
        if sys.byteorder == "big":
            piece_weights.byteswap()
    return Model(tuple(data["classes"]), tuple(data["bias"]), data["weights"], data["threshold"], chars,
                 data.get("word_floor") or 0, bool(block), data.get("piece_floor") or 0, piece_weights, scale)


def piece_weights_json(used: Model) -> dict[str, object]:
    """A model's piece weights as its file keeps them (the trainer writes them so): in hundredths,
    16 bits each (a piece's weight is divided by at least the piece floor, 100, when read)."""
    hundredths = [(w * used.piece_scale + 5) // 10 for w in used.piece_weights]
    if hundredths and max(map(abs, hundredths)) > 32767:
        raise ValueError("a piece weight exceeds 16 bits in hundredths")
    little = array("h", hundredths)
    if sys.byteorder == "big":
        little.byteswap()
    known = vocabulary()
    return {"pieces": len(known.index), "source_sha256": known.source,
            "int16_le_hundredths_base64": base64.b64encode(little.tobytes()).decode("ascii")}


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


def piece_words(text: str, used: Model) -> list[str]:
    """The marked words whose pieces a model weighs (none if it weighs no pieces)."""
    return vocabulary().words(text[:MAX_CHARS]) if used.pieces else []


def features(text: str, extra: Mapping[str, Sequence[str]] | None = None,
             chars: tuple[int, int] | None = None, word_floor: int = 0, pieces: bool = False,
             piece_floor: int = 0) -> dict[str, float]:
    """The model's inputs for one text: word features, each block scaled to unit length, each
    character n-gram counted once per distinct word it is in, and with `pieces` each subword
    piece's share of the text's pieces (the trainer fits the pieces through their vectors)."""
    folded = fold(text[:MAX_CHARS])
    values = _features(folded, lexicon_hits(folded, extra), word_floor)
    grams = _grams(folded, chars)
    for name, count in _gram_counts(grams.words, chars).items():
        values[name] = count * grams.value
    if pieces:
        values.update(("t:" + piece, share) for piece, share in piece_shares(text, piece_floor).items())
    return values


def piece_shares(text: str, piece_floor: int) -> dict[str, float]:
    """Each subword piece's share of the text's pieces, counted over at least `piece_floor`: what
    the piece block weighs (and the trainer averages the pieces' vectors by)."""
    cut = vocabulary().pieces(text[:MAX_CHARS])
    return {piece: count / max(len(cut), piece_floor) for piece, count in Counter(cut).items()}


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
    words = piece_words(text, used)
    probabilities = _softmax(_scores(feats, grams, used, words))
    ranked = sorted(zip(used.classes, probabilities, strict=True), key=lambda p: (-p[1], p[0]))
    best, confidence = ranked[0]
    code = best if confidence >= used.threshold else UNCLEAR
    candidates = tuple((c, round(p, 3)) for c, p in ranked[:3])
    return ReasonGuess(code, round(confidence, 3), candidates,
                       _evidence(hits, feats, grams, used, used.classes.index(best), words))


def _scores(feats: Mapping[str, float], grams: Grams, used: Model, words: Sequence[str] = ()) -> list[float]:
    """Bias plus the weighted sum of the features. Weights are summed per value (the features of
    a block share one) in exact integer thousandths, the n-grams and the pieces word by word."""
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
    if words:
        cuts = [used.piece_sum(word) for word in words]
        count = max(sum(n for n, _ in cuts), used.piece_floor)
        if count:
            for k, column in enumerate(zip(*(row for _, row in cuts), strict=True)):
                scores[k] += sum(column) / count / UNIT
    return scores


def _softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def _evidence(hits: list[tuple[str, str, bool]], feats: Mapping[str, float], grams: Grams, used: Model,
              k: int, piece_words: Sequence[str] = ()) -> tuple[str, ...]:
    """The phrases of the lists that hit, then the words that weighed most for the reason (a
    word's features, n-grams and pieces together)."""
    winner = used.classes[k]
    shown = [f"{'not ' if negated else ''}\u201c{phrase}\u201d ({code}{', negated' if negated else ''})"
             for code, phrase, negated in hits if code == winner or negated][:4]
    read = frozenset(grams.words)
    leans: dict[str, float] = {}
    for name in feats:
        if (len(name) > 5 or name[0] == "c") and name[:2] in _WORDS:
            weight = _lean(name, feats, grams, read, used, k)
            if weight > 0.05 * feats[name]:
                leans[name[2:]] = weight
    if piece_words:
        cuts = {word: used.piece_sum(word) for word in piece_words}
        count = max(sum(n for n, _ in cuts.values()), used.piece_floor, 1)
        for word, (_, row) in cuts.items():
            weight = _leaning(row, k) / count
            if weight > 0.02:  # only the words that weigh are shown, and worked out
                shown_as = fold(word.lstrip(META))  # a word of letters (intake/pieces.py)
                if len(shown_as) > (1 if ord(shown_as[:1] or "a") >= _WIDE else 3):
                    leans[shown_as] = leans.get(shown_as, 0.0) + weight
    words = [f"\u201c{word}\u201d" for _, word in heapq.nlargest(4, ((w, word) for word, w in leans.items()))]
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
