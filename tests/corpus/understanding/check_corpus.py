"""Validate the understanding corpus (issue 13): every label and every message.

Run: python3 tests/corpus/understanding/check_corpus.py [--counts]
Exits 1 and lists every problem found; with --counts prints reason x language, mess and split
tables (Markdown) for the COUNTS files.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PARTS = ("dev", "heldout")
FIELDS = {"id", "shop", "language", "reason", "also", "order_refs", "lookalikes", "near_miss",
          "mess", "note"}
REASONS = {"change_of_mind", "dissatisfied", "non_delivery", "not_as_described",
           "cancel_recurring", "dispute", "other"}
LANGUAGES = {"en", "fr", "de", "es", "af", "zu", "ko", "vi", "nl", "pt", "it", "zh", "ja"}
MESS = {"quoted_history", "quoted_history_differs", "signature", "mobile_footer", "disclaimer",
        "forwarded", "html_only", "all_caps", "typos", "negation", "multi_reason", "indirect",
        "short", "long", "mixed_language", "ref_variant", "lookalike", "near_miss", "no_ref"}
SHOPS = {"krz": ("kreatorz", "accounts@kreatorz.example", r"KRZ-\d{2}-\d{4}"),
         "c24": ("cafe24", "experts@cafe24.example", r"\d{8}-\d{7}"),
         "fs": ("french-saas", "support@fs.example", r"CMD-\d{4}-\d{5}"),
         "kj": ("kajet", "cancellations@kajet.example", r"KJ-\d{7}")}
ID = re.compile(r"^(krz|c24|fs|kj)-([a-z]{2})-(\d{3})$")
Label = dict[str, Any]
_BARE = re.compile(r"[\W_]+")
REQUIRED_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type")


def expected_part(ident: str) -> str:
    return "heldout" if int(hashlib.sha256(ident.encode()).hexdigest(), 16) % 100 < 35 else "dev"


def one_off(a: str, b: str) -> bool:
    """True when b is a with one character changed, added or dropped, or two neighbours swapped
    (the usual slips when typing a number)."""
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        swapped = (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                   and (a[diffs[0]], a[diffs[1]]) == (b[diffs[1]], b[diffs[0]]))
        return len(diffs) == 1 or swapped
    short, long_ = sorted((a, b), key=len)
    return len(long_) - len(short) == 1 and any(long_[:i] + long_[i + 1:] == short
                                                for i in range(len(long_)))


def check_identity(label: Label, part: str) -> list[str]:
    """Shop, language, reasons, note and split agree with the id and the enums."""
    problems = []
    shop = SHOPS[label["id"].split("-")[0]][0]
    if label["shop"] != shop:
        problems.append(f"shop {label['shop']!r}, the id says {shop!r}")
    if label["language"] != label["id"].split("-")[1] or label["language"] not in LANGUAGES:
        problems.append(f"language {label['language']!r} does not match the id or is unknown")
    if label["reason"] not in REASONS:
        problems.append(f"reason {label['reason']!r} unknown")
    also = label["also"]
    if not isinstance(also, list) or not set(also) <= REASONS or label["reason"] in also \
            or len(set(also)) != len(also):
        problems.append(f"also {also!r}: unknown, repeated or the primary reason")
    if not isinstance(label["note"], str) or not label["note"].strip():
        problems.append("note is empty")
    if part != expected_part(label["id"]):
        problems.append(f"in {part}/, the hash rule says {expected_part(label['id'])}/")
    return problems


def check_references(label: Label) -> list[str]:
    """Order refs canonical for the shop, look-alikes not, a near miss one character off."""
    problems = []
    ref = re.compile(SHOPS[label["id"].split("-")[0]][2] + r"\Z")
    refs = label["order_refs"]
    if not isinstance(refs, list) or len(set(refs)) != len(refs):
        return ["order_refs must be a list without repeats"]
    problems += [f"order ref {r!r} not canonical for {label['shop']}" for r in refs
                 if not ref.match(r)]
    looks = label["lookalikes"]
    if not isinstance(looks, list) or not all(isinstance(x, str) and x.strip() for x in looks):
        problems.append("lookalikes must be a list of non-empty strings")
    elif any(ref.match(x) for x in looks):
        problems.append("a lookalike has the canonical shape of an order reference")
    near = label["near_miss"]
    if near is None:
        return problems
    if not isinstance(near, dict) or set(near) != {"written", "meant"}:
        problems.append("near_miss must be null or {written, meant}")
    elif not (ref.match(near["written"]) and ref.match(near["meant"])
              and one_off(near["written"], near["meant"]) and near["written"] in refs):
        problems.append(f"near_miss {near} not two canonical refs one character apart, "
                        "written among order_refs")
    return problems


def check_mess(label: Label) -> list[str]:
    """Known mess kinds, and the kinds the other fields imply are present (and only then)."""
    mess = label["mess"]
    if not isinstance(mess, list) or not set(mess) <= MESS or len(set(mess)) != len(mess):
        return [f"mess {mess!r}: unknown or repeated kinds"]
    problems = []
    implied = (("no_ref", not label["order_refs"]), ("near_miss", label["near_miss"] is not None),
               ("lookalike", bool(label["lookalikes"])))
    problems += [f"mess {kind!r} disagrees with the label's other fields"
                 for kind, present in implied if (kind in mess) != present]
    if "multi_reason" in mess and not label["also"]:
        problems.append("mess 'multi_reason' but 'also' is empty")
    if "quoted_history_differs" in mess and not {"quoted_history", "forwarded"} & set(mess):
        problems.append("quoted_history_differs without quoted_history or forwarded")
    return problems


def check_label(label: Label, stem: str, part: str) -> list[str]:
    if not isinstance(label, dict) or set(label) != FIELDS:
        return [f"fields missing or unexpected: {sorted(set(label) ^ FIELDS)}"]
    if label["id"] != stem or not ID.match(str(label["id"])):
        return [f"id {label['id']!r} is not a well-formed id equal to the file stem"]
    return check_identity(label, part) + check_references(label) + check_mess(label)


def check_message(raw: bytes, shop_address: str, label: Label) -> list[str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    problems = [f"no {name} header" for name in REQUIRED_HEADERS if message[name] is None]
    if message.defects:
        problems.append(f"parse defects {message.defects}")
    if shop_address not in str(message["To"] or ""):
        problems.append(f"To is not {shop_address}")
    texts = [p for p in message.walk() if p.get_content_maintype() == "text"]
    if not texts:
        problems.append("no text part")
    for text_part in texts:
        if text_part.get_content_charset() is None:
            problems.append("a text part without a charset")
        try:
            raw_part = text_part.get_payload(decode=True)
            if isinstance(raw_part, bytes):
                raw_part.decode(text_part.get_content_charset() or "ascii")
        except (UnicodeDecodeError, LookupError) as error:
            problems.append(f"text part not in its declared charset: {error}")
    html_only = bool(texts) and all(p.get_content_subtype() == "html" for p in texts)
    if html_only != ("html_only" in label["mess"]):
        problems.append("mess 'html_only' disagrees with the message's parts")
    return problems + check_lookalikes_present(message, label["lookalikes"])


def check_lookalikes_present(message: email.message.EmailMessage, lookalikes: list[str]) -> list[str]:
    """Every look-alike number is written in the subject or a text part (spacing aside)."""
    text = str(message["Subject"] or "")
    for part in message.walk():
        if part.get_content_maintype() == "text" and not part.is_multipart():
            try:
                text += "\n" + html.unescape(part.get_content())
            except (LookupError, UnicodeDecodeError):
                continue
    bare = _BARE.sub("", text).upper()  # a label may drop the spaces or dashes of the mail
    return [f"lookalike {x!r} is not in the message" for x in lookalikes
            if _BARE.sub("", x).upper() not in bare]


def labels() -> list[tuple[str, Path]]:
    return sorted((part, path) for part in PARTS for path in (HERE / part).glob("*.json"))


def check_all() -> list[str]:
    problems, seen = [], set()
    for part in PARTS:
        stems = {p.stem for p in (HERE / part).glob("*.eml")}
        labelled = {p.stem for p in (HERE / part).glob("*.json")}
        problems += [f"{part}/{s}: .eml without label" for s in sorted(stems - labelled)]
        problems += [f"{part}/{s}: label without .eml" for s in sorted(labelled - stems)]
    for part, path in labels():
        if path.stem in seen:
            problems.append(f"{path.stem}: in both parts")
        seen.add(path.stem)
        try:
            label = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            problems.append(f"{part}/{path.name}: not JSON: {error}")
            continue
        found = check_label(label, path.stem, part)
        eml = path.with_suffix(".eml")
        if not found and eml.exists():
            address = SHOPS[path.stem.split("-")[0]][1]
            found = check_message(eml.read_bytes(), address, label)
        problems += [f"{part}/{path.stem}: {p}" for p in found]
    return problems


def table(rows: Counter[tuple[str, str]], columns: list[str], names: list[str], title: str) -> str:
    lines = [f"| {title} | " + " | ".join(columns) + " | total |",
             "|---" * (len(columns) + 2) + "|"]
    for name in names:
        cells = [rows[(name, c)] for c in columns]
        lines.append(f"| {name} | " + " | ".join(str(x) for x in cells) + f" | {sum(cells)} |")
    totals = [sum(rows[(n, c)] for n in names) for c in columns]
    lines.append("| total | " + " | ".join(str(x) for x in totals) + f" | {sum(totals)} |")
    return "\n".join(lines)


def counts() -> str:
    chosen = [(part, json.loads(p.read_text(encoding="utf-8"))) for part, p in labels()]
    langs = sorted({lab["language"] for _, lab in chosen})
    by_reason = Counter((lab["reason"], lab["language"]) for _, lab in chosen)
    by_mess = Counter((kind, lab["language"]) for _, lab in chosen for kind in lab["mess"])
    by_part = Counter((lab["reason"], part) for part, lab in chosen)
    by_language_part = Counter((lab["language"], part) for part, lab in chosen)
    reasons = sorted(REASONS)
    return "\n\n".join([table(by_reason, langs, reasons, "reason \\ language"),
                        table(by_mess, langs, sorted(MESS), "mess \\ language"),
                        table(by_part, list(PARTS), reasons, "reason \\ part"),
                        table(by_language_part, list(PARTS), langs, "language \\ part")])


def main(argv: list[str]) -> int:
    problems = check_all()
    for problem in problems:
        print(problem)
    if "--counts" in argv:
        print(counts())
    total = len(labels())
    print(f"{total} labelled emails, {len(problems)} problems", file=sys.stderr)
    return 1 if problems or not total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
