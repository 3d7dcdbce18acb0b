"""`refund-intake init [DIR]`: write a commented config.toml for one shop, and say what next.

It asks on a terminal (or takes options) for the three things only the shop knows: the address
customers write to, the IMAP host, and the policy. Everything else gets the documented default,
with a comment, so the file explains itself when someone opens it a year later."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from base.errors import ConfigError
from base.resources import shipped_policy, shipped_policy_names
from refund_intake.config_template import CONFIG_TEMPLATE, SECRETS

DEFAULT_POLICY = "kreatorz"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = sub.add_parser(
        "init", help="write a commented config.toml for one shop, then say what to run next",
        description="Write DIR/config.toml for one refunds mailbox. On a terminal it asks for what "
                    "the options do not give; otherwise the options are required.")
    init.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
                      help="where to write config.toml (default: the current folder)")
    init.add_argument("--address", help="the address customers send refund requests to")
    init.add_argument("--imap-host", help="the IMAP server of that mailbox")
    init.add_argument("--smtp-host", help="the SMTP server replies go out through (default: the IMAP host)")
    init.add_argument("--policy", help=f"a shipped policy ({', '.join(shipped_policy_names())}) "
                                       "or the path of your own policy file")
    init.add_argument("--force", action="store_true", help="replace an existing config.toml")
    init.set_defaults(handler=init_config, needs_config=False)


def init_config(_config: object, args: argparse.Namespace) -> int:
    target = args.dir / "config.toml"
    if target.exists() and not args.force:
        raise ConfigError(f"{target} exists already; edit it, or add --force to replace it")
    address = _value(args.address, "--address", "Address customers write to (e.g. refunds@shop.example)")
    imap_host = _value(args.imap_host, "--imap-host", "IMAP server of that mailbox (e.g. imap.shop.example)")
    policy = _value(args.policy, "--policy",
                    f"Policy ({', '.join(shipped_policy_names())}, or a path)", DEFAULT_POLICY)
    if "@" not in address:
        raise ConfigError(f"--address: expected an email address, got {address!r}")
    try:
        args.dir.mkdir(parents=True, exist_ok=True)
        policy_line = _place_policy(policy, args.dir)
        target.write_text(CONFIG_TEMPLATE.format(
            address=address, name=address.split("@")[0].lower(), policy=policy_line,
            imap_host=imap_host, smtp_host=args.smtp_host or imap_host), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"init: cannot write to {args.dir}: {exc.strerror}") from exc
    _explain(target, address, imap_host, policy_line)
    return 0


def _value(given: str | None, option: str, question: str, default: str | None = None) -> str:
    if given:
        return given.strip()
    if not sys.stdin.isatty():
        raise ConfigError(f"init: {option} is needed (no terminal to ask on)")
    suffix = f" [{default}]" if default else ""
    while True:
        answer = input(f"{question}{suffix}: ").strip() or (default or "")
        if answer:
            return answer


def _place_policy(policy: str, directory: Path) -> str:
    """A shipped policy is copied next to the config, for the shop to read and adapt; a path of
    the shop's own is used where it is. Returns the config's `policy` value."""
    own = Path(policy).expanduser()
    if own.suffix == ".toml" or own.exists():
        if not own.is_file():
            raise ConfigError(f"--policy: no such file: {own}")
        return str(own.resolve())
    copy = directory / f"{policy}.toml"
    if not copy.exists():
        shutil.copyfile(shipped_policy(policy), copy)
    return copy.name


def _explain(target: Path, address: str, imap_host: str, policy: str) -> None:
    default = target.resolve() == (Path.cwd() / "config.toml").resolve()
    ri = "refund-intake" if default else f"refund-intake --config {target}"
    print(f"Wrote {target} for {address} (IMAP {imap_host}, policy {policy}).\n")
    print("Secrets are never kept in the config. Set these in the environment of every "
          "refund-intake command\n(export them in your shell, or put them in the systemd unit's "
          "EnvironmentFile, mode 0600):")
    for variable, what in SECRETS:
        print(f"  {variable}  {what}")
    print("\nThen, in this order:")
    print(f"  {ri} check-config --connect    # the config, the secrets, and the IMAP folders")
    print(f"  {ri} db upgrade                # create the database")
    print(f"  {ri} orders import orders.csv  # the shop's orders (columns in the README)")
    print(f"  {ri} poll --once               # fetch and decide the new mail once")
    print(f"  {ri} staff add you@{address.split('@')[1]} --role admin   # the first staff account")
    print(f"  {ri} web                       # the staff page, on http://127.0.0.1:8080/")
