"""The shop's order records behind the demo mailbox: examples/orders.csv."""

from __future__ import annotations

ORDER_COLUMNS = ["order_id", "customer_email", "amount", "currency", "ordered_at", "service_type", "is_package", "web_based", "service_url", "recurring", "billing_basis", "service_started_at", "period_start", "period_end", "last_payment_at", "last_payment_amount", "work_commenced", "ip_created", "final_approval_given", "printing_started", "services_rendered", "hours_included", "hours_worked", "chargeback_failed", "p2p_distributed"]

# One line per order, fields in ORDER_COLUMNS order after the first five; "" = unknown.
# The comment says which Kreatorz rule the order is there to exercise.
ORDERS: list[tuple[str, str]] = [
    ("KRZ-09876,daniel.fourie@example.net,2200.00,ZAR,2024-06-12T10:05:00+02:00,Graphic Design,"
     "false,false,,false,,2024-06-13T09:00:00+02:00,,,,,true,true,true,false,true,5,5,false,false",
     "old finished job of the privacy request; no refund question"),
    ("KRZ-10021,linda.vanwyk@example.com,1800.00,ZAR,2026-03-02T09:00:00+02:00,Monthly Maintenance,"
     "false,true,https://law.example.com,true,time,2026-03-02T09:00:00+02:00,"
     "2026-10-01T00:00:00+02:00,2026-10-31T23:59:59+02:00,2026-10-01T06:00:00+02:00,1800.00,"
     "true,false,,,true,10,10,false,false",
     "the out-of-office reply's statement; not a request"),
    ("KRZ-10042,thandi.mokoena@example.com,4500.00,ZAR,2026-10-28T14:20:00+02:00,Branding,"
     "false,false,,false,,2026-10-30T09:00:00+02:00,,,,,false,false,false,,false,15,0,false,false",
     "change of mind inside 7 days, single service: approve less 20% fee"),
    ("KRZ-10057,johan.botha@example.org,3200.00,ZAR,2026-10-23T11:45:00+02:00,"
     "Social Media Marketing,false,false,,false,,2026-10-26T09:00:00+02:00,,,,,false,false,,,"
     "false,8,0,false,false",
     "change of mind after 7 days (forged Date header inside): deny"),
    ("KRZ-10063,ayesha.patel@example.net,12500.00,ZAR,2026-10-30T16:10:00+02:00,Web Design,"
     "false,true,,false,,2026-11-03T09:00:00+02:00,,,,,false,false,false,,false,40,0,false,false",
     "web-based service without a URL: needs_info (url), then approve once the reply gives it"),
    ("KRZ-10071,sipho.dlamini@example.com,18900.00,ZAR,2026-11-05T10:30:00+02:00,Web Design,"
     "true,true,https://launch.example.com,false,,2026-11-06T09:00:00+02:00,,,,,false,false,"
     "false,,false,60,0,false,false",
     "part of a package: deny"),
    ("KRZ-10078,megan.jacobs@example.org,7800.00,ZAR,2026-11-02T13:00:00+02:00,Motion Graphics,"
     "false,false,,false,,2026-11-05T09:00:00+02:00,,,,,true,true,false,,true,20,9,false,false",
     "intellectual property created: deny"),
    ("KRZ-10085,bongani.nkosi@example.com,2400.00,ZAR,2026-10-30T08:30:00+02:00,Graphic Design,"
     "false,false,,false,,2026-11-02T09:00:00+02:00,,,,,true,true,true,true,true,6,6,false,false",
     "graphic design approved and printed: deny"),
    ("KRZ-10090,camille.lefevre@example.net,1800.00,ZAR,2026-09-01T10:00:00+02:00,"
     "Monthly Maintenance,false,true,https://traduction.example.net,true,time,"
     "2026-09-01T10:00:00+02:00,2026-11-01T00:00:00+02:00,2026-11-30T23:59:59+02:00,"
     "2026-11-01T06:00:00+02:00,1800.00,true,false,,,true,10,4,false,false",
     "maintenance plan: 50% of the unused portion (6 of 10 hours) = 540.00"),
    ("KRZ-10096,riaan.steyn@example.com,2500.00,ZAR,2026-06-01T09:00:00+02:00,Monthly SEO,"
     "false,true,https://plumbing.example.com,true,time,2026-06-01T09:00:00+02:00,"
     "2026-11-01T00:00:00+02:00,2026-11-30T23:59:59+02:00,2026-11-01T06:00:00+02:00,2500.00,"
     "true,false,,,true,,,false,false",
     "SEO plan with services rendered: cancel, no refund"),
    ("KRZ-10102,nomsa.khumalo@example.org,2800.00,ZAR,2026-11-08T20:14:00+02:00,Photography,"
     "false,false,,false,,2026-11-09T09:00:00+02:00,,,,,false,false,,,false,4,0,false,false",
     "contact-form request inside 7 days: approve less 20% fee"),
    ("KRZ-10110,kagiso.molefe@example.net,5200.00,ZAR,2026-11-10T12:00:00+02:00,Videography,"
     "false,false,,false,,2026-11-11T09:00:00+02:00,,,,,false,false,,,false,8,0,false,false",
     "asked on WhatsApp (wrong channel): no decision until he emails accounts@"),
    ("KRZ-10119,zanele.ndlovu@example.com,3200.00,ZAR,2026-11-15T18:25:00+02:00,Videography,"
     "false,false,,false,,2026-11-16T09:00:00+02:00,,,,,false,false,,,false,6,0,false,false",
     "the truncated message's order: approve less 20% fee"),
    ("KRZ-10124,lindiwe.zulu@example.org,3900.00,ZAR,2026-11-09T15:00:00+02:00,Branding,"
     "false,false,,false,,2026-11-10T09:00:00+02:00,,,,,false,false,false,,false,12,0,true,false",
     "no sample message: failed chargeback, so deny"),
    ("KRZ-10131,pieter.smit@example.com,6400.00,ZAR,2026-10-01T10:00:00+02:00,Motion Graphics,"
     "false,false,,false,,2026-10-02T09:00:00+02:00,,,,,true,true,true,,true,16,16,false,true",
     "no sample message: distributed on P2P sites, so deny"),
    ("KRZ-10137,grace.adams@example.net,9600.00,ZAR,2026-11-10T11:00:00+02:00,"
     "Software Development,false,false,,false,,2026-11-11T09:00:00+02:00,,,,,true,false,,,true,"
     "20,5,false,false",
     "no sample message: work begun, no IP yet, so prorate (5 of 20 hours spent) less 20%"),
]


def orders_csv() -> bytes:
    rows = [",".join(ORDER_COLUMNS)] + [line for line, _ in ORDERS]
    for row in rows:
        assert row.count(",") == len(ORDER_COLUMNS) - 1, row
    return ("\n".join(rows) + "\n").encode("ascii")
