"""The pure decision core: policies, orders, rules, and explained decisions on refund requests.

No I/O and no clock: callers pass policy text, order CSV text and the server's receipt
time, and get frozen, JSON-able values back (see `to_dict()` on each).
"""

from decisions.decide import decide, match_order
from decisions.decision import OUTCOMES, Decision, RuleResult
from decisions.explain import explain
from decisions.money import CurrencyError, minor_digits, round_money
from decisions.orders import Order, parse_orders_csv
from decisions.policy import Policy, PolicyError, load_policy, response_deadline
from decisions.request import REASONS, UNCLEAR, RequestFacts
from decisions.rules import Rule

__all__ = [
    "OUTCOMES",
    "REASONS",
    "UNCLEAR",
    "CurrencyError",
    "Decision",
    "Order",
    "Policy",
    "PolicyError",
    "RequestFacts",
    "Rule",
    "RuleResult",
    "decide",
    "explain",
    "load_policy",
    "match_order",
    "minor_digits",
    "parse_orders_csv",
    "response_deadline",
    "round_money",
]
