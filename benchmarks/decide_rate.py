"""The decision engine alone: `decisions.decide` on the demo's policy and orders, decisions/s.

Run as a child (`python -m benchmarks.decide_rate`). Every demo order is asked about with each
reason, at receipt times from the order day to three weeks later, with and without a URL and
an attachment, so every rule of the Kreatorz policy is reached; the candidate orders are the
customer's, as intake's query would find them. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections import Counter
from datetime import timedelta

from benchmarks.measure import REPOSITORY
from decisions import REASONS, Order, RequestFacts, decide, load_policy, parse_orders_csv

POLICY = REPOSITORY / "policies" / "kreatorz.toml"
ORDERS = REPOSITORY / "examples" / "orders.csv"


def cases(orders: list[Order]) -> list[tuple[RequestFacts, list[Order]]]:
    by_customer: dict[str, list[Order]] = {}
    for order in orders:
        by_customer.setdefault(order.customer_email.lower(), []).append(order)
    found = []
    for order, reason, days, extras in itertools.product(orders, REASONS, (0, 3, 7, 8, 21),
                                                         (False, True)):
        request = RequestFacts(
            received_at=order.ordered_at + timedelta(days=days, hours=5), sender=order.customer_email,
            reason=reason, order_refs=(order.order_id,), attachment_count=int(extras),
            urls=("https://www.example.com/",) if extras else (),
            authentication="pass")
        found.append((request, by_customer[order.customer_email.lower()]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    args = parser.parse_args()
    policy = load_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
    orders, errors = parse_orders_csv(ORDERS.read_text(encoding="utf-8"))
    if errors:
        raise SystemExit(f"{ORDERS}: {errors[0]}")
    work = list(itertools.islice(itertools.cycle(cases(orders)), args.count))
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    for request, candidates in work:
        outcomes[decide(request, candidates, policy).outcome] += 1
    seconds = time.perf_counter() - started
    print(json.dumps({"decisions": args.count, "seconds": seconds, "outcomes": dict(outcomes),
                      "distinct_cases": len(cases(orders))}))


if __name__ == "__main__":
    main()
