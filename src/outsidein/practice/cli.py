"""``outsidein norms --org SLUG [--period YYYY-MM|YYYY-Qn|Nd] [--json]``: the practice norms for
scripts, added to the CLI by ``outsidein.cli`` (``add_parser``). Every figure comes from
``registry.figure`` and names its window; below the small-n rule the text says "too few" and the
JSON says ``"enough": false`` (never a verdict)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(sub: Any, handler: Any) -> None:
    p = sub.add_parser("norms", help="the customer-centric norms of one month or quarter")
    p.add_argument("--org", required=True, help="organisation short name (slug)")
    p.add_argument(
        "--period",
        help="YYYY-MM, YYYY-Qn or Nd (the last N days); default: the last complete month. "
        "A running period is counted so far and marked as such.",
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=handler)


def collect(organisation_id: int, window: Any) -> dict[str, Any]:
    from outsidein.practice import registry, reports

    token = reports.shared_memo.set({})
    try:
        rows = []
        for norm in registry.norms():
            measure = registry.figure(norm, organisation_id, window)
            rows.append(
                {
                    "key": norm.key,
                    "label": str(norm.label),
                    "target": norm.target,
                    "on_target": norm.verdict(measure),
                    **measure.to_dict(),
                }
            )
    finally:
        reports.shared_memo.reset(token)
    return {"window": window.to_dict(), "norms": rows}


def run(args: argparse.Namespace, organisation: Any, error: type[Exception]) -> None:
    from django.utils import timezone

    from outsidein.core.periods import parse_window

    try:
        window = parse_window(args.period, timezone.localdate())
    except ValueError as exc:
        raise error(f"--period: {exc}") from None
    data = collect(organisation.pk, window)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    print(f"The customer-centric norms of {organisation.name} · {data['window']['label']}")
    for row in data["norms"]:
        unit = "%" if row["unit"] == "%" else ""
        if row["value"] is None:
            value, verdict = "no data", ""
        elif not row["enough"]:
            value = f"({row['value']:.0f}{unit})"
            verdict = f"too few (n < {row['min_n']})"
        else:
            value = f"{row['value']:.0f}{unit}"
            verdict = {True: "on target", False: "below target", None: ""}[row["on_target"]]
        target = "" if row["target"] is None else f"target {row['target']:g}{unit}"
        print(f"  {row['label'][:40]:<40} {value:>7} n={row['n']:<5} {target:<12} {verdict}")
        if row["note"]:
            print(f"  {'':<40} {row['note']}")
