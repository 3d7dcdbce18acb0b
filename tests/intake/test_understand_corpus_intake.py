"""Each kind of mess of real customer mail, through the real intake (Maildirs, the CLI, SQLite).

The mails are the labelled corpus's own, from its dev part (never heldout/), delivered as they
were written to the four shops' mailboxes: intake reads the labelled reason, language and order
references from each, sets apart what the customer did not write now, and shows its evidence.

They are a fixed, committed choice of one or two mails for each kind of mess the corpus labels,
not the whole dev part, so that its cost stays the same as the corpus grows (the whole corpus is
measured by `make bench-understanding` and checked by tests/corpus/test_understanding_corpus.py;
a new kind of mess fails the first test below until it has a case here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.corpus.understanding.check_corpus import MESS
from tests.intake.maildir_intake import cli, mailbox_table, maildir, run_intake

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "understanding" / "dev"
SHOPS = {  # shop: mailbox address, policy, mailbox language, reference format
    "kreatorz": ("accounts@kreatorz.example", "kreatorz.toml", "en", "KRZ-##-####"),
    "cafe24": ("experts@cafe24.example", "cafe24-experts.toml", "ko", "########-#######"),
    "french-saas": ("support@fs.example", "french-saas.toml", "fr", "CMD-####-#####"),
    "kajet": ("cancellations@kajet.example", "marketplace.toml", "en", "KJ-#######"),
}
CASES = [  # (kind of mess as the corpus labels it, a dev mail that carries it)
    ("quoted_history", "krz-de-013"),
    ("quoted_history_differs", "fs-fr-032"),  # a dispute now; the quoted mail asked something else
    ("quoted_history_differs", "krz-de-013"),  # "not a change of mind", above a quoted reply
    ("negation", "fs-es-008"),
    ("signature", "fs-fr-008"),
    ("disclaimer", "fs-fr-008"),
    ("long", "fs-fr-008"),
    ("long", "kj-nl-009"),
    ("mobile_footer", "fs-fr-037"),
    ("forwarded", "fs-de-013"),               # a forwarded bank letter with a look-alike number
    ("forwarded", "c24-ko-013"),
    ("lookalike", "c24-ko-013"),
    ("no_ref", "fs-de-013"),
    ("html_only", "c24-ko-047"),
    ("all_caps", "kj-de-005"),
    ("typos", "fs-de-012"),
    ("indirect", "fs-de-012"),
    ("mixed_language", "krz-af-017"),         # Afrikaans, with "brand guide" in English
    ("multi_reason", "fs-de-009"),            # not delivered, and now the consumer centre: dispute
    ("short", "c24-ko-008"),
    ("ref_variant", "c24-ko-037"),             # "#20261026-0006198"
    ("ref_variant", "fs-de-009"),              # "Commande n° CMD 2026-00533"
    ("near_miss", "c24-ko-068"),              # 20260315-0002841 written, 20260315-0002814 meant
]
STEMS = tuple(dict.fromkeys(stem for _, stem in CASES))
NEAR_MISS = "c24-ko-068"
NEAR_MISS_ORDER = "20260315-0002814,{sender},99000,KRW,2026-03-15T10:00:00+09:00\n"


def label(stem: str) -> dict:
    return json.loads((CORPUS / f"{stem}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def intake(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    work = tmp_path_factory.mktemp("understand_corpus")
    mailboxes = [mailbox_table(shop, address, policy, language, ref_format, maildir(work / shop))
                 for shop, (address, policy, language, ref_format) in SHOPS.items()]
    for index, stem in enumerate(STEMS):
        shop = label(stem)["shop"]
        (work / shop / "new" / f"{1794045600 + index}.M{index}P1.{stem}").write_bytes(
            (CORPUS / f"{stem}.eml").read_bytes())
    near_miss_sender = _sender(CORPUS / f"{NEAR_MISS}.eml")
    (work / "orders.csv").write_text("order_id,customer_email,amount,currency,ordered_at\n"
                                     + NEAR_MISS_ORDER.format(sender=near_miss_sender), encoding="utf-8")
    config = run_intake(work, mailboxes, work / "orders.csv")
    stems = {_sender(CORPUS / f"{stem}.eml"): stem for stem in STEMS}
    found = {}
    for row in json.loads(cli(config, "requests", "list", "--json")):
        stem = stems[row["sender"]]
        found[stem] = {"shown": json.loads(cli(config, "requests", "show", row["reference"], "--json")),
                       "explained": cli(config, "explain", row["reference"]),
                       "decision": json.loads(cli(config, "explain", row["reference"], "--json"))}
    return found


def _sender(eml: Path) -> str:
    from email import message_from_bytes, policy
    return message_from_bytes(eml.read_bytes(), policy=policy.default)["From"].addresses[0].addr_spec.lower()


def test_every_kind_of_mess_has_a_case_and_every_case_is_polled(intake: dict) -> None:
    assert {kind for kind, _ in CASES} == MESS
    assert set(intake) == set(STEMS)


@pytest.mark.parametrize("kind, stem", CASES)
def test_intake_reads_what_the_label_says(intake: dict, kind: str, stem: str) -> None:
    expected, shown = label(stem), intake[stem]["shown"]
    assert kind in expected["mess"]
    assert (shown["reason"], shown["language"]) == (expected["reason"], expected["language"])
    assert sorted(shown["order_refs"]) == sorted(expected["order_refs"])
    assert shown["understanding"]["reason"]["evidence"]


@pytest.mark.parametrize("stem, removed", [
    ("fs-fr-032", "quoted_history"),
    ("krz-de-013", "quoted_history"),
    ("fs-es-008", "quoted_history"),
    ("fs-fr-037", "footer"),
    ("fs-fr-008", "signature"),
    ("fs-fr-008", "disclaimer"),
    ("fs-de-013", "quoted_history"),
    ("c24-ko-013", "quoted_history"),
])
def test_what_the_customer_did_not_write_now_is_set_apart(intake: dict, stem: str, removed: str) -> None:
    assert removed in intake[stem]["shown"]["understanding"]["own_text"]["removed"]


def test_quoted_history_about_another_reason_does_not_decide_the_reason(intake: dict) -> None:
    for stem in ("fs-fr-032", "krz-de-013", "fs-es-008"):
        expected = label(stem)
        assert "quoted_history_differs" in expected["mess"]
        assert intake[stem]["shown"]["reason"] == expected["reason"]


@pytest.mark.parametrize("stem", ["fs-de-013", "c24-ko-013"])
def test_look_alike_numbers_are_not_taken(intake: dict, stem: str) -> None:
    """Neither the shop's format nor the default `order_ref_patterns` (which once read
    "RK-0081127" out of the bank's "2026-RK-0081127") takes them."""
    shown = intake[stem]["shown"]
    assert label(stem)["lookalikes"] and label(stem)["order_refs"] == []
    assert shown["order_refs"] == [] and shown["understanding"]["order_refs"]["value"] == []


@pytest.mark.parametrize("stem", ["fs-de-009", "kj-de-005", "fs-de-012"])
def test_a_reference_variant_is_read_as_the_canonical_form(intake: dict, stem: str) -> None:
    evidence = intake[stem]["shown"]["understanding"]["order_refs"]["evidence"]
    assert evidence == [item for item in evidence if " -> " in item]
    assert evidence[0].endswith(f" -> {label(stem)['order_refs'][0]}")


def test_a_near_miss_of_the_senders_own_order_is_proposed_not_matched(intake: dict) -> None:
    near = label(NEAR_MISS)["near_miss"]
    decision = intake[NEAR_MISS]["decision"]
    assert decision["outcome"] == "review" and decision["order_id"] is None
    assert near["written"] in decision["note"] and near["meant"] in decision["note"]


def test_explain_shows_the_evidence_for_each_fact(intake: dict) -> None:
    explained = intake["fs-de-013"]["explained"]
    assert "Read from the email:" in explained
    assert "- reason: dispute (confidence" in explained and "evidence: " in explained
    assert "- language: de" in explained
    assert "set apart: quoted_history" in explained
