"""``outsidein index --org SLUG [--team SLUG] [--quarter YYYY-Qn] [--json]``: the
customer-centricity index for scripts, added to the CLI by ``outsidein.cli`` (``add_parser``)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(sub: Any, handler: Any) -> None:
    p = sub.add_parser(
        "index",
        help="the customer-centricity index: pillars, indicators and the delivery gap",
    )
    p.add_argument("--org", required=True, help="organisation short name (slug)")
    p.add_argument("--team", help="a team's short name (slug); default: the whole organisation")
    p.add_argument(
        "--quarter",
        help="YYYY-Qn, e.g. 2026-Q3 (default: the last complete quarter; the running one is "
        "marked 'so far')",
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=handler)


def run(args: argparse.Namespace, organisation: Any, error: type[Exception]) -> None:
    """Print the index; ``error`` is the CLI's error class (a message, exit status 2)."""
    from outsidein.centricity.indicators import compute_index
    from outsidein.core.models import Team
    from outsidein.core.periods import Quarter

    quarter = None
    if args.quarter:
        try:
            quarter = Quarter.parse(args.quarter)
        except ValueError:
            raise error(f"--quarter must be written like 2026-Q3, not {args.quarter!r}.") from None
    team = None
    if args.team:
        team = Team.objects.filter(organisation=organisation, slug=args.team).first()
        if team is None:
            known = ", ".join(
                Team.objects.filter(organisation=organisation).values_list("slug", flat=True)[:30]
            )
            raise error(f"No team {args.team!r} in {organisation.slug} (known: {known or 'none'}).")
    result = compute_index(organisation, quarter=quarter, team=team)
    data = result.to_dict()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    who = team.name if team else organisation.name
    index = "no index" if data["index"] is None else f"{data['index']:.0f}"
    print(f"Customer-centricity index {data['window']['label']} · {who}: {index}")
    if data["statement"]:
        print(f"  {data['statement']}")
    print(f"  {data['indicators_missing']} of {data['indicators_total']} indicators missing")
    for pillar in data["pillars"]:
        score = "–" if pillar["score"] is None else f"{pillar['score']:.0f}"
        print(f"\n{pillar['label']:<28} {score:>5}   (weight {pillar['weight']:g})")
        for item in pillar["indicators"]:
            value = "–" if item["value"] is None else f"{item['value']:g}"
            if item["value"] is not None and item["missing"] and item["n"]:
                value = f"({value}) too few"  # the small-n rule: shown, never judged
            reached = "" if item["attainment"] is None else f"{item['attainment']:.0f}%"
            print(
                f"  {item['label'][:44]:<44} {value:>8} n={item['n']:<6} "
                f"target {item['target']:g}  {reached or item['reason']}"
            )
    if data["movers"]:
        print("\nWhat would move the index most:")
        for mover in data["movers"]:
            print(f"  +{mover['gain']:.1f}  {mover['label']}")
    dimensions = data["mirror"]["dimensions"]
    if dimensions:
        wave = data["mirror"]["wave"]["name"]
        print(f"\nDelivery gap (mirror survey, wave {wave}): employees − customers")
        for d in dimensions:
            e, c, g = d["employee"], d["customer"], d["gap"]
            gap = "–" if g["difference"] is None else f"{g['difference']:+.2f}"
            interval = "" if g["low"] is None else f"[{g['low']:+.2f}, {g['high']:+.2f}]"
            print(
                f"  {d['label'][:34]:<34} emp {e['mean'] if e['mean'] is not None else '–'!s:>5}"
                f" (n={e['n']}) cust {c['mean'] if c['mean'] is not None else '–'!s:>5}"
                f" (n={c['n']}) gap {gap} {interval}"
            )
