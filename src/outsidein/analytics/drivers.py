"""Theme drivers, pure: from counts of comments with a theme and of all comments in a group to
the theme's volume, share, sentiment and impact on NPS and CSAT.

A theme's *impact* on a metric is the difference between the comments with the theme and those
without it (with its 95% interval and test, ``stats.compare_nps`` / ``compare_proportions``),
times the theme's share of the comments that answered that metric (the NPS answers for NPS, the
CSAT answers for CSAT): a small theme that costs 40 NPS points weighs less than a large one that
costs 10. Below the minimum n on either side the difference, and so the impact,
is None: "not enough responses", never a misleading number.

No Django, no database: the text app sums the counts in the database and calls these.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from outsidein.analytics import stats

__all__ = ["Counts", "ThemeDriver", "theme_driver"]


@dataclass(frozen=True)
class Counts:
    """Sufficient statistics of a set of analysed comments.

    ``score_sum``/``score_sq`` sum the sentiment scores (−1..1) and their squares; promoters,
    passives and detractors count NPS answers (9–10, 7–8, 0–6); ``csat_top2`` counts CSAT 4–5
    of the ``csat_n`` CSAT answers.
    """

    n: int = 0
    score_sum: float = 0.0
    score_sq: float = 0.0
    negative: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    csat_top2: int = 0
    csat_n: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __sub__(self, other: Counts) -> Counts:
        """The comments of ``self`` that are not in ``other`` (a subset of them)."""
        result = Counts(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))
        for f in fields(result):
            if f.type in ("int", int) and getattr(result, f.name) < 0:
                raise ValueError(f"{f.name}: the subset has more than the whole")
        return result

    @property
    def nps_counts(self) -> tuple[int, int, int]:
        return self.promoters, self.passives, self.detractors

    @property
    def nps_n(self) -> int:
        return self.promoters + self.passives + self.detractors

    def nps(self, minimum_n: int = stats.MINIMUM_N) -> stats.Estimate:
        return stats.nps(*self.nps_counts, minimum_n=minimum_n)

    def csat(self, minimum_n: int = stats.MINIMUM_N) -> stats.Estimate:
        return stats.proportion(self.csat_top2, self.csat_n, minimum_n=minimum_n)


@dataclass(frozen=True)
class ThemeDriver:
    name: str
    volume: int
    share: float  # of the group's comments, 0..1
    sentiment: stats.Estimate  # mean score on −1..1
    negative: stats.Estimate  # % of the theme's comments that are negative
    nps: stats.Estimate  # NPS of the comments with the theme
    nps_difference: stats.Change  # with minus without, NPS points
    nps_impact: stats.Change  # the difference times the share
    csat: stats.Estimate  # CSAT (% 4–5) of the comments with the theme
    csat_difference: stats.Change  # with minus without, percentage points
    csat_impact: stats.Change

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "volume": self.volume,
            "share": self.share,
            **{
                name: getattr(self, name).to_dict()
                for name in (
                    "sentiment",
                    "negative",
                    "nps",
                    "nps_difference",
                    "nps_impact",
                    "csat",
                    "csat_difference",
                    "csat_impact",
                )
            },
        }


def theme_driver(
    name: str, with_theme: Counts, everything: Counts, *, minimum_n: int = stats.MINIMUM_N
) -> ThemeDriver:
    """The figures of one theme in one group: ``with_theme`` counts the comments that carry
    the theme, ``everything`` all comments of the group (it includes ``with_theme``)."""
    without = everything - with_theme
    share = with_theme.n / everything.n if everything.n else 0.0
    nps_difference = stats.compare_nps(
        without.nps_counts, with_theme.nps_counts, minimum_n=minimum_n
    )
    csat_difference = stats.compare_proportions(
        (without.csat_top2, without.csat_n),
        (with_theme.csat_top2, with_theme.csat_n),
        minimum_n=minimum_n,
    )
    return ThemeDriver(
        name=name,
        volume=with_theme.n,
        share=share,
        sentiment=stats.mean(
            with_theme.n, with_theme.score_sum, with_theme.score_sq, minimum_n=minimum_n
        ),
        negative=stats.proportion(with_theme.negative, with_theme.n, minimum_n=minimum_n),
        nps=with_theme.nps(minimum_n),
        nps_difference=nps_difference,
        nps_impact=stats.scale_change(nps_difference, _share(with_theme.nps_n, everything.nps_n)),
        csat=with_theme.csat(minimum_n),
        csat_difference=csat_difference,
        csat_impact=stats.scale_change(
            csat_difference, _share(with_theme.csat_n, everything.csat_n)
        ),
    )


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
