"""Explaining a decision in plain words, as staff read it, quoting the clauses behind it."""

from collections.abc import Mapping
from textwrap import fill, indent

from decisions.decision import Decision, RuleResult

_OUTCOMES = {
    "approve": "approve",
    "deny": "deny",
    "review": "staff review (discretion)",
    "needs_info": "ask the customer for more information",
    "cancel_in_app": "not decided: tell the customer how to cancel in the app",
}
_EFFECTS = {
    "approve": "grants a refund",
    "deny": "denies",
    "review": "sends to staff review",
    "needs_info": "asks for information",
    "redirect": "answers with instructions instead of a decision",
}
_MISSING = {
    "order_reference": "which order the request is about",
    "identity": "proof that the customer is the one asking",
    "url": "the URL where the service was in use",
    "evidence": "evidence (an attachment)",
}
_FINDINGS = {
    "inside_window": "{measured}, on or before the last day, {last_day}",
    "outside_window": "{measured}, after the last day, {last_day}",
    "recorded": "the order records it",
    "not_recorded": "the order does not record it",
    "refund_percent": "{percent}% of the amount is refunded; the rest is the fee",
    "url_present": "the email gives a URL",
    "url_missing": "the email gives no URL",
    "evidence_present": "the email has {attachment_count} attachment(s)",
    "evidence_missing": "the email has no attachment",
    "prorated": "{refundable_fraction} of the amount stays refundable",
    "share": "{refundable_percent}% of the amount is refundable",
    "withheld": "{percent}% is withheld as the fee",
    "base_amount": "the amount starts from the recorded payment",
    "found_in_table": "listed in the table",
    "not_in_table": "not listed in the table",
    "fact_invalid": "cannot read {problem}",
    "applies": "applies to this request",
    "fact_matches": "the order's record matches",
    "fact_differs": "the order's record does not match",
}
_AMOUNT_CODES = ("prorated", "share", "withheld", "refund_percent", "base_amount")
_HELD_CODES = ("identity_unverified", "order_unknown", "reason_unclear", "order_near_miss")


def explain(decision: Decision) -> str:
    """The decision as a few short paragraphs of plain text."""
    lines = [_headline(decision), _about(decision)]
    if decision.missing:
        wanted = "; ".join(_MISSING.get(item, item) for item in decision.missing)
        lines.append(f"Missing: {wanted}.")
    if decision.note:
        lines.append(f"Note: {decision.note}")
    trace = decision.trace
    if any(result.code in _HELD_CODES for result in trace):
        return "\n".join([*lines, "", "No rule was run: that comes once this is resolved."]) + "\n"
    why = [r for r in trace if r.effect != "none"]
    amount = [
        r for r in trace if r.effect == "none" and r.verdict == "hit" and r.code in _AMOUNT_CODES
    ]
    checked = [r for r in trace if r.verdict != "skipped" and r not in why and r not in amount]
    skipped = [r.rule for r in trace if r.verdict == "skipped"]
    for title, results in (("Why:", why), ("Amount:", amount)):
        if results:
            lines += ["", title] + [_quoted(result) for result in results]
    if sum(result.code == "withheld" for result in amount) > 1:
        lines.append("  (Fees restated in several clauses are one fee: the highest applies.)")
    if checked:
        lines += ["", "Also checked, without effect:"] + [f"- {_short(r)}" for r in checked]
    if skipped:
        lines += [
            "",
            fill("Not applicable: " + ", ".join(skipped) + ".", 88, break_on_hyphens=False),
        ]
    return "\n".join(lines) + "\n"


def _headline(decision: Decision) -> str:
    outcome = _OUTCOMES.get(decision.outcome, decision.outcome)
    if decision.refund_amount is None:
        return f"Outcome: {outcome}."
    label = "proposed refund" if decision.outcome == "review" else "refund"
    return (
        f"Outcome: {outcome}: {label} {decision.refund_amount} {decision.currency} "
        f"(fee {decision.fee} of {decision.considered_amount} considered)."
    )


def _about(decision: Decision) -> str:
    order = f"Order {decision.order_id}" if decision.order_id else "Order not identified"
    return (
        f"{order}; policy {decision.policy_name} version {decision.policy_version}; "
        f"answer by {decision.response_deadline.isoformat()}."
    )


def _quoted(result: RuleResult) -> str:
    """A rule that shaped the outcome or the amount, with its clause and the facts it read."""
    effect = f" {_EFFECTS[result.effect]}:" if result.effect in _EFFECTS else ""
    text = [f"- {result.rule}:{effect} {_sentence(result)}."]
    text.append(indent(fill(f'"{result.clause}"', 84), "    "))
    if result.facts:
        text.append(indent(fill(f"Facts: {_listing(result.facts)}.", 84), "    "))
    if result.note:
        text.append(indent(fill(f"Note: {result.note}", 84), "    "))
    return "\n".join(text)


def _short(result: RuleResult) -> str:
    facts = f" ({_listing(result.facts)})" if result.facts else ""
    return f"{result.rule}: {_sentence(result)}{facts}."


def _sentence(result: RuleResult) -> str:
    """One phrase for the result's reason code, naming what it found."""
    if result.code == "fact_unknown":
        unknown = ", ".join(name for name, value in result.facts.items() if value == "unknown")
        return f"not known: {unknown}"
    if result.code == "condition_unknown":
        return "cannot tell whether this rule applies"
    template = _FINDINGS.get(result.code, result.code.replace("_", " "))
    if "deadline" in result.facts:  # a window that closes hours before an event
        ahead = "at or before" if result.code == "inside_window" else "after"
        return f"{_measured(result.facts)}, {ahead} the deadline, {result.facts['deadline']}"
    return template.format_map(_Blank({**result.facts, "measured": _measured(result.facts)}))


def _measured(facts: Mapping[str, str]) -> str:
    """What a window measured: the receipt time, or the order's fact named by `until`."""
    if "received_at" in facts:
        return f"received {facts['received_at']}"
    name = facts.get("measured_to", "")
    return f"{name} {facts.get(name, '')}".strip() or "measured"


def _listing(facts: Mapping[str, str]) -> str:
    return ", ".join(f"{name} = {value}" for name, value in facts.items())


class _Blank(dict[str, str]):
    """Formatting values that leaves a missing fact visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return f"<{key}?>"
