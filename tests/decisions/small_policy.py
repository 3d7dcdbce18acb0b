"""The TOML text of a small policy, "shop", for the tests of how policy files are read, checked
and tested; each test gives only the facts and rules it is about."""

from __future__ import annotations

POLICY_TABLE = """\
[policy]
name = "shop"
version = "1"
effective_date = 2024-01-01
timezone = "Europe/Paris"
holiday_country = "FR"
response_business_days = 2
channel = "refunds@example.com"
"""

# A change of mind is refunded within 14 calendar days of delivery, and refused after.
FOURTEEN_DAYS = """
[[rules]]
id = "fourteen-days"
kind = "window"
when = { reason = ["change_of_mind"] }
anchor = "delivered_at"
days = 14
effect = "approve"
otherwise = "deny"
clause = "You may return an item within 14 days of delivery."
"""


def small_policy(facts: str, rules: str = "", *, settings: str = "") -> str:
    """Policy "shop" (Paris, French holidays, two business days to answer) with `facts` as the
    lines of its [facts] table and `rules` after it; `settings` are more lines for [policy]."""
    policy = POLICY_TABLE + (settings.strip() + "\n" if settings.strip() else "")
    return f"{policy}\n[facts]\n{facts.strip()}\n{rules}"
