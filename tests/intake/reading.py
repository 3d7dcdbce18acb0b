"""What staff see first of intake's reason: the reason read, or, when it is `unclear`, the
likeliest of the two candidates named. Whether a reading clears the model's threshold is the
model's calibration, measured by `make bench-understanding` and scripts/train_reasons.py on the
corpus; these tests check that the mess of a mail (negation, quoted history, a relay form) does
not lead the reading to another reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def likeliest(understanding: Mapping[str, Any]) -> str:
    reason = understanding["reason"]
    first = reason["candidates"][0][0]
    assert reason["value"] in (first, "unclear"), reason  # never a reason other than the likeliest
    return str(first)
