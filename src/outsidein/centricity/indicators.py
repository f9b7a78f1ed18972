"""The indicators of the customer-centricity index: what they are (the catalogue with default
targets), the organisation's own targets and weights, and loading their values for a quarter,
for the organisation and per team. ``centricity.index`` does the arithmetic.

``compute_index(organisation, *, quarter=None, team=None) -> IndexResult`` is the one call other
code needs (the pages, the API, the CLI, the monthly leadership report)::

    result = compute_index(organisation, quarter="2026-Q3", team=None)
    result.value          # 0–100, or None when there is too little data (see result.statement)
    result.partial        # True when a whole pillar has no data
    result.pillars        # [PillarResult] with score (or None) and their indicators
    result.indicators     # [IndicatorResult]: reading (value, n, url), attainment or the reason
    result.movers()       # what would move the index most
    result.dimensions     # the mirror survey's DimensionGap per dimension (wave in the quarter)
    result.to_dict()      # JSON-ready

Where the values come from (each with the link to the data behind it):

* perception: ``services.dimension_gaps`` / ``superior_experience`` of the wave that opened in
  the quarter, else the latest wave before it; the customers' side; per team the customers of
  the segments the team serves;
* behaviour: the practice norms of ``practice.registry`` for the quarter (``by_team`` per team),
  the loops' median time to close from ``practice.reports``, the mystery shops' average score
  (per team: the team that serves the shopped touchpoint);
* outcomes: ``analytics.services.summary`` (per team: ``breakdown`` by the feedback's team).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outsidein.centricity import services
from outsidein.centricity.bank import DIMENSIONS
from outsidein.centricity.index import (
    BEHAVIOUR,
    OUTCOMES,
    PERCEPTION,
    PILLARS,
    Composite,
    IndicatorResult,
    PillarResult,
    Reading,
    Spec,
    combine,
)
from outsidein.centricity.models import IndexSettings, IndicatorSetting, Wave
from outsidein.core.models import Organisation, Team
from outsidein.core.periods import Quarter, Window

MIRROR_MIN = services.MIN_GROUP

# --- the catalogue -------------------------------------------------------------------------------

_SURVEY_GAMING = gettext_lazy(
    "Easy to game when rewarded: whoever is rewarded for the score can choose whom to ask, "
    "when, and hint that a high score helps them (“a 10 helps my bonus”). Let someone "
    "else send the surveys, to every customer at fixed moments."
)
GAMING_TEXTS: dict[str, Any] = {
    "nps": _SURVEY_GAMING,
    "csat": _SURVEY_GAMING,
    "ces": _SURVEY_GAMING,
    "contacts": gettext_lazy(
        "Employees log their own contacts: a reward invites counting every short call. "
        "Read a sample of what was learned."
    ),
    "queue": gettext_lazy(
        "A fast first reply that does not help meets the target too. Look at the customers' "
        "“is it solved?” answers as well."
    ),
    "loop": gettext_lazy(
        "A loop can be closed without solving anything. Look at the customers' "
        "“is it solved?” answers and the reopened loops."
    ),
    "loop_time": gettext_lazy(
        "Closing fast is rewarded, solving is not: loops get closed early. Look at the "
        "reopened loops."
    ),
    "ideas": gettext_lazy("A quick standard reply counts as an answer. Read the answers."),
}


def _mirror_specs() -> list[Spec]:
    specs = [
        Spec(
            key=f"mirror_{d.key}",
            pillar=PERCEPTION,
            label=d.label,
            unit="mean7",
            target=5.5,
            floor=2.0,
            min_n=MIRROR_MIN,
            source="mirror",
            description=gettext_lazy("Customers' mean agreement, 1–7 (mirror survey)"),
        )
        for d in DIMENSIONS
    ]
    specs.append(
        Spec(
            key="mirror_superior",
            pillar=PERCEPTION,
            label=gettext_lazy("Customers who say we deliver a superior experience"),
            unit="%",
            target=50.0,
            floor=0.0,
            min_n=MIRROR_MIN,
            source="mirror",
            description=gettext_lazy("Share of customers who agree (6 or 7 of 7)"),
        )
    )
    return specs


def _practice_specs() -> list[Spec]:
    from outsidein.practice import registry

    targets = {norm.key: norm.target for norm in registry.norms()}

    def target(key: str, default: float) -> float:
        return float(targets.get(key) or default)

    def pct(key: str, label: Any, default: float, description: Any) -> Spec:
        return Spec(
            key=key,
            pillar=BEHAVIOUR,
            label=label,
            unit="%",
            target=target(key, default),
            floor=0.0,
            source="practice",
            gaming=GAMING_TEXTS.get(key, ""),
            description=description,
        )

    return [
        pct(
            "contacts",
            gettext_lazy("Everyone in contact with customers"),
            80.0,
            gettext_lazy("Share of employees who spoke with a customer every month"),
        ),
        pct(
            "decisions",
            gettext_lazy("Decisions with customer input"),
            80.0,
            gettext_lazy("Share of decisions that cite customer evidence"),
        ),
        pct(
            "queue",
            gettext_lazy("Customer questions answered within target"),
            90.0,
            gettext_lazy("Share of questions and complaints answered within the service target"),
        ),
        pct(
            "loop",
            gettext_lazy("Loops closed"),
            95.0,
            gettext_lazy("Share of unhappy customers followed up and the loop closed"),
        ),
        Spec(
            key="loop_time",
            pillar=BEHAVIOUR,
            label=gettext_lazy("Time to close a loop"),
            unit="h",
            target=48.0,
            floor=336.0,
            higher_is_better=False,
            source="practice",
            gaming=GAMING_TEXTS["loop_time"],
            description=gettext_lazy("median hours from the unhappy answer to the closed loop"),
        ),
        pct(
            "ideas",
            gettext_lazy("Customers' ideas answered"),
            80.0,
            gettext_lazy("Share of customers' ideas that got an answer"),
        ),
        pct(
            "mystery",
            gettext_lazy("Mystery shopping coverage"),
            90.0,
            gettext_lazy("Share of employees who shopped their own service in the interval"),
        ),
        Spec(
            key="mystery_score",
            pillar=BEHAVIOUR,
            label=gettext_lazy("Mystery shopping score"),
            unit="score",
            target=80.0,
            floor=0.0,
            source="practice",
            description=gettext_lazy("average score of the mystery shops, 0–100"),
        ),
    ]


def _outcome_specs() -> list[Spec]:
    from outsidein.analytics.stats import MINIMUM_N

    return [
        Spec(
            key="nps",
            pillar=OUTCOMES,
            label=gettext_lazy("NPS"),
            unit="nps",
            target=30.0,
            floor=-50.0,
            min_n=MINIMUM_N,
            source="voice",
            gaming=GAMING_TEXTS["nps"],
            description=gettext_lazy("Net Promoter Score, −100 to 100"),
        ),
        Spec(
            key="csat",
            pillar=OUTCOMES,
            label=gettext_lazy("CSAT"),
            unit="%",
            target=85.0,
            floor=0.0,
            min_n=MINIMUM_N,
            source="voice",
            gaming=GAMING_TEXTS["csat"],
            description=gettext_lazy("Share satisfied (top two answers)"),
        ),
        Spec(
            key="ces",
            pillar=OUTCOMES,
            label=gettext_lazy("CES"),
            unit="mean7",
            target=3.0,
            floor=7.0,
            higher_is_better=False,
            min_n=MINIMUM_N,
            source="voice",
            gaming=GAMING_TEXTS["ces"],
            description=gettext_lazy("Customer effort, mean 1–7"),
        ),
    ]


def default_specs() -> list[Spec]:
    """Every indicator with its default target, floor and weight, in pillar order."""
    return [*_mirror_specs(), *_practice_specs(), *_outcome_specs()]


DEFAULT_PILLAR_WEIGHTS = {PERCEPTION: 1.0, BEHAVIOUR: 1.0, OUTCOMES: 1.0}

# --- the organisation's settings ---------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    specs: list[Spec]
    pillar_weights: dict[str, float]
    rewards: dict[str, float]  # key → reward target, for the indicators that count for rewards

    def spec(self, key: str) -> Spec:
        return next(s for s in self.specs if s.key == key)

    @property
    def reward_specs(self) -> list[Spec]:
        return [replace(s, target=self.rewards[s.key]) for s in self.specs if s.key in self.rewards]


def settings_for(organisation: Organisation) -> Settings:
    """The defaults with the organisation's own targets, floors, weights and rewards."""
    stored = {s.key: s for s in IndicatorSetting.objects.filter(organisation=organisation)}
    specs = []
    rewards = {}
    for spec in default_specs():
        own = stored.get(spec.key)
        if own is not None:
            spec = replace(spec, target=own.target, floor=own.floor, weight=own.weight)
            if own.reward:
                rewards[spec.key] = (
                    own.reward_target if own.reward_target is not None else spec.target
                )
        specs.append(spec)
    weights = dict(DEFAULT_PILLAR_WEIGHTS)
    row = IndexSettings.objects.filter(organisation=organisation).first()
    if row is not None:
        weights = {
            PERCEPTION: row.perception_weight,
            BEHAVIOUR: row.behaviour_weight,
            OUTCOMES: row.outcomes_weight,
        }
    return Settings(specs=specs, pillar_weights=weights, rewards=rewards)


def _number(value: Any, name: str, errors: dict[str, str]) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[name] = _("Enter a number.")
        return None
    if not math.isfinite(number):
        errors[name] = _("Enter a number.")
        return None
    return number


@transaction.atomic
def save_settings(
    organisation: Organisation,
    *,
    pillar_weights: Mapping[str, Any],
    indicators: Mapping[str, Mapping[str, Any]],
) -> Settings:
    """Store pillar weights and each indicator's target, floor and weight. Errors name the
    field as ``<pillar>_weight`` or ``<key>-target`` / ``-floor`` / ``-weight``; nothing is
    stored when any is wrong."""
    errors: dict[str, str] = {}
    weights: dict[str, float] = {}
    current = settings_for(organisation)
    for pillar in PILLARS:
        name = f"{pillar}_weight"
        value = _number(pillar_weights.get(pillar, current.pillar_weights[pillar]), name, errors)
        if value is not None:
            if value < 0 or value > 100:
                errors[name] = _("A weight lies between 0 and 100.")
            weights[pillar] = value
    if not errors and not any(weights.values()):
        errors[f"{PERCEPTION}_weight"] = _("At least one pillar needs a weight above 0.")
    checked: list[Spec] = []
    for spec in current.specs:
        given = indicators.get(spec.key)
        if given is None:
            checked.append(spec)
            continue
        numbers = {}
        for part in ("target", "floor", "weight"):
            raw = given.get(part, getattr(spec, part))
            numbers[part] = _number(raw, f"{spec.key}-{part}", errors)
        if any(v is None for v in numbers.values()):
            continue
        new = replace(spec, **numbers)  # type: ignore[arg-type]
        if new.weight > 100:
            errors[f"{spec.key}-weight"] = _("A weight lies between 0 and 100.")
        for part, message in new.check().items():
            errors[f"{spec.key}-{part}"] = message
        checked.append(new)
    if errors:
        raise ValidationError(errors)
    IndexSettings.objects.update_or_create(
        organisation=organisation,
        defaults={
            "perception_weight": weights[PERCEPTION],
            "behaviour_weight": weights[BEHAVIOUR],
            "outcomes_weight": weights[OUTCOMES],
        },
    )
    for spec in checked:
        IndicatorSetting.objects.update_or_create(
            organisation=organisation,
            key=spec.key,
            defaults={"target": spec.target, "floor": spec.floor, "weight": spec.weight},
        )
    return settings_for(organisation)


@transaction.atomic
def save_rewards(organisation: Organisation, chosen: Mapping[str, Any]) -> Settings:
    """Which indicators count for the teams' rewards, each with its reward target (None or ""
    for the index target). Errors name ``<key>-reward_target``."""
    current = settings_for(organisation)
    known = {s.key: s for s in current.specs}
    errors: dict[str, str] = {}
    targets: dict[str, float | None] = {}
    for key, raw in chosen.items():
        if key not in known:
            errors["reward"] = _("Unknown indicator: %(key)s.") % {"key": key}
            continue
        if raw in (None, ""):
            targets[key] = None
            continue
        number = _number(raw, f"{key}-reward_target", errors)
        if number is None:
            continue
        problem = replace(known[key], target=number).check().get("target")
        if problem:
            errors[f"{key}-reward_target"] = problem
        targets[key] = number
    if errors:
        raise ValidationError(errors)
    for spec in current.specs:
        row, _created = IndicatorSetting.objects.get_or_create(
            organisation=organisation,
            key=spec.key,
            defaults={"target": spec.target, "floor": spec.floor, "weight": spec.weight},
        )
        row.reward = spec.key in targets
        row.reward_target = targets.get(spec.key)
        row.save(update_fields=["reward", "reward_target", "updated_at"])
    return settings_for(organisation)


def quarter_or_default(quarter: str | Quarter | None, today: date | None = None) -> Quarter:
    """The quarter asked for, or by default the last COMPLETE quarter: a running quarter is
    shown only when asked for (and then named "so far (65 of 92 days)")."""
    if isinstance(quarter, Quarter):
        return quarter
    if quarter:
        return Quarter.parse(quarter)
    return Quarter.of(today or timezone.localdate()).previous()


quarter_or_current = quarter_or_default  # the former name


def quarter_window(quarter: Quarter, today: date | None = None) -> Window:
    """The quarter as a named window; running when ``today`` lies inside it."""
    return Window.quarter(quarter, today or timezone.localdate())


# --- loading the values --------------------------------------------------------------------------


@dataclass
class Loaded:
    """Readings for one quarter: ``readings[None]`` the organisation, ``readings[team_id]``."""

    quarter: Quarter
    readings: dict[int | None, dict[str, Reading]] = field(default_factory=dict)
    wave: Wave | None = None
    gaps: dict[int | None, list[services.DimensionGap]] = field(default_factory=dict)


def _url(name: str, **params: Any) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(name) + ("?" + urlencode(query) if query else "")


def mirror_wave(organisation: Organisation, quarter: Quarter) -> Wave | None:
    """The latest wave that opened in or before the quarter."""
    found = None
    for wave in services.result_waves(organisation):
        started = wave.started_at
        if started is not None and timezone.localdate(started) <= quarter.last:
            found = wave
    return found


def _mirror_reason(n: int, no_customers: bool) -> str:
    if no_customers:
        return _("This team serves no customer segment, so no customers answered about it.")
    if n == 0:
        return _("No customer answered in this wave.")
    return _("Too few customers answered (%(n)s; at least %(min)s are needed).") % {
        "n": n,
        "min": MIRROR_MIN,
    }


def _mirror(
    organisation: Organisation, quarter: Quarter, groups: Sequence[Team | None], loaded: Loaded
) -> None:
    wave = mirror_wave(organisation, quarter)
    loaded.wave = wave
    served = services.served_segments(organisation)
    for team in groups:
        team_id = team.pk if team else None
        target = loaded.readings.setdefault(team_id, {})
        if wave is None:
            for d in [*DIMENSIONS, None]:
                key = f"mirror_{d.key}" if d else "mirror_superior"
                target[key] = Reading(
                    None,
                    url=_url("mirror-gap"),
                    reason=_("No mirror survey wave opened in or before this quarter."),
                )
            continue
        gaps = services.dimension_gaps(organisation, wave=wave, team=team)
        superior = services.superior_experience(organisation, wave=wave, team=team)
        loaded.gaps[team_id] = gaps
        url = _url("mirror-gap", wave=wave.pk, team=team_id)
        started = wave.started_at
        note = ""
        if started is not None and timezone.localdate(started) < quarter.first:
            note = _("latest wave before this quarter: %(wave)s") % {"wave": wave.name}
        no_customers = team is not None and not served.get(team.pk)
        for gap in gaps:
            side = gap.customer
            target[f"mirror_{gap.key}"] = Reading(
                side.value if side.enough else None,
                n=side.n,
                enough=side.enough,
                low=side.low,
                high=side.high,
                url=url,
                note=note,
                reason="" if side.enough else _mirror_reason(side.n, no_customers),
            )
        for d in DIMENSIONS:
            target.setdefault(
                f"mirror_{d.key}",
                Reading(None, url=url, reason=_("This wave asked no statements here.")),
            )
        if superior is not None:
            est = superior.customer
            target["mirror_superior"] = Reading(
                est.value if est.enough else None,
                n=est.n,
                enough=est.enough,
                low=est.low,
                high=est.high,
                url=url,
                note=note,
                reason="" if est.enough else _mirror_reason(est.n, no_customers),
            )


_NORM_PAGES = {
    "queue": ("queue", {"status": ""}),
    "loop": ("queue", {"status": "closed", "kind": "follow_up"}),
    "contacts": ("contact-coverage", {}),
    "decisions": ("decision-list", {}),
    "ideas": ("idea-list", {}),
    "mystery": ("mystery-results", {}),
}


def _practice(
    organisation: Organisation,
    quarter: Quarter,
    groups: Sequence[Team | None],
    loaded: Loaded,
    keys: set[str],
) -> None:
    from outsidein.practice import registry, reports

    window = quarter_window(quarter)
    first, last = window.first, window.end
    for norm in registry.norms():
        if norm.key not in keys:
            continue
        measure = registry.figure(norm, organisation.pk, window)
        page, params = _NORM_PAGES.get(norm.key, (norm.url_name, {}))
        for team in groups:
            if team is None:
                value, n, enough = measure.value, measure.n, measure.enough
            else:
                value, n = measure.by_team.get(team.pk, (None, 0))
                enough = measure.team_enough(team.pk)
            team_param = team.pk if team and page in ("queue", "idea-list") else None
            if value is None:
                reason = _("Nothing to measure in this period.")
            elif not enough:
                reason = _("Too few to count: n = %(n)s, at least %(min)s are needed.") % {
                    "n": n,
                    "min": measure.min_n,
                }
            else:
                reason = ""
            loaded.readings.setdefault(team.pk if team else None, {})[norm.key] = Reading(
                value,
                n=n,
                enough=enough,
                url=_url(page, team=team_param, period=window.key, **params),
                note=measure.note if team is None else "",
                reason=reason,
            )
    if "loop_time" in keys:
        _queue, loop, rows = reports.queue_report(organisation.pk, first, last, with_backlog=False)
        by_team = {row.team.pk: row.loop for row in rows if row.team}
        for team in groups:
            figures = loop if team is None else by_team.get(team.pk)
            hours = figures.close_median_h if figures else None
            closed = figures.closed if figures else 0
            loaded.readings.setdefault(team.pk if team else None, {})["loop_time"] = Reading(
                hours,
                n=closed,
                url=_url(
                    "queue", status="closed", kind="follow_up", team=team.pk if team else None
                ),
                reason="" if hours is not None else _("No loop was closed in this period."),
            )
    if "mystery_score" in keys:
        _mystery_scores(organisation, first, last, groups, loaded)


def _mystery_scores(
    organisation: Organisation,
    first: date,
    last: date,
    groups: Sequence[Team | None],
    loaded: Loaded,
) -> None:
    try:
        from outsidein.mystery.results import (
            MINIMUM_SHOPS,
            average_score,
            average_score_by_team,
        )
    except ImportError:  # pragma: no cover - the app is part of the project
        return
    whole = average_score(organisation.pk, first, last)
    per_team = (
        average_score_by_team(organisation.pk, first, last)
        if any(team is not None for team in groups)
        else {}
    )
    for team in groups:
        estimate = whole if team is None else per_team.get(team.pk)
        n = estimate.n if estimate is not None else 0
        mean = estimate.value if estimate is not None else None
        loaded.readings.setdefault(team.pk if team else None, {})["mystery_score"] = Reading(
            float(mean) if mean is not None else None,
            n=n,
            enough=n >= MINIMUM_SHOPS,
            url=_url("mystery-results", period=str(Quarter.of(first))),
            reason=""
            if n >= MINIMUM_SHOPS
            else (
                _("No mystery shop was reported in this period.")
                if n == 0
                else _("Too few mystery shops (%(n)s; at least %(min)s are needed).")
                % {"n": n, "min": MINIMUM_SHOPS}
            ),
        )


def _voice(
    organisation: Organisation,
    quarter: Quarter,
    groups: Sequence[Team | None],
    loaded: Loaded,
    keys: set[str],
) -> None:
    from outsidein.analytics import services as analytics
    from outsidein.analytics.stats import MINIMUM_N

    filters = analytics.Filters(since=quarter.first, until=quarter.last)
    summaries: dict[int | None, Any] = {}
    if any(team is None for team in groups):
        summaries[None] = analytics.summary(organisation.pk, filters)
    if any(team is not None for team in groups):
        for group in analytics.breakdown(organisation.pk, "team", filters):
            summaries[group.key] = group.summary
    for team in groups:
        team_id = team.pk if team else None
        summary = summaries.get(team_id)
        url = _url(
            "dashboard",
            since=quarter.first.isoformat(),
            until=quarter.last.isoformat(),
            team=team_id,
        )
        for key in ("nps", "csat", "ces"):
            if key not in keys:
                continue
            estimate = getattr(summary, key) if summary is not None else None
            if estimate is None or estimate.n == 0:
                reading = Reading(
                    None, url=url, reason=_("No customer answered this in this period.")
                )
            else:
                reading = Reading(
                    estimate.value if estimate.enough else None,
                    n=estimate.n,
                    enough=estimate.enough,
                    low=estimate.low,
                    high=estimate.high,
                    url=url,
                    reason=""
                    if estimate.enough
                    else _("Not enough responses (%(n)s; at least %(min)s are needed).")
                    % {"n": estimate.n, "min": MINIMUM_N},
                )
            loaded.readings.setdefault(team_id, {})[key] = reading


def load(
    organisation: Organisation,
    quarter: Quarter,
    *,
    teams: Iterable[Team] = (),
    whole: bool = True,
    keys: Iterable[str] | None = None,
) -> Loaded:
    """The readings of the quarter for the organisation (``whole``) and each of ``teams``;
    ``keys`` limits which indicators are loaded (default: all)."""
    wanted = set(keys) if keys is not None else {s.key for s in default_specs()}
    groups: list[Team | None] = ([None] if whole else []) + list(teams)
    loaded = Loaded(quarter=quarter)
    for team in groups:
        loaded.readings.setdefault(team.pk if team else None, {})
    if any(k.startswith("mirror_") for k in wanted):
        _mirror(organisation, quarter, groups, loaded)
    if wanted & {"contacts", "decisions", "queue", "loop", "loop_time", "ideas", "mystery"} or (
        "mystery_score" in wanted
    ):
        _practice(organisation, quarter, groups, loaded, wanted)
    if wanted & {"nps", "csat", "ces"}:
        _voice(organisation, quarter, groups, loaded, wanted)
    return loaded


# --- the index -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    quarter: Quarter
    value: float | None
    partial: bool
    pillars: dict[str, float | None]
    running: bool = False  # the quarter has not ended: figures so far


@dataclass(frozen=True)
class IndexResult:
    """The index of one quarter for the organisation or a team (see the module docstring)."""

    organisation: Organisation
    quarter: Quarter
    team: Team | None
    composite: Composite
    settings: Settings
    wave: Wave | None = None
    dimensions: list[services.DimensionGap] = field(default_factory=list)

    @property
    def window(self) -> Window:
        """The quarter as a named window ("2026-Q3", or "2026-Q4 so far (65 of 92 days)")."""
        return quarter_window(self.quarter)

    @property
    def value(self) -> float | None:
        return self.composite.value

    @property
    def partial(self) -> bool:
        return self.composite.partial

    @property
    def statement(self) -> str:
        return self.composite.statement

    @property
    def pillars(self) -> list[PillarResult]:
        return self.composite.pillars

    @property
    def indicators(self) -> list[IndicatorResult]:
        return self.composite.indicators

    @property
    def missing_count(self) -> int:
        return self.composite.missing_count

    @property
    def total_count(self) -> int:
        return self.composite.total_count

    def movers(self, limit: int = 5) -> list[IndicatorResult]:
        return self.composite.movers(limit)

    def to_dict(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation.slug,
            "quarter": str(self.quarter),
            "window": self.window.to_dict(),
            "first_day": self.quarter.first.isoformat(),
            "last_day": self.quarter.last.isoformat(),
            "team": {"id": self.team.pk, "name": self.team.name, "slug": _slug(self.team)}
            if self.team
            else None,
            "index": None if self.value is None else round(self.value, 1),
            "partial": self.partial,
            "statement": self.statement,
            "indicators_missing": self.missing_count,
            "indicators_total": self.total_count,
            "formula": "attainment = clamp((value - floor) / (target - floor), 0, 1) * 100; "
            "pillar = weighted mean of available indicators; "
            "index = weighted mean of pillars with a score",
            "pillars": [p.to_dict() for p in self.pillars],
            "movers": [
                {"key": i.spec.key, "label": str(i.spec.label), "gain": round(i.gain, 2)}
                for i in self.movers()
            ],
            "mirror": {
                "wave": {"id": self.wave.pk, "name": self.wave.name} if self.wave else None,
                "dimensions": [_dimension_dict(g) for g in self.dimensions],
            },
        }


def _slug(team: Team) -> str:
    return team.slug


def _dimension_dict(gap: services.DimensionGap) -> dict[str, Any]:
    def side(s: services.Side) -> dict[str, Any]:
        return {
            "mean": None if s.value is None else round(s.value, 3),
            "low": None if s.low is None else round(s.low, 3),
            "high": None if s.high is None else round(s.high, 3),
            "n": s.n,
            "enough": s.enough,
            "hidden": s.hidden,
            "alpha": None if s.alpha is None else round(s.alpha, 3),
        }

    d = gap.gap
    return {
        "key": gap.key,
        "label": gap.label,
        "employee": side(gap.employee),
        "customer": side(gap.customer),
        "gap": {
            "difference": None if d.difference is None else round(d.difference, 3),
            "low": None if d.low is None else round(d.low, 3),
            "high": None if d.high is None else round(d.high, 3),
            "p_value": None if d.p_value is None else round(d.p_value, 4),
            "significant": d.significant,
        },
        "statement": gap.statement,
    }


def compute_index(
    organisation: Organisation,
    *,
    quarter: str | Quarter | None = None,
    team: Team | None = None,
    settings: Settings | None = None,
) -> IndexResult:
    """The customer-centricity index of ``quarter`` ("YYYY-Qn"; default: the last complete one)
    for the organisation, or for ``team``. Raises ValueError for a malformed quarter or a team
    of another organisation. Never NaN: what cannot be computed is None with the reason."""
    if team is not None and team.organisation_id != organisation.pk:
        raise ValueError("team of another organisation")
    period = quarter_or_default(quarter)
    settings = settings or settings_for(organisation)
    loaded = load(organisation, period, teams=[team] if team else [], whole=team is None)
    team_id = team.pk if team else None
    composite = combine(settings.specs, loaded.readings.get(team_id, {}), settings.pillar_weights)
    return IndexResult(
        organisation=organisation,
        quarter=period,
        team=team,
        composite=composite,
        settings=settings,
        wave=loaded.wave,
        dimensions=loaded.gaps.get(team_id, []),
    )


def index_trend(
    organisation: Organisation,
    *,
    quarter: str | Quarter | None = None,
    team: Team | None = None,
    count: int = 4,
    settings: Settings | None = None,
) -> list[TrendPoint]:
    """The index of ``count`` quarters up to ``quarter``, oldest first."""
    settings = settings or settings_for(organisation)
    points = []
    for period in quarter_or_default(quarter).back(count):
        loaded = load(organisation, period, teams=[team] if team else [], whole=team is None)
        composite = combine(
            settings.specs,
            loaded.readings.get(team.pk if team else None, {}),
            settings.pillar_weights,
        )
        points.append(
            TrendPoint(
                quarter=period,
                value=composite.value,
                partial=composite.partial,
                pillars={p.key: p.score for p in composite.pillars},
                running=quarter_window(period).running,
            )
        )
    return points
