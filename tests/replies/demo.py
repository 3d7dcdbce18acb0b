"""The bundled demo mailbox polled into a fresh database with staff accounts: real decisions
under the real Kreatorz policy, for the tests where staff decide (CLI and desk)."""

from __future__ import annotations

import shutil
from pathlib import Path

from base.config import load_config
from base.db import make_engine, session_factory, upgrade
from base.policies import policies_by_mailbox
from decisions import parse_orders_csv
from pipeline.poll import PollContext, poll_all
from refund_intake.decision_commands import _upsert
from tests.replies.builders import add_person

ROOT = Path(__file__).resolve().parents[2]
STAFF = {"approver": "amir@kreatorz.co.za", "second": "sue@kreatorz.co.za",
         "admin": "ada@kreatorz.co.za", "viewer": "vera@kreatorz.co.za"}


def demo(tmp_path: Path, replies: str = "", extra: dict[str, bytes] | None = None,
         tables: str = "") -> Path:
    """The bundled demo mailbox polled into a fresh database, with four staff accounts;
    `extra` mail (Maildir file name -> bytes) is delivered to the mailbox first. `replies` are
    lines of the config's [replies] table, `tables` more tables for it."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for name, raw in (extra or {}).items():
        (tmp_path / "examples" / "sample-mailbox" / "cur" / name).write_bytes(raw)
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    config = tmp_path / "examples" / "demo.toml"
    if replies:
        tables = f"[replies]\n{replies}\n\n{tables}"
    if tables:
        config.write_text(config.read_text() + f"\n{tables}\n")
    loaded = load_config(config)
    upgrade(loaded.database_url)
    engine = make_engine(loaded.database_url)
    sessions = session_factory(engine)
    orders, _ = parse_orders_csv((tmp_path / "examples" / "orders.csv").read_text())
    with sessions.begin() as session:
        for order in orders:
            _upsert(session, order)
        for role, email in STAFF.items():
            add_person(session, email, "approver" if role == "second" else role)
    poll_all(PollContext(engine, sessions, loaded, policies=policies_by_mailbox(loaded)))
    engine.dispose()
    return config


