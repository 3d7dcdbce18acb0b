"""Deciding: match a request to its order, check who asks, run every rule, settle the amount."""

from collections.abc import Sequence
from decimal import Decimal

from decisions.case import Case
from decisions.checks import Finding
from decisions.decision import Decision, RuleResult
from decisions.money import Settlement, settle
from decisions.orders import Order
from decisions.policy import Policy, response_deadline
from decisions.request import UNCLEAR, RequestFacts
from decisions.rules import Rule
from decisions.windows import holiday_calendar

# The strongest effect wins: a clear denial is not softened by a missing document, and
# a missing document is asked for before staff spend time on a review.
# A redirect comes first: the request is answered with instructions and not decided at all.
PRECEDENCE = ("redirect", "deny", "needs_info", "review", "approve")

NOTES = {
    "authentication_failed": "The receiving server reports that the sender failed DMARC or SPF; "
    "confirm who is asking before anything else.",
    "authentication_unknown": "Our receiving server gave no DMARC or SPF result for this "
    "sender, and the policy asks for one; confirm who is asking before anything else.",
    "no_order": "No order matches the email's order references or the sender's address.",
    "several_orders": "Several orders match; the customer must say which one.",
    "sender_not_customer": "The sender is not the customer on the matched order.",
    "no_grant": "No rule of this policy grants a refund for this request; staff decide.",
}
_READINGS = {
    "reason_unclear": "The reason is unclear from the email{likeliest}; staff pick the reason.",
    "order_near_miss": "The email names {written}, one character away from the customer's order "
    "{meant}: staff confirm which order is meant (not matched automatically).",
}


def same_address(first: str, second: str) -> bool:
    return first.strip().casefold() == second.strip().casefold()


def match_order(request: RequestFacts, orders: Sequence[Order]) -> tuple[Order | None, str | None]:
    """The one order the request is about, else None and why (no_order, several_orders).

    An order reference in the email wins; without a matching one, the sender's only
    order is taken. Identity is checked afterwards, not here.
    """
    refs = {_ref(ref) for ref in request.order_refs}
    by_ref = _unique([order for order in orders if _ref(order.order_id) in refs])
    if len(by_ref) > 1:
        return None, "several_orders"
    if by_ref:
        return by_ref[0], None
    by_sender = _unique([o for o in orders if same_address(o.customer_email, request.sender)])
    if len(by_sender) == 1:
        return by_sender[0], None
    return None, "several_orders" if by_sender else "no_order"


def near_miss(request: RequestFacts, orders: Sequence[Order]) -> tuple[str, str] | None:
    """(written, meant) when no reference of the email names an order, but one is a single
    character away from an order of the sender: a typo, or another customer's order."""
    refs = {_ref(ref): ref for ref in request.order_refs}
    if not refs or any(_ref(order.order_id) in refs for order in orders):
        return None
    for order in orders:
        if not same_address(order.customer_email, request.sender):
            continue
        for folded, written in refs.items():
            if one_character_apart(folded, _ref(order.order_id)):
                return written, order.order_id
    return None


def one_character_apart(first: str, second: str) -> bool:
    """One character changed, added or removed, or two neighbours swapped."""
    if first == second or abs(len(first) - len(second)) > 1:
        return False
    if len(first) == len(second):
        diff = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and first[diff[0]] == second[diff[1]] and first[diff[1]] == second[diff[0]])
    short, long = sorted((first, second), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _ref(text: str) -> str:
    return text.strip().lstrip("#").casefold()


def _unique(orders: list[Order]) -> list[Order]:
    return list({order.order_id: order for order in orders}.values())


def decide(request: RequestFacts, orders: Sequence[Order], policy: Policy) -> Decision:
    """The decision on one request, given the candidate orders the caller found."""
    if request.authentication == "fail":
        return _held(request, policy, None, "identity", "authentication_failed")
    if request.authentication in ("unknown", "none") and policy.unknown_authentication == "needs_info":
        return _held(request, policy, None, "identity", "authentication_unknown")
    near = near_miss(request, orders)
    if near is not None:
        return _for_staff(request, policy, None, "order_near_miss", written=near[0], meant=near[1])
    order, problem = match_order(request, orders)
    if order is None:
        return _held(request, policy, None, "order_reference", problem or "no_order")
    if not same_address(request.sender, order.customer_email):
        return _held(request, policy, order, "identity", "sender_not_customer")
    if request.reason == UNCLEAR:
        likeliest = " or ".join(request.reason_candidates[:2])
        return _for_staff(request, policy, order, "reason_unclear",
                          likeliest=f": the likeliest are {likeliest}" if likeliest else "")
    calendar = None
    if policy.extend_windows_to_business_day:
        calendar = holiday_calendar(policy.holiday_country, policy.holiday_subdivision)
    case = Case.for_order(request, order, policy.facts, policy.timezone, calendar)
    evaluated = _evaluate(policy.rules, case)
    trace = tuple(result for _, _, result in evaluated)
    effects = [result.effect for result in trace]
    outcome = next((effect for effect in PRECEDENCE if effect in effects), "review")
    if outcome == "redirect":
        return _redirected(request, policy, order, evaluated)
    settlement = _settle(evaluated, order) if outcome in ("approve", "review") else None
    missing = [
        rule.missing for rule, _, r in evaluated if r.effect == "needs_info" and rule.missing
    ]
    return Decision(
        outcome=outcome,
        refund_amount=settlement.refund if settlement else None,
        fee=settlement.fee if settlement else None,
        considered_amount=settlement.considered if settlement else None,
        currency=order.currency,
        order_id=order.order_id,
        trace=trace,
        missing=tuple(dict.fromkeys(missing)) if outcome == "needs_info" else (),
        policy_name=policy.name,
        policy_version=policy.version,
        response_deadline=response_deadline(request.received_at, policy),
        note=None if set(effects) & set(PRECEDENCE) else NOTES["no_grant"],
    )


def _evaluate(rules: Sequence[Rule], case: Case) -> list[tuple[Rule, Finding, RuleResult]]:
    """Every rule in policy order; a lookup's result is visible to the rules after it."""
    evaluated = []
    for rule in rules:
        finding, effect = rule.evaluate(case)
        if finding.verdict == "hit" and finding.sets:
            case = case.with_derived(*finding.sets)
        result = RuleResult(
            rule.id, rule.clause, finding.verdict, finding.code, finding.facts, effect, rule.note
        )
        evaluated.append((rule, finding, result))
    return evaluated


def _settle(evaluated: list[tuple[Rule, Finding, RuleResult]], order: Order) -> Settlement | None:
    """The amounts, or None when an amount rule that applies could not read its facts."""
    applied = [
        f for rule, f, _ in evaluated if rule.check.affects_amount and f.verdict != "skipped"
    ]
    if any(finding.verdict != "hit" for finding in applied):
        return None
    bases = [f.base_amount for f in applied if f.base_amount is not None]
    fractions = tuple(f.fraction for f in applied if f.fraction is not None)
    # Fees restated in several sections of a policy are one fee, not a sum: the highest applies.
    percents = [f.withhold_percent for f in applied if f.withhold_percent is not None]
    withheld = max(percents, default=Decimal(0))
    # A refund defined by several clauses: the lowest share applies (the customer is owed that).
    refunds = [f.refund_percent for f in applied if f.refund_percent is not None]
    base = bases[-1] if bases else order.amount
    return settle(base, fractions, withheld, order.currency, min(refunds, default=None))


def _for_staff(request: RequestFacts, policy: Policy, order: Order | None, code: str,
               **words: str) -> Decision:
    """A review decision taken before any rule: what intake read needs a person first."""
    trace = tuple(RuleResult(rule.id, rule.clause, "skipped", code) for rule in policy.rules)
    return Decision(
        outcome="review", refund_amount=None, fee=None, considered_amount=None,
        currency=order.currency if order else None, order_id=order.order_id if order else None,
        trace=trace, missing=(), policy_name=policy.name, policy_version=policy.version,
        response_deadline=response_deadline(request.received_at, policy),
        note=_READINGS[code].format(**words),
    )


def _held(
    request: RequestFacts, policy: Policy, order: Order | None, missing: str, why: str
) -> Decision:
    """A needs_info decision taken before any rule: no order, or not the customer asking."""
    code = "identity_unverified" if missing == "identity" else "order_unknown"
    trace = tuple(RuleResult(rule.id, rule.clause, "skipped", code) for rule in policy.rules)
    return Decision(
        outcome="needs_info",
        refund_amount=None,
        fee=None,
        considered_amount=None,
        currency=order.currency if order else None,
        order_id=order.order_id if order else None,
        trace=trace,
        missing=(missing,),
        policy_name=policy.name,
        policy_version=policy.version,
        response_deadline=response_deadline(request.received_at, policy),
        note=NOTES[why],
    )


def _redirected(
    request: RequestFacts,
    policy: Policy,
    order: Order,
    evaluated: list[tuple[Rule, Finding, RuleResult]],
) -> Decision:
    """Not decided: the first redirecting rule names the reply that tells the customer what to do."""
    rule = next(rule for rule, _, result in evaluated if result.effect == "redirect")
    assert rule.reply is not None, "a redirecting rule names its reply (checked at load)"
    return Decision(
        outcome=rule.reply,
        refund_amount=None,
        fee=None,
        considered_amount=None,
        currency=order.currency,
        order_id=order.order_id,
        trace=tuple(result for _, _, result in evaluated),
        missing=(),
        policy_name=policy.name,
        policy_version=policy.version,
        response_deadline=response_deadline(request.received_at, policy),
        note=rule.note,
    )
