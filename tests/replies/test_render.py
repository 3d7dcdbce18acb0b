"""Templates: both languages render, values are formatted by babel, customer text stays inert."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from base.errors import ConfigError
from replies.context import quote, sample_context
from replies.render import (
    KINDS,
    TEMPLATES_DIR,
    html_from_text,
    long_date,
    moment,
    money,
    pick_language,
    render,
)
from replies.template_check import check_templates

HOSTILE = ("{{ config }} {{ 7*7 }} {% for c in ''.__class__.__mro__ %}{{ c }}{% endfor %}\n"
           "<script>alert(1)</script> <img src=x onerror=alert(2)>")


def test_the_shipped_templates_pass_the_start_up_check() -> None:
    check_templates(TEMPLATES_DIR)


@pytest.mark.parametrize("language", ["en", "fr", "de", "es"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_text_and_html(kind: str, language: str) -> None:
    rendered = render(kind, language, sample_context(language), "Re: Sample [R-000123]")
    assert "accounts@example.com" in rendered.text
    if kind != "wrong_channel":  # a message that is not a request gets no reference
        assert "R-000" in rendered.text
    assert "None" not in rendered.text and "\n\n\n" not in rendered.text
    assert rendered.html.startswith("<!DOCTYPE html>") and f'<html lang="{language}">' in rendered.html
    assert "<title>Re: Sample [R-000123]</title>" in rendered.html


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "ZAR3,600.00"),
    ("fr", "3\u202f600,00\xa0ZAR"),
])
def test_money_is_formatted_for_the_language(language: str, expected: str) -> None:
    assert money(Decimal("3600.00"), "ZAR", language) == expected
    assert money(None, "ZAR", language) == "" and money(Decimal(1), None, language) == ""


def test_dates_and_receipt_times_in_the_customer_language() -> None:
    assert long_date(date(2026, 11, 5), "en") == "November 5, 2026"
    assert long_date(date(2026, 11, 5), "fr") == "5 novembre 2026"
    received = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)
    zone = ZoneInfo("Africa/Johannesburg")
    assert moment(received, zone, "en") == "November 2, 2026, 9:30\u202fAM (South Africa Standard Time)"
    assert moment(received, zone, "fr") == "2 novembre 2026, 09:30 (heure normale d’Afrique méridionale)"


@pytest.mark.parametrize("language", ["en", "fr", "de", "es"])
def test_amounts_land_in_the_approve_reply(language: str) -> None:
    text = render("approve", language, sample_context(language), "S").text
    assert money(Decimal(3600), "ZAR", language) in text
    assert money(Decimal(900), "ZAR", language) in text


@pytest.mark.parametrize("kind", KINDS)
def test_customer_words_are_data_never_template_code(kind: str) -> None:
    context = sample_context("en") | {"customer_name": HOSTILE.splitlines()[0], "subject": HOSTILE,
                                      "quoted": quote(HOSTILE)}
    rendered = render(kind, "en", context, HOSTILE)
    assert "> {{ config }} {{ 7*7 }} {% for c in ''.__class__.__mro__ %}" in rendered.text
    assert "49" not in rendered.text and "<class" not in rendered.text
    assert "<script>" not in rendered.html and "<img" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;" in rendered.html
    assert "{{ 7*7 }}" in rendered.html


def test_html_is_made_from_the_final_text() -> None:
    html = html_from_text("Hello <b>you</b>,\n\nline one\nline two\n\n> quoted <i>\n>\n> more\n", "en", "T")
    assert "<p style=\"margin:0 0 1em;\">Hello &lt;b&gt;you&lt;/b&gt;,</p>" in html
    assert "line one<br>line two</p>" in html
    assert "quoted &lt;i&gt;<br><br>more</blockquote>" in html


def test_language_falls_back_to_the_mailbox_then_english() -> None:
    assert pick_language("fr", "en") == "fr"
    assert pick_language("vi", "fr") == "fr"
    assert pick_language(None, "vi") == "en"
    assert pick_language("../en", "en") == "en"


def broken_copy(tmp_path: Path, name: str, text: str | None) -> Path:
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, copy)
    if text is None:
        (copy / name).unlink()
    else:
        (copy / name).write_text(text)
    return copy


def test_an_undefined_variable_is_named_with_its_template_and_line(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path, "fr/deny.txt.j2", "Bonjour,\n\nVous recevrez {{ amout }}.\n")
    with pytest.raises(ConfigError, match=r"fr/deny\.txt\.j2 line 3: 'amout' is undefined"):
        check_templates(copy)


def test_a_variable_used_only_in_a_rare_branch_is_still_caught(tmp_path: Path) -> None:
    text = "Hello,\n{% if not order_id %}\nWe need {{ order_number }}.\n{% endif %}\n"
    copy = broken_copy(tmp_path, "en/needs_info.txt.j2", text)
    with pytest.raises(ConfigError, match=r"en/needs_info\.txt\.j2 line 3: 'order_number' is undefined"):
        check_templates(copy)


def test_a_missing_template_or_bad_syntax_is_named(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path, "fr/dispute.txt.j2", None)
    (copy / "en" / "review.txt.j2").write_text("Hello {% if reference %}\n")
    with pytest.raises(ConfigError) as caught:
        check_templates(copy)
    assert "fr/dispute.txt.j2: missing" in str(caught.value)
    assert "en/review.txt.j2 line 1: Unexpected end of template" in str(caught.value)


def test_templates_cannot_reach_python_internals(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path, "en/review.txt.j2", "{{ reference.__class__.__mro__ }}\n")
    with pytest.raises(ConfigError, match=r"en/review\.txt\.j2.*(unsafe|__class__)"):
        check_templates(copy)
