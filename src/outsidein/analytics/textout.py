"""Plain-text tables of the metrics for ``outsidein metrics`` (the CLI only parses arguments).

The same small-n rule as the pages: below ``stats.MINIMUM_N`` responses a figure is printed as
"too few (n=…)", never as a bare number that reads as a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from outsidein.analytics import periods, services, stats
from outsidein.analytics.services import Filters

_DIGITS = {"nps": 0, "csat": 0, "ces": 1}
_SUFFIX = {"nps": "", "csat": "%", "ces": ""}


def p_text(p: float | None) -> str:
    """A p-value as people read it: "p=0.012", or "p<0.001" (never "p=0.000")."""
    if p is None:
        return ""
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def figure(estimate: Mapping[str, Any], metric: str) -> str:
    """One figure as text: "42 [35, 49]", or "too few (n=12)" below the threshold."""
    value = estimate.get("value")
    if value is None:
        return "–"
    if not estimate.get("enough"):
        return _("too few (n=%(n)s)") % {"n": estimate["n"]}
    digits = _DIGITS[metric]
    text = f"{value:.{digits}f}{_SUFFIX[metric]}"
    if estimate.get("low") is not None:
        text += f" [{estimate['low']:.{digits}f}, {estimate['high']:.{digits}f}]"
    return text


def summary_table(rows: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """A table of NPS, CSAT and CES per row (overall first), each with n."""
    header = f"{_('group'):<24} {_('items'):>6} {'NPS (n)':>24} {'CSAT% (n)':>24} {'CES (n)':>24}"
    lines = [header]
    for label, row in rows:
        cells = []
        for metric in stats.METRICS:
            estimate = row[metric]
            text = figure(estimate, metric)
            if estimate.get("enough"):
                text += f" n={estimate['n']}"
            cells.append(f"{text:>24}")
        lines.append(f"{str(label)[:24]:<24} {row['items']:>6} {' '.join(cells)}")
    lines.append(
        _("Figures with fewer than %(min)s responses are shown as “too few”; intervals are 95%%.")
        % {"min": stats.MINIMUM_N}
    )
    return "\n".join(lines)


def _difference(diff: Mapping[str, Any], metric: str) -> str:
    if diff.get("difference") is None:
        return _("too few to test")
    digits = _DIGITS[metric]
    star = " *" if diff["significant"] else ""
    return (
        f"{diff['difference']:+.{digits}f} [{diff['low']:+.{digits}f}, {diff['high']:+.{digits}f}]"
        f" {p_text(diff['p_adjusted'])}{star}"
    )


def compare_table(comparisons: Sequence[Mapping[str, Any]]) -> str:
    """Pairwise comparisons (``b − a``) with intervals and Holm-corrected p-values."""
    lines = [
        f"{_('b − a'):<36} {'NPS':>28} {'CSAT%':>28} {'CES':>28}",
    ]
    for row in comparisons:
        pair = f"{row['b']['label']} − {row['a']['label']}"
        cells = " ".join(f"{_difference(row[m], m):>28}" for m in stats.METRICS)
        lines.append(f"{pair[:36]:<36} {cells}")
    lines.append(explanation())
    return "\n".join(lines)


def explanation() -> str:
    return _(
        "Differences are b − a with an interval that holds for all comparisons together. p is "
        "the chance of a difference at least this large if the groups were really alike, "
        "corrected for the number of comparisons (Holm); * means p < 0.05. Below %(min)s "
        "responses in a group there is no test."
    ) % {"min": stats.MINIMUM_N}


def comparisons(organisation_id: int, by: str | None, filters: Filters) -> list[dict[str, Any]]:
    """``--compare``: every two groups of ``by`` (Holm-corrected), or, without a breakdown (or
    per month/week), this period (default: the last complete month) against the one before it.
    ValueError naming what is missing."""
    if by and by not in ("month", "week"):
        labels = services.dimension_labels(organisation_id, by)
        return [
            pair.to_dict()
            for pair in services.compare_groups(organisation_id, by, filters, labels=labels)
        ]
    if bool(filters.since) != bool(filters.until):
        raise ValueError(_("Comparing periods needs both --since and --until, or neither."))
    if not filters.since:
        # Honest default: the last complete month against the month before it.
        since, until = periods.last_complete_months(timezone.localdate(), 1)
        filters = replace(filters, since=since, until=until)
    period = services.compare_periods(organisation_id, filters).to_dict()
    previous, current = period["previous"], period["current"]
    return [
        {
            **period,
            "a": {"label": f"{previous['since']}..{previous['until']}"},
            "b": {"label": f"{current['since']}..{current['until']}"},
        }
    ]
