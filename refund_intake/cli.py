"""The `refund-intake` command line: parse arguments, load config once, print one-line errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from base import logs
from base.config import CONFIG_ENV, config_path, load_config
from base.errors import ConfigError, RefundIntakeError
from base.logs import LOG_FORMATS
from refund_intake import (
    __version__,
    cli_help,
    decision_commands,
    demo,
    init_config,
    ops_commands,
    policy_commands,
    privacy_commands,
    settle_commands,
)
from refund_intake import (
    intake_commands as commands,
)
from refund_intake import reply_parser as replies_cli
from refund_intake import web_commands as desk_cli

Handler = Callable[..., int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="refund-intake",
        description="Turn a refunds mailbox into decided, explained, staff-approved replies.",
        epilog=f"The config file comes from --config, else ${CONFIG_ENV}, else ./config.toml.",
    )
    parser.add_argument("--config", help="path to the TOML config file")
    parser.add_argument("--traceback", action="store_true", help="show the full traceback on errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    parser.add_argument("--log-format", choices=LOG_FORMATS, default="text",
                        help="text (default) or json lines, e.g. for journald")
    parser.add_argument("--version", action="version", version=f"refund-intake {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="create or upgrade the database to the latest schema") \
        .set_defaults(handler=commands.db_upgrade)

    check = sub.add_parser(
        "check-config", help="validate the config, policies and secrets; exit 1 on a problem")
    check.add_argument("--connect", action="store_true",
                       help="also log in to each IMAP mailbox and check the folders it needs")
    check.set_defaults(handler=commands.check_config)

    poll = sub.add_parser("poll", help="fetch and process new mail (every interval, or --once)")
    poll.add_argument("--once", action="store_true", help="poll each mailbox once and exit (for cron)")
    poll.add_argument("--mailbox", action="append", default=[], metavar="NAME",
                      help="only this mailbox (repeatable)")
    poll.add_argument("--since", metavar="YYYY-MM-DD", help="on a first run, ignore mail older than this")
    poll.add_argument("--json", action="store_true", help="print the poll report as JSON")
    poll.set_defaults(handler=commands.poll)

    requests = _list_show(sub, "requests", "refund requests", commands.requests_list,
                          commands.requests_show, "REF")
    _list_show(sub, "messages", "every stored message and its classification",
               commands.messages_list, commands.messages_show, "ID")

    quarantine = sub.add_parser("quarantine", help="messages that could not be read") \
        .add_subparsers(dest="action", required=True)
    q_list = quarantine.add_parser("list", help="list quarantined messages")
    q_list.add_argument("--json", action="store_true")
    q_list.set_defaults(handler=commands.quarantine_list)
    q_show = quarantine.add_parser("show", help="show one quarantined message and why")
    q_show.add_argument("id", type=int)
    q_show.add_argument("--json", action="store_true")
    q_show.add_argument("--raw", action="store_true", help="print the raw bytes as received")
    q_show.set_defaults(handler=commands.quarantine_show)
    q_retry = quarantine.add_parser("retry", help="parse a quarantined message again (after an upgrade)")
    q_retry.add_argument("id", type=int, nargs="?")
    q_retry.add_argument("--all", action="store_true", help="retry every quarantined message")
    q_retry.set_defaults(handler=commands.quarantine_retry)
    init_config.register(sub)
    demo.register(sub, main)
    decision_commands.register(sub)
    ops_commands.register(sub)
    privacy_commands.register(sub, requests)
    policy_commands.register_redecide(requests)
    settle_commands.register(requests)
    replies_cli.register(sub)
    desk_cli.register(sub)
    cli_help.finish(parser)
    return parser


def _list_show(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, what: str, list_handler: Handler,
               show_handler: Handler, key: str) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    group = sub.add_parser(name, help=what).add_subparsers(dest="action", required=True)
    listing = group.add_parser("list", help=f"list {what}")
    listing.add_argument("--json", action="store_true", help="JSON for scripts (fields in README)")
    listing.add_argument("--mailbox", help="only this mailbox")
    listing.add_argument("--limit", type=int, default=200, help="at most this many rows (default 200)")
    listing.set_defaults(handler=list_handler)
    show = group.add_parser("show", help=f"show one of the {what}")
    show.add_argument(key.lower(), metavar=key)
    show.add_argument("--json", action="store_true", help="JSON for scripts (fields in README)")
    show.set_defaults(handler=show_handler)
    return group


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(args.verbose, args.log_format, service=getattr(args, "service", False),
                   tracebacks=args.traceback)
    try:
        needs_config = getattr(args, "needs_config", True)
        config = load_config(config_path(args.config)) if needs_config else None
        return int(args.handler(config, args))
    except RefundIntakeError as exc:
        if args.traceback:
            raise
        print(f"refund-intake: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    except KeyboardInterrupt:
        print("refund-intake: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`| head`): not an error of ours; keep Python from complaining
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug, or input nothing above foresaw: one line, never a traceback
        if args.traceback:
            raise
        print(f"refund-intake: error: unexpected {type(exc).__name__}: {str(exc)[:500]} "
              "(run again with --traceback for the details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
