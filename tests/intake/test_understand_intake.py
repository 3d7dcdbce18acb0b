"""Messy customer mail through the real intake (a Maildir, the CLI, SQLite): what intake reads,
what the decision does with it, and what `explain` and `requests show --json` show of it."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.intake.maildir_intake import cli, mailbox_table, maildir, run_intake

ROOT = Path(__file__).resolve().parents[2]
HEADER, *ROWS = (ROOT / "examples" / "orders.csv").read_text().splitlines()
BRANDING = next(row for row in ROWS if row.startswith("KRZ-10042,")).split(",", 2)[2]  # not started yet
ORDERS = [  # order id, customer: each a branding order not started yet
    ("KRZ-26-0099", "pieter@example.co.za"), ("KRZ-26-0101", "anna@example.com"),
    ("KRZ-26-0120", "minji@example.kr"), ("KRZ-26-0130", "greta@example.de"),
    ("KRZ-26-0140", "sipho@example.co.za"),
]


def mail(sender: str, subject: str, text: str | None = None, html: str | None = None,
         charset: str = "utf-8") -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "accounts@kreatorz.co.za", subject
    message["Date"] = "Mon, 16 Nov 2026 09:00:00 +0200"
    message["Message-ID"] = f"<{abs(hash((sender, subject)))}@example.net>"
    if text is not None:
        message.set_content(text, charset=charset)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    return bytes(message)


MESSAGES = {
    # negation, an Outlook block quoting an earlier mail with another reason, signature, mobile footer,
    # the reference written in lower case with spaces
    "negation": mail("Pieter Botha <pieter@example.co.za>", "RE: Refund", (
        "Hi there\n\nI have NOT changed my mind, the logo was never delivered. It is krz 26 0099.\n\n"
        "Kind regards\nPieter Botha\nBotha Plumbing | 082 555 0101\n\nSent from my iPhone\n\n"
        "From: Kreatorz Accounts <accounts@kreatorz.co.za>\nSent: Friday, 13 November 2026 10:12\n"
        "To: Pieter Botha\nSubject: Refund\n\nDid you change your mind about the logo? "
        "We can cancel the order if so.\n")),
    # says nothing of why
    "unclear": mail("Anna Smith <anna@example.com>", "KRZ-26-0101", "About my order KRZ-26-0101. Call me.\n"),
    # Korean, EUC-KR, a mobile footer, a look-alike invoice number, the reference without hyphens
    "korean": mail("김민지 <minji@example.kr>", "환불 요청", (
        "안녕하세요. 로고 시안이 아직도 안 왔어요. 벌써 3주째 기다리고 있습니다.\n"
        "주문번호 KRZ26 0120, 세금계산서 번호 KRZ-26-7777 입니다. 환불해 주세요.\n\niPhone에서 보냄\n"),
        charset="euc-kr"),
    # HTML only, German, quoted history in a blockquote that asks something else
    "html": mail("Greta Weber <greta@example.de>", "AW: Bestellung KRZ-26-0130", html=(
        "<div>Guten Tag,</div><div>ich habe bei meiner Bank eine Rückbuchung veranlasst und einen "
        "Widerspruch eingelegt, weil ich seit Wochen keine Antwort bekomme.</div><div>Greta Weber</div>"
        "<blockquote><div>Am 2. Nov. 2026 schrieb Kreatorz:</div><div>Wollen Sie Ihr Abonnement "
        "kündigen?</div></blockquote>")),
    # the customer mistypes their own order (two digits swapped)
    "near_miss": mail("Sipho Dlamini <sipho@example.co.za>", "Refund KRZ-26-0410", (
        "Hello, we found another designer closer to home, so we no longer need the logo. "
        "Please refund order KRZ-26-0410.\n")),
}


@pytest.fixture(scope="module")
def intake(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    work = tmp_path_factory.mktemp("understand")
    mail = maildir(work / "mail")
    for index, (key, raw) in enumerate(MESSAGES.items()):
        (mail / "new" / f"17950{index:05d}.M1P1.{key}").write_bytes(raw)
    (work / "orders.csv").write_text("\n".join(
        [HEADER] + [f"{ref},{email},{BRANDING}" for ref, email in ORDERS]) + "\n")
    accounts = mailbox_table("accounts", "accounts@kreatorz.co.za", "kreatorz.toml", "en", "KRZ-##-####", mail)
    config = run_intake(work, [accounts], work / "orders.csv")
    found = {}
    for row in json.loads(cli(config, "requests", "list", "--json")):
        shown = json.loads(cli(config, "requests", "show", row["reference"], "--json"))
        key = next(k for k in MESSAGES if shown["sender"] in MESSAGES[k].decode("latin-1"))
        found[key] = {"shown": shown, "explained": cli(config, "explain", row["reference"]),
                      "decision": json.loads(cli(config, "explain", row["reference"], "--json"))}
    return found


@pytest.mark.parametrize("key, language, reason, refs", [
    ("negation", "en", "non_delivery", ["KRZ-26-0099"]),
    ("unclear", "en", "unclear", ["KRZ-26-0101"]),
    ("korean", "ko", "non_delivery", ["KRZ-26-0120"]),
    ("html", "de", "dispute", ["KRZ-26-0130"]),
    ("near_miss", "en", "change_of_mind", ["KRZ-26-0410"]),
])
def test_what_intake_reads(intake: dict, key: str, language: str, reason: str, refs: list[str]) -> None:
    shown = intake[key]["shown"]
    assert (shown["language"], shown["reason"], shown["order_refs"]) == (language, reason, refs)
    assert shown["understanding"]["reason"]["evidence"] or reason == "unclear"
    assert shown["messages"][0]["understanding"] == shown["understanding"]


def test_quoted_history_signature_and_footer_are_set_apart(intake: dict) -> None:
    removed = intake["negation"]["shown"]["understanding"]["own_text"]["removed"]
    assert {"quoted_history", "footer"} <= set(removed)


def test_a_look_alike_number_is_shown_but_not_taken(intake: dict) -> None:
    refs = intake["korean"]["shown"]["understanding"]["order_refs"]
    assert refs["value"] == ["KRZ-26-0120"]
    assert any("KRZ-26-7777" in item for item in refs["lookalikes"])


def test_an_unclear_reason_goes_to_staff_review_naming_two_candidates(intake: dict) -> None:
    decision = intake["unclear"]["decision"]
    candidates = [code for code, _ in intake["unclear"]["shown"]["understanding"]["reason"]["candidates"][:2]]
    assert decision["outcome"] == "review"
    assert "reason is unclear" in decision["note"]
    assert f"{candidates[0]} or {candidates[1]}" in decision["note"]
    assert "unclear (likeliest: " in intake["unclear"]["explained"]


def test_a_reference_one_character_off_the_senders_order_is_proposed_not_matched(intake: dict) -> None:
    decision = intake["near_miss"]["decision"]
    assert decision["outcome"] == "review"
    assert decision["order_id"] is None
    assert "KRZ-26-0410" in decision["note"] and "KRZ-26-0140" in decision["note"]


def test_explain_shows_the_evidence(intake: dict) -> None:
    explained = intake["negation"]["explained"]
    assert "Read from the email:" in explained
    assert "- reason: non_delivery (confidence" in explained
    assert "changed my mind\u201d (change_of_mind, negated)" in explained
    assert "krz 26 0099 -> KRZ-26-0099" in explained
    assert "- language: en" in explained
