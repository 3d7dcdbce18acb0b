"""Orders from CSV text: required columns, typed cells, bad rows reported by line and skipped."""

from datetime import datetime, timedelta
from decimal import Decimal

from decisions import parse_orders_csv

HEADER = "order_id,customer_email,amount,currency,ordered_at,service_type,is_package\n"


def test_good_rows_are_kept_and_extra_columns_are_raw_facts():
    orders, errors = parse_orders_csv(
        HEADER
        + "K-1,ann@example.com,1000.00,ZAR,2024-11-04T10:00:00+02:00,graphic_design,false\n"
        + "K-2,Bob@Example.com,50000,krw,2024-11-04T10:00:00Z,,\n"
    )
    assert errors == []
    first, second = orders
    assert first.amount == Decimal("1000.00") and first.currency == "ZAR"
    assert first.ordered_at.utcoffset() == timedelta(hours=2)
    assert dict(first.facts) == {"service_type": "graphic_design", "is_package": "false"}
    assert second.currency == "KRW"
    assert dict(second.facts) == {}  # empty cells are unknown facts, not "" or false


def test_bad_rows_are_reported_with_line_and_column_and_skipped():
    text = (
        HEADER
        + "K-1,ann@example.com,abc,ZAR,2024-11-04T10:00:00+02:00,,\n"
        + "K-2,ann@example.com,10.00,ZAR,2024-11-04 10:00,,\n"
        + "\n"
        + "K-3,ann@example.com,10.00,XXX,2024-11-04T10:00:00+02:00,,\n"
        + "K-4,not-an-address,10.00,ZAR,2024-11-04T10:00:00+02:00,,\n"
        + "K-5,ann@example.com,10.001,EUR,2024-11-04T10:00:00+02:00,,\n"
        + "K-6,ann@example.com,100.5,KRW,2024-11-04T10:00:00+02:00,,\n"
        + "K-7,ann@example.com,10.00,ZAR,2024-11-04T10:00:00+02:00\n"
        + "K-8,ann@example.com,-1,ZAR,2024-11-04T10:00:00+02:00,,\n"
        + "K-9,ann@example.com,10.00,ZAR,2024-11-04T10:00:00+02:00,,\n"
        + "K-9,ann@example.com,10.00,ZAR,2024-11-04T10:00:00+02:00,,\n"
        + ",ann@example.com,10.00,ZAR,2024-11-04T10:00:00+02:00,,\n"
    )
    orders, errors = parse_orders_csv(text)
    assert [order.order_id for order in orders] == ["K-9"]
    assert errors == [
        "line 2: amount: not a decimal: 'abc'",
        "line 3: ordered_at: date-time without a zone: '2024-11-04 10:00'",
        "line 5: currency: unknown currency: 'XXX'",
        "line 6: customer_email: not an address: 'not-an-address'",
        "line 7: amount: more decimals than EUR has: '10.001'",
        "line 8: amount: more decimals than KRW has: '100.5'",
        "line 9: expected 7 cells, found 5",
        "line 10: amount: not a non-negative amount: '-1'",
        "line 12: order_id: 'K-9' already on line 11",
        "line 13: order_id: empty",
    ]


def test_a_naive_order_time_takes_the_rows_own_time_zone():
    orders, errors = parse_orders_csv(
        "order_id,customer_email,amount,currency,ordered_at,timezone\n"
        "K-1,ann@example.com,10.00,EUR,2024-03-31 12:00,Europe/Paris\n"
        "K-2,ann@example.com,10.00,EUR,2024-03-31 12:00,Mars/Olympus\n"
    )
    assert orders[0].ordered_at == datetime.fromisoformat("2024-03-31T12:00:00+02:00")
    assert errors == ["line 3: timezone: not an IANA time zone: 'Mars/Olympus'"]


def test_missing_required_columns_refuse_the_file():
    orders, errors = parse_orders_csv("order_id,amount\nK-1,10\n")
    assert orders == []
    assert errors == ["line 1: missing required column(s): customer_email, currency, ordered_at"]


def test_quoted_cells_with_newlines_keep_line_numbers_right():
    orders, errors = parse_orders_csv(
        "order_id,customer_email,amount,currency,ordered_at,note\n"
        'K-1,ann@example.com,10.00,EUR,2024-01-01T00:00:00Z,"two\nlines"\n'
        "K-2,ann@example.com,oops,EUR,2024-01-01T00:00:00Z,\n"
    )
    assert orders[0].facts["note"] == "two\nlines"
    assert errors == ["line 4: amount: not a decimal: 'oops'"]


def test_empty_text_and_byte_order_mark():
    assert parse_orders_csv("") == ([], ["line 1: no header row"])
    orders, errors = parse_orders_csv(
        "\ufeff" + HEADER + "K-1,a@b.c,1.00,EUR,2024-01-01T00:00Z,,\n"
    )
    assert len(orders) == 1 and errors == []


def test_overlong_order_id_and_address_are_row_errors() -> None:
    from decisions import parse_orders_csv

    text = ("order_id,customer_email,amount,currency,ordered_at\n"
            f"{'X' * 101},a@example.com,10.00,ZAR,2026-11-01T10:00:00+02:00\n"
            f"B-1,{'a' * 320}@example.com,10.00,ZAR,2026-11-01T10:00:00+02:00\n"
            "C-1,c@example.com,10.00,ZAR,2026-11-01T10:00:00+02:00\n")
    orders, errors = parse_orders_csv(text)
    assert [o.order_id for o in orders] == ["C-1"]
    assert errors == ["line 2: order_id: longer than 100 characters",
                      "line 3: customer_email: longer than 320 characters"]
