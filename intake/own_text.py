"""The customer's own new text: what they say now, apart from quoted history and footers.

mail-parser-reply (maintained, many languages) splits a body into replies at the quote
headers of the common clients ("On ... wrote:", "Am ... schrieb", Outlook "From: / Sent:"
blocks, "-----Original Message-----") and cuts signatures. The patterns below add what it
lacks for this product's customers: quote headers in Afrikaans, isiZulu, Vietnamese and
Portuguese, forwarded-message notices, mobile footers and legal disclaimers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from mailparser_reply.parser import EmailMessage

_PARSER_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "ko", "ja", "zh")
MAX_CHARS = 6000  # the start of the body holds the new text; the rest is history or footers

# A line that starts what is not the customer's new text; everything from it on is cut.
_CUT = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*(?:original message|forwarded message|weitergeleitete nachricht|message transf[ée]r[ée]"
    r"|mensaje (?:original|reenviado)|messaggio (?:originale|inoltrato)|mensagem (?:original|encaminhada)"
    r"|oorspronkelijk bericht|doorgestuurd bericht|oorspronklike boodskap|aangestuurde boodskap"
    r"|tin nhắn (?:gốc|chuyển tiếp)|원본 메시지|전달된 메시지)\s*-*"
    r"|begin forwarded message:|d[ée]but du message r[ée]exp[ée]di[ée]\s*:"
    r"|op .{4,80}(?:het|skryf) .{0,80}(?:geskryf|skryf)\s*:"            # Afrikaans
    r"|ngo .{4,80} wabhala\s*:|.{4,80} wabhala\s*:"                       # isiZulu
    r"|vào .{4,80} đã viết\s*:|.{4,80} đã viết\s*:"                       # Vietnamese
    r"|em .{4,80} escreveu\s*:|.{4,80} escreveu\s*:"                      # Portuguese
    r"|.{4,120}(?:님이 작성|님이 씀|작성:|wrote|schrieb|a écrit|escribió|scritto|schreef)\s*:"
    r"|(?:from|von|de|van|da|từ|보낸 사람|发件人|差出人)\s*:.{0,200}\n\s*(?:sent|gesendet|envoy[ée]|enviado"
    r"|verzonden|inviato|gestuur|đã gửi|보낸 날짜|发送时间|送信日時|date|datum)\s*:"
    r")", re.IGNORECASE | re.MULTILINE)
_QUOTED = re.compile(r"^[ \t]*>.*(?:\n|$)", re.MULTILINE)
# Lines that are footers, not words to the shop: dropped wherever they stand.
_FOOTER = re.compile(
    r"^\s*(?:sent from my|sent from (?:outlook|yahoo|mail)|get outlook for|von meinem .{1,30} gesendet"
    r"|envoy[ée] de mon|enviado desde mi|inviato da(?:l mio)?|verzonden (?:met|vanaf) mijn"
    r"|gestuur vanaf my|gestuur van my|enviado do meu|được gửi từ|iphone에서 보냄|galaxy에서 보냄"
    r"|android에서 보냄|从我的|iphoneから送信|thumela nge)\b.*$", re.IGNORECASE | re.MULTILINE)
_DISCLAIMER = re.compile(
    r"^[^\n]{0,40}(?:this (?:e-?mail|message)(?: and any attachments?)? (?:is|are|may be) (?:confidential|intended)"
    r"|confidentiality notice|disclaimer:|vertraulichkeitshinweis|diese e-mail (?:enthält|ist) vertraulich"
    r"|ce (?:courriel|message|mail) (?:et ses pièces jointes )?(?:est|sont) (?:confidentiel|strictement)"
    r"|avis de confidentialité|este (?:correo|mensaje) (?:es|y sus anexos) confidencial"
    r"|hierdie e-pos (?:is|en) vertroulik|vrywaring:|이 메일은 .{0,30}(?:기밀|비밀)|本邮件.{0,20}保密"
    r"|questo messaggio .{0,40}riservat|dit bericht is (?:vertrouwelijk|uitsluitend)"
    r"|esta mensagem .{0,40}confidencial).*", re.IGNORECASE | re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class OwnText:
    text: str  # what the customer says now
    removed: tuple[str, ...]  # what was set apart: quoted_history, signature, footer, disclaimer


def own_text(text: str) -> OwnText:
    """The new text of a body; the whole body when cutting would leave nothing."""
    removed: list[str] = []
    body = text.replace("\r\n", "\n")[:MAX_CHARS]
    cut = _CUT.search(body)
    if cut is not None and body[:cut.start()].strip():
        body = body[:cut.start()]
        removed.append("quoted_history")
    body, count = _QUOTED.subn("", body)
    if count and "quoted_history" not in removed:
        removed.append("quoted_history")
    body = _removed(_FOOTER, body, "footer", removed)
    body = _removed(_DISCLAIMER, body, "disclaimer", removed)
    reply = _latest_reply(body)
    if reply is not None and reply.strip() and len(reply.strip()) < len(body.strip()):
        body = reply
        removed.append("signature")
    if not body.strip():
        return OwnText(text.strip(), ())
    return OwnText(body.strip(), tuple(removed))


def _removed(pattern: re.Pattern[str], body: str, kind: str, removed: list[str]) -> str:
    cleaned, count = pattern.subn("", body)
    if count and cleaned.strip():
        removed.append(kind)
        return cleaned
    return body


def _latest_reply(body: str) -> str | None:
    try:
        message = EmailMessage(body, list(_PARSER_LANGUAGES), **_compiled()).read()
    except Exception:  # noqa: BLE001 - a library failure leaves the text as it is
        return None
    return message.replies[0].body if message.replies else None


@cache
def _compiled() -> dict[str, re.Pattern[str]]:
    """The library's patterns, built once per process rather than for each message."""
    model = EmailMessage("", list(_PARSER_LANGUAGES))
    return {"_header_regex": model.HEADER_REGEX, "_disclaimers_regex": model.DISCLAIMERS_REGEX,
            "_signature_regex": model.SIGNATURE_REGEX}
