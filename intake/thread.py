"""Find the request a message belongs to: by In-Reply-To/References, else a [R-000123] token."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.parse import ParsedMessage
from refund_intake.models import Message, Request

TOKEN = re.compile(r"\[(R-\d{6,})\]")


def reference_for(request_id: int) -> str:
    return f"R-{request_id:06d}"


def find_thread(session: Session, mailbox: str, parsed: ParsedMessage) -> tuple[Request | None, str]:
    ids = [i for i in (parsed.in_reply_to, *reversed(parsed.references)) if i]
    if ids:
        known = session.execute(
            select(Message.request_id, Message.message_id)
            .where(Message.mailbox == mailbox, Message.message_id.in_(ids),
                   Message.request_id.is_not(None))
        ).all()
        by_id = {message_id: request_id for request_id, message_id in known}
        for message_id in ids:
            if message_id in by_id:
                return session.get(Request, by_id[message_id]), f"header {message_id}"
    match = TOKEN.search(parsed.subject)
    if match:
        request = session.scalar(
            select(Request).where(Request.mailbox == mailbox, Request.reference == match.group(1))
        )
        if request is not None:
            return request, f"subject token [{match.group(1)}]"
    return None, "no thread header or token matched"

