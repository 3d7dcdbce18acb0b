"""The decision commands as a policy author and an operator use them, through the real CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "sample-mailbox" / "cur"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "refund_intake.cli", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def sample(key_fragment: str) -> Path:
    [path] = [p for p in SAMPLE.iterdir() if key_fragment in p.name]
    return path


def test_decide_one_email_without_a_database() -> None:
    result = cli("decide", "--policy", str(ROOT / "policies/kreatorz.toml"),
                 "--eml", str(sample(".M3P")), "--orders", str(ROOT / "examples/orders.csv"),
                 "--received-at", "2026-11-05T10:12:07+02:00", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"outcome", "refund_amount", "currency", "fee", "reasons", "missing", "policy", "version"} <= set(data)
    assert (data["outcome"], data["refund_amount"], data["fee"], data["currency"]) == ("review", "3600.00", "900.00", "ZAR")
    assert data["policy"] == "kreatorz" and data["version"] == "2024-11-11"
    assert all(reason["clause"] for reason in data["reasons"])


def test_decide_counts_from_the_receipt_time_not_the_date_header() -> None:
    late = cli("decide", "--policy", str(ROOT / "policies/kreatorz.toml"), "--eml", str(sample(".M3P")),
               "--orders", str(ROOT / "examples/orders.csv"), "--received-at", "2026-12-01T09:00:00+02:00",
               "--json")
    assert json.loads(late.stdout)["outcome"] == "deny"


def test_decide_refuses_a_failed_dmarc_sender(tmp_path: Path) -> None:
    raw = sample(".M3P").read_bytes()
    raw = raw.replace(b"dmarc=pass", b"dmarc=fail", 1) if b"dmarc=pass" in raw else \
        b"Authentication-Results: mx.kreatorz.co.za; dmarc=fail header.from=example.com\n" + raw
    forged = tmp_path / "forged.eml"
    forged.write_bytes(raw)
    result = cli("decide", "--policy", str(ROOT / "policies/kreatorz.toml"), "--eml", str(forged),
                 "--orders", str(ROOT / "examples/orders.csv"), "--received-at", "2026-11-05T10:12:07+02:00",
                 "--authserv-id", "mx.kreatorz.co.za", "--json")
    data = json.loads(result.stdout)
    assert data["outcome"] == "needs_info" and "identity" in data["missing"]
    assert data["authentication"] == "fail"


def test_policy_check_names_line_and_key(tmp_path: Path) -> None:
    assert cli("policy", "check", str(ROOT / "policies/kreatorz.toml")).returncode == 0
    text = (ROOT / "policies/kreatorz.toml").read_text()
    broken = tmp_path / "broken.toml"
    first_clause = next(line for line in text.splitlines() if line.startswith("clause = "))
    broken.write_text(text.replace(first_clause, "", 1))
    result = cli("policy", "check", str(broken))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert f"{broken}:" in result.stderr and ".clause: missing" in result.stderr


def test_a_bad_policy_stops_poll_at_start(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "kreatorz.toml").write_text(
        (ROOT / "policies/kreatorz.toml").read_text().replace("[[rules]]", "[[rules]]\nfact_typo = 1", 1))
    config = tmp_path / "examples" / "demo.toml"
    assert cli("--config", str(config), "db", "upgrade").returncode == 0
    result = cli("--config", str(config), "poll", "--once")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "kreatorz.toml:" in result.stderr and "fact_typo" in result.stderr


def test_orders_import_reports_bad_rows_by_line_and_keeps_the_good(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    config = tmp_path / "examples" / "demo.toml"
    cli("--config", str(config), "db", "upgrade")
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,customer_email,amount,currency,ordered_at,service_type\n"
                      "A-1,a@example.com,100.00,ZAR,2026-11-01T10:00:00+02:00,Branding\n"
                      "A-2,b@example.com,abc,ZAR,2026-11-01T10:00:00+02:00,Branding\n"
                      "A-3,c@example.com,50.00,ZAR,2026-11-01T10:00:00+02:00,\n")
    result = cli("--config", str(config), "orders", "import", str(orders))
    assert result.returncode == 1
    assert "line 3" in result.stdout and "amount" in result.stdout
    assert "2 order(s) added, 0 updated, 1 row(s) skipped" in result.stdout
    again = cli("--config", str(config), "orders", "import", str(orders))
    assert "0 order(s) added, 2 updated" in again.stdout


def test_policy_simulate_lists_the_decisions_that_would_change(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    config = tmp_path / "examples" / "demo.toml"
    for args in (("db", "upgrade"), ("orders", "import", str(tmp_path / "examples/orders.csv")), ("poll", "--once")):
        assert cli("--config", str(config), *args).returncode == 0
    candidate = tmp_path / "candidate.toml"
    text = (tmp_path / "policies/kreatorz.toml").read_text()
    assert "percent = 20" in text
    candidate.write_text(text.replace("percent = 20", "percent = 10"))
    result = cli("--config", str(config), "policy", "simulate", str(candidate), "--json")
    assert result.returncode == 0, result.stderr
    changes = {c["reference"]: c for c in json.loads(result.stdout)}
    # a 10% fee instead of 20%: R-000002 (4500.00) would propose 4050.00 instead of 3600.00
    assert changes["R-000002"]["amount_before"] == "3600.00"
    assert changes["R-000002"]["amount_after"] == "4050.00"
    assert "R-000007" not in changes  # denied either way (printed: no fee applies)
