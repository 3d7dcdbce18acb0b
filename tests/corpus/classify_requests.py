"""Classification corpus, part 1: new requests (English and French), replies and a duplicate."""

from __future__ import annotations

from tests.corpus import pictures
from tests.corpus.classify_cases import (
    Case,
    customer_case,
    customer_mime_case,
    expect,
    message_id,
)
from tests.corpus.mime_bytes import (
    Header,
    attachment_part,
    multipart_body,
    text_entity,
    text_part,
)
from tests.corpus.sample_mailbox import mixed

GRACE = ("Grace Naidoo", "grace.naidoo@example.com")
MARCO = ("Marco Rossi", "marco.rossi@example.org")
JULIEN = ("Julien Roux", "julien.roux@example.com")
OUR_REPLY_TO_GRACE = "<20261103101500.R-000001.reply@kreatorz.co.za>"


def alternative(text: str, html: str, boundary: str) -> tuple[list[Header], bytes]:
    """multipart/alternative MIME headers and body, as webmail clients send."""
    parts = [text_part(text, cte="quoted-printable"),
             text_part(html, subtype="html", cte="quoted-printable")]
    headers = [("Content-Type", f'multipart/alternative; boundary="{boundary}"')]
    return headers, multipart_body(boundary, parts)


def english_requests() -> list[Case]:
    grace_text = """\
Hi,

I've changed my mind about the social media content pack I ordered on
Friday (KRZ-20401) and would like a refund please. I don't need it anymore.

Thanks,
Grace
"""
    grace_html = (
        "<div dir=\"ltr\">Hi,<div><br></div><div>I've changed my mind about the social media "
        "content pack I ordered on Friday (KRZ-20401) and would like a refund please. I don't "
        "need it anymore.</div><div><br></div><div>Thanks,</div><div>Grace</div></div>\n"
    )
    return [
        customer_mime_case(
            "en_change_of_mind.eml", (2, 9, 14, 5), GRACE, "Refund request for order KRZ-20401",
            alternative(grace_text, grace_html, "0000000000004f1a2b3c4d5e6f70"),
            expect("new_request", "en", "change_of_mind", ("KRZ-20401",),
                   customer=GRACE[1], note="multipart/alternative from webmail; the first new "
                   "request of the corpus, so R-000001 when processed in manifest order"),
        ),
        customer_case(
            "en_dissatisfied.eml", (3, 10, 2, 44), MARCO, "Unhappy with logo concepts (KRZ-20402)",
            "Hello,\n\nHonestly I'm not happy with the three logo concepts. They feel generic "
            "and\nI'm disappointed after the briefing we did. Can I get a refund?\n\nMarco Rossi\n",
            expect("new_request", "en", "dissatisfied", ("KRZ-20402",), customer=MARCO[1]),
        ),
        customer_case(
            "en_non_delivery.eml", (3, 14, 40, 12), ("Precious Mabaso",
                                                      "precious.mabaso@example.net"),
            "Still waiting - KRZ-20403 and KRZ-20404",
            "Good afternoon,\n\nI paid for two banner designs (KRZ-20403 and KRZ-20404) three "
            "weeks ago and\nhave never received the files. Nothing was delivered. Please "
            "refund me.\n\nPrecious\n",
            expect("new_request", "en", "non_delivery", ("KRZ-20403", "KRZ-20404"),
                   customer="precious.mabaso@example.net", note="two order references"),
        ),
        customer_mime_case(
            "en_not_as_described_html.eml", (4, 11, 25, 30),
            ("Hannah Becker", "hannah.becker@example.com"), "Order KRZ-20405 not as described",
            text_entity(
                "<html><body><p>Dear Kreatorz,</p><p>The product video is <i>not what was "
                "described</i> in your quote: it was supposed to be 60&nbsp;seconds with a "
                "voice-over, and we got 30&nbsp;seconds of music only. It doesn&#39;t match the "
                "description on your website.</p><p>Please refund order KRZ-20405.</p>"
                "<p>Hannah Becker</p></body></html>\n", subtype="html", cte="quoted-printable"),
            expect("new_request", "en", "not_as_described", ("KRZ-20405",),
                   customer="hannah.becker@example.com", note="HTML only, no text part"),
            extra=[("X-Mailer", "Microsoft Outlook 16.0")],
        ),
        customer_case(
            "en_cancel_recurring.eml", (5, 8, 55, 3),
            ("Peter Olivier", "peter.olivier@example.net"),
            "Cancel monthly maintenance",
            "Hi,\n\nPlease cancel my monthly website maintenance subscription from this month\n"
            "and stop the debit order. The last invoice was INV-2026-0311; my client\nnumber "
            "on your old system is KRZ-123.\n\nRegards,\nPeter Olivier\n",
            expect("new_request", "en", "cancel_recurring", (),
                   customer="peter.olivier@example.net",
                   note="no order reference: INV-2026-0311 and KRZ-123 (three digits) must not "
                   "match KRZ-\\d{4,}"),
        ),
        customer_case(
            "en_dispute.eml", (5, 16, 10, 51), ("Ahmed Hassan", "ahmed.hassan@example.com"),
            "Final notice before chargeback - KRZ-20406",
            "I have emailed twice with no answer. If the R 1 950.00 for KRZ-20406 is not\n"
            "refunded by Friday I will dispute the charge with my bank.\n\nA. Hassan\n",
            expect("new_request", "en", "dispute", ("KRZ-20406",),
                   customer="ahmed.hassan@example.com"),
        ),
        customer_case(
            "en_other.eml", (6, 9, 30, 17), ("Ruth Mwale", "ruth.mwale@example.org"),
            "Overpayment on KRZ-20407",
            "Hello,\n\nI paid invoice KRZ-20407 twice by EFT by mistake (once on the 2nd and "
            "once\non the 4th). Please refund the second payment.\n\nKind regards,\nRuth Mwale\n",
            expect("new_request", "en", "other", ("KRZ-20407",), customer="ruth.mwale@example.org"),
        ),
        customer_case(
            "contact_form_relay.eml", (13, 12, 15, 40),
            ("Kreatorz Website", "noreply@kreatorz.co.za"),
            "[Kreatorz Contact] Refund KRZ-20414",
            "New submission from the contact form at https://www.kreatorz.co.za/contact/\n\n"
            "Name:     Sam Peters\nEmail:    sam.peters@example.com\nOrder:    KRZ-20414\n"
            "Topic:    Refunds\n\nMessage:\nI changed my mind about the motion graphics intro, "
            "please refund me.\n\n--\nSent by the Kreatorz website contact form.\n",
            expect("new_request", "en", "change_of_mind", ("KRZ-20414",),
                   customer="sam.peters@example.com",
                   note="trusted relay: From is the shop's own noreply address, the customer is "
                   "Reply-To"),
            extra=[("Reply-To", "Sam Peters <sam.peters@example.com>")],
        ),
    ]


def french_requests() -> list[Case]:
    return [
        customer_case(
            "fr_retractation.eml", (6, 11, 45, 22), ("=?iso-8859-1?Q?=C9lodie_Marchand?=",
                                                      "elodie.marchand@example.net"),
            "Rétractation - commande KRZ-20408",
            "Bonjour,\n\nConformément à mon droit de rétractation, je souhaite annuler la "
            "commande\nKRZ-20408 passée lundi et être remboursée.\n\nCordialement,\n"
            "Élodie Marchand\n",
            expect("new_request", "fr", "change_of_mind", ("KRZ-20408",),
                   customer="elodie.marchand@example.net",
                   note="ISO-8859-1, quoted-printable body and encoded-word subject"),
            charset="iso-8859-1",
        ),
        customer_mime_case(
            "fr_pas_livre.eml", (9, 10, 5, 8), JULIEN, "Commande KRZ-20409 pas livrée",
            text_entity("Bonjour,\n\nJ'ai payé le 28 octobre la création de bannières "
                        "(commande KRZ-20409)\net le produit n'est toujours pas livré. Je n'ai "
                        "jamais reçu les fichiers.\nMerci de me rembourser.\n\nJulien Roux\n",
                        cte="8bit"),
            expect("new_request", "fr", "non_delivery", ("KRZ-20409",), customer=JULIEN[1],
                   note="UTF-8 body sent as 8bit"),
        ),
        customer_mime_case(
            "fr_non_conforme.eml", (10, 14, 20, 33),
            ("Sophie Garnier", "sophie.garnier@example.org"),
            "Site non conforme - KRZ-20410",
            mixed("----=_NextPart_000_0012_01DB3A2C.5E6F7A80", [
                text_part("Bonjour,\n\nLe site livré n'est pas conforme à la description du devis "
                          ": il manque\nla boutique en ligne et la version anglaise. Produit non "
                          "conforme, voir la\ncapture d'écran jointe. Je demande le remboursement "
                          "de la commande KRZ-20410.\n\nSophie Garnier\n", cte="base64"),
                attachment_part(pictures.website_capture(), "image/png", "capture-site.png"),
            ]),
            expect("new_request", "fr", "not_as_described", ("KRZ-20410",),
                   customer="sophie.garnier@example.org",
                   note="base64 text part plus a PNG screenshot as evidence"),
        ),
        customer_case(
            "fr_annuler_abonnement.eml", (11, 9, 10, 2), ("Thomas Lambert",
                                                          "thomas.lambert@example.net"),
            "Annulation abonnement SEO KRZ-20411",
            "Bonjour,\n\nJe souhaite annuler l'abonnement mensuel SEO (KRZ-20411) et obtenir le\n"
            "remboursement du dernier prélèvement du 1er novembre.\n\nThomas Lambert\n",
            expect("new_request", "fr", "cancel_recurring", ("KRZ-20411",),
                   customer="thomas.lambert@example.net"),
        ),
        customer_case(
            "fr_litige.eml", (12, 15, 35, 46), ("Nathalie Perrin", "nathalie.perrin@example.com"),
            "Litige commande KRZ-20412",
            "Madame, Monsieur,\n\nSans réponse de votre part sous 48 heures, j'ouvrirai un "
            "litige auprès de\nma banque pour la commande KRZ-20412.\n\nNathalie Perrin\n",
            expect("new_request", "fr", "dispute", ("KRZ-20412",),
                   customer="nathalie.perrin@example.com"),
        ),
        customer_case(
            "fr_insatisfait.eml", (13, 10, 50, 19), ("Claire Dubois", "claire.dubois@example.org"),
            "Logo KRZ-20413",
            "Bonjour,\n\nJe ne suis pas satisfaite du logo livré pour la commande KRZ-20413 : "
            "je suis\ntrès déçue du résultat. Est-il possible d'être remboursée ?\n\nClaire\n",
            expect("new_request", "fr", "dissatisfied", ("KRZ-20413",),
                   customer="claire.dubois@example.org"),
        ),
    ]


def replies_and_duplicates() -> list[Case]:
    grace_first = message_id("en_change_of_mind.eml", "example.com")
    julien_first = message_id("fr_pas_livre.eml", "example.com")
    quote = ("\nOn Tue, 3 Nov 2026 at 12:15, Kreatorz Accounts <accounts@kreatorz.co.za> wrote:\n"
             "> Dear Grace, we have received your request and will reply shortly.\n")
    return [
        customer_case(
            "reply_by_references.eml", (4, 8, 20, 31), GRACE,
            "Re: Refund request for order KRZ-20401",
            "Hi,\n\nThe bank details are the same as on the invoice.\n\nThanks,\nGrace\n" + quote,
            expect("reply", "en", refs=("KRZ-20401",), customer=GRACE[1],
                   thread_of="en_change_of_mind.eml", thread_by="references",
                   note="no In-Reply-To and no token: only References names the parent"),
            extra=[("References", f"{grace_first}\n {OUR_REPLY_TO_GRACE}")],
        ),
        customer_case(
            "reply_by_subject_token.eml", (5, 9, 0, 12), GRACE,
            "[R-000001] Refund request for order KRZ-20401 - bank details",
            "Hello again, my bank account number changed last week; I'll send the\nnew "
            "confirmation letter if you need it.\n\nGrace\n",
            expect("reply", "en", refs=("KRZ-20401",), customer=GRACE[1],
                   thread_of="en_change_of_mind.eml", thread_by="subject_token",
                   subject_token="R-000001",
                   note="a new message (no In-Reply-To, no References) carrying the thread "
                   "token; must not be taken for a duplicate of its parent"),
        ),
        customer_case(
            "reply_in_reply_to_fr.eml", (10, 9, 40, 55), JULIEN,
            "Re: Commande KRZ-20409 pas livrée",
            "Je complète mon message : la facture est au nom de la société Roux Conseil.\n\n"
            "Julien Roux\n",
            expect("reply", "fr", refs=("KRZ-20409",), customer=JULIEN[1],
                   thread_of="fr_pas_livre.eml", thread_by="in_reply_to",
                   note="the customer replies to his own sent message"),
            extra=[("In-Reply-To", julien_first), ("References", julien_first)],
        ),
        customer_case(
            "duplicate_resend.eml", (4, 10, 5, 9), ("Marco Rossi", "Marco.Rossi@example.org"),
            "Unhappy with logo concepts (KRZ-20402)",
            "Sending again as I got no reply:\n\nHonestly I'm not happy with the three logo "
            "concepts. They feel generic and\nI'm disappointed after the briefing we did. Can "
            "I get a refund?\n\nMarco Rossi\nSent from my phone\n",
            expect("duplicate", "en", "dissatisfied", ("KRZ-20402",), customer=MARCO[1],
                   duplicate_of="en_dissatisfied.eml",
                   note="same customer, same order, while open; the address differs in case only"),
        ),
    ]
