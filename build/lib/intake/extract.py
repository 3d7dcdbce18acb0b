"""Facts read from a request's text for the decision step: order refs, language, reason, URLs."""

from __future__ import annotations

import email.utils
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DEFAULT_REASON_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "dispute": ("dispute", "chargeback", "mediation", "ombudsman", "legal action"),
        "cancel_recurring": ("subscription", "recurring payment", "stop billing", "monthly plan",
                             "monthly seo", "seo plan", "maintenance plan", "maintenance package",
                             "maintenance contract", "retainer", "cancel the plan", "cancel my plan",
                             "cancel our plan", "stop the debit", "debit order"),
        "non_delivery": ("not delivered", "never received", "not received", "never arrived",
                         "hasn't arrived", "has not arrived", "still waiting", "no delivery"),
        "not_as_described": ("not as described", "not what was described", "different from",
                             "does not match", "doesn't match", "misleading", "not as advertised"),
        "dissatisfied": ("dissatisfied", "not happy", "unhappy", "poor quality", "disappointed",
                         "not satisfied", "unacceptable"),
        "change_of_mind": ("changed my mind", "changed our mind", "change of mind", "change my mind",
                           "change our mind", "changed my plans", "changed our plans",
                           "change of plans", "no longer need", "don't need", "do not need",
                           "no longer want", "don't want", "reconsidered", "decided to keep",
                           "decided not to", "decided to put", "on hold", "in-house", "in house",
                           "cancel my order", "cancel the order", "cancel the project",
                           "cancel the booking", "cancel my booking", "cancel our booking",
                           "has been cancelled", "cancel our", "cancel my"),
    },
    "fr": {
        "dispute": ("litige", "contestation", "médiation", "médiateur", "rétrofacturation"),
        "cancel_recurring": ("annuler l'abonnement", "annuler mon abonnement", "résilier",
                             "résiliation", "paiement récurrent", "prélèvement"),
        "non_delivery": ("pas livré", "non livré", "non-livraison", "jamais reçu", "pas reçu",
                         "toujours pas reçu", "non reçu", "pas été livré"),
        "not_as_described": ("non conforme", "pas conforme", "ne correspond pas",
                             "pas comme décrit", "différent de la description"),
        "dissatisfied": ("pas satisfait", "insatisfait", "mécontent", "déçu", "déçue",
                         "mauvaise qualité"),
        "change_of_mind": ("rétractation", "changé d'avis", "change d'avis", "plus besoin",
                           "ne veux plus", "annuler ma commande", "annuler la commande",
                           "annuler ma réservation", "renoncer", "en interne"),
    },
}
REASON_ORDER = ("dispute", "cancel_recurring", "non_delivery", "not_as_described",
                "dissatisfied", "change_of_mind")

_STOPWORDS = {
    "en": {"the", "and", "is", "my", "you", "your", "please", "i", "to", "of", "for", "with",
           "this", "that", "it", "was", "have", "would", "refund", "order", "thank", "thanks"},
    "fr": {"le", "la", "les", "et", "est", "je", "vous", "votre", "mon", "ma", "mes", "pour",
           "avec", "une", "un", "des", "du", "de", "bonjour", "merci", "remboursement",
           "commande", "cordialement", "ne", "pas", "plus", "que", "qui", "suis", "ai"},
}
_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ']+")
_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+", re.IGNORECASE)
_QUOTED_LINE = re.compile(r"^\s*>.*$", re.MULTILINE)


@dataclass(frozen=True)
class Extracted:
    order_refs: tuple[str, ...]
    language: str
    reason: str
    urls: tuple[str, ...]


def extract(subject: str, text: str, patterns: Sequence[re.Pattern[str]],
            keywords: Mapping[str, Mapping[str, Sequence[str]]], default_language: str) -> Extracted:
    own_text = _QUOTED_LINE.sub("", text)  # quoted earlier mail is not what the customer says now
    whole = f"{subject}\n{own_text}"
    language = detect_language(whole, default_language)
    return Extracted(
        order_refs=order_refs(whole, patterns),
        language=language,
        reason=reason(whole, language, keywords),
        urls=tuple(dict.fromkeys(u.rstrip(".,;:!?") for u in _URL.findall(own_text))),
    )


def order_refs(text: str, patterns: Sequence[re.Pattern[str]]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for pattern in patterns:
        for match in pattern.finditer(text):
            found[match.group(1) if pattern.groups else match.group(0)] = None
    return tuple(found)


def detect_language(text: str, default: str) -> str:
    """English or French by common words; other languages fall back to the mailbox default."""
    words = _WORD.findall(text.lower())
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    accents = sum(1 for ch in text if ch in "éèàçêùâîôœ")
    scores["fr"] += accents // 3
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] < 2 or list(scores.values()).count(scores[best]) > 1:
        return default
    return best


def reason(text: str, language: str, keywords: Mapping[str, Mapping[str, Sequence[str]]]) -> str:
    folded = _fold(text)
    merged = {**DEFAULT_REASON_KEYWORDS.get(language, {}), **keywords.get(language, {})}
    for code in REASON_ORDER:
        if any(_fold(keyword) in folded for keyword in merged.get(code, ())):
            return code
    return "other"


def _fold(text: str) -> str:
    """Lower case, apostrophes unified, so "don’t" and "don't" match alike."""
    text = unicodedata.normalize("NFC", text).lower().replace("\u2019", "'")
    return " ".join(text.split())


def authentication(results: str | None) -> str:
    """'fail' when the receiving server's Authentication-Results says DMARC or SPF failed."""
    if not results:
        return "none"
    first = results.split("\n", 1)[0].lower()  # the topmost header is our own server's
    if re.search(r"\b(dmarc|spf)=(fail|softfail|permerror)\b", first):
        return "fail"
    if re.search(r"\bdmarc=pass\b", first):
        return "pass"
    return "none"


_FORWARD_MARK = re.compile(
    r"(forwarded message|original message|message transféré|message d'origine|"
    r"début du message réexpédié|begin forwarded message)", re.IGNORECASE)
_FORWARDED_FROM = re.compile(r"^\s*(?:from|de)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


def forwarded_sender(text: str, own_domain: str) -> str | None:
    """The original sender named in a forwarded block, when a staff member forwarded a customer's mail."""
    mark = _FORWARD_MARK.search(text)
    if mark is None:
        return None
    for match in _FORWARDED_FROM.finditer(text, mark.end()):
        address = email.utils.parseaddr(match.group(1))[1].strip().lower()
        if "@" in address and not address.endswith("@" + own_domain):
            return address
    return None
