"""The demo mailbox's messages, in order of server receipt (November 2026, Johannesburg time).

Reference numbers such as [R-000001] assume the intake numbers new requests in receipt order,
starting at R-000001; the thread reply also carries References, so threading does not depend
on that numbering.
"""

from __future__ import annotations

import base64
from datetime import timedelta, timezone

from tests.corpus import pictures
from tests.corpus.mime_bytes import (
    attachment_part,
    header_block,
    multipart_body,
    pdf_document,
    rfc_date,
    text_entity,
    text_part,
)
from tests.corpus.sample_mailbox import (
    ACCOUNTS,
    Expected,
    Sample,
    build,
    composed,
    delivered,
    mixed,
    plain,
    sast,
)

AYESHA = "Ayesha Patel <ayesha.patel@example.net>"
THANDI = "Thandi Mokoena <thandi.mokoena@example.com>"
AYESHA_FIRST_ID = "<20261104064703.61F2A9@mail.example.net>"
OUR_REPLY_TO_AYESHA = "<20261104090512.R-000001.reply@kreatorz.co.za>"
JOHAN_ID = "<BN8PR04MB6210A1C4E2F3D9E5B7C8A9D0E1F2@BN8PR04MB6210.example.org>"

THANDI_TEXT = """\
I'd like to ask for a refund on order KRZ-10042 (brand identity). We have
decided to put the rebrand on hold until next year, so we have simply
changed our minds; nothing is wrong with your work. As far as I know the
designer hasn't started on the concepts yet.

I understand a 20% processing fee applies.
"""


def web_design_without_url() -> Sample:
    received = sast(4, 8, 47, 12)
    text = """\
Good morning,

I signed up for the website redesign (order KRZ-10063) last week, but my
business partner and I have decided to keep the current site for now.
Could you please cancel the project and refund what we paid? I understand
there is a processing fee.

Nothing has been sent to us yet, so I hope this is still possible.

Kind regards,
Ayesha Patel
Patel's Bakery
"""
    content = plain(AYESHA, "Refund request - website redesign KRZ-10063",
                    sast(4, 8, 47, 3), AYESHA_FIRST_ID, text,
                    [("User-Agent", "Mozilla Thunderbird")])
    expected = Expected(
        "new_request", "en", "English change of mind for web work, without the site's URL",
        reason="change_of_mind", order_refs=("KRZ-10063",), customer="ayesha.patel@example.net",
        outcome="needs_info", missing=("url",),
        outcome_note="web-based service: the policy needs the URL before considering it",
    )
    delivery = delivered("ayesha.patel@example.net", received,
                         ("mail.example.net", "192.0.2.17"), "example.net")
    return build("web-design-no-url", received, "cur", delivery, content, expected)


def thread_reply_with_url() -> Sample:
    received = sast(5, 8, 30, 41)
    text = """\
Hi,

Sorry, I didn't know you needed that. The site is https://bakery.example.net
(it's the one you were going to redesign).

Thanks,
Ayesha

On Wed, 4 Nov 2026 at 11:05, Kreatorz Accounts <accounts@kreatorz.co.za> wrote:
> Dear Ayesha,
>
> Thank you for your request [R-000001]. Before we can consider it, please
> send us the URL of the website where the service was in use, as our
> refunds policy requires for web-based services.
>
> Kreatorz Accounts
"""
    # The sender's laptop clock is on SAST but its zone is set to UTC: the Date header
    # claims 10:30 SAST, two hours after the server received it.
    wrong_zone = sast(5, 8, 30, 33).replace(tzinfo=timezone(timedelta(0)))
    content = plain(
        AYESHA, "Re: [R-000001] Refund request - website redesign KRZ-10063", wrong_zone,
        "<20261105083033.7C01B2@mail.example.net>", text,
        [("In-Reply-To", OUR_REPLY_TO_AYESHA),
         ("References", f"{AYESHA_FIRST_ID}\n {OUR_REPLY_TO_AYESHA}"),
         ("User-Agent", "Mozilla Thunderbird")],
    )
    expected = Expected(
        "reply", "en", "a reply in the thread: subject token [R-000001] and References; "
        "supplies the missing URL; Date header in the wrong zone (+0000)",
        order_refs=("KRZ-10063",), customer="ayesha.patel@example.net",
        thread_of="web-design-no-url", outcome="review", refund_amount="10000.00",
        fee="2500.00", outcome_note="re-decides R-000001 now that the URL is known",
    )
    delivery = delivered("ayesha.patel@example.net", received,
                         ("mail.example.net", "192.0.2.17"), "example.net")
    return build("thread-reply-url", received, "cur", delivery, content, expected)


def change_of_mind_in_window() -> Sample:
    received = sast(5, 10, 12, 7)
    text = f"Hi Accounts team,\n\n{THANDI_TEXT}\nThank you,\nThandi Mokoena\nMokoena Events\n"
    content = plain(THANDI, "Refund request - branding order KRZ-10042", sast(5, 10, 11, 58),
                    "<A7E3C1D2-5B4F-4E8A-9C0D-1E2F3A4B5C6D@example.com>", text,
                    [("X-Mailer", "iPhone Mail (22B83)")])
    expected = Expected(
        "new_request", "en", "English change of mind inside the 7-day window (day 6)",
        reason="change_of_mind", order_refs=("KRZ-10042",), customer="thandi.mokoena@example.com",
        outcome="review", refund_amount="3600.00", fee="900.00",
        outcome_note="4500.00 less the 20% fee; change of mind is at the designer's "
        "discretion, so staff review the proposed amount",
    )
    delivery = delivered("thandi.mokoena@example.com", received,
                         ("smtp.example.com", "198.51.100.33"), "example.com")
    return build("change-of-mind-in-window", received, "cur", delivery, content, expected)


def duplicate_resend() -> Sample:
    received = sast(6, 14, 3, 26)
    text = (
        "Hi again,\n\nResending my message from yesterday in case it didn't come through:\n\n"
        f"{THANDI_TEXT}\nThandi\n"
    )
    content = plain(THANDI, "Refund request - branding order KRZ-10042", sast(6, 14, 3, 20),
                    "<0F9B8C7D-2E1A-4B3C-8D5E-6F7A8B9C0D1E@example.com>", text,
                    [("X-Mailer", "iPhone Mail (22B83)")])
    expected = Expected(
        "duplicate", "en", "the same customer sends the same request again while it is open",
        reason="change_of_mind", order_refs=("KRZ-10042",), customer="thandi.mokoena@example.com",
        duplicate_of="change-of-mind-in-window", outcome="duplicate",
        outcome_note="linked to change-of-mind-in-window; no new decision",
    )
    delivery = delivered("thandi.mokoena@example.com", received,
                         ("smtp.example.com", "198.51.100.33"), "example.com")
    return build("duplicate-resend", received, "cur", delivery, content, expected)


def change_of_mind_late_forged_date() -> Sample:
    received = sast(9, 9, 31, 50)
    text = """\
Good day,

Please cancel our social media marketing campaign (KRZ-10057) and refund us.
We've changed our mind and will handle our social media in-house.

Regards,
Johan Botha
Botha Logistics
"""
    content = plain("Johan Botha <johan.botha@example.org>",
                    "Cancel social media campaign and refund - KRZ-10057",
                    sast(2, 16, 20, 0), JOHAN_ID, text,
                    [("X-Mailer", "Microsoft Outlook 16.0")])
    expected = Expected(
        "new_request", "en", "English change of mind outside the window (day 14); the Date "
        "header is forged to 2 Nov (day 7) but the server received it on 9 Nov",
        reason="change_of_mind", order_refs=("KRZ-10057",), customer="johan.botha@example.org",
        outcome="deny", outcome_note="received 14 days after the service started; the Date "
        "header must not count",
    )
    delivery = delivered("johan.botha@example.org", received,
                         ("mail-eopbgr.example.org", "203.0.113.41"), "example.org")
    return build("change-of-mind-late-forged-date", received, "cur", delivery, content, expected)


def part_of_package() -> Sample:
    received = sast(10, 11, 20, 15)
    text = """\
Hello,

We bought the Startup Launch bundle (KRZ-10071): website, logo and social
media set-up. We have since found a designer in-house for the logo, so
we'd like to drop the logo part and get that portion refunded. The rest
can go ahead.

Thanks
Sipho Dlamini
"""
    content = plain("Sipho Dlamini <sipho.dlamini@example.com>",
                    "Refund for the logo part of KRZ-10071", sast(10, 11, 20, 2),
                    "<CAKx81Lm2Pq7Rt9Vw0Yz3Ab5Cd6Ef8Gh1Ij4Kl@mail.example.com>", text)
    expected = Expected(
        "new_request", "en", "change of mind on one service of a package",
        reason="change_of_mind", order_refs=("KRZ-10071",), customer="sipho.dlamini@example.com",
        outcome="deny", outcome_note="single services only, not part of a package",
    )
    delivery = delivered("sipho.dlamini@example.com", received,
                         ("mail.example.com", "198.51.100.8"), "example.com")
    return build("package", received, "cur", delivery, content, expected)


def dissatisfied_ip_created() -> Sample:
    received = sast(10, 15, 42, 9)
    text = """\
Hi,

I have to be honest, we're not happy with the storyboard and the first
animatic for our explainer video (order KRZ-10078). The style isn't what
we pictured at all. I'd rather stop here and get our money back.

Megan Jacobs
Marketing, Jacobs & Co
"""
    content = plain("Megan Jacobs <megan.jacobs@example.org>",
                    "Explainer video KRZ-10078 - not happy", sast(10, 15, 41, 55),
                    "<5f1c2a9e-8b7d-4c6e-a3f2-0d9e8c7b6a51@example.org>", text)
    expected = Expected(
        "new_request", "en", "dissatisfied after the storyboard and animatic were delivered",
        reason="dissatisfied", order_refs=("KRZ-10078",), customer="megan.jacobs@example.org",
        outcome="review",
        outcome_note="the reader is unsure: dissatisfied or change of mind, so staff pick the reason; "
                     "dissatisfied is then denied: intellectual property already created, revisions offered",
    )
    delivery = delivered("megan.jacobs@example.org", received,
                         ("smtp.example.org", "203.0.113.7"), "example.org")
    return build("ip-created", received, "cur", delivery, content, expected)


def printed_with_evidence() -> Sample:
    received = sast(11, 9, 5, 33)
    text = """\
Hi Kreatorz,

The flyers came back from the printer today and the colours are way off:
the heading band is shifted and the green looks grey. Photo attached,
together with the proof you sent. I'm very disappointed and would like a
refund for the design.

Bongani Nkosi
"""
    proof = pdf_document(["Kreatorz - proof v3", "Order KRZ-10085: A5 flyer, 2 sides",
                          "Approved by client on 3 Nov 2026"])
    boundary = "------------0A4C2B7E9D1F3A5C6B8E0D2F"
    parts = [
        text_part(text, cte="7bit"),
        attachment_part(pictures.flyer_photo(), "image/png", "flyers-from-printer.png"),
        attachment_part(proof, "application/pdf", "KRZ-10085-proof-v3.pdf"),
    ]
    content = composed("Bongani Nkosi <bongani.nkosi@example.com>",
                       "Flyers KRZ-10085 - colours wrong, refund please", sast(11, 9, 5, 20),
                       "<c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f@example.com>",
                       mixed(boundary, parts), [("User-Agent", "Mozilla Thunderbird")])
    expected = Expected(
        "new_request", "en", "dissatisfied with printed flyers; a PNG photo and the PDF proof "
        "attached as evidence",
        reason="dissatisfied", order_refs=("KRZ-10085",), customer="bongani.nkosi@example.com",
        outcome="deny", outcome_note="design approved and sent to print",
    )
    delivery = delivered("bongani.nkosi@example.com", received,
                         ("mail.example.com", "198.51.100.8"), "example.com")
    return build("graphic-design-printed", received, "cur", delivery, content, expected)


def french_maintenance_cancel() -> Sample:
    received = sast(12, 10, 30, 2)
    text = """\
Bonjour,

Je souhaite annuler l'abonnement de maintenance mensuelle de notre site
(commande KRZ-10090) à compter d'aujourd'hui. Pourriez-vous me rembourser
la partie non utilisée du mois de novembre ?

Merci d'avance et bonne journée,

Camille Lefèvre
Lefèvre Traduction
"""
    paris = sast(12, 10, 29, 51).astimezone(timezone(timedelta(hours=1)))
    content = plain("=?utf-8?Q?Camille_Lef=C3=A8vre?= <camille.lefevre@example.net>",
                    "Résiliation du contrat de maintenance – commande KRZ-10090", paris,
                    "<8d2f1e0c-3b4a-4958-a6c7-d8e9f0a1b2c3@example.net>", text,
                    [("Content-Language", "fr-FR")])
    expected = Expected(
        "new_request", "fr", "French: cancel the monthly maintenance plan (Date in +0100)",
        reason="cancel_recurring", order_refs=("KRZ-10090",),
        customer="camille.lefevre@example.net", outcome="approve", refund_amount="540.00",
        outcome_note="maintenance: 50% of the unused portion (6 of 10 hours unused of 1800.00)",
    )
    delivery = delivered("camille.lefevre@example.net", received,
                         ("smtp.example.net", "192.0.2.90"), "example.net")
    return build("french-maintenance", received, "cur", delivery, content, expected)


def html_only_seo_cancel() -> Sample:
    received = sast(12, 13, 15, 44)
    html = """\
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>
<body><div style="font-family: Arial, sans-serif; font-size: 11pt">
<p>Hi there,</p>
<p>Please cancel our <b>monthly SEO plan</b> (order
<a href="https://www.kreatorz.co.za/account/orders/KRZ-10096">KRZ-10096</a>) with immediate
effect &amp; refund the November payment.</p>
<p>We&rsquo;re moving our marketing in-house.</p>
<table border="0"><tr><td>Account</td><td>Steyn Plumbing</td></tr>
<tr><td>Plan</td><td>SEO Growth &ndash; monthly</td></tr></table>
<p>Thanks,<br>Riaan Steyn</p>
</div></body></html>
"""
    mime = text_entity(html, subtype="html", cte="quoted-printable")
    # The sender's clock runs seven minutes fast: the Date header is after the receipt.
    content = composed("Riaan Steyn <riaan.steyn@example.com>", "Cancel SEO plan KRZ-10096",
                       sast(12, 13, 22, 40), "<webmail.20261112112240.4471@example.com>", mime,
                       [("X-Mailer", "Webmail 2.4")])
    expected = Expected(
        "new_request", "en", "HTML-only message (no text part): cancel a monthly SEO plan",
        reason="cancel_recurring", order_refs=("KRZ-10096",), customer="riaan.steyn@example.com",
        outcome="deny", outcome_note="SEO: digital services already rendered; cancel future "
        "billing, no refund",
    )
    delivery = delivered("riaan.steyn@example.com", received,
                         ("webmail.example.com", "198.51.100.120"), "example.com")
    return build("html-only-seo", received, "cur", delivery, content, expected)


def contact_form_relay() -> Sample:
    received = sast(13, 11, 2, 18)
    text = """\
New submission from the contact form at https://www.kreatorz.co.za/contact/

Name:     Nomsa Khumalo
Email:    nomsa.khumalo@example.org
Order:    KRZ-10102
Topic:    Refunds

Message:
Hi, I booked a family photo shoot for the 21st but we have changed our
plans and won't be in town. Please cancel the booking and refund me.
Thank you.

--
Sent by the Kreatorz website contact form. Reply to this e-mail to answer
the sender directly.
"""
    content = plain("Kreatorz Website <noreply@kreatorz.co.za>",
                    "[Kreatorz Contact] Refund - photo shoot KRZ-10102", sast(13, 11, 2, 17),
                    "<form-4f7d2c91e0b3@www.kreatorz.co.za>", text,
                    [("Reply-To", "Nomsa Khumalo <nomsa.khumalo@example.org>")])
    expected = Expected(
        "new_request", "en", "via the website's contact form relay: From noreply@kreatorz.co.za, "
        "Reply-To the customer",
        reason="change_of_mind", order_refs=("KRZ-10102",), customer="nomsa.khumalo@example.org",
        outcome="review", refund_amount="2240.00", fee="560.00",
        outcome_note="trusted relay: the customer is the Reply-To address; 2800.00 less 20%",
    )
    delivery = delivered("noreply@kreatorz.co.za", received,
                         ("web1.kreatorz.co.za", "198.51.100.20"), "kreatorz.co.za")
    return build("contact-form-relay", received, "cur", delivery, content, expected)


def privacy_request() -> Sample:
    received = sast(16, 9, 44, 27)
    text = """\
Hello,

You did a logo for my previous company in 2024 (order KRZ-09876). The
company has since closed and I'd like you to delete all the personal
information you hold about me: my name, phone number and address.

Please confirm once it is done.

Regards,
Daniel Fourie
"""
    content = plain("Daniel Fourie <daniel.fourie@example.net>",
                    "Please delete my personal data", sast(16, 9, 44, 11),
                    "<20261116074411.2B9E40@mail.example.net>", text)
    expected = Expected(
        "not_a_request", "en", "a privacy request: delete my personal data", sub_kind="privacy",
        order_refs=("KRZ-09876",), customer="daniel.fourie@example.net",
        outcome="not_a_request", outcome_note="marked for staff as a privacy request",
    )
    delivery = delivered("daniel.fourie@example.net", received,
                         ("mail.example.net", "192.0.2.17"), "example.net")
    return build("privacy", received, "cur", delivery, content, expected)


def out_of_office() -> Sample:
    received = sast(16, 12, 0, 5)
    text = """\
I am out of the office until Monday 23 November with limited access to
e-mail. For urgent matters please call the office.

Linda van Wyk
"""
    content = plain("Linda van Wyk <linda.vanwyk@example.com>",
                    "Automatic reply: Statement for October 2026 - KRZ-10021",
                    sast(16, 12, 0, 1), "<OOF.20261116100001.8812@example.com>", text,
                    [("In-Reply-To", "<20261116095958.statement.KRZ-10021@kreatorz.co.za>"),
                     ("Auto-Submitted", "auto-replied"),
                     ("X-Auto-Response-Suppress", "All")])
    expected = Expected(
        "not_a_request", "en", "an out-of-office auto-reply (Auto-Submitted: auto-replied) to a "
        "statement; mentions an order number", sub_kind="auto_reply",
        order_refs=("KRZ-10021",), outcome="not_a_request", outcome_note="never answered",
    )
    delivery = delivered("linda.vanwyk@example.com", received,
                         ("smtp.example.com", "198.51.100.33"), "example.com")
    return build("auto-reply", received, "cur", delivery, content, expected, flags="")


def bounce() -> Sample:
    received = sast(17, 8, 5, 51)
    boundary = f"4Qz1B2C3D4.{int(received.timestamp())}/mx.kreatorz.co.za"
    notice = """\
This is the mail system at host mx.kreatorz.co.za.

Your message could not be delivered to one or more recipients.
It is attached below.

<johan@botha-logistics.example.org>: host
    mx.botha-logistics.example.org[203.0.113.25] said: 552 5.2.2 Mailbox
    full (in reply to RCPT TO command)
"""
    status = """\
Reporting-MTA: dns; mx.kreatorz.co.za
Arrival-Date: Tue, 17 Nov 2026 08:05:47 +0200

Final-Recipient: rfc822; johan@botha-logistics.example.org
Original-Recipient: rfc822;johan@botha-logistics.example.org
Action: failed
Status: 5.2.2
Remote-MTA: dns; mx.botha-logistics.example.org
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full
"""
    returned = header_block([
        ("From", f"Kreatorz Accounts <{ACCOUNTS}>"),
        ("To", "Johan Botha <johan@botha-logistics.example.org>"),
        ("Subject", "[R-000003] Re: Cancel social media campaign and refund - KRZ-10057"),
        ("Date", rfc_date(sast(17, 8, 5, 47))),
        ("Message-ID", "<20261117060547.R-000003.reply@kreatorz.co.za>"),
        ("In-Reply-To", JOHAN_ID),
        ("References", JOHAN_ID),
    ])
    parts = [
        b"Content-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
        + notice.encode(),
        b"Content-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
        + status.encode(),
        b"Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n"
        + returned,
    ]
    headers = [
        ("Return-Path", "<>"),
        ("Delivered-To", ACCOUNTS),
        ("Received", f"by mx.kreatorz.co.za (Postfix)\n\tid 4Qz1B2C3D4; {rfc_date(received)}"),
        ("Date", rfc_date(received)),
        ("From", "MAILER-DAEMON@mx.kreatorz.co.za (Mail Delivery System)"),
        ("Subject", "Undelivered Mail Returned to Sender"),
        ("To", ACCOUNTS),
        ("Auto-Submitted", "auto-replied"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f"multipart/report; report-type=delivery-status;\n"
                         f'\tboundary="{boundary}"'),
        ("Message-Id", "<20261117060551.4Qz1B2C3D4@mx.kreatorz.co.za>"),
    ]
    body = multipart_body(boundary, parts, "This is a MIME-encapsulated message.\n\n")
    expected = Expected(
        "not_a_request", "en", "a bounce (multipart/report from MAILER-DAEMON) of a reply we "
        "sent; its returned headers carry [R-000003] and our Message-ID", sub_kind="bounce",
        outcome="not_a_request",
        outcome_note="never answered; never threaded as a customer reply",
    )
    return build("bounce", received, "new", [], (headers, body), expected)


def whatsapp_forward() -> Sample:
    received = sast(17, 10, 20, 36)
    text = """\
Hi Accounts,

Kagiso sent me this on the studio WhatsApp last night, and emailed the
studio address too. Forwarding so you have it. I told him refunds have to
go to accounts@ directly.

Lerato

---------- Forwarded message ---------
From: Kagiso Molefe <kagiso.molefe@example.net>
Date: Mon, 16 Nov 2026 at 19:42
Subject: refund
To: <studio@kreatorz.co.za>

Hi Lerato, see the screenshot of my WhatsApp. I want my money back for the
video shoot KRZ-10110, we don't need it anymore.

Kagiso
"""
    boundary = "000000000000a1b2c3d4e5f60718"
    parts = [
        text_part(text, cte="7bit"),
        attachment_part(pictures.whatsapp_screenshot(), "image/png",
                        "Screenshot_20261116-194012_WhatsApp.png"),
    ]
    content = composed("Lerato Mahlangu <lerato@kreatorz.co.za>", "Fwd: refund",
                       sast(17, 10, 20, 30),
                       "<CAF3x9Yq2Lw8Mn4Pr6St0Uv1Wx3Yz5Ab7Cd9Ef@mail.kreatorz.co.za>",
                       mixed(boundary, parts))
    expected = Expected(
        "wrong_channel", "en", "a staff member forwards a WhatsApp screenshot the customer "
        "sent to the studio (studio@kreatorz.co.za), not to accounts@",
        reason="change_of_mind", order_refs=("KRZ-10110",), customer="kagiso.molefe@example.net",
        outcome="wrong_channel", outcome_note="answer: please email accounts@kreatorz.co.za",
    )
    delivery = delivered("lerato@kreatorz.co.za", received,
                         ("studio-pc.kreatorz.co.za", "198.51.100.21"), "kreatorz.co.za")
    return build("wrong-channel-forward", received, "new", delivery, content, expected)


def truncated_mime() -> Sample:
    received = sast(18, 14, 50, 9)
    text = """\
Hello,

Please cancel my videography booking KRZ-10119 and refund me; the event
has been cancelled. The quote is attached for reference.

Zanele Ndlovu
"""
    quote = pdf_document(["Kreatorz quote Q-2026-311", "Order KRZ-10119: event videography, "
                          "6 hours", "Total: R 3 200.00"])
    sent = sast(18, 14, 49, 58)
    millis = int(sent.timestamp()) * 1000
    boundary = f"----=_Part_88213_1404872033.{millis}"
    encoded = base64.encodebytes(quote)
    cut = encoded[: 76 * 5 + 40]  # the connection dropped mid-line in the attachment
    parts = [
        text_part(text, cte="7bit"),
        header_block([("Content-Type", 'application/pdf; name="quote-KRZ-10119.pdf"'),
                      ("Content-Transfer-Encoding", "base64"),
                      ("Content-Disposition", 'attachment; filename="quote-KRZ-10119.pdf"')])
        + b"\n" + cut,
    ]
    body = multipart_body(boundary, parts)
    body = body[: body.rindex(b"\n--" + boundary.encode())]  # no closing boundary
    headers, _ = composed("Zanele Ndlovu <zanele.ndlovu@example.com>", "Refund request KRZ-10119",
                          sent, f"<{millis}.88213@mail.example.com>",
                          ([("Content-Type", f'multipart/mixed; boundary="{boundary}"')], b""))
    expected = Expected(
        "new_request", "en", "malformed: truncated MIME (the PDF attachment is cut mid-base64 "
        "and the closing boundary is missing); the text part is intact",
        reason="change_of_mind", order_refs=("KRZ-10119",), customer="zanele.ndlovu@example.com",
        stored="partial", outcome="review", refund_amount="2560.00", fee="640.00",
        outcome_note="stored with what could be read; 3200.00 less 20%",
    )
    delivery = delivered("zanele.ndlovu@example.com", received,
                         ("mail.example.com", "198.51.100.8"), "example.com")
    return build("truncated-mime", received, "new", delivery, (headers, body), expected)


def samples() -> list[Sample]:
    """All demo samples, in order of receipt."""
    return [
        web_design_without_url(),
        thread_reply_with_url(),
        change_of_mind_in_window(),
        duplicate_resend(),
        change_of_mind_late_forged_date(),
        part_of_package(),
        dissatisfied_ip_created(),
        printed_with_evidence(),
        french_maintenance_cancel(),
        html_only_seo_cancel(),
        contact_form_relay(),
        privacy_request(),
        out_of_office(),
        bounce(),
        whatsapp_forward(),
        truncated_mime(),
    ]
