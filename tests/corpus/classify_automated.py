"""Classification corpus, part 2: mail that is not a request, and mail on the wrong channel."""

from __future__ import annotations

from datetime import timedelta

from tests.corpus import pictures
from tests.corpus.classify_cases import Case, customer_case, customer_mime_case, deliver, expect
from tests.corpus.mime_bytes import (
    Header,
    attachment_part,
    header_block,
    multipart_body,
    rfc_date,
    text_part,
)
from tests.corpus.sample_mailbox import ACCOUNTS, composed, mixed, sast


def automated_replies() -> list[Case]:
    return [
        customer_case(
            "auto_submitted_auto_replied.eml", (16, 8, 1, 4),
            ("Karen Smith", "karen.smith@example.com"),
            "Out of Office: Your quote KRZ-20415",
            "Thank you for your e-mail. I am on leave until 30 November and will reply\n"
            "when I am back.\n\nKaren Smith\n",
            expect("not_a_request", "en", refs=("KRZ-20415",), sub_kind="auto_reply",
                   signals=["Auto-Submitted: auto-replied"]),
            extra=[("Auto-Submitted", "auto-replied")],
        ),
        customer_case(
            "auto_submitted_auto_generated.eml", (16, 9, 12, 0),
            ("PaySprout Notifications", "notifications@payments.example.net"),
            "Refund processed: KRZ-20416 (R 850.00)",
            "A refund of R 850.00 for order KRZ-20416 was processed to the card ending\n"
            "in 4242. It may take 5 to 7 working days to appear.\n\nThis is an automated "
            "message; please do not reply.\n",
            expect("not_a_request", "en", refs=("KRZ-20416",), sub_kind="auto_reply",
                   signals=["Auto-Submitted: auto-generated"],
                   note="a payment gateway notice full of refund words; auto-generated mail "
                   "counts as auto_reply"),
            extra=[("Auto-Submitted", "auto-generated")],
        ),
        customer_case(
            "empty_return_path.eml", (17, 9, 15, 26), ("Example Hosting Support",
                                                        "support@hosting.example.net"),
            "[Ticket #48213] We received your request",
            "Thank you for contacting support. A member of our team will respond to\n"
            "ticket #48213 within one business day.\n",
            expect("not_a_request", "en", sub_kind="auto_reply", signals=["Return-Path: <>"],
                   note="a helpdesk acknowledgement whose only sign is the null reverse path"),
            envelope_from="",
        ),
        customer_mime_case(
            "ooo_gmail_fr.eml", (19, 9, 0, 41), ("=?UTF-8?Q?In=C3=A8s_Moreau?=",
                                                  "ines.moreau@example.net"),
            "Absente du bureau jusqu'au 30 novembre",
            ([("Content-Type", 'text/plain; charset="UTF-8"'),
              ("Content-Transfer-Encoding", "quoted-printable")],
             b"Bonjour,\n\nJe suis absente du bureau jusqu'au lundi 30 novembre. Pour toute "
             b"demande de\nremboursement urgente, merci de contacter ma coll=C3=A8gue.\n\n"
             b"In=C3=A8s Moreau\n"),
            expect("not_a_request", "fr", sub_kind="auto_reply",
                   signals=["Auto-Submitted: auto-replied"],
                   note="Gmail-style vacation responder; its text mentions a refund"),
            extra=[("Auto-Submitted", "auto-replied")],
        ),
        outlook_out_of_office_fr(),
    ]


def outlook_out_of_office_fr() -> Case:
    text = ("Je suis actuellement absent du bureau et je n'aurai qu'un accès limité à mes\n"
            "e-mails. Je répondrai à votre message concernant le remboursement\n"
            "KRZ-20418 à mon retour le 23/11.\n\nLuc Bernard\n")
    html = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
            "</head><body lang=\"FR\"><p>Je suis actuellement absent du bureau et je n&#8217;aurai "
            "qu&#8217;un accès limité à mes e-mails. Je répondrai à votre message concernant le "
            "remboursement KRZ-20418 à mon retour le 23/11.</p><p>Luc Bernard</p></body></html>\n")
    boundary = "_000_PR3P195MB0871A2B3C4D5E6F7PR3P195MB0871EURP_"
    mime = ([("Content-Type", f'multipart/alternative; boundary="{boundary}"')],
            multipart_body(boundary, [text_part(text), text_part(html, subtype="html")]))
    extra: list[Header] = [
        ("Thread-Topic", "=?utf-8?Q?Demande_de_remboursement_KRZ-20418?="),
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("X-MS-Exchange-Inbox-Rules-Loop", "luc.bernard@example.org"),
        ("Content-Language", "fr-FR"),
    ]
    return customer_mime_case(
        "ooo_outlook_fr.eml", (19, 11, 20, 7), ("Luc Bernard", "luc.bernard@example.org"),
        "Réponse automatique : Demande de remboursement KRZ-20418", mime,
        expect("not_a_request", "fr", refs=("KRZ-20418",), sub_kind="auto_reply",
               signals=["Auto-Submitted: auto-generated", "X-Auto-Response-Suppress: All"],
               note="Outlook/Exchange-style automatic reply in French; quotes the refund subject"),
        extra,
    )


def list_mail() -> list[Case]:
    return [
        customer_case(
            "precedence_bulk.eml", (16, 10, 0, 0),
            ("Design Weekly", "news@designweekly.example.org"),
            "This week: pricing your retainers",
            "Design Weekly, issue 212\n\n1. Pricing your retainers\n2. When clients ask for a "
            "refund\n3. Ten portfolio mistakes\n",
            expect("not_a_request", "en", sub_kind="list", signals=["Precedence: bulk"]),
            extra=[("Precedence", "bulk")],
        ),
        customer_case(
            "precedence_junk.eml", (16, 11, 30, 45), ("Rank Fast", "offers@rankfast.example.com"),
            "Get your refund-proof SEO package today",
            "Rank #1 on Google in 30 days or your money back! Reply YES for a free audit.\n",
            expect("not_a_request", "en", sub_kind="list", signals=["Precedence: junk"]),
            extra=[("Precedence", "junk")],
        ),
        customer_case(
            "precedence_list.eml", (17, 7, 45, 13), ("Nadia Peters", "nadia.peters@example.org"),
            "[sa-designers] refund policies for retainers?",
            "Hi all, how do you handle refund requests on monthly retainers? Do you\n"
            "prorate or refuse once the month has started?\n\nNadia\n",
            expect("not_a_request", "en", sub_kind="list", signals=["Precedence: list"],
                   note="an old-style list message without List-Id"),
            extra=[("Precedence", "list"),
                   ("Sender", "owner-sa-designers@lists.example.org")],
        ),
        customer_case(
            "list_id.eml", (17, 8, 30, 2), ("Tom Nel", "tom.nel@example.com"),
            "Re: Clients asking for refunds after sign-off",
            "We added a final-approval clause to our contracts; since then nobody asks\n"
            "for a refund after sign-off.\n\nTom\n",
            expect("not_a_request", "en", sub_kind="list", signals=["List-Id"]),
            extra=[("List-Id", "Cape Creatives <cape-creatives.groups.example.org>"),
                   ("List-Post", "<mailto:cape-creatives@groups.example.org>"),
                   ("List-Unsubscribe",
                    "<mailto:cape-creatives+unsubscribe@groups.example.org>")],
        ),
    ]


def bounces() -> list[Case]:
    received = sast(18, 8, 2, 30)
    qmail_text = (
        "Hi. This is the mail delivery program at mail.example.org.\n"
        "I could not deliver your message to the following address.\n\n"
        "<m.khumalo@example.org>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n"
        "From: Kreatorz Accounts <accounts@kreatorz.co.za>\nTo: m.khumalo@example.org\n"
        "Subject: Your refund request KRZ-20417\n\nDear customer, ...\n"
    )
    headers: list[Header] = [
        ("From", "MAILER-DAEMON@mail.example.org"),
        ("To", ACCOUNTS),
        ("Subject", "failure notice"),
        ("Date", rfc_date(received - timedelta(seconds=2))),
        ("Message-ID", "<20261118060228.31337.qmail@mail.example.org>"),
    ]
    expected = expect("not_a_request", "en", refs=("KRZ-20417",), sub_kind="bounce",
                      signals=["From: MAILER-DAEMON", "Return-Path: <>"],
                      note="a plain-text bounce, no multipart/report; the copy of our message "
                      "in its text names an order")
    plain_bounce = deliver("mailer_daemon_plain.eml", received, "", (headers, qmail_text.encode()),
                           expected, client_domain="example.org")
    return [plain_bounce, dsn_report()]


def dsn_report() -> Case:
    received = sast(18, 10, 30, 18)
    boundary = "B4C9E2F1A0D3_report"
    original = header_block([
        ("From", f"Kreatorz Accounts <{ACCOUNTS}>"),
        ("To", "customer@example.org"),
        ("Subject", "[R-000007] Your refund KRZ-20417"),
        ("Date", rfc_date(received - timedelta(minutes=1))),
        ("Message-ID", "<20261118082918.R-000007.reply@kreatorz.co.za>"),
        ("In-Reply-To", "<9A1B2C3D4E5F.a1b2c3d4@example.org>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="utf-8"'),
    ]) + b"\nDear customer,\n\nWe have approved your refund of R 1 200.00 for KRZ-20417.\n"
    status = (
        "Reporting-MTA: dns;mail.example.org\nReceived-From-MTA: dns;mx.kreatorz.co.za\n"
        f"Arrival-Date: {rfc_date(received - timedelta(minutes=1))}\n\n"
        "Final-Recipient: rfc822;customer@example.org\nAction: failed\nStatus: 5.1.10\n"
        "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found\n"
    )
    parts = [
        text_part("Your message to customer@example.org couldn't be delivered.\n\n"
                  "customer@example.org wasn't found at example.org.\n", cte="7bit"),
        b"Content-Type: message/delivery-status\n\n" + status.encode(),
        b"Content-Type: message/rfc822\n\n" + original,
    ]
    mime = ([("Content-Type", f'multipart/report; report-type=delivery-status;\n'
                              f'\tboundary="{boundary}"')],
            multipart_body(boundary, parts))
    headers, body = composed("Postmaster <postmaster@example.org>",
                             "Undeliverable: [R-000007] Your refund KRZ-20417",
                             received - timedelta(seconds=3),
                             "<bounce.20261118083015.7@mail.example.org>", mime,
                             to=f"<{ACCOUNTS}>")
    expected = expect("not_a_request", "en", refs=("KRZ-20417",), sub_kind="bounce",
                      signals=["Content-Type: multipart/report", "Return-Path: <>"],
                      note="Exchange-style NDR from postmaster (not MAILER-DAEMON); the "
                      "returned message/rfc822 carries our token, refund words and an "
                      "In-Reply-To: none of it may open or thread a request")
    return deliver("dsn_multipart_report.eml", received, "", (headers, body), expected,
                   client_domain="example.org")


def privacy_requests() -> list[Case]:
    return [
        customer_case(
            "privacy_delete_en.eml", (20, 10, 10, 36), ("Olivia Green", "olivia.green@example.com"),
            "Please delete my personal data",
            "Hello,\n\nUnder POPIA I would like you to erase all the personal information you "
            "hold\nabout me and remove me from your mailing lists.\n\nOlivia Green\n",
            expect("not_a_request", "en", sub_kind="privacy", customer="olivia.green@example.com"),
        ),
        customer_case(
            "privacy_view_correct_en.eml", (20, 14, 0, 8),
            ("Zodwa Khoza", "zodwa.khoza@example.net"),
            "My personal information",
            "Hi,\n\nCould you send me a copy of the personal information you hold about me,\nand "
            "correct my surname? It is Khoza-Mthembu now, not Khoza.\n\nThank you\n",
            expect("not_a_request", "en", sub_kind="privacy", customer="zodwa.khoza@example.net",
                   note="view and correct, not delete"),
        ),
        customer_case(
            "privacy_rgpd_fr.eml", (23, 9, 30, 50), ("Hugo Martin", "hugo.martin@example.org"),
            "Demande de suppression de mes données personnelles (RGPD)",
            "Bonjour,\n\nConformément au RGPD, je vous demande de supprimer toutes mes données\n"
            "personnelles de vos fichiers et de me le confirmer par écrit.\n\nHugo Martin\n",
            expect("not_a_request", "fr", sub_kind="privacy", customer="hugo.martin@example.org"),
        ),
    ]


def wrong_channel() -> list[Case]:
    staff_text = ("Hi guys,\n\nI changed my mind on the motion graphics intro, can I get my money "
                  "back?\nOrder KRZ-20419.\n\nLwazi\n")
    studio = "studio@kreatorz.co.za"
    forward_text = (
        "Hi Accounts,\n\nThis client sent me the message below on WhatsApp last night, to my "
        "own phone.\nShe wants a refund for KRZ-20420. Forwarding for the record.\n\nSizwe\n"
    )
    return [
        customer_mime_case(
            "staff_recipient.eml", (23, 11, 15, 28), ("Lwazi Dube", "lwazi.dube@example.com"),
            "money back?", ([("Content-Type", 'text/plain; charset="utf-8"'),
                             ("Content-Transfer-Encoding", "7bit")], staff_text.encode()),
            expect("wrong_channel", "en", "change_of_mind", ("KRZ-20419",),
                   customer="lwazi.dube@example.com", signals=["Delivered-To: " + studio],
                   note="sent to the studio address, which the same mailbox also receives"),
            to=f"Kreatorz Studio <{studio}>", delivered_to=studio,
        ),
        customer_mime_case(
            "whatsapp_forward.eml", (24, 8, 40, 0), ("Sizwe Ntuli", "sizwe@kreatorz.co.za"),
            "Fwd: WhatsApp from client",
            mixed("000000000000f1e2d3c4b5a69788", [
                text_part(forward_text, cte="7bit"),
                attachment_part(pictures.whatsapp_screenshot(), "image/png",
                                "Screenshot_20261123-201533.png"),
            ]),
            expect("wrong_channel", "en", "unclear", ("KRZ-20420",),
                   signals=["From: Sizwe Ntuli <sizwe@kreatorz.co.za>", "Content-Type: image/png"],
                   note="a staff member forwards a request made on WhatsApp; the customer's "
                   "address is not in the mail at all; no reason is given: unclear"),
        ),
    ]
