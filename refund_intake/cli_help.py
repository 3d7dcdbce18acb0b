"""Every command's --help: its purpose in one line, an example, and positionals named alike
(REF for a request, ID for a draft or a message, FILE, EMAIL), whichever module added it."""

from __future__ import annotations

import argparse

EXAMPLES = {
    "init": "refund-intake init /etc/refund-intake --address refunds@shop.example "
            "--imap-host imap.shop.example --policy french-saas",
    "demo": "refund-intake demo --dir /tmp/refund-demo",
    "check-config": "refund-intake --config /etc/refund-intake/config.toml check-config --connect",
    "db upgrade": "refund-intake db upgrade",
    "poll": "refund-intake poll --once --since 2026-10-01",
    "run": "refund-intake --log-format json run",
    "status": "refund-intake status --json",
    "remind": "refund-intake remind --dry-run",
    "requests list": "refund-intake requests list --mailbox accounts --limit 20",
    "requests show": "refund-intake requests show 5        (or R-000005)",
    "requests close": "refund-intake requests close 5 --as ada@example.com",
    "requests mark-fraud": "refund-intake requests mark-fraud 5 --reason \"same card, 9 shops\" "
                           "--as ada@example.com",
    "messages list": "refund-intake messages list --json",
    "messages show": "refund-intake messages show 12",
    "quarantine list": "refund-intake quarantine list",
    "quarantine show": "refund-intake quarantine show 3 --raw > message.eml",
    "quarantine retry": "refund-intake quarantine retry --all",
    "orders import": "refund-intake orders import orders.csv",
    "decide": "refund-intake decide --policy kreatorz.toml --eml message.eml --orders orders.csv",
    "explain": "refund-intake explain R-000002",
    "policy check": "refund-intake policy check policies/kreatorz.toml",
    "policy test": "refund-intake policy test policies/kreatorz.toml --coverage --min-coverage 90",
    "policy diff": "refund-intake policy diff policies/kreatorz.toml new-kreatorz.toml --json",
    "requests resolve": "refund-intake requests resolve 5 --approve 450.00 --note \"goodwill\" --as ada@example.com",
    "requests set": "refund-intake requests set 5 --reason non_delivery --as ada@example.com",
    "requests redecide": "refund-intake requests redecide 5 --version 2024-11-11 --as ada@example.com",
    "staff disable": "refund-intake staff disable bob@example.com --as ada@example.com",
    "staff enable": "refund-intake staff enable bob@example.com --as ada@example.com",
    "staff role": "refund-intake staff role bob@example.com viewer --as ada@example.com",
    "staff passwd": "refund-intake staff passwd bob@example.com --as ada@example.com",
    "policy simulate": "refund-intake policy simulate new-policy.toml --json",
    "purge": "refund-intake purge --dry-run --as-of 2027-03-01T00:00:00+00:00",
    "privacy export": "refund-intake privacy export alice@example.com --as ada@example.com > alice.json",
    "privacy erase": "refund-intake privacy erase alice@example.com --as ada@example.com",
    "privacy rekey": "refund-intake privacy rekey",
    "privacy new-key": "refund-intake privacy new-key",
    "queue list": "refund-intake queue list --state failed",
    "queue show": "refund-intake queue show 7",
    "queue approve": "refund-intake queue approve 7 --as ada@example.com",
    "queue reject": "refund-intake queue reject 7 --note \"wrong amount\" --as ada@example.com",
    "queue resend": "refund-intake queue resend 7 --as ada@example.com",
    "send": "refund-intake send --once",
    "staff add": "refund-intake staff add ada@example.com --role admin",
    "staff list": "refund-intake staff list",
    "web": "refund-intake web --port 8080",
}
_METAVARS = {"ref": "REF", "id": "ID", "file": "FILE", "email": "EMAIL", "dir": "DIR",
             "old": "OLD", "new": "NEW", "role": "ROLE"}
_HELPS = {"ref": "the request: its reference R-000005, or just 5",
          "id": "the number in the ID column of `{group} list`",
          "email": "the person's email address",
          "old": "the policy file in force now", "new": "the candidate policy file",
          "role": "viewer, approver or admin"}


def finish(parser: argparse.ArgumentParser) -> None:
    """Give each leaf command its purpose, its example and the shared positional names."""
    for path, command, purpose in commands(parser):
        command.formatter_class = argparse.RawDescriptionHelpFormatter
        command.description = command.description or _sentence(purpose)
        example = EXAMPLES.get(path)
        if example and not command.epilog:
            command.epilog = f"example:\n  {example}"
        for action in command._actions:
            if not action.option_strings and action.dest in _METAVARS:
                action.metavar = _METAVARS[action.dest]
                if action.help is None and action.dest in _HELPS:
                    action.help = _HELPS[action.dest].format(group=path.split()[0])


def commands(parser: argparse.ArgumentParser, path: str = "",
             purpose: str = "") -> list[tuple[str, argparse.ArgumentParser, str]]:
    """(path such as "queue approve", parser, its help line) for every leaf command."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        return [(path, parser, purpose)]
    found = []
    for group in groups:
        helps = {choice.dest: choice.help or "" for choice in group._choices_actions}
        for name, child in group.choices.items():
            found += commands(child, f"{path} {name}".strip(), helps.get(name, ""))
    return found


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else ""
