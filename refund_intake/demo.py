"""`refund-intake demo`: the bundled sample mailbox, decided end to end in a folder of its own.

It needs nothing but the installed package: the sample Maildir, the orders and the Kreatorz
policy are copied out of it into DIR, with a config that points at them, and the same commands
a person would type then run in turn (`db upgrade`, `orders import`, `poll --once`, the lists)."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from base.errors import ConfigError
from base.resources import folder

DEFAULT_DIR = "refund-intake-demo"
# The bundled demo.toml is written for the repository (examples/ next to policies/ and var/);
# in DIR the same config points at the copies beside it.
_REWRITES = (
    ('url = "sqlite:///../var/demo.db"', 'url = "sqlite:///demo.db"'),
    ('policy = "../policies/kreatorz.toml"', 'policy = "kreatorz.toml"'),
)
_SHOWN = (
    ("Every message and how it was classified", ("messages", "list")),
    ("Refund requests", ("requests", "list")),
    ("Quarantined messages", ("quarantine", "list")),
    ("Why?", ("explain", "R-000002")),
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             command_line: Callable[[Sequence[str]], int]) -> None:
    """`command_line` is cli.main: the demo runs the very commands a person types (passed in,
    so that this module does not import the parser that imports it)."""
    demo = sub.add_parser(
        "demo", help="run the bundled sample mailbox end to end into a fresh folder",
        description="Copy the bundled sample mailbox, orders and policy into DIR, then decide "
                    "every message into a fresh SQLite database there and print the results.")
    demo.add_argument("--dir", type=Path, default=Path(DEFAULT_DIR),
                      help=f"the folder to run in (default ./{DEFAULT_DIR}); its demo files are replaced")
    demo.set_defaults(handler=run_demo, needs_config=False, command_line=command_line)


def run_demo(_config: object, args: argparse.Namespace) -> int:
    main = args.command_line
    config = prepare(args.dir)
    flags = ["--traceback"] * args.traceback + ["--verbose"] * args.verbose
    steps = [("db", "upgrade"), ("orders", "import", str(args.dir / "orders.csv")), ("poll", "--once")]
    for step in steps:
        if main([*flags, "--config", str(config), *step]) != 0:
            return 1
    for title, command in _SHOWN:
        print(f"\n== {title} (refund-intake {' '.join(command)})", flush=True)
        main([*flags, "--config", str(config), *command])
    ri = f"{_command()} --config {config}"
    print(f"\nThe demo's files are in {args.dir}/. Look closer with, for example:\n"
          f"  {ri} requests show 2\n"
          f"  {ri} staff add you@example.com --role admin\n"
          f"  {ri} web --dev-secret")
    return 0


def _command() -> str:
    """How this shell reaches refund-intake: by name when it is on PATH, else by its path."""
    invoked = Path(sys.argv[0])
    on_path = shutil.which("refund-intake")
    if invoked.name != "refund-intake" or (on_path and Path(on_path).resolve() == invoked.resolve()):
        return "refund-intake"
    return str(invoked)


def prepare(directory: Path) -> Path:
    """DIR with a fresh copy of the demo's files and an empty database; returns its config."""
    examples = folder("examples")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        mailbox = directory / "sample-mailbox"
        shutil.rmtree(mailbox, ignore_errors=True)
        shutil.copytree(examples / "sample-mailbox", mailbox)
        (mailbox / "tmp").mkdir(exist_ok=True)
        for stale in ("demo.db", "demo.db-wal", "demo.db-shm"):
            (directory / stale).unlink(missing_ok=True)
        shutil.copyfile(examples / "orders.csv", directory / "orders.csv")
        shutil.copyfile(folder("policies") / "kreatorz.toml", directory / "kreatorz.toml")
        config = directory / "demo.toml"
        config.write_text(_demo_config((examples / "demo.toml").read_text(encoding="utf-8")),
                          encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"demo: cannot write to {directory}: {exc.strerror}") from exc
    return config


def _demo_config(text: str) -> str:
    for old, new in _REWRITES:
        if old not in text:
            raise ConfigError(f"the bundled demo.toml no longer has {old!r}")
        text = text.replace(old, new)
    return text
