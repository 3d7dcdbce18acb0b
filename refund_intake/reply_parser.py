"""CLI commands of the replies package: queue, send, staff."""

from __future__ import annotations

import argparse

from refund_intake import reply_commands as commands
from refund_intake import staff_commands
from refund_intake.output import STAFF_ENV
from staff.accounts import ROLES


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this package's commands to the `refund-intake` parser."""
    _queue(sub)
    send = sub.add_parser("send", help="send approved replies over SMTP (every 30 s, or --once)")
    send.add_argument("--once", action="store_true", help="send what is due and exit (for cron)")
    send.add_argument("--json", action="store_true", help="print the send report as JSON")
    send.set_defaults(handler=commands.send)
    _staff(sub)


def _queue(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    queue = sub.add_parser("queue", help="drafted replies waiting for staff") \
        .add_subparsers(dest="action", required=True)
    listing = queue.add_parser("list", help="list drafts (default: draft, approved, sending, failed)")
    listing.add_argument("--json", action="store_true", help="JSON for scripts")
    listing.add_argument("--state", action="append", metavar="S",
                         help="only this state (repeatable): draft, approved, sending, sent, failed, "
                              "rejected, or all")
    listing.add_argument("--limit", type=int, default=200, help="at most this many rows (default 200)")
    listing.set_defaults(handler=commands.queue_list)
    show = queue.add_parser("show", help="one draft: headers, text and history")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="JSON for scripts")
    show.set_defaults(handler=commands.queue_show)
    approve = queue.add_parser("approve", help="approve a draft for sending")
    approve.add_argument("id", type=int)
    approve.add_argument("--edit", action="store_true", help="edit the text in $EDITOR first")
    _acting(approve).set_defaults(handler=commands.queue_approve)
    reject = queue.add_parser("reject", help="reject a draft, saying why")
    reject.add_argument("id", type=int)
    reject.add_argument("--note", required=True, help="why (kept with the draft)")
    _acting(reject).set_defaults(handler=commands.queue_reject)
    resend = queue.add_parser("resend", help="approve a failed draft again, after checking it did not arrive")
    resend.add_argument("id", type=int)
    _acting(resend).set_defaults(handler=commands.queue_resend)


def _staff(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = sub.add_parser("staff", help="staff accounts for the web page and the CLI") \
        .add_subparsers(dest="action", required=True)
    add = staff.add_parser("add", help="add a staff member (asks for the password); once any account "
                           "exists, only an admin may add more")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, default="approver", help="default: approver")
    add.add_argument("--password-file", help=f"read the password from this file (or ${commands.NEW_PASSWORD_ENV})")
    _acting(add).set_defaults(handler=commands.staff_add)
    listing = staff.add_parser("list", help="list staff members")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=commands.staff_list)
    _staff_changes(staff)


def _staff_changes(staff: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Changes to an account, by an admin; each ends the person's web sessions."""
    disable = staff.add_parser("disable", help="disable an account: no sign-in, its web sessions end")
    disable.add_argument("email")
    _acting(disable).set_defaults(handler=staff_commands.staff_disable)
    enable = staff.add_parser("enable", help="enable a disabled account again")
    enable.add_argument("email")
    _acting(enable).set_defaults(handler=staff_commands.staff_enable)
    role = staff.add_parser("role", help="change an account's role; its web sessions end")
    role.add_argument("email")
    role.add_argument("role", choices=ROLES)
    _acting(role).set_defaults(handler=staff_commands.staff_role)
    passwd = staff.add_parser("passwd", help="set a new password (asks for it; an admin, or the person "
                              "themselves); the account's web sessions end")
    passwd.add_argument("email")
    passwd.add_argument("--password-file",
                        help=f"read the password from this file (or ${commands.NEW_PASSWORD_ENV})")
    _acting(passwd).set_defaults(handler=staff_commands.staff_passwd)


def _acting(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--as", dest="as_email", metavar="EMAIL",
                        help=f"the staff member acting (default ${STAFF_ENV})")
    return parser
