"""Subword pieces: text cut into the pieces of a multilingual sentence model's vocabulary.

The vocabulary (intake/pieces.json, written by scripts/build_pieces.py) is multilingual-e5-small's
SentencePiece unigram vocabulary, kept to the pieces of the scripts the mail comes in, lower-cased
(a piece the model knows only capitalised is kept lower-cased), with each piece's log-probability.
A text is normalised (NFKC, lower case) and split at white space; a part with a digit is left out
(references and amounts say nothing of why one writes), the rest split into words of letters
(punctuation dropped), and each word, marked at its start as SentencePiece does, is cut into the
pieces whose log-probabilities sum highest (Viterbi). A character no piece covers is left out.

The reason model (intake/reasons.py) weighs each piece: the weights were fitted on the
sentence model's vector for each piece, so pieces that mean alike weigh alike, in every language,
including words the labelled corpus never had. Words are cut once and remembered: customers use
the same words.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

PIECES_PATH = Path(__file__).with_name("pieces.json")
META = "\u2581"  # SentencePiece's mark of a word's start
_WITH_DIGIT = re.compile(r"\S*\d\S*")  # a part between white space with a digit in it
# A word: letters, with an apostrophe inside ("isn't", "l'achat"); punctuation around it is not
# part of it, and a hyphen or a slash parts two words.
_LETTERS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
LONGEST_RUN = 48  # a run without spaces (Han, kana) is cut in parts of this many characters first


class Vocabulary:
    def __init__(self, pieces: list[str], scores: list[float], source: str = ""):
        if len(pieces) != len(scores):
            raise ValueError(f"{len(pieces)} pieces but {len(scores)} scores")
        self.index = dict(zip(pieces, range(len(pieces)), strict=True))  # a piece's place: its score's, its weights' in a model
        self.scores = scores
        self.source = source  # the sentence model's file the vocabulary was read from (its SHA-256)
        self.longest = max(map(len, pieces))
        self.unknown = min(scores) - 10.0  # a character no piece covers: worse than any piece
        self.cut = lru_cache(maxsize=50_000)(self._cut)

    def _cut(self, word: str) -> tuple[str, ...]:
        """The pieces of one marked word whose scores sum highest."""
        size = len(word)
        best = [0.0] + [-1e30] * size
        back: list[tuple[int, str | None]] = [(0, None)] * (size + 1)
        index, scores, longest, unknown = self.index, self.scores, self.longest, self.unknown
        for start in range(size):
            here = best[start]
            for end in range(start + 1, min(size, start + longest) + 1):
                piece = word[start:end]
                at = index.get(piece)
                if at is not None and here + scores[at] > best[end]:
                    best[end], back[end] = here + scores[at], (start, piece)
            if here + unknown > best[start + 1]:
                best[start + 1], back[start + 1] = here + unknown, (start, None)
        out: list[str] = []
        end = size
        while end > 0:
            start, kept = back[end]
            if kept is not None:
                out.append(kept)
            end = start
        return tuple(reversed(out))

    def words(self, text: str) -> list[str]:
        """The distinct marked words of a text, first seen first, as they are cut (runs without
        spaces in parts), but those with a digit. Each counts once: a word said three times in a
        short mail ("refund") does not outweigh the one that says why."""
        out = []
        # order references, amounts, dates: facts read elsewhere, not why one writes
        kept = _WITH_DIGIT.sub(" ", unicodedata.normalize("NFKC", text).lower())
        for word in _LETTERS.findall(kept):  # "refund." and "refund" are one word
            if len(word) <= LONGEST_RUN:
                out.append(META + word)
            else:
                out.extend(META + word[at:at + LONGEST_RUN] for at in range(0, len(word), LONGEST_RUN))
        return list(dict.fromkeys(out))

    def pieces(self, text: str) -> list[str]:
        return [piece for word in self.words(text) for piece in self.cut(word)]


@cache
def vocabulary() -> Vocabulary:
    data = json.loads(PIECES_PATH.read_text(encoding="utf-8"))
    return Vocabulary(data["pieces"], data["scores"], data.get("sha256_of_model_file", ""))
