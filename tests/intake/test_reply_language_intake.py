"""Replies in the customer's language, through the real intake (a Maildir, the CLI, SQLite).

Four buyers of the Kajet marketplace (mailbox language English) write in German, Spanish,
Korean and Vietnamese that they changed their minds; the mails are the labelled corpus's own
(dev part). The seller had cancelled each order, so each is approved with an amount: the German, Spanish and Korean drafts are in
those languages with money and dates as each language writes them; there are no Vietnamese
templates, so that buyer's draft is in English and staff are told why.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from base.config import load_config
from base.db import make_engine, session_factory, session_scope
from base.models import Request
from desk.app import create_app
from staff.accounts import add_staff
from tests.desk.conftest import SECRET, csrf_from
from tests.intake.maildir_intake import cli, mailbox_table, maildir, run_intake

PASSWORD = "a staff password long enough"
ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "tests" / "corpus" / "understanding" / "dev"
DELIVERED = 1794045600  # 7 November 2026, 18:00 in Kuala Lumpur (the marketplace's zone)
BUYERS = {  # corpus id: (sender, order)
    "kj-de-011": ("o.hartmann@example.de", "KJ-4418802"),
    "kj-es-001": ("lucia.fernandez@example.es", "KJ-2718830"),
    "kj-ko-001": ("minhyuk.jo@example.kr", "KJ-4410287"),
    "kj-vi-021": ("thu.kieu@example.vn", "KJ-3806154"),
}
ORDERS = ("order_id,customer_email,amount,currency,ordered_at,seller_cancelled,seller_refund_percent,"
          "cancellation_window_days,cancellation_window_basis,cancelled_in_app_at\n"
          + "".join(f"{order},{sender},1234.50,MYR,2026-11-02T20:00:00+08:00,true,100,3,ordered_at,\n"
                    for sender, order in BUYERS.values()))


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Kajet mailbox after one poll of the four mails."""
    work = tmp_path_factory.mktemp("reply_language")
    mail = maildir(work / "mail")
    for index, stem in enumerate(BUYERS):
        (mail / "new" / f"{DELIVERED + index}.M{index}P1.{stem}").write_bytes((DEV / f"{stem}.eml").read_bytes())
    (work / "orders.csv").write_text(ORDERS, encoding="utf-8")
    kajet = mailbox_table("kajet", "cancellations@kajet.example", "marketplace.toml", "en", "KJ-#######", mail)
    config = run_intake(work, [kajet], work / "orders.csv")
    return config


@pytest.fixture(scope="module")
def drafted(config: Path) -> dict[str, dict]:
    by_sender = {sender: stem for stem, (sender, _) in BUYERS.items()}
    found: dict[str, dict] = {}
    for draft in json.loads(cli(config, "queue", "list", "--json")):
        shown = json.loads(cli(config, "queue", "show", str(draft["id"]), "--json"))
        stem = by_sender[shown["to"]]
        found.setdefault(stem, {"drafts": []})["drafts"].append(shown)
    for row in json.loads(cli(config, "requests", "list", "--json")):
        stem = by_sender[row["sender"]]
        found[stem]["shown"] = json.loads(cli(config, "requests", "show", row["reference"], "--json"))
        found[stem]["text"] = cli(config, "requests", "show", row["reference"])
    return found


@pytest.mark.parametrize("stem, language, words, amount, day", [
    ("kj-de-011", "de", "wurde genehmigt", "1.234,50\xa0MYR", "7. November 2026"),
    ("kj-es-001", "es", "ha sido aprobada", "1.234,50\xa0MYR", "7 de noviembre de 2026"),
    ("kj-ko-001", "ko", "승인되었습니다", "MYR1,234.50", "2026년 11월 7일"),
])
def test_the_draft_is_in_the_customers_language(drafted: dict, stem: str, language: str, words: str,
                                                amount: str, day: str) -> None:
    shown = drafted[stem]["shown"]
    assert (shown["language"], shown["reason"], shown["outcome"]) == (language, "change_of_mind", "approve")
    assert (shown["reply_language"], shown["language_note"]) == (language, None)
    approve = next(d for d in drafted[stem]["drafts"] if d["kind"] == "approve")
    assert approve["language"] == language
    assert words in approve["text"] and amount in approve["text"]
    assert "approved" not in approve["text"] and "Hello" not in approve["text"]
    assert day in "\n".join(d["text"] for d in drafted[stem]["drafts"])
    assert "! the customer wrote in" not in drafted[stem]["text"]


def test_a_language_without_templates_gets_the_mailboxs_and_staff_are_told(drafted: dict) -> None:
    shown = drafted["kj-vi-021"]["shown"]
    assert (shown["language"], shown["reply_language"]) == ("vi", "en")
    assert shown["language_note"] == ("the customer wrote in vi; there are no vi reply templates, "
                                      "so replies go out in en")
    assert f"! {shown['language_note']}" in drafted["kj-vi-021"]["text"]
    approve = next(d for d in drafted["kj-vi-021"]["drafts"] if d["kind"] == "approve")
    assert approve["language"] == "en" and "MYR1,234.50" in approve["text"]
    assert "November 7, 2026" in "\n".join(d["text"] for d in drafted["kj-vi-021"]["drafts"])


def test_the_desk_request_page_says_the_replies_are_not_in_the_customers_language(config: Path) -> None:
    loaded = load_config(config)
    engine = make_engine(loaded.database_url)
    sessions = session_factory(engine)
    with session_scope(sessions) as db:
        add_staff(db, "ops@kajet.example", PASSWORD, "approver")
        ids = {r.customer_email: r.id for r in db.scalars(select(Request))}
    web = create_app(loaded, sessions, secret_key=SECRET, clock=lambda: datetime.now(UTC)).test_client()
    token = csrf_from(web.get("/login").get_data(as_text=True))
    web.post("/login", data={"email": "ops@kajet.example", "password": PASSWORD, "csrf_token": token})
    vietnamese = web.get(f"/requests/{ids['thu.kieu@example.vn']}").get_data(as_text=True)
    german = web.get(f"/requests/{ids['o.hartmann@example.de']}").get_data(as_text=True)
    engine.dispose()
    assert ('id="language-note">Language: the customer wrote in vi; there are no vi reply templates, '
            "so replies go out in en</p>") in vietnamese
    assert "Read from the email" in german and "language-note" not in german
