"""The shape of a shop's order references, as written in the config (`order_ref_formats`): letters
stand for themselves, `#` for a digit, and `-` `_` `/` `.` separate groups (e.g. KRZ-##-####)."""

from __future__ import annotations

import re

GROUP = re.compile(r"[A-Za-z]+|#+")


def check_format(canonical: str) -> str | None:
    """Why a configured format cannot be used, or None."""
    groups = GROUP.findall(canonical)
    if not any(g[0] == "#" for g in groups):
        return f"{canonical!r} has no digits (write each digit as #, e.g. KRZ-##-####)"
    if GROUP.sub("", canonical).strip(" -_/."):
        return f"{canonical!r}: only letters, # for digits and the separators - _ / . are allowed"
    return None
