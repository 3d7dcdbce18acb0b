"""Every desk page timed on a 5,000-request database, against a floor measured in the same run.

`python -m benchmarks.desk_pages [N]` (default 5,000) builds a SQLite database through the
real migrations with N requests shaped like the demo's (a 2-4 KB email, a 20-rule trace under
the Kreatorz policy, a quarter of them with a staff correction or decision, 60% with a reply
waiting), signs in through the login form, and requests each page ROUNDS times through the
real Flask application (in process, no network), after two untimed warm-up requests. The floor is the cheapest page the same
stack serves: the stylesheet, through the same middleware and headers, with no database and
no template. It prints median and 95th-percentile times, page size, and the ratio to the floor;
it asserts nothing (the README quotes it).
"""

from __future__ import annotations

import gc
import hashlib
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from base.config import Config, load_config
from base.db import make_engine, session_factory, upgrade
from base.models import DecisionRecord, Draft, Message, Order, Request
from desk.app import create_app
from staff.accounts import add_staff

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policies" / "kreatorz.toml"
ROUNDS = 25
WARM_UP = 2  # first requests compile templates and fill caches; not timed
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
PASSWORD = "a benchmark password, long enough"
STAFF = "bench@kreatorz.co.za"
REASONS = ("change_of_mind", "dissatisfied", "non_delivery", "not_as_described", "cancel_recurring")
OUTCOMES = ("approve", "deny", "review", "needs_info")
PARAGRAPH = ("I ordered the brand identity package in October and the designer has not started "
             "on the concepts yet. We have decided to put the rebrand on hold until next year. ")


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 5000
    with tempfile.TemporaryDirectory(prefix="desk-bench-") as folder:
        config = _config(Path(folder))
        started = time.perf_counter()
        ids = _fill(config.database_url, count)
        print(f"built {count:,} requests in {time.perf_counter() - started:.1f} s", flush=True)
        engine = make_engine(config.database_url)
        app = create_app(config, session_factory(engine), secret_key="b" * 40,
                         clock=lambda: NOW)
        client = app.test_client()
        gc.collect()  # as `refund-intake web` does once started (desk/cli.py)
        gc.freeze()
        sign_in_page = _time(client, "sign-in page", "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          client.get("/login").get_data(as_text=True))
        assert token is not None
        client.post("/login", data={"email": STAFF, "password": PASSWORD, "csrf_token": token.group(1)})
        rows = [_time(client, name, url) for name, url in _pages(ids)]
        rows.insert(1, sign_in_page)
        engine.dispose()
    _report(rows, count)
    return 0


def _pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    return [
        ("floor: the stylesheet (no database, no template)", "/static/desk.css"),
        ("queue, first page", "/"),
        ("queue, page 40", "/?page=40&rpage=40"),
        ("queue, search in the mail text", "/?q=Customer+2499%0A"),
        ("queue, search a reference", "/?q=R-002500"),
        ("queue, overdue + reason filter", "/?overdue=1&reason=dissatisfied"),
        ("queue, waiting for me", "/?mine=1"),
        ("request page", f"/requests/{ids['request']}"),
        ("request page, staff decision", f"/requests/{ids['staff']}"),
        ("draft page", f"/drafts/{ids['draft']}"),
        ("draft HTML part", f"/drafts/{ids['draft']}/html"),
        ("message text", f"/messages/{ids['message']}/text"),
    ]


def _time(client: object, name: str, url: str) -> tuple[str, float, float, int]:
    timings, size = [], 0
    for _ in range(WARM_UP):
        client.get(url)  # type: ignore[attr-defined]
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        size = len(response.data)
    timings.sort()
    return name, statistics.median(timings), timings[int(len(timings) * 0.95) - 1], size


def _report(rows: list[tuple[str, float, float, int]], count: int) -> None:
    floor = rows[0][1]
    print(f"\nDesk pages, {count:,} requests, SQLite, {ROUNDS} rounds each (ms)")
    print(f"{'page':52} {'median':>8} {'p95':>8} {'KB':>7} {'x floor':>8}")
    for name, median, p95, size in rows:
        print(f"{name:52} {median:8.1f} {p95:8.1f} {size / 1024:7.1f} {median / floor:8.1f}")
    slowest = max(rows[1:], key=lambda row: row[2])
    print(f"\nslowest p95: {slowest[0]} {slowest[2]:.1f} ms (target: every page under 300 ms)")


def _config(folder: Path) -> Config:
    (folder / "Maildir" / "cur").mkdir(parents=True)
    path = folder / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{folder / "desk.db"}"\n\n[[mailbox]]\n'
                    f'name = "accounts"\naddress = "accounts@kreatorz.co.za"\npolicy = "{POLICY}"\n'
                    '[mailbox.maildir]\npath = "Maildir"\n')
    return load_config(path)


def _fill(url: str, count: int) -> dict[str, int]:
    upgrade(url)
    engine = make_engine(url)
    picked: dict[str, int] = {}
    random.seed(14)
    with session_factory(engine).begin() as session:
        add_staff(session, STAFF, PASSWORD, "admin")
        for start in range(0, count, 500):
            for n in range(start, min(count, start + 500)):
                _one(session, n, count, picked)
            session.flush()
    engine.dispose()
    return picked


def _one(session: Session, n: int, count: int, picked: dict[str, int]) -> None:
    received = NOW - timedelta(minutes=7 * (n + 1))
    customer = f"customer{n}@example.com"
    order = Order(order_id=f"KRZ-{20000 + n}", customer_email=customer, amount=Decimal("4500.00"),
                  currency="ZAR", ordered_at=received - timedelta(days=10), facts={})
    request = Request(reference=f"R-{n + 1:06d}", mailbox="accounts", kind="refund", status="open",
                      customer_email=customer, subject=f"Refund request - order {order.order_id}",
                      language="en", reason=random.choice(REASONS), order_refs=[order.order_id],
                      received_at=received)
    text = f"Hi Accounts team,\n\n{PARAGRAPH * random.randint(10, 20)}\nThanks,\nCustomer {n}\n"
    message = Message(mailbox="accounts", folder="INBOX", uid=n + 1, size=len(text),
                      raw_sha256=hashlib.sha256(f"{n}".encode()).hexdigest(),
                      message_id=f"<m{n}@example.com>", sender=customer, recipients=["accounts@kreatorz.co.za"],
                      subject=request.subject, received_at=received, text_body=text,
                      classification="new_request", parse_status="ok", request=request)
    outcome = OUTCOMES[n % 4]
    decision = DecisionRecord(
        request=request, outcome=outcome, refund_amount=Decimal("3600.00") if outcome in ("approve", "review") else None,
        fee=Decimal("900.00"), considered_amount=Decimal("4500.00"), currency="ZAR",
        order_id=order.order_id, policy_name="kreatorz", policy_version="2024-11-11",
        response_deadline=(received + timedelta(days=5)).date() if n % 3 else date(2026, 11, 1),
        missing=["url"] if outcome == "needs_info" else [], trace=_trace(outcome),
        decided_at=received, decided_by=STAFF if n % 4 == 1 else None)
    session.add_all([order, request, message, decision])
    if n % 5 < 3:
        draft = Draft(request=request, kind=outcome, language="en",
                      from_address="accounts@kreatorz.co.za", to_address=customer,
                      subject=f"Re: {request.subject} [{request.reference}]", body_text=text[:900],
                      body_html=f"<p>{text[:900]}</p>", message_id=f"<d{n}@kreatorz.co.za>",
                      state="draft", created_at=received + timedelta(minutes=1))
        session.add(draft)
        if n == count // 2:
            session.flush()
            picked.update(draft=draft.id, request=request.id, message=message.id)
    if n == count // 2 + 1:
        session.flush()
        picked["staff"] = request.id


def _trace(outcome: str) -> list[dict[str, Any]]:
    steps = []
    for i in range(20):
        verdict = "hit" if i < 4 else "skipped" if i > 9 else "miss"
        steps.append({"rule": f"rule-{i}", "clause": "Refund requests made after the 7-day period "
                      "will not be eligible for consideration. " * 2, "verdict": verdict,
                      "code": "inside_window", "facts": {"received_at": "2026-11-05", "last_day": "2026-11-06"},
                      "effect": outcome if i == 0 else "none", "note": None})
    return steps


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
