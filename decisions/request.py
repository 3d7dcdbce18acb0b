"""A refund request as the decision sees it: the facts intake extracted from one email."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

REASONS = (
    "change_of_mind",
    "dissatisfied",
    "non_delivery",
    "not_as_described",
    "cancel_recurring",
    "dispute",
    "other",
)
# Intake's reading when no reason is clear enough: the decision goes to staff review.
UNCLEAR = "unclear"
# "unknown": our receiving server gave no result ("none" is the older name, still read).
AUTHENTICATION_RESULTS = ("pass", "fail", "unknown", "none")


@dataclass(frozen=True)
class RequestFacts:
    """What one email says, as intake extracted it.

    `received_at` is the server's receipt time (IMAP INTERNALDATE), never the Date header,
    which the sender writes and may forge; windows are counted to this moment.
    """

    received_at: datetime
    sender: str
    reason: str
    language: str = "en"
    order_refs: tuple[str, ...] = ()
    attachment_count: int = 0
    urls: tuple[str, ...] = ()
    authentication: str = "unknown"
    reason_candidates: tuple[str, ...] = ()  # the likeliest reasons when `reason` is unclear

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("received_at must carry a time zone")
        if self.reason not in (*REASONS, UNCLEAR):
            raise ValueError(f"reason must be one of {', '.join(REASONS)}: {self.reason!r}")
        if self.authentication not in AUTHENTICATION_RESULTS:
            raise ValueError(f"authentication must be pass, fail or unknown: {self.authentication!r}")
        if self.attachment_count < 0:
            raise ValueError("attachment_count cannot be negative")

    def to_dict(self) -> dict[str, Any]:
        return {
            "received_at": self.received_at.isoformat(),
            "sender": self.sender,
            "reason": self.reason,
            "language": self.language,
            "order_refs": list(self.order_refs),
            "attachment_count": self.attachment_count,
            "urls": list(self.urls),
            "authentication": self.authentication,
            "reason_candidates": list(self.reason_candidates),
        }
