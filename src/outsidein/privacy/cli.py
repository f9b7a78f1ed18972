"""``outsidein gdpr export|erase|retention``: a customer's data for a data protection officer,
added to the CLI by ``outsidein.cli`` (``add_parser``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any, handler: Any) -> None:
    p = sub.add_parser("gdpr", help="export or erase one customer's data; apply retention")
    gdpr = p.add_subparsers(dest="gdpr_command", metavar="ACTION", required=True)
    e = gdpr.add_parser("export", help="everything about one customer as a zip (JSON + CSV)")
    e.add_argument("--org", required=True, help="organisation short name (slug)")
    e.add_argument("--customer", required=True, help="the customer number (external id)")
    e.add_argument("--out", required=True, help="the zip file to write (must not exist yet)")
    e.set_defaults(func=handler)
    r = gdpr.add_parser(
        "erase",
        help="erase one customer: personal data and words removed, scores kept anonymously",
    )
    r.add_argument("--org", required=True, help="organisation short name (slug)")
    r.add_argument("--customer", required=True, help="the customer number (external id)")
    r.add_argument("--reason", default="", help="why (e.g. the request's reference); audited")
    r.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    r.set_defaults(func=handler)
    t = gdpr.add_parser("retention", help="apply the retention policy now (the daily round does)")
    t.add_argument("--org", help="organisation short name (slug); default: all")
    t.set_defaults(func=handler)


def _customer(organisation: Any, number: str, error: type[Exception]) -> Any:
    from outsidein.core.models import Customer

    found = Customer.objects.filter(organisation=organisation, external_id=number.strip()).first()
    if found is None:
        raise error(f"No customer with number {number!r} in {organisation.slug}.")
    return found


def run(args: argparse.Namespace, organisation: Any, error: type[Exception]) -> None:
    """Run one ``gdpr`` action; ``error`` is the CLI's error class (a message, exit status 2)."""
    from outsidein.audit.context import acting
    from outsidein.privacy import gdpr, retention

    with acting(source="cli", label="command line"):
        if args.gdpr_command == "retention":
            from outsidein.core.models import Organisation

            targets = [organisation] if organisation else list(Organisation.objects.order_by("pk"))
            for target in targets:
                counts = retention.run_retention(target)
                done = ", ".join(f"{k}: {v}" for k, v in counts.items()) or "nothing to do"
                print(f"{target.slug}: {done}")
            return
        customer = _customer(organisation, args.customer, error)
        if args.gdpr_command == "export":
            out = Path(args.out)
            if out.exists():
                raise error(f"--out: {out} exists already; choose a new file name.")
            data = gdpr.export_zip(customer)
            out.write_bytes(data)
            print(f"Wrote {out} ({len(data):,} bytes) for customer {args.customer}.")
            return
        if not args.yes:
            if not sys.stdin.isatty():
                raise error("Erasure cannot be undone: add --yes to confirm.")
            answer = input(
                f"Erase customer {args.customer} ({customer.name}) in {organisation.slug}? "
                "This cannot be undone. Type 'erase' to go on: "
            )
            if answer.strip().lower() != "erase":
                raise error("Nothing erased.")
        counts = gdpr.erase_customer(customer, reason=args.reason)
        print(json.dumps({"erased_customer_id": customer.pk, **counts}, indent=2))
