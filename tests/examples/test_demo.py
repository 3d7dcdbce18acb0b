"""The demo, run as the README runs it (the same CLI commands), gives what examples/manifest.toml says:
classification, thread, and each decision in turn with its exact amount and fee."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = tomllib.loads((ROOT / "examples" / "manifest.toml").read_text())["message"]


def cli(config: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "refund_intake.cli", "--config", str(config), *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The demo config, with its database moved to a temporary folder."""
    work = tmp_path_factory.mktemp("demo")
    examples = work / "examples"
    shutil.copytree(ROOT / "examples", examples)
    shutil.copytree(ROOT / "policies", work / "policies")
    config = examples / "demo.toml"
    assert "../var/demo.db" in config.read_text()
    cli(config, "db", "upgrade")
    cli(config, "orders", "import", str(examples / "orders.csv"))
    cli(config, "poll", "--once")
    assert "already stored" not in cli(config, "poll", "--once"), "a second poll stores nothing"
    messages = {m["message_id"]: m for m in json.loads(cli(config, "messages", "list", "--json"))}
    requests = {r["reference"]: json.loads(cli(config, "requests", "show", r["reference"], "--json"))
                for r in json.loads(cli(config, "requests", "list", "--json"))}
    explained = cli(config, "explain", "R-000002")
    return {"messages": messages, "requests": requests, "explained": explained, "config": config}


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["key"] for e in MANIFEST])
def test_sample_message(demo: dict, entry: dict) -> None:
    message = demo["messages"][entry["message_id"]]
    assert message["classification"] == entry["classification"]
    assert message["language"] == entry["language"]
    assert message["order_refs"] == entry.get("order_refs", [])
    assert message["parse_status"] == {"complete": "ok", "partial": "partial"}[entry["stored"]]
    if entry["classification"] == "not_a_request" and message["reference"] is None:
        assert entry["outcome"] == "not_a_request"
        return
    request = demo["requests"][message["reference"]]
    if "customer" in entry:
        assert request["sender"] == entry["customer"]


def test_decisions_in_order(demo: dict) -> None:
    """Each customer message decides again; the n-th message of a thread made the n-th decision."""
    from sqlalchemy import select

    from base.config import load_config
    from base.db import make_engine, session_factory
    from base.models import Message

    engine = make_engine(load_config(demo["config"]).database_url)
    with session_factory(engine)() as session:
        for entry in MANIFEST:
            message = session.scalar(select(Message).where(Message.message_id == entry["message_id"]))
            assert message is not None
            if message.request is None:
                continue
            position = [m.id for m in message.request.messages].index(message.id)
            decision = message.request.decisions[position]
            assert decision.outcome == entry["outcome"], entry["key"]
            currency = decision.currency
            assert _money(decision.refund_amount, currency) == entry.get("refund_amount"), entry["key"]
            if "fee" in entry:
                assert _money(decision.fee, currency) == entry["fee"], entry["key"]
            if "missing" in entry:
                assert decision.missing == entry["missing"], entry["key"]
    engine.dispose()


def _money(value, currency):  # type: ignore[no-untyped-def]
    from base.records import money_text

    return money_text(value, currency) if value is not None else None


def test_explain_cites_policy_and_amount(demo: dict) -> None:
    text = demo["explained"]
    assert text.startswith("R-000002 (thandi.mokoena@example.com")
    assert "3600.00 ZAR" in text and "fee 900.00" in text
    assert "policy kreatorz version 2024-11-11" in text
    assert "within 7 calendar days from the date of service undertaking" in text
