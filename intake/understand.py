"""The understanding step: what the customer means, in which language, about which order.

Reason and language are read from the customer's own new text (intake/own_text.py); order
references from the whole message, quoted history and forwarded notices included. Each fact
comes with a confidence and its evidence, stored with the message (`understanding`) and shown
by `explain`, `requests show` and the desk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from intake.language import detect_language
from intake.own_text import own_text
from intake.reasons import UNCLEAR, classify
from intake.references import find_references

if TYPE_CHECKING:
    from base.config import MailboxConfig

_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+", re.IGNORECASE)


@dataclass(frozen=True)
class Hints:
    """What the mailbox tells understanding: its language and its canonical reference formats."""

    language: str
    ref_formats: tuple[str, ...] = ()

    @classmethod
    def of(cls, mailbox: MailboxConfig) -> Hints:
        return cls(mailbox.language, mailbox.order_ref_formats)


@dataclass(frozen=True)
class Understanding:
    order_refs: tuple[str, ...]
    language: str
    reason: str  # one of the seven, or "unclear"
    urls: tuple[str, ...]
    details: dict[str, Any] = field(default_factory=dict)  # confidence and evidence per fact


def understand(subject: str, text: str, hints: Hints, patterns: Sequence[re.Pattern[str]] = (),
               keywords: Mapping[str, Mapping[str, Sequence[str]]] | None = None) -> Understanding:
    own = own_text(text)
    words = f"{bare_subject(subject)}\n{own.text}".strip()
    language = detect_language(own.text if len(own.text) > 40 else words, hints.language)
    guess = classify(words, _merged(keywords or {}))
    refs = find_references(f"{subject}\n{text}", hints.ref_formats, patterns)
    details = {
        "own_text": {"chars": len(own.text), "removed": list(own.removed)},
        "language": {"value": language.code, "confidence": language.confidence,
                     "evidence": [language.evidence]},
        "reason": {"value": guess.code, "confidence": guess.confidence,
                   "candidates": [list(c) for c in guess.candidates], "evidence": list(guess.evidence)},
        "order_refs": {"value": list(refs.refs), "confidence": _ref_confidence(refs.evidence),
                       "evidence": list(refs.evidence), "lookalikes": list(refs.lookalikes)},
    }
    return Understanding(
        order_refs=refs.refs, language=language.code, reason=guess.code,
        urls=tuple(dict.fromkeys(u.rstrip(".,;:!?") for u in _URL.findall(own.text))),
        details=details,
    )


def _ref_confidence(evidence: Sequence[str]) -> float:
    """1 when every reference was written in its canonical form, 0.9 when a variant was mapped."""
    if not evidence:
        return 0.0
    return 0.9 if any(" -> " in item for item in evidence) else 1.0


def warm_up() -> None:
    """Load the language detector's models and the reason weights now rather than on the
    first message (a parse worker does this while the poller fetches its first batch)."""
    understand("", "Hello, this is a first message to load the models.", Hints("en"))


def unclear_candidates(details: Mapping[str, Any]) -> tuple[str, ...]:
    """The two likeliest reasons of an unclear one, from the stored details."""
    reason = details.get("reason") or {}
    if reason.get("value") != UNCLEAR:
        return ()
    return tuple(str(code) for code, _ in reason.get("candidates", [])[:2])


def bare_subject(subject: str) -> str:
    """The subject without reply and forward prefixes, and without the bracketed tags that forms,
    lists and ticket systems put first ("[Kreatorz Contact]", "[#4521]")."""
    return re.sub(r"^(?:\s*(?:(?:re|fwd?|aw|wg|tr|rv|sv|antw|答复|回复|转发)\s*:|\[[^\]\n]{1,40}\])\s*)+", "", subject,
                  flags=re.IGNORECASE)


def _merged(keywords: Mapping[str, Mapping[str, Sequence[str]]]) -> dict[str, tuple[str, ...]]:
    """The configured `reason_keywords` of every language, as extra phrases per reason."""
    merged: dict[str, tuple[str, ...]] = {}
    for by_reason in keywords.values():
        for code, phrases in by_reason.items():
            merged[code] = (*merged.get(code, ()), *(p.lower() for p in phrases))
    return merged
