"""Team scorecards for the reward structure.

The organisation chooses which indicators of the index count for rewards, each with a reward
target (``indicators.save_rewards``). Every team (teams, not departments) gets a scorecard:
per chosen indicator the value, n, the attainment against the reward target (the index's
formula, ``index.attainment``) and its trend over the last four quarters, and an overall
attainment (weighted mean of the indicators with enough data, weights re-scaled; never a zero
for missing data).

Warnings, because a reward turns an indicator into a target (Goodhart):

* an indicator that is easy to game is chosen (``indicators.GAMING_TEXTS``: NPS, CSAT and CES
  that the rewarded team asks itself, self-logged contacts, loops closed without solving …);
* a team is rewarded on survey scores from surveys it owns (it sends them itself);
* a team has too few responses on a chosen indicator to reward on it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from outsidein.centricity.index import Attainment, Reading, Spec, score, weighted_attainment
from outsidein.centricity.indicators import (
    GAMING_TEXTS,
    Quarter,
    Settings,
    load,
    quarter_or_default,
    settings_for,
)
from outsidein.core import spreadsheets
from outsidein.core.models import Organisation, Team

SURVEY_KEYS = ("nps", "csat", "ces")


@dataclass(frozen=True)
class Warning:
    key: str
    label: str
    text: str


@dataclass
class TeamCard:
    team: Team
    cells: list[Attainment]
    overall: float | None
    overall_trend: list[float | None] = field(default_factory=list)
    own_surveys: list[str] = field(default_factory=list)

    @property
    def available(self) -> int:
        return sum(1 for c in self.cells if not c.missing)

    @property
    def needed(self) -> int:
        """An overall needs at least half of the chosen indicators with enough data (at least
        two when two or more are chosen): one indicator alone is not a scorecard."""
        return min(len(self.cells), max(2, -(-len(self.cells) // 2)))

    @property
    def overall_enough(self) -> bool:
        return self.overall is not None and self.available >= self.needed

    @property
    def overall_reason(self) -> str:
        if self.overall is None:
            return _("no indicator with enough data")
        if not self.overall_enough:
            return _(
                "rests on %(have)s of %(total)s indicators: too little to judge "
                "(at least %(need)s needed)"
            ) % {"have": self.available, "total": len(self.cells), "need": self.needed}
        return ""

    @property
    def few_responses(self) -> list[Attainment]:
        return [c for c in self.cells if c.missing and c.reading.n > 0]

    @property
    def survey_warning(self) -> str:
        if not self.own_surveys or not any(c.spec.key in SURVEY_KEYS for c in self.cells):
            return ""
        return _(
            "This team owns surveys whose answers count in its score (%(surveys)s): it asks "
            "its own customers for the score it is rewarded on."
        ) % {"surveys": ", ".join(self.own_surveys)}


@dataclass
class Board:
    quarter: Quarter
    quarters: list[Quarter]
    specs: list[Spec]
    cards: list[TeamCard]
    warnings: list[Warning]


def _own_surveys(organisation: Organisation) -> dict[int, list[str]]:
    from outsidein.voice.models import Survey

    out: dict[int, list[str]] = {}
    surveys = (
        Survey.objects.filter(organisation=organisation, team__isnull=False)
        .annotate(n=Count("feedback"))
        .filter(n__gt=0)
        .order_by("name")
    )
    for survey in surveys:
        if survey.team_id is not None:
            out.setdefault(survey.team_id, []).append(survey.name)
    return out


def teams_of(organisation: Organisation) -> list[Team]:
    return list(Team.objects.filter(organisation=organisation, kind="team").order_by("name"))


def build(
    organisation: Organisation,
    *,
    quarter: str | Quarter | None = None,
    teams: Sequence[Team] | None = None,
    count: int = 4,
    settings: Settings | None = None,
) -> Board:
    """Scorecards of ``quarter`` (default: the last complete one) with ``count`` quarters of
    trend."""
    settings = settings or settings_for(organisation)
    period = quarter_or_default(quarter)
    specs = settings.reward_specs
    teams = list(teams) if teams is not None else teams_of(organisation)
    quarters = period.back(count)
    history: dict[str, dict[int | None, dict[str, Reading]]] = {}
    if specs and teams:
        for q in quarters:
            loaded = load(organisation, q, teams=teams, whole=False, keys=[s.key for s in specs])
            history[str(q)] = loaded.readings
    owned = _own_surveys(organisation)
    cards = []
    for team in teams:
        cells = []
        overall_trend: list[float | None] = []
        for q in quarters:
            readings = history.get(str(q), {}).get(team.pk, {})
            scored = [score(s, readings.get(s.key, Reading(None))) for s in specs]
            overall_trend.append(weighted_attainment(scored) if scored else None)
        for spec in specs:
            trend = []
            for q in quarters:
                reading = history.get(str(q), {}).get(team.pk, {}).get(spec.key, Reading(None))
                trend.append(score(spec, reading).attainment)
            current = history.get(str(period), {}).get(team.pk, {}).get(spec.key, Reading(None))
            cell = score(spec, current)
            cells.append(
                Attainment(
                    spec=spec,
                    reading=cell.reading,
                    attainment=cell.attainment,
                    reason=cell.reason,
                    trend=trend,
                )
            )
        cards.append(
            TeamCard(
                team=team,
                cells=cells,
                overall=weighted_attainment(cells) if cells else None,
                overall_trend=overall_trend,
                own_surveys=owned.get(team.pk, []),
            )
        )
    return Board(
        quarter=period,
        quarters=quarters,
        specs=specs,
        cards=cards,
        warnings=warnings_for(specs, cards),
    )


def warnings_for(specs: Sequence[Spec], cards: Sequence[TeamCard]) -> list[Warning]:
    out = []
    for spec in specs:
        text = GAMING_TEXTS.get(spec.key)
        if text:
            out.append(Warning(spec.key, str(spec.label), str(text)))
    for spec in specs:
        few = [
            card.team.name
            for card in cards
            for cell in card.cells
            if cell.spec.key == spec.key and cell.missing
        ]
        if few:
            out.append(
                Warning(
                    spec.key,
                    str(spec.label),
                    _(
                        "Too few responses or no data for %(count)s of %(total)s teams "
                        "(%(teams)s): they cannot be rewarded on it this quarter."
                    )
                    % {"count": len(few), "total": len(cards), "teams": ", ".join(few[:8])},
                )
            )
    if any(s.key in SURVEY_KEYS for s in specs):
        for card in cards:
            if card.survey_warning:
                out.append(Warning("survey-owner", card.team.name, card.survey_warning))
    return out


# --- export --------------------------------------------------------------------------------------

HEADER = [
    "team",
    "indicator",
    "quarter",
    "value",
    "unit",
    "n",
    "target",
    "floor",
    "attainment",
    "missing_reason",
]


def rows(board: Board) -> list[list[Any]]:
    """One row per team × indicator × quarter (the current quarter's values, attainment for
    the earlier quarters of the trend)."""
    out: list[list[Any]] = []
    for card in board.cards:
        for cell in card.cells:
            for q, att in zip(board.quarters, cell.trend, strict=True):
                current = q == board.quarter
                value = cell.reading.value if current else None
                out.append(
                    [
                        card.team.name,
                        str(cell.spec.label),
                        str(q),
                        None if value is None else round(value, 2),
                        cell.spec.unit,
                        cell.reading.n if current else None,
                        cell.spec.target,
                        cell.spec.floor,
                        None if att is None else round(att, 1),
                        cell.reason if current else ("" if att is not None else "missing"),
                    ]
                )
        out.append(
            [
                card.team.name,
                "overall",
                str(board.quarter),
                None,
                "%",
                None,
                None,
                None,
                None if card.overall is None else round(card.overall, 1),
                card.overall_reason,
            ]
        )
    return out


def to_csv(board: Board) -> str:
    buffer = io.StringIO()
    writer = spreadsheets.csv_writer(buffer)
    writer.writerow(HEADER)
    for row in rows(board):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def to_xlsx(board: Board) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"Scorecards {board.quarter}"
    spreadsheets.xlsx_append(sheet, HEADER)
    for row in rows(board):
        spreadsheets.xlsx_append(sheet, row)
    for column, width in zip("ABCDEFGHIJ", (24, 40, 10, 10, 8, 8, 8, 8, 11, 50), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
