"""Facts read from a request's words: language, reason, order references, URLs, authentication."""

from __future__ import annotations

import re

import pytest

from intake.extract import authentication, detect_language, extract, order_refs, reason

PATTERNS = (re.compile(r"\bKRZ-\d{4,}\b"),)


@pytest.mark.parametrize("text, language", [
    ("Hello, I would like a refund for my order please. Thank you", "en"),
    ("Bonjour, je voudrais le remboursement de ma commande. Merci et cordialement", "fr"),
    ("Hallo, ich möchte eine Rückerstattung", "en"),  # unknown language: mailbox default
    ("", "en"),
])
def test_language(text: str, language: str) -> None:
    assert detect_language(text, "en") == language


@pytest.mark.parametrize("text, language, expected", [
    ("I changed my mind about the logo", "en", "change_of_mind"),
    ("I don’t need the website any more", "en", "change_of_mind"),
    ("The order was never received", "en", "non_delivery"),
    ("The product is not as described on your site", "en", "not_as_described"),
    ("Please cancel my subscription, the recurring payment must stop", "en", "cancel_recurring"),
    ("I will open a dispute with my bank (chargeback)", "en", "dispute"),
    ("I am not happy with the quality", "en", "dissatisfied"),
    ("Just a question about invoices", "en", "other"),
    ("Je demande la rétractation de ma commande", "fr", "change_of_mind"),
    ("Ma commande n'a jamais été livrée, toujours pas reçu", "fr", "non_delivery"),
    ("Le service est non conforme à la description", "fr", "not_as_described"),
    ("Je veux annuler l'abonnement et le paiement récurrent", "fr", "cancel_recurring"),
    ("J'ouvre un litige", "fr", "dispute"),
])
def test_reason(text: str, language: str, expected: str) -> None:
    assert reason(text, language, {}) == expected


def test_configured_keywords_add_to_builtin() -> None:
    assert reason("this is no longer required", "en", {"en": {"change_of_mind": ("no longer required",)}}) \
        == "change_of_mind"


def test_order_refs_dedup_and_group() -> None:
    assert order_refs("KRZ-10042 and KRZ-10042, KRZ-20001", PATTERNS) == ("KRZ-10042", "KRZ-20001")
    assert order_refs("order #5567", (re.compile(r"order #(\d+)"),)) == ("5567",)


def test_quoted_text_is_not_the_customers_words() -> None:
    facts = extract("Re: refund", "Thanks!\n> I changed my mind\n> https://old.example/x", PATTERNS, {}, "en")
    assert facts.reason == "other"
    assert facts.urls == ()


def test_urls_found_without_trailing_punctuation() -> None:
    facts = extract("Refund", "My site was https://shop.example.com/home. Thanks", PATTERNS, {}, "en")
    assert facts.urls == ("https://shop.example.com/home",)


OURS = "mx.kreatorz.co.za"


@pytest.mark.parametrize("header, expected", [
    (None, "unknown"),
    ("mx.kreatorz.co.za; spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com", "pass"),
    ("mx.kreatorz.co.za; spf=fail smtp.mailfrom=example.com", "fail"),
    ("mx.kreatorz.co.za; dmarc=fail (p=reject) header.from=example.com", "fail"),
    ("mx.kreatorz.co.za; dkim=pass", "unknown"),
    # only the topmost header is our server's; a forged lower one claiming pass is ignored
    ("mx.kreatorz.co.za; dmarc=fail\nevil.example; dmarc=pass", "fail"),
    # the sender's own header above ours (another id) never counts, whatever it claims
    ("evil.example; dmarc=pass header.from=example.com\nmx.kreatorz.co.za; dmarc=fail", "fail"),
    ("evil.example; dmarc=pass header.from=example.com", "unknown"),
    ("mx.kreatorz.co.za.evil.example; dmarc=pass header.from=example.com", "unknown"),
    # a version after the id is allowed (RFC 8601)
    ("mx.kreatorz.co.za 1; dmarc=pass header.from=example.com", "pass"),
    # a pass for another domain than the sender's is not the sender's pass
    ("mx.kreatorz.co.za; dmarc=pass header.from=evil.example", "fail"),
    ("mx.kreatorz.co.za; dmarc=pass", "fail"),
])
def test_authentication(header: str | None, expected: str) -> None:
    assert authentication(header, OURS, "ann@example.com") == expected


def test_without_an_authserv_id_no_pass_is_trusted_but_a_fail_still_holds() -> None:
    header = f"{OURS}; dmarc=pass header.from=example.com"
    assert authentication(header, None, "ann@example.com") == "unknown"
    assert authentication(f"{OURS}; dmarc=fail header.from=example.com", None, "ann@example.com") == "fail"
    assert authentication(None, None, "ann@example.com") == "unknown"
