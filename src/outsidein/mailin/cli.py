"""``outsidein mail poll``: read the customer mailboxes now (for cron, beside the worker)."""

from __future__ import annotations

from typing import Any


def add_parser(sub: Any, handler: Any) -> None:
    p = sub.add_parser("mail", help="customer email: read the connected mailboxes now")
    mail = p.add_subparsers(dest="mail_command", metavar="ACTION", required=True)
    poll = mail.add_parser(
        "poll", help="read every active mailbox now (each under its lease; the worker also does)"
    )
    poll.add_argument("--org", help="organisation short name (slug); default: all")
    poll.set_defaults(func=handler)


def run(args: Any, organisation: Any, error: type[Exception]) -> None:
    from outsidein.mailin.services import poll_all

    lines, failed = poll_all(organisation(args.org) if args.org else None)
    for line in lines:
        print(line)
    if not lines:
        print("No active mailbox.")
    if failed:
        raise error(f"{failed} mailbox(es) could not be read; see the lines above.")
