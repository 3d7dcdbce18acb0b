"""The policy author's commands as they are typed: policy test, check and diff, versions, redecide.

Every command runs through the installed `refund-intake` entry point, as a shop owner runs it.
The first test is the one the README's test command relies on: every shipped policy's own
tests pass with every rule covered.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.decisions.small_policy import small_policy

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINT = Path(sys.executable).parent / "refund-intake"
SHIPPED = sorted((ROOT / "policies").glob("*.toml"))


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ENTRY_POINT), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("policy", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_policy_passes_its_own_tests_with_full_coverage(policy: Path) -> None:
    result = cli("policy", "test", str(policy), "--coverage", "--min-coverage", "100")
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout and "(100.0%)" in result.stdout


@pytest.mark.parametrize("policy", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_policy_passes_the_authoring_checks(policy: Path) -> None:
    result = cli("policy", "check", str(policy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": OK: " in result.stdout


def test_a_broken_test_prints_the_file_line_and_each_field_that_differs(tmp_path: Path) -> None:
    text = (ROOT / "policies/kreatorz.toml").read_text(encoding="utf-8")
    assert text.count('refund = "500.03"') == 1
    broken = tmp_path / "kreatorz.toml"
    broken.write_text(text.replace('refund = "500.03"', 'refund = "500.02"'), encoding="utf-8")
    result = cli("policy", "test", str(broken))
    assert result.returncode == 1
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "50% of the unused portion\\\"" in row)
    assert f"FAIL {broken}:{line - 1}: " in result.stdout
    assert "  refund  expected 500.02\n          got      500.03\n" in result.stdout
    assert "1 failed" in result.stdout and "Traceback" not in result.stderr


def test_policy_test_json_and_a_coverage_minimum(tmp_path: Path) -> None:
    text = (ROOT / "policies/marketplace.toml").read_text(encoding="utf-8")
    # without its dispute case, dispute-resolution is never hit: 7 of 8 rules are covered
    cut = text.index('[[tests]]\nname = "\\"Kajet offers a dispute resolution process')
    trimmed = tmp_path / "marketplace.toml"
    trimmed.write_text(text[:cut], encoding="utf-8")
    result = cli("policy", "test", str(trimmed), "--min-coverage", "100", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert {"file", "policy", "version", "tests", "passed", "failed", "results", "coverage", "min_coverage"} <= set(data)
    assert (data["tests"], data["failed"], data["coverage"]["percent"]) == (7, 0, "87.5")
    assert data["coverage"]["gaps"] == [{"rule": "dispute-resolution", "missing": "hit"}]
    assert {"name", "line", "passed", "differences", "error", "hits"} <= set(data["results"][0])
    assert cli("policy", "test", str(trimmed), "--min-coverage", "87.5").returncode == 0


def test_policy_test_refuses_a_bad_test_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    text = (ROOT / "policies/marketplace.toml").read_text(encoding="utf-8")
    bad.write_text(text + '\n[[tests]]\nname = "typo"\nreason = "change_of_mind"\n'
                   'received_at = 2024-03-02T10:00:00+08:00\n[tests.order]\namount = "1.00"\n'
                   'currency = "MYR"\nordered_at = 2024-03-01T10:00:00+08:00\nseller_canceled = true\n'
                   '[tests.expect]\noutcome = "review"\n', encoding="utf-8")
    result = cli("policy", "test", str(bad))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = bad.read_text(encoding="utf-8").splitlines().index("seller_canceled = true") + 1
    assert f"{bad}:{line}: tests[8].order.seller_canceled: unknown fact 'seller_canceled'" in result.stderr


SMALL = small_policy("""
kind = { type = "text", values = ["digital", "physical"] }
delivered_on = "text"
spare = "bool"
""", """
[[rules]]
id = "window"
kind = "always"
when = { kind = ["shipping"] }
effect = "approve"
clause = "Refunds within 14 days."
""")


def test_policy_check_reports_authoring_mistakes_by_line(tmp_path: Path) -> None:
    bad = tmp_path / "shop.toml"
    bad.write_text(SMALL, encoding="utf-8")
    result = cli("policy", "check", str(bad))
    assert result.returncode == 1
    lines = SMALL.splitlines()
    when_line = next(n for n, row in enumerate(lines, 1) if row.startswith("when ="))
    assert f"{bad}:{when_line}: rules[0].when.kind: can never hold: kind is never 'shipping'" in result.stdout
    spare_line = lines.index('spare = "bool"') + 1
    assert f"{bad}:{spare_line}: facts.spare: fact 'spare' is declared" in result.stdout
    assert "authoring mistake(s)" in result.stdout


def test_policy_check_refuses_a_window_anchored_on_a_fact_that_is_not_a_date(tmp_path: Path) -> None:
    bad = tmp_path / "shop.toml"
    text = SMALL + ('\n[[rules]]\nid = "late"\nkind = "window"\nanchor = "delivered_on"\ndays = 14\n'
                    'otherwise = "deny"\nclause = "Refunds within 14 days."\n')
    bad.write_text(text, encoding="utf-8")
    result = cli("policy", "check", str(bad))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = text.splitlines().index('anchor = "delivered_on"') + 1
    assert (f"{bad}:{line}: rules[1].anchor: fact 'delivered_on' is text; this needs datetime or date"
            in result.stderr)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The demo world: the sample mailbox polled into SQLite, under a copy of the shipped policies."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    config = tmp_path / "examples" / "demo.toml"
    assert cli("--config", str(config), "db", "upgrade").returncode == 0
    assert cli("--config", str(config), "orders", "import", str(tmp_path / "examples/orders.csv")).returncode == 0
    return config


def ten_percent_version(text: str, version: str) -> str:
    """Kreatorz with its 20% fees lowered to 10%, as a new version taking effect on `version`."""
    assert text.count("percent = 20") == 2
    return (text.replace("percent = 20", "percent = 10")
            .replace('version = "2024-11-11"', f'version = "{version}"')
            .replace("effective_date = 2024-11-11", f"effective_date = {version}"))


def test_policy_diff_counts_outcome_changes_and_the_money_moved(demo: Path, tmp_path: Path) -> None:
    assert cli("--config", str(demo), "poll", "--once").returncode == 0
    old = tmp_path / "policies/kreatorz.toml"
    new = tmp_path / "kreatorz-new.toml"
    text = old.read_text(encoding="utf-8")
    assert text.count("days = 7\n") == 1
    # a 2-day change-of-mind window and a 10% fee
    new.write_text(ten_percent_version(text, "2026-12-01").replace("days = 7\n", "days = 2\n"), encoding="utf-8")
    result = cli("--config", str(demo), "policy", "diff", str(old), str(new), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"old", "new", "requests", "changed", "outcomes", "money", "left_out"} <= set(data)
    assert (data["old"]["version"], data["new"]["version"]) == ("2024-11-11", "2026-12-01")
    outcomes = {(o["before"], o["after"]): o["requests"] for o in data["outcomes"]}
    # R-000002 (6 days after the service started) and R-000010 (4 days) are now late;
    # R-000001 and R-000013 (1 and 2 days) stay in time and are proposed at a 10% fee; R-000006,
    # whose reason is unclear (examples/manifest.toml), waits for staff under both
    assert outcomes == {("review", "deny"): 2, ("review", "review"): 3, ("deny", "deny"): 4,
                        ("approve", "approve"): 1}
    assert (data["requests"], data["changed"], data["left_out"]) == (10, 2, 0)
    [zar] = data["money"]
    # only R-000008 is approved, under both (540.00: the maintenance clause has no fee to lower)
    assert (zar["currency"], zar["refund_before"], zar["refund_after"], zar["moved"]) == (
        "ZAR", "540.00", "540.00", "0.00")
    # proposed: 10000.00 + 3600.00 + 2240.00 + 2560.00 before; 11250.00 + 2880.00 after
    assert (zar["proposed_before"], zar["proposed_after"]) == ("18400.00", "14130.00")
    shown = cli("--config", str(demo), "policy", "diff", str(old), str(new)).stdout
    assert "2 change outcome" in shown and "18400.00" in shown and "14130.00" in shown


def test_a_request_is_decided_under_the_version_in_force_when_it_was_received(demo: Path, tmp_path: Path) -> None:
    versions = tmp_path / "policies" / "kreatorz"
    versions.mkdir()
    shipped = tmp_path / "policies" / "kreatorz.toml"
    shutil.move(shipped, versions / "2024-11-11.toml")
    (versions / "2026-11-05.toml").write_text(
        ten_percent_version((versions / "2024-11-11.toml").read_text(encoding="utf-8"), "2026-11-05"),
        encoding="utf-8")
    demo.write_text(demo.read_text(encoding="utf-8").replace(
        'policy = "../policies/kreatorz.toml"', 'policy = "../policies/kreatorz"'), encoding="utf-8")
    assert cli("--config", str(demo), "check-config").returncode == 0
    assert cli("--config", str(demo), "poll", "--once").returncode == 0
    # R-000001 was received on 4 November, the day before the new version: its customer's reply
    # on 5 November decides it again, still under the version it was received in
    first = json.loads(cli("--config", str(demo), "explain", "R-000001", "--json").stdout)
    assert (first["version"], first["refund_amount"], first["fee"]) == ("2024-11-11", "10000.00", "2500.00")
    second = cli("--config", str(demo), "explain", "R-000002")
    assert "policy kreatorz version 2026-11-05" in second.stdout
    assert "proposed refund 4050.00 ZAR (fee 450.00" in second.stdout


def test_a_new_version_changes_no_decision_until_staff_decide_again(demo: Path, tmp_path: Path) -> None:
    assert cli("--config", str(demo), "poll", "--once").returncode == 0
    versions = tmp_path / "policies" / "kreatorz"
    versions.mkdir()
    shutil.move(tmp_path / "policies" / "kreatorz.toml", versions / "2024-11-11.toml")
    (versions / "2026-11-05.toml").write_text(
        ten_percent_version((versions / "2024-11-11.toml").read_text(encoding="utf-8"), "2026-11-05"),
        encoding="utf-8")
    demo.write_text(demo.read_text(encoding="utf-8").replace(
        'policy = "../policies/kreatorz.toml"', 'policy = "../policies/kreatorz"'), encoding="utf-8")
    before = json.loads(cli("--config", str(demo), "explain", "R-000002", "--json").stdout)
    assert (before["version"], before["refund_amount"]) == ("2024-11-11", "3600.00")
    env = {"REFUND_INTAKE_NEW_STAFF_PASSWORD": "a long enough password"}
    assert cli("--config", str(demo), "staff", "add", "ada@kreatorz.co.za", "--role", "approver", env=env).returncode == 0
    again = cli("--config", str(demo), "requests", "redecide", "R-000002", "--as", "ada@kreatorz.co.za")
    assert again.returncode == 0, again.stderr
    assert "R-000002: decided again under kreatorz version 2026-11-05: review" in again.stdout
    after = json.loads(cli("--config", str(demo), "explain", "R-000002", "--json").stdout)
    assert (after["version"], after["refund_amount"]) == ("2026-11-05", "4050.00")
    # on purpose, under a named version
    back = cli("--config", str(demo), "requests", "redecide", "R-000002", "--version", "2024-11-11",
               "--as", "ada@kreatorz.co.za")
    assert "version 2024-11-11" in back.stdout
    unknown = cli("--config", str(demo), "requests", "redecide", "R-000002", "--version", "9",
                  "--as", "ada@kreatorz.co.za")
    assert unknown.returncode == 1 and "no policy version '9'" in unknown.stderr


def test_decide_with_a_directory_of_versions_takes_the_one_in_force(tmp_path: Path) -> None:
    versions = tmp_path / "kreatorz"
    versions.mkdir()
    text = (ROOT / "policies/kreatorz.toml").read_text(encoding="utf-8")
    (versions / "old.toml").write_text(text, encoding="utf-8")
    (versions / "new.toml").write_text(ten_percent_version(text, "2026-11-05"), encoding="utf-8")
    [eml] = [p for p in (ROOT / "examples/sample-mailbox/cur").iterdir() if ".M3P" in p.name]

    def decided(received: str) -> dict[str, str]:
        result = cli("decide", "--policy", str(versions), "--eml", str(eml), "--orders",
                     str(ROOT / "examples/orders.csv"), "--received-at", received, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    day_before = decided("2026-11-04T23:59:59+02:00")
    assert (day_before["version"], day_before["refund_amount"]) == ("2024-11-11", "3600.00")
    on_the_day = decided("2026-11-05T00:00:00+02:00")
    assert (on_the_day["version"], on_the_day["refund_amount"]) == ("2026-11-05", "4050.00")


KAJET_ORDERS = """\
order_id,customer_email,amount,currency,ordered_at,seller_cancelled,cancellation_window_days,cancellation_window_basis,cancelled_in_app_at
KJ-1001,ben@example.net,120.00,MYR,2026-11-02T20:00:00+08:00,false,3,ordered_at,
KJ-1002,mei@example.org,80.00,MYR,2026-11-02T20:00:00+08:00,false,3,ordered_at,2026-11-04T21:30:00+08:00
"""


def kajet_email(sender: str, order_id: str, day: int) -> bytes:
    return (f"Return-Path: <{sender}>\nFrom: {sender}\nTo: cancellations@example.com\n"
            f"Subject: Please cancel order {order_id}\nDate: Fri, {day:02d} Nov 2026 10:00:00 +0800\n"
            f"Message-ID: <{order_id}@example.com>\nContent-Type: text/plain; charset=utf-8\n\n"
            f"Hello,\n\nI changed my mind: please cancel my order {order_id} and refund me.\n\nThanks\n"
            ).encode()


def test_a_kajet_cancel_email_for_an_order_never_cancelled_in_the_app_gets_told_how(tmp_path: Path) -> None:
    """Through the whole pipeline: the order's record, not the email, says whether and when the
    buyer cancelled in the app. The email arrives on 6 November, after the 3-day window."""
    cur = tmp_path / "mail" / "cur"
    cur.mkdir(parents=True)
    for name, sender, order_id in (("1794045600.M1P1.shop:2,S", "ben@example.net", "KJ-1001"),
                                   ("1794045601.M2P1.shop:2,S", "mei@example.org", "KJ-1002")):
        (cur / name).write_bytes(kajet_email(sender, order_id, 6))
    (tmp_path / "mail" / "new").mkdir()
    (tmp_path / "mail" / "tmp").mkdir()
    (tmp_path / "orders.csv").write_text(KAJET_ORDERS, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f"""
[database]
url = "sqlite:///{tmp_path}/kajet.db"

[intake]
order_ref_patterns = ['\\bKJ-\\d{{4,}}\\b']

[[mailbox]]
name = "kajet"
address = "cancellations@example.com"
policy = "{ROOT}/policies/marketplace.toml"

[mailbox.maildir]
path = "{tmp_path}/mail"
""", encoding="utf-8")
    for args in (("db", "upgrade"), ("orders", "import", str(tmp_path / "orders.csv")), ("poll", "--once")):
        result = cli("--config", str(config), *args)
        assert result.returncode == 0, result.stdout + result.stderr
    requests = {r["order_refs"][0]: r for r in json.loads(cli("--config", str(config), "requests", "list",
                                                                "--json").stdout)}
    assert requests["KJ-1001"]["outcome"] == "cancel_in_app" and requests["KJ-1001"]["refund_amount"] is None
    # cancelled in the app on day 2, inside the window: the late email does not matter
    assert (requests["KJ-1002"]["outcome"], requests["KJ-1002"]["refund_amount"]) == ("review", "80.00")
    drafts = json.loads(cli("--config", str(config), "queue", "list", "--json").stdout)
    kinds = {(d["reference"], d["kind"]) for d in drafts}
    assert (requests["KJ-1001"]["reference"], "cancel_in_app") in kinds
    assert (requests["KJ-1002"]["reference"], "review") in kinds
    told = cli("--config", str(config), "explain", requests["KJ-1001"]["reference"])
    assert "Outcome: not decided: tell the customer how to cancel in the app." in told.stdout
