"""Render reply templates: a sandboxed Jinja2, strict about variables, escaping all HTML.

The customer's words only ever reach a template as values. Nothing a customer (or a staff
member editing a draft) writes is compiled as template code, so `{{ 7*7 }}` in an email comes
back as those seven characters. The HTML part is made from the final text by escaping it into
paragraphs, so what staff approve is exactly what both parts say.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name
from babel.numbers import format_currency
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.exceptions import TemplateNotFound, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from base.errors import ConfigError
from base.resources import folder

TEMPLATES_DIR = folder("templates")
KINDS = ("acknowledgement", "approve", "deny", "review", "needs_info", "wrong_channel",
         "duplicate", "dispute", "cancel_in_app")
FALLBACK_LANGUAGE = "en"
QUOTE_PREFIX = ">"
_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")  # a template's skipped branch leaves extra blank lines


@dataclass(frozen=True)
class Rendered:
    text: str
    html: str


@lru_cache(maxsize=8)
def environment(templates_dir: Path = TEMPLATES_DIR) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_dir)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True,
                                     default=False),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
    )


def languages(templates_dir: Path = TEMPLATES_DIR) -> tuple[str, ...]:
    """The languages with a template folder (two-letter names only: never a path)."""
    return tuple(sorted(p.name for p in templates_dir.iterdir()
                        if p.is_dir() and len(p.name) == 2 and p.name.isalpha() and p.name.islower()))


def pick_language(wanted: str | None, default: str, templates_dir: Path = TEMPLATES_DIR) -> str:
    """The customer's language if we have templates for it, else the mailbox's, else English."""
    available = languages(templates_dir)
    for language in ((wanted or "").lower()[:2], default.lower()[:2], FALLBACK_LANGUAGE):
        if language in available:
            return language
    raise ConfigError(f"{templates_dir}: no templates for {wanted!r}, {default!r} or {FALLBACK_LANGUAGE!r}")


def language_note(wanted: str | None, default: str, templates_dir: Path = TEMPLATES_DIR) -> str | None:
    """For staff, when the replies cannot be in the customer's language: which one they are in."""
    customer = (wanted or "").lower()[:2]
    chosen = pick_language(wanted, default, templates_dir)
    if not customer or customer == chosen:
        return None
    return (f"the customer wrote in {customer}; there are no {customer} reply templates, "
            f"so replies go out in {chosen}")


def render(kind: str, language: str, context: Mapping[str, Any], title: str,
           templates_dir: Path = TEMPLATES_DIR) -> Rendered:
    """The text part from the kind's template, and the HTML part made from that text."""
    if kind not in KINDS:
        raise ValueError(f"unknown reply kind {kind!r}")
    text = _render(templates_dir, f"{language}/{kind}.txt.j2", context)
    text = _BLANK_RUNS.sub("\n\n", text).strip() + "\n"
    return Rendered(text, html_from_text(text, language, title, templates_dir))


def html_from_text(text: str, language: str, title: str,
                   templates_dir: Path = TEMPLATES_DIR) -> str:
    """The language's HTML layout around the text, as escaped paragraphs and quotes."""
    return _render(templates_dir, f"{language}/layout.html.j2",
                   {"language": language, "title": title, "blocks": text_blocks(text)})


def text_blocks(text: str) -> list[dict[str, Any]]:
    """Paragraphs (split on blank lines); a paragraph of `>` lines is a quote."""
    blocks: list[dict[str, Any]] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = chunk.strip("\n").split("\n")
        if not any(line.strip() for line in lines):
            continue
        quote = all(line.startswith(QUOTE_PREFIX) for line in lines)
        if quote:
            lines = [line[1:].removeprefix(" ") for line in lines]
        blocks.append({"quote": quote, "lines": lines})
    return blocks


def _render(templates_dir: Path, name: str, context: Mapping[str, Any]) -> str:
    try:
        return environment(templates_dir).get_template(name).render(context)
    except TemplateNotFound as exc:
        raise ConfigError(f"template {templates_dir / name}: missing") from exc
    except TemplateSyntaxError as exc:
        raise ConfigError(f"template {templates_dir / name} line {exc.lineno}: {exc.message}") from exc
    except TemplateError as exc:  # undefined variable, sandbox refusal, bad filter
        raise ConfigError(f"template {templates_dir / name}{_line(exc)}: {exc.message}") from exc


def _line(exc: BaseException) -> str:
    """The template line where rendering failed (Jinja puts template frames in the traceback)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return f" line {frame.lineno}"
    return ""


# -- values formatted for the customer's language ------------------------------------------------

def money(amount: Decimal | None, currency: str | None, language: str) -> str:
    if amount is None or not currency:
        return ""
    return format_currency(amount, currency, locale=language)


def long_date(day: date | None, language: str) -> str:
    return format_date(day, "long", locale=language) if day is not None else ""


def moment(when: datetime | None, zone: ZoneInfo, language: str) -> str:
    """A point in time as the shop's clock showed it, e.g. "2 novembre 2026, 09:00 (heure ...)"."""
    if when is None:
        return ""
    local = when.astimezone(zone)
    return (f"{format_date(local, 'long', locale=language)}, "
            f"{format_time(local, 'short', locale=language)} "
            f"({get_timezone_name(local, locale=language)})")
