"""The understanding step's parts, table by table: own text, language, order references, reasons."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from decisions.decide import one_character_apart
from decisions.reference_format import check_format
from intake.language import detect_language
from intake.own_text import own_text
from intake.reasons import classify, lexicon_hits
from intake.references import find_references
from intake.understand import Hints, bare_subject, understand

FORMATS = ("KRZ-##-####", "KJ-#######", "CMD-####-#####", "########-#######")


@pytest.mark.parametrize("body, kept, gone", [
    ("I want to cancel.\n\nOn Mon, 3 Nov 2026 at 10:12, Kreatorz <a@k.example> wrote:\n> Your logo is ready",
     "I want to cancel.", "logo is ready"),
    ("Nie ontvang nie.\n\nOp Ma. 3 Nov. 2026 om 10:12 het Kreatorz <a@k.example> geskryf:\n> Ons stuur dit",
     "Nie ontvang nie.", "Ons stuur"),
    ("Chưa nhận được.\n\nVào 10:12 Th 2, 3 thg 11, 2026 Kajet <c@kajet.example> đã viết:\nĐơn đã gửi",
     "Chưa nhận được.", "Đơn đã gửi"),
    ("Still nothing.\n\nFrom: Kreatorz Accounts <accounts@kreatorz.example>\nSent: Monday, 3 November 2026 10:12\n"
     "To: me\nSubject: Your subscription\n\nThanks for subscribing", "Still nothing.", "subscribing"),
    ("Please refund.\n\nSent from my iPhone", "Please refund.", "iPhone"),
    ("Bitte erstatten.\n\nVon meinem iPhone gesendet", "Bitte erstatten.", "iPhone"),
    ("환불 부탁드립니다.\n\niPhone에서 보냄", "환불 부탁드립니다.", "iPhone"),
    ("Please refund the deposit.\n\nThis email and any attachments are confidential and intended solely "
     "for the addressee. If you are not the intended recipient, do not dispute or disclose it.",
     "Please refund the deposit.", "dispute"),
    ("My bank reversed it, see below.\n\n---------- Forwarded message ---------\nFrom: FNB <alerts@fnb.example>\n"
     "Your monthly debit order was stopped", "My bank reversed it", "debit order"),
    ("New submission from the contact form\n\nName: Sam Peters\nEmail: sam@example.com\nTopic: Refunds\n\n"
     "Message:\nThe site went live with the wrong prices.", "wrong prices", "Topic"),
    ("Nouvelle demande via le formulaire\nNom : Léa Martin\nCommande : CMD-2026-00412\n"
     "Message : Le colis n'est jamais arrivé.", "jamais arrivé", "Léa Martin"),
])
def test_own_text_sets_apart_what_the_customer_did_not_write_now(body: str, kept: str, gone: str) -> None:
    own = own_text(body)
    assert kept in own.text
    assert gone not in own.text
    assert own.removed


def test_a_message_label_without_form_fields_before_it_cuts_nothing() -> None:
    """"Message:" alone is the customer's own wording, not a form."""
    body = "Hello,\nMessage: I never got the parcel, please refund me."
    assert own_text(body).text == body


def test_own_text_of_a_fully_quoted_body_is_the_body() -> None:
    """Nothing new above the quote: the whole body stays rather than nothing."""
    assert "cancel" in own_text("> I want to cancel").text


@pytest.mark.parametrize("text, code", [
    ("Goeie môre, ons het nog niks ontvang nie en die webwerf is steeds nie klaar nie.", "af"),
    ("Sawubona, ngicela ukubuyiselwa imali yami ngoba umsebenzi awukaqali.", "zu"),
    ("안녕하세요. 로고 시안이 아직도 도착하지 않았습니다. 환불 부탁드립니다.", "ko"),
    ("Chào shop, mình chưa nhận được hàng, mong shop hoàn tiền giúp mình.", "vi"),
    ("Guten Tag, ich habe die Lieferung bis heute nicht erhalten und bitte um Erstattung.", "de"),
    ("Hola, todavía no he recibido nada y quiero que me devuelvan el dinero.", "es"),
    ("Bonjour, je n'ai toujours rien reçu, merci de me rembourser la commande.", "fr"),
    ("你好，我到现在还没有收到任何交付，请给我退款。", "zh"),
    ("注文した商品がまだ届いていません。返金をお願いします。", "ja"),
])
def test_language_of_customers(text: str, code: str) -> None:
    guess = detect_language(text, "en")
    assert guess.code == code
    assert guess.confidence >= 0.6


@pytest.mark.parametrize("text", ["Ok", "Thanks!", "KRZ-26-0099", "Danke", ""])
def test_short_text_gives_the_mailbox_language_with_a_low_confidence(text: str) -> None:
    guess = detect_language(text, "fr")
    assert (guess.code, guess.confidence <= 0.3) == ("fr", True)


@pytest.mark.parametrize("written, canonical", [
    ("krz-26-0099", "KRZ-26-0099"), ("KRZ 26 0099", "KRZ-26-0099"), ("krz26 0099", "KRZ-26-0099"),
    ("KRZ26-0099", "KRZ-26-0099"), ("#KJ 1234567", "KJ-1234567"), ("order no. kj1234567", "KJ-1234567"),
    ("commande n° CMD 2026-00412", "CMD-2026-00412"), ("cmd 2026 00412", "CMD-2026-00412"),
    ("주문번호 20261105 0000123", "20261105-0000123"), ("202611050000123", "20261105-0000123"),
    ("注文番号：ＫＪ－５０２９９１４", "KJ-5029914"), ("（ＫＪ\u2212５０２９９１４）", "KJ-5029914"),
    ("KRZ\u201326\u20130099", "KRZ-26-0099"), ("order no. 2290174", "KJ-2290174"),
    ("bestelling 7734015", "KJ-7734015"), ("commande n° 2026-00412", "CMD-2026-00412"),
])
def test_reference_variants_are_canonical(written: str, canonical: str) -> None:
    assert find_references(f"Please look at {written}, thanks", FORMATS).refs == (canonical,)


@pytest.mark.parametrize("text", [
    "Invoice INV-26-0099 attached", "tracking number 202611050000999", "bank reference 20261105 0000123",
    "my ticket KJ-7654321 is still open", "case no. CMD-2026-00999", "facture CMD 2026 00413",
    "송장 20261105-0000777", "mandate ref KRZ-26-0444",
])
def test_look_alike_numbers_are_not_references(text: str) -> None:
    found = find_references(text, (*FORMATS, "INV-##-####"))
    assert found.refs == ()
    assert found.lookalikes


@pytest.mark.parametrize("text, refs", [
    ("Re: Invoice INV-2026-1187 - logo package (krz 26 0412)", ("KRZ-26-0412",)),  # it names INV-…
    ("the plays on my track showed up in two days (CMD-2026-01124)", ("CMD-2026-01124",)),
    ("j'ai reçu deux confirmations, CMD-2026-00833 et CMD-2026-00834", ("CMD-2026-00833", "CMD-2026-00834")),
    ("ik heb jullie factuur voor de flyers (KRZ-26-0584) twee keer betaald", ("KRZ-26-0584",)),
    ("the tracking number is 202611050000999", ()),
    ("call me on 1234567 after five", ()),
    ("case 2290174, order KJ-1234567", ("KJ-1234567",)),
])
def test_a_look_alike_word_names_only_the_number_just_after_it(text: str, refs: tuple[str, ...]) -> None:
    assert find_references(text, FORMATS).refs == refs


def test_an_order_word_nearer_than_a_look_alike_word_keeps_the_reference() -> None:
    assert find_references("invoice paid, order KRZ-26-0099", FORMATS).refs == ("KRZ-26-0099",)


def test_configured_patterns_still_apply() -> None:
    assert find_references("KRZ-10042 and KRZ-10042, order #5567", (),
                           (re.compile(r"\bKRZ-\d{4,}\b"), re.compile(r"order #(\d+)"))).refs \
        == ("KRZ-10042", "5567")


DEFAULT_PATTERN = re.compile(r"\b[A-Z]{2,6}-\d{3,}\b")  # intake's default order_ref_patterns


@pytest.mark.parametrize("text, refs", [
    ("Commande CMD-2026-00985, merci", ("CMD-2026-00985",)),   # not also its head "CMD-2026"
    ("Aktenzeichen der Bank: 2026-RK-0081127", ()),             # not the tail of the bank's code
    ("order ABC-1234-5", ()),
    ("order ABC-1234.", ("ABC-1234",)),
    ("order ABC-1234/AB", ("ABC-1234",)),
    ("(ABC-1234)", ("ABC-1234",)),
])
def test_a_pattern_does_not_take_part_of_a_longer_code(text: str, refs: tuple[str, ...]) -> None:
    assert find_references(text, ("CMD-####-#####",), (DEFAULT_PATTERN,)).refs == refs


@pytest.mark.parametrize("given_format, ok", [("KRZ-##-####", True), ("KRZ", False), ("KRZ-##-?", False)])
def test_format_check(given_format: str, ok: bool) -> None:
    assert (check_format(given_format) is None) == ok


@given(st.integers(0, 99), st.integers(0, 9999), st.sampled_from(["-", " ", "", "_", " - "]),
       st.sampled_from(["KRZ", "krz", "Krz"]), st.sampled_from(["-", " ", ""]))
def test_any_variant_of_a_reference_is_read_as_the_canonical_one(year: int, number: int, first: str,
                                                                   prefix: str, second: str) -> None:
    written = f"{prefix}{first}{year:02d}{second}{number:04d}"
    assert find_references(f"about {written}.", FORMATS).refs == (f"KRZ-{year:02d}-{number:04d}",)


@pytest.mark.parametrize("first, second, apart", [
    ("krz-26-0909", "krz-26-0099", True), ("krz-26-0098", "krz-26-0099", True),
    ("krz-26-0909", "krz-26-1234", False), ("krz-26-0011", "krz-26-0099", False),
    ("krz-26-099", "krz-26-0099", True), ("krz-26-0990", "krz-26-0909", True),
    ("krz-26-0099", "krz-26-0099", False),
])
def test_one_character_apart(first: str, second: str, apart: bool) -> None:
    assert one_character_apart(first, second) == apart


def test_a_negated_phrase_counts_against_its_reason() -> None:
    hits = lexicon_hits("i have not changed my mind, it was never delivered")
    assert ("change_of_mind", "changed my mind", True) in hits
    assert ("non_delivery", "never delivered", False) in hits


@pytest.mark.parametrize("text, reason", [
    ("I have NOT changed my mind, it was never delivered.", "non_delivery"),
    ("WE NEVER GOT ANY DESIGN. WHERE IS MY LOGO?? REFUND NOW", "non_delivery"),
    ("We found someone closer to home, so we will not need the logo any more.", "change_of_mind"),
    ("Please cancel the monthly maintenance plan and stop the debit order.", "cancel_recurring"),
    ("I have asked my bank for a chargeback.", "dispute"),
    ("You charged me twice for the same order.", "other"),
    ("로고 시안이 아직도 안 왔어요. 환불해 주세요.", "non_delivery"),
    ("Tôi muốn hủy gói bảo trì hàng tháng và hoàn tiền kỳ này.", "cancel_recurring"),
])
def test_reasons(text: str, reason: str) -> None:
    guess = classify(text)
    assert guess.code == reason
    assert guess.evidence


def test_an_unclear_reason_names_its_two_likeliest() -> None:
    facts = understand("Refund", "About my order KRZ-26-0101. Call me.", Hints("en", FORMATS))
    assert facts.reason == "unclear"
    assert len(facts.details["reason"]["candidates"]) >= 2


def test_reason_and_language_from_the_new_text_references_from_anywhere() -> None:
    body = ("Bonjour, je n'ai toujours rien reçu depuis trois semaines, merci de me rembourser.\n\n"
            "Le 3 nov. 2026 à 10:12, Support <support@fs.example> a écrit :\n"
            "> Please cancel my subscription for order CMD-2026-00412, I changed my mind.\n")
    facts = understand("Re: commande", body, Hints("en", FORMATS))
    assert (facts.language, facts.reason, facts.order_refs) == ("fr", "non_delivery", ("CMD-2026-00412",))
    assert "quoted_history" in facts.details["own_text"]["removed"]


@given(st.text(max_size=400), st.text(max_size=60))
def test_any_text_is_read_without_error_into_known_values(body: str, subject: str) -> None:
    facts = understand(subject, body, Hints("en", FORMATS))
    assert facts.reason in ("change_of_mind", "dissatisfied", "non_delivery", "not_as_described",
                            "cancel_recurring", "dispute", "other", "unclear")
    assert 0 <= facts.details["language"]["confidence"] <= 1
    assert 0 <= facts.details["reason"]["confidence"] <= 1


@pytest.mark.parametrize("subject, bare", [
    ("Re: Fwd: refund please", "refund please"),
    ("[Kreatorz Contact] Refund KRZ-20414", "Refund KRZ-20414"),  # a form's tag is not the customer's
    ("RE: [Ticket #45290] Retard de livraison", "Retard de livraison"),
    ("Refund [urgent]", "Refund [urgent]"),                       # only tags that come first
    ("AW: WG: Erstattung", "Erstattung"),
])
def test_the_bare_subject_drops_reply_prefixes_and_leading_tags(subject: str, bare: str) -> None:
    assert bare_subject(subject) == bare
