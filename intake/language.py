"""The language the customer wrote in, with a confidence.

lingua-language-detector ships its models inside the package (nothing is downloaded). It is
restricted to the languages the shops' customers write and run in its low-accuracy mode
(trigram models): about 25 MB per parse worker instead of about 230 MB, and as accurate on
texts of a sentence or more. Shorter texts and unsure answers give the mailbox's language
with a low confidence: never a wrong guess with a high one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = {
    "en": Language.ENGLISH, "fr": Language.FRENCH, "de": Language.GERMAN, "es": Language.SPANISH,
    "af": Language.AFRIKAANS, "zu": Language.ZULU, "ko": Language.KOREAN, "vi": Language.VIETNAMESE,
    "nl": Language.DUTCH, "pt": Language.PORTUGUESE, "it": Language.ITALIAN, "zh": Language.CHINESE,
    "ja": Language.JAPANESE,
}
MIN_LETTERS = 12  # fewer letters than this (CJK count triple): the mailbox's language
SURE = 0.75  # the detector's own probability needed to name a language other than the default
MAX_CHARS = 200  # a paragraph decides the language; more costs time and says no more
DEFAULT_CONFIDENCE = 0.30  # the mailbox's language when the text says too little


@dataclass(frozen=True)
class LanguageGuess:
    code: str
    confidence: float
    evidence: str


@cache
def _detector() -> LanguageDetector:
    """Built once per process (each parse worker loads its own)."""
    return LanguageDetectorBuilder.from_languages(*LANGUAGES.values()).with_low_accuracy_mode().build()


_CODES = {language: code for code, language in LANGUAGES.items()}


def detect_language(text: str, default: str) -> LanguageGuess:
    letters = _letter_weight(text)
    if letters < MIN_LETTERS:
        return LanguageGuess(default, DEFAULT_CONFIDENCE,
                             f"too little text ({letters} letters): the mailbox's language")
    values = _detector().compute_language_confidence_values(text[:MAX_CHARS])
    ranked = [(_CODES[v.language], round(v.value, 3)) for v in values[:3] if v.value > 0]
    shown = ", ".join(f"{code} {value:.2f}" for code, value in ranked)
    if not ranked:
        return LanguageGuess(default, DEFAULT_CONFIDENCE, "no language recognised: the mailbox's language")
    code, value = ranked[0]
    if value < SURE and code != default:
        return LanguageGuess(default, min(DEFAULT_CONFIDENCE, value),
                             f"unsure ({shown}): the mailbox's language")
    # Short texts are where the detector errs: its confidence is scaled down with the length.
    confidence = round(value * min(1.0, 0.6 + letters / 150), 3)
    return LanguageGuess(code, confidence, f"detected: {shown}")


_LETTER = re.compile(r"[^\W\d_]")
_WIDE_LETTER = re.compile(r"(?![\x00-\u2e7f])[^\W\d_]")  # Han, kana, Hangul and the like


def _letter_weight(text: str) -> int:
    """Letters in what the detector reads; a Han, kana or Hangul character says as much as
    three Latin ones. Counted by the regex engine, not a Python loop (intake's throughput)."""
    head = text[:MAX_CHARS]
    letters = len(_LETTER.findall(head))
    return letters if head.isascii() else letters + 2 * len(_WIDE_LETTER.findall(head))
