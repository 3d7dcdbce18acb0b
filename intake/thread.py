"""Find the request a message belongs to: by In-Reply-To/References, else a [R-000123] token."""

from __future__ import annotations

import re
from collections.abc import Callable

from base.models import Request
from intake.parse import ParsedMessage

TOKEN = re.compile(r"\[(R-\d{6,})\]")
Lookup = Callable[[str], Request | None]


_TYPED = re.compile(r"(?:R-?)?0*(\d{1,12})", re.IGNORECASE)


def reference_for(request_id: int) -> str:
    return f"R-{request_id:06d}"


def typed_reference(text: str) -> str:
    """What a person types for a request (`5`, `r-5`, `R-000005`) as its reference, R-000005;
    anything else as typed, upper-cased, so that the lookup fails with it named."""
    match = _TYPED.fullmatch(text.strip())
    return reference_for(int(match.group(1))) if match else text.strip().upper()


def thread_ids(parsed: ParsedMessage) -> list[str]:
    """The Message-IDs a message answers, the one it replies to first, then its References newest first."""
    return [i for i in (parsed.in_reply_to, *reversed(parsed.references)) if i]


def subject_token(parsed: ParsedMessage) -> str | None:
    match = TOKEN.search(parsed.subject)
    return match.group(1) if match else None


def find_thread(parsed: ParsedMessage, by_message_id: Lookup,
                by_reference: Lookup) -> tuple[Request | None, str]:
    for message_id in thread_ids(parsed):
        request = by_message_id(message_id)
        if request is not None:
            return request, f"header {message_id}"
    token = subject_token(parsed)
    if token:
        request = by_reference(token)
        if request is not None:
            return request, f"subject token [{token}]"
    return None, "no thread header or token matched"
