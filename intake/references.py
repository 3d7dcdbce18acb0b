"""Order references as a clerk reads them: variants mapped to the shop's canonical form.

A mailbox names its canonical formats (`order_ref_formats`, e.g. "KRZ-##-####": `#` a digit,
letters and separators literal). Each format also matches what customers type: any case,
spaces, other separators or none between the groups (dashes and full-width forms too), a
leading `#` or "order no.", and, right after an order word, the digits without the letters
("order no. 1234567"). A number that stands just after an invoice, receipt, tracking, bank,
mandate, ticket or case word is a look-alike, not an order reference; the word is taken to name
the number only when at most one other word (glue such as "number" or "is" aside) and no other
number stand between them. The older `order_ref_patterns` (regular expressions) still apply
and are taken as written.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from decisions.reference_format import GROUP

_SEPARATOR = r"[ \t]?[-_/.\u2010-\u2015\u2212]?[ \t]?"
# Words that make the number after them something other than an order (folded, many languages).
LOOKALIKE_WORDS = (
    "invoice", "inv", "receipt", "tracking", "track", "waybill", "parcel", "consignment", "bank",
    "iban", "bank account", "account number", "account no", "mandate", "ticket", "case", "claim", "transaction",
    "txn", "payment ref", "eft", "proof of payment",
    "facture", "recu", "suivi", "colis", "mandat", "dossier", "virement", "prelevement",
    "rechnung", "quittung", "beleg", "sendung", "kontonummer", "bankkonto", "vorgang", "fall", "uberweisung",
    "factura", "recibo", "seguimiento", "envio", "mandato", "caso", "expediente", "transferencia",
    "factuur", "kwitantie", "volgnummer", "machtiging", "zaak", "rekening",
    "fatura", "rastreio", "rastreamento", "processo", "fattura", "ricevuta", "spedizione", "pratica",
    "faktuur", "kwitansie", "ontvangsbewys", "debietorder", "saak", "rekeningnommer",
    "irisidi", "i-invoice", "inombolo yeakhawunti", "ibhange",
    "송장", "운송장", "영수증", "계산서", "인보이스", "계좌", "티켓", "사건", "거래", "문의번호", "접수번호",
    "hoa don", "bien lai", "van don", "ngan hang", "tai khoan", "phieu", "ma giao dich",
    "請求書", "領収書", "追跡", "伝票", "口座", "发票", "收据", "运单", "快递单号", "银行", "账户", "工单",
)
ORDER_WORDS = (
    "order", "commande", "cmd", "bestellung", "auftrag", "pedido", "encomenda", "ordine",
    "bestelling", "bestelnommer", "i-oda", "ioda", "oda", "주문", "don hang", "ma don", "注文", "订单",
    "booking", "project", "projet", "projek", "reservation", "bestelbon", "bestelnummer",
    "ordernummer", "bestellnummer", "numero d'ordine", "numero ordine", "numero de pedido",
    "numero do pedido", "bestelling", "commande n",
)
# Words between a look-alike word and its number that do not make them apart ("invoice number
# is 123", "numéro de la facture : 123").
GLUE_WORDS = frozenset((
    "number", "no", "nr", "num", "numero", "nummer", "nommer", "ref", "reference", "referentie",
    "is", "was", "ist", "est", "es", "e", "the", "my", "our", "de", "du", "la", "le", "el", "der",
    "die", "das", "van", "het", "di", "do", "da", "n", "id", "code",
))
_LETTERS = re.compile(r"[^\W\d_]+")
_BEFORE = 32  # characters before a number where a look-alike word is looked for


@dataclass(frozen=True)
class References:
    refs: tuple[str, ...]  # canonical forms, in order of appearance
    evidence: tuple[str, ...]  # "krz 26 0099 -> KRZ-26-0099"
    lookalikes: tuple[str, ...]  # "INV 88213 (after 'invoice')"


@cache
def _compiled(canonical: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """The variant pattern of one format and the separators between its groups."""
    spans = list(GROUP.finditer(canonical))
    separators = tuple(canonical[m.end():n.start()] for m, n in itertools.pairwise(spans))
    parts = [rf"({re.escape(m.group())})" if m.group()[0] != "#" else rf"(\d{{{len(m.group())}}})"
             for m in spans]
    pattern = r"(?<![A-Za-z0-9])" + _SEPARATOR.join(parts) + r"(?![A-Za-z0-9]|[-/]\d)"
    return re.compile(pattern, re.IGNORECASE), separators


@cache
def _bare(canonical: str) -> tuple[re.Pattern[str], str, str] | None:
    """A format that starts with letters ("KJ-#######") without them: the pattern of the rest
    ("1234567"), the letters to put back ("KJ-") and the rest's format; None for a format that
    starts with digits."""
    first_digits = canonical.find("#")
    if first_digits <= 0 or not canonical[:first_digits].strip(" -_/."):
        return None
    rest = canonical[first_digits:]
    return re.compile(r"(?<![\w-])" + _compiled(rest)[0].pattern), canonical[:first_digits], rest


def find_references(text: str, formats: Sequence[str],
                    patterns: Sequence[re.Pattern[str]] = ()) -> References:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # ＫＪ－１２３ is KJ-123
    found: dict[str, int] = {}
    evidence: list[str] = []
    lookalikes: list[str] = []
    for canonical in formats:
        pattern, separators = _compiled(canonical)
        taken = set()
        for match in pattern.finditer(text):
            taken.add(match.end())
            _take(text, match, _canonical(match.groups(), separators), found, evidence, lookalikes)
        bare = _bare(canonical)
        if bare is not None:
            pattern, head, rest = bare
            for match in pattern.finditer(text):
                if match.end() not in taken and _order_word_just_before(text, match.start()):
                    ref = head + _canonical(match.groups(), _compiled(rest)[1])
                    _take(text, match, ref, found, evidence, lookalikes)
    for regex in patterns:
        for match in regex.finditer(text):
            ref = match.group(1) if regex.groups else match.group(0)
            if _inside_longer_number(text, match.start(), match.end()):
                continue
            why = _lookalike_word(text, match.start())
            if why is not None:
                lookalikes.append(f"{ref} (after {why!r})")
            elif ref not in found:
                found[ref] = match.start()
                evidence.append(ref)
    ordered = tuple(sorted(found, key=lambda ref: found[ref]))
    return References(ordered, tuple(evidence), tuple(dict.fromkeys(lookalikes)))


def _take(text: str, match: re.Match[str], ref: str, found: dict[str, int], evidence: list[str],
          lookalikes: list[str]) -> None:
    written = match.group(0)
    why = _lookalike_word(text, match.start())
    if why is not None:
        lookalikes.append(f"{written} (after {why!r})")
    elif ref not in found:
        found[ref] = match.start()
        evidence.append(written if written == ref else f"{written} -> {ref}")


def _order_word_just_before(text: str, start: int) -> bool:
    """An order word ends at most a glue word before `start`: "order no. 1234567"."""
    before = _fold(text[max(0, start - _BEFORE):start].rsplit("\n", 1)[-1])
    orders = list(_ORDER.finditer(before))
    return bool(orders) and _names(before[orders[-1].end():])


def _names(gap: str) -> bool:
    """The word before `gap` names the number after it: no other number between them, and at
    most one word that is not glue."""
    if any(char.isdigit() for char in gap):
        return False
    return sum(word not in GLUE_WORDS for word in _LETTERS.findall(gap)) <= 1


def _inside_longer_number(text: str, start: int, end: int) -> bool:
    """A pattern's match that is only part of a longer code: "CMD-2026" of "CMD-2026-00412",
    "RK-0081127" of a bank's "2026-RK-0081127" (`\\b` lets a pattern stop at a hyphen)."""
    before, after = text[max(0, start - 2):start].rjust(2), text[end:end + 2].ljust(2)
    return (_ascii_alnum(before[1]) or (before[1] in "-/" and _ascii_alnum(before[0]))
            or _ascii_alnum(after[0]) or (after[0] in "-/" and after[1].isascii() and after[1].isdigit()))


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _canonical(values: Sequence[str], separators: Sequence[str]) -> str:
    out = [values[0].upper()]
    for separator, value in zip(separators, values[1:], strict=True):
        out += [separator, value.upper()]
    return "".join(out)


def _words(words: Sequence[str]) -> re.Pattern[str]:
    """Any of the words, each starting a word (anywhere, for Han/Hangul/kana)."""
    longest_first = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) if not w.isascii() else rf"(?<![a-z]){re.escape(w)}"
                               for w in longest_first))


_LOOKALIKE, _ORDER = _words(LOOKALIKE_WORDS), _words(ORDER_WORDS)


def _lookalike_word(text: str, start: int) -> str | None:
    """The look-alike word just before a number, unless an order word stands nearer to it."""
    before = _fold(text[max(0, start - _BEFORE):start].rsplit("\n", 1)[-1])
    lookalikes = list(_LOOKALIKE.finditer(before))
    if not lookalikes or not _names(before[lookalikes[-1].end():]):
        return None
    orders = list(_ORDER.finditer(before))
    if orders and orders[-1].start() > lookalikes[-1].start():
        return None
    return lookalikes[-1].group()


def _fold(text: str) -> str:
    """Lower case without accents, the same length as the text (positions stay valid)."""
    if text.isascii():
        return text.lower()
    out = []
    for char in text:
        lower = char.lower() if len(char.lower()) == 1 else char
        base = unicodedata.normalize("NFD", lower)[0].replace("đ", "d")
        out.append(base if base.isascii() else lower)
    return "".join(out)
