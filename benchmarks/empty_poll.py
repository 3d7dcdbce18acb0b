"""The empty poll: nothing new in a big folder, connect and login included, and no body fetched.

Run as a child (`python -m benchmarks.empty_poll --config FILE`) on a database that already
holds the whole folder. It times the product's own `poll_all` (what `refund-intake poll` runs
every interval, and `poll --once` once) in this process, after one untimed warm-up, and beside
it the floor: a bare imapclient connect, LOGIN, SELECT and LOGOUT. A last, untimed poll is
traced at imapclient's protocol level to list the IMAP commands it sent.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imapclient import IMAPClient

from base.config import load_config
from base.policies import policies_by_mailbox
from pipeline.poll import PollContext, poll_all
from refund_intake.output import open_database


class CommandTrace(logging.Handler):
    """Collects the verbs imaplib sends ("> b'ABCD1 SELECT ...'"), never their arguments."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.commands: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith(("> b'", '> b"')):
            words = text[4:].split()
            if len(words) > 1:
                self.commands.append(words[1].upper().rstrip("'\""))


def timed(action: Callable[[], Any], runs: int) -> list[float]:
    action()  # warm-up: imports, the database connection pool, Dovecot's login process
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bare_imap(config: Any) -> None:
    settings = config.mailboxes[0].imap
    with IMAPClient(settings.host, port=settings.port, ssl=False, timeout=30) as client:
        client.login(settings.username, settings.password.read())
        client.select_folder("INBOX", readonly=True)


def traced_poll(context: PollContext) -> tuple[list[str], dict[str, int]]:
    trace = CommandTrace()
    protocol = logging.getLogger("imapclient")
    level = protocol.level
    protocol.setLevel(logging.DEBUG)
    protocol.addHandler(trace)
    try:
        [report] = poll_all(context)
    finally:
        protocol.removeHandler(trace)
        protocol.setLevel(level)
    return trace.commands, {"fetched": report.fetched, "bodies_fetched": report.bodies_fetched,
                            "stored": report.stored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    config = load_config(args.config)
    engine, sessions = open_database(config)
    context = PollContext(engine, sessions, config, policies=policies_by_mailbox(config))
    reports: list[Any] = []
    poll = timed(lambda: reports.append(poll_all(context)[0]), args.runs)
    floor = timed(lambda: bare_imap(config), args.runs)
    commands, counts = traced_poll(context)
    bodies = sum(r.bodies_fetched for r in reports) + counts["bodies_fetched"]
    print(json.dumps({
        "poll_ms": statistics.median(poll), "poll_max_ms": max(poll),
        "floor_ms": statistics.median(floor), "runs": args.runs,
        "bodies_fetched": bodies, "fetched": sum(r.fetched for r in reports) + counts["fetched"],
        "errors": [r.error for r in reports if r.error], "imap_commands": commands,
    }))


if __name__ == "__main__":
    main()
