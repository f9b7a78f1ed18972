"""What the strategy pages read: the journey map, the segment comparison, demand per need, the
process network and the "disconnected" facts. Grouped queries (a handful per page, never one
per cell); the arithmetic is in ``analytics.stats`` and ``strategy.flags`` (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outsidein.analytics import services as analytics
from outsidein.analytics import stats
from outsidein.core.models import Customer, Segment, Team
from outsidein.practice.models import Case, CaseKind, CaseStatus, Contact
from outsidein.strategy import flags as flag_logic
from outsidein.strategy.models import (
    DeclinedRequest,
    Journey,
    LinkKind,
    Need,
    NeedTag,
    Priority,
    Process,
    SegmentStrategy,
    Stance,
    Touchpoint,
    TouchpointLink,
)
from outsidein.voice.models import Feedback, FeedbackKind

COUNTER_NAMES = (
    "items",
    "promoters",
    "passives",
    "detractors",
    "csat_n",
    "csat_top2",
    "ces_n",
    "ces_sum",
    "ces_sumsq",
    "complaints",
)
_AGGREGATES = {
    "items": Count("pk"),
    "promoters": Count("pk", filter=Q(nps__gte=9)),
    "passives": Count("pk", filter=Q(nps__gte=7, nps__lte=8)),
    "detractors": Count("pk", filter=Q(nps__lte=6)),
    "csat_n": Count("csat"),
    "csat_top2": Count("pk", filter=Q(csat__gte=4)),
    "ces_n": Count("ces"),
    "ces_sum": Sum("ces"),
    "ces_sumsq": Sum(F("ces") * F("ces")),
    "complaints": Count("pk", filter=Q(kind=FeedbackKind.COMPLAINT)),
}


def _window(since: date, until: date) -> Q:
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
    return Q(submitted_at__gte=start, submitted_at__lt=end)


def _add(target: dict[str, int], row: dict[str, Any]) -> None:
    for name in COUNTER_NAMES:
        target[name] = target.get(name, 0) + int(row.get(name) or 0)


@dataclass
class Cell:
    """One touchpoint on the journey map."""

    touchpoint: Touchpoint
    measure: str  # the measure that fits (chosen or suggested)
    suggested: bool  # True when the measure is the suggestion for the stage
    nps: stats.Estimate
    csat: stats.Estimate
    ces: stats.Estimate
    items: int
    complaints: int
    open_follow_ups: int
    mystery_n: int
    mystery_score: float | None
    links: list[TouchpointLink] = field(default_factory=list)

    @property
    def main(self) -> stats.Estimate:
        return getattr(self, self.measure)  # type: ignore[no-any-return]

    @property
    def heat(self) -> str:
        return flag_logic.heat(self.measure, self.main.value, self.main.enough)

    def heat_of(self, measure: str) -> str:
        estimate = getattr(self, measure)
        return flag_logic.heat(measure, estimate.value, estimate.enough)

    @property
    def measured(self) -> bool:
        return bool(self.links)


@dataclass
class StageRow:
    stage: Any
    cells: list[Cell]


def journey_map(journey: Journey, since: date, until: date) -> list[StageRow]:
    from outsidein.mystery.models import Assignment

    stages = list(journey.stages.all())
    touchpoints = list(
        Touchpoint.objects.filter(stage__journey=journey).select_related("team", "stage")
    )
    links = list(TouchpointLink.objects.filter(touchpoint__in=touchpoints))
    by_tp: dict[int, list[TouchpointLink]] = defaultdict(list)
    for item in links:
        assert item.touchpoint_id is not None
        by_tp[item.touchpoint_id].append(item)
    survey_ids = {item.ref_id for item in links if item.kind == LinkKind.SURVEY}
    feedback_ids = {item.ref_id for item in links if item.kind == LinkKind.FEEDBACK}
    case_ids = {item.ref_id for item in links if item.kind == LinkKind.CASE}
    scenario_ids = {item.ref_id for item in links if item.kind == LinkKind.SCENARIO}
    org = journey.organisation_id
    window = _window(since, until)
    # 1. responses to linked surveys from the journey's segment, per survey
    per_survey: dict[int, dict[str, Any]] = {
        row["survey_id"]: dict(row)
        for row in Feedback.objects.filter(
            window, organisation_id=org, survey_id__in=survey_ids, segment_id=journey.segment_id
        )
        .values("survey_id")
        .annotate(**_AGGREGATES)
        .order_by()
    }
    # 2. explicitly linked items, per item
    per_item = {
        row["pk"]: row
        for row in Feedback.objects.filter(window, organisation_id=org, pk__in=feedback_ids)
        .values("pk", "survey_id", "segment_id")
        .annotate(**_AGGREGATES)
        .order_by()
    }
    # 3. open follow-ups on that feedback, and linked follow-ups that are open
    open_cases = Case.objects.filter(organisation_id=org).exclude(status=CaseStatus.CLOSED)
    open_per_survey = dict(
        open_cases.filter(
            feedback__survey_id__in=survey_ids, feedback__segment_id=journey.segment_id
        )
        .values("feedback__survey_id")
        .annotate(n=Count("pk"))
        .values_list("feedback__survey_id", "n")
        .order_by()
    )
    open_feedback = set(
        open_cases.filter(feedback_id__in=feedback_ids).values_list("feedback_id", flat=True)
    )
    open_linked = set(open_cases.filter(pk__in=case_ids).values_list("pk", flat=True))
    # 4. mystery shops of linked scenarios
    shops = {
        row["scenario_id"]: row
        for row in Assignment.objects.filter(
            organisation_id=org,
            scenario_id__in=scenario_ids,
            score__isnull=False,
            shopped_on__gte=since,
            shopped_on__lte=until,
        )
        .values("scenario_id")
        .annotate(n=Count("pk"), total=Sum("score"))
        .order_by()
    }
    rows = []
    for stage in stages:
        cells = []
        for touchpoint in [t for t in touchpoints if t.stage_id == stage.pk]:
            mine = by_tp.get(touchpoint.pk, [])
            surveys = {item.ref_id for item in mine if item.kind == LinkKind.SURVEY}
            counters: dict[str, int] = {}
            open_n = 0
            for survey_id in surveys:
                _add(counters, per_survey.get(survey_id, {}))
                open_n += open_per_survey.get(survey_id, 0)
            for item in mine:
                if item.kind == LinkKind.FEEDBACK and item.ref_id in per_item:
                    row = per_item[item.ref_id]
                    if row["survey_id"] in surveys and row["segment_id"] == journey.segment_id:
                        continue  # already counted through its survey
                    _add(counters, dict(row))
                    open_n += item.ref_id in open_feedback
                elif item.kind == LinkKind.CASE:
                    open_n += item.ref_id in open_linked
            mystery_n = mystery_total = 0
            for item in mine:
                if item.kind == LinkKind.SCENARIO and item.ref_id in shops:
                    mystery_n += shops[item.ref_id]["n"]
                    mystery_total += shops[item.ref_id]["total"] or 0
            measure = touchpoint.measure or flag_logic.suggested_measure(stage.kind)
            cells.append(
                Cell(
                    touchpoint=touchpoint,
                    measure=measure,
                    suggested=not touchpoint.measure,
                    nps=stats.nps(
                        counters.get("promoters", 0),
                        counters.get("passives", 0),
                        counters.get("detractors", 0),
                    ),
                    csat=stats.proportion(counters.get("csat_top2", 0), counters.get("csat_n", 0)),
                    ces=stats.mean(
                        counters.get("ces_n", 0),
                        counters.get("ces_sum", 0),
                        counters.get("ces_sumsq", 0),
                    ),
                    items=counters.get("items", 0),
                    complaints=counters.get("complaints", 0),
                    open_follow_ups=open_n,
                    mystery_n=mystery_n,
                    mystery_score=(mystery_total / mystery_n) if mystery_n else None,
                    links=mine,
                )
            )
        rows.append(StageRow(stage=stage, cells=cells))
    return rows


def unlinked_items(organisation_id: int) -> list[TouchpointLink]:
    """Items whose touchpoint was deleted: still there, waiting to be linked again."""
    return list(
        TouchpointLink.objects.filter(organisation_id=organisation_id, touchpoint__isnull=True)
    )


# --- segment comparison ------------------------------------------------------------------------


@dataclass
class SegmentColumn:
    segment: Segment
    strategy: SegmentStrategy | None
    customers: int
    summary: analytics.Summary
    complaints: int
    top_complaints: list[tuple[str, int]]
    contacts: int
    follow_ups: int
    contacts_per_100: float | None
    served: int
    declined: int
    declined_requests: int
    warnings: list[str] = field(default_factory=list)


def segment_comparison(organisation_id: int, since: date, until: date) -> list[SegmentColumn]:
    segments = list(Segment.objects.filter(organisation_id=organisation_id))
    strategies = {
        s.segment_id: s for s in SegmentStrategy.objects.filter(organisation_id=organisation_id)
    }
    sizes = dict(
        Customer.objects.filter(organisation_id=organisation_id)
        .values("segment_id")
        .annotate(n=Count("pk"))
        .values_list("segment_id", "n")
        .order_by()
    )
    groups = {
        group.key: group.summary
        for group in analytics.breakdown(
            organisation_id, "segment", analytics.Filters(since=since, until=until)
        )
    }
    window = _window(since, until)
    complaints = Feedback.objects.filter(
        window, organisation_id=organisation_id, kind=FeedbackKind.COMPLAINT
    )
    complaint_counts = dict(
        complaints.values("segment_id")
        .annotate(n=Count("pk"))
        .values_list("segment_id", "n")
        .order_by()
    )
    themes: dict[int | None, Counter[str]] = defaultdict(Counter)
    for segment_id, tag, n in (
        complaints.filter(tags__isnull=False)
        .values("segment_id", "tags__name")
        .annotate(n=Count("pk"))
        .values_list("segment_id", "tags__name", "n")
        .order_by()
    ):
        themes[segment_id][tag] += n
    contacts = dict(
        Contact.objects.filter(
            organisation_id=organisation_id, happened_on__gte=since, happened_on__lte=until
        )
        .values("customer__segment_id")
        .annotate(n=Count("pk"))
        .values_list("customer__segment_id", "n")
        .order_by()
    )
    tz = timezone.get_current_timezone()
    follow_ups = dict(
        Case.objects.filter(
            organisation_id=organisation_id,
            kind=CaseKind.FOLLOW_UP,
            opened_at__gte=datetime.combine(since, time.min, tzinfo=tz),
            opened_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz),
        )
        .values("customer__segment_id")
        .annotate(n=Count("pk"))
        .values_list("customer__segment_id", "n")
        .order_by()
    )
    stance_counts = Counter(
        Need.objects.filter(organisation_id=organisation_id).values_list("segment_id", "stance")
    )
    declined_requests = dict(
        DeclinedRequest.objects.filter(organisation_id=organisation_id)
        .values("segment_id")
        .annotate(n=Count("pk"))
        .values_list("segment_id", "n")
        .order_by()
    )
    columns = []
    for segment in segments:
        size = sizes.get(segment.pk, 0)
        n_contacts = contacts.get(segment.pk, 0)
        columns.append(
            SegmentColumn(
                segment=segment,
                strategy=strategies.get(segment.pk),
                customers=size,
                summary=groups.get(segment.pk) or analytics.summarise({}),
                complaints=complaint_counts.get(segment.pk, 0),
                top_complaints=themes[segment.pk].most_common(3),
                contacts=n_contacts,
                follow_ups=follow_ups.get(segment.pk, 0),
                contacts_per_100=(100 * n_contacts / size) if size else None,
                served=stance_counts[(segment.pk, Stance.SERVED)],
                declined=stance_counts[(segment.pk, Stance.DECLINED)],
                declined_requests=declined_requests.get(segment.pk, 0),
            )
        )
    _reality_checks(columns)
    return columns


def _reality_checks(columns: list[SegmentColumn]) -> None:
    """Compare focus with reality: a core segment that gets the fewest contacts, a segment we
    do not target that gets the most attention."""
    measured = [c for c in columns if c.contacts_per_100 is not None]
    if len(measured) < 2:
        return
    fewest = min(measured, key=lambda c: c.contacts_per_100 or 0.0)
    most = max(measured, key=lambda c: c.contacts_per_100 or 0.0)
    for column in measured:
        priority = column.strategy.priority if column.strategy else None
        if priority == Priority.CORE and column is fewest:
            column.warnings.append(
                _("A core segment, yet it gets the fewest customer contacts per customer.")
            )
        if priority == Priority.NOT_TARGETED and column is most:
            column.warnings.append(
                _("Not targeted, yet it gets the most customer contacts per customer.")
            )
        if priority == Priority.CORE and column.summary.nps.enough is False:
            column.warnings.append(
                _("A core segment without enough responses to know how it is doing.")
            )


# --- needs -----------------------------------------------------------------------------------


@dataclass
class NeedRow:
    need: Need
    feedback: int
    ideas: int
    declined_requests: int

    @property
    def demand(self) -> int:
        return self.feedback + self.ideas + self.declined_requests

    @property
    def pressure(self) -> bool:
        """A declined need that customers keep asking for: revisit the "no" with evidence."""
        return self.need.stance == Stance.DECLINED and self.demand >= PRESSURE_THRESHOLD


PRESSURE_THRESHOLD = 5


def needs_by_segment(organisation_id: int) -> list[tuple[Segment, list[NeedRow]]]:
    needs = list(Need.objects.filter(organisation_id=organisation_id).select_related("segment"))
    tags = Counter(
        NeedTag.objects.filter(organisation_id=organisation_id).values_list("need_id", "kind")
    )
    declined = dict(
        DeclinedRequest.objects.filter(organisation_id=organisation_id, need__isnull=False)
        .values("need_id")
        .annotate(n=Count("pk"))
        .values_list("need_id", "n")
        .order_by()
    )
    grouped: dict[int, list[NeedRow]] = defaultdict(list)
    for need in needs:
        grouped[need.segment_id].append(
            NeedRow(
                need=need,
                feedback=tags[(need.pk, "feedback")],
                ideas=tags[(need.pk, "idea")],
                declined_requests=declined.get(need.pk, 0),
            )
        )
    result = []
    for segment in Segment.objects.filter(organisation_id=organisation_id):
        rows = sorted(grouped.get(segment.pk, []), key=lambda r: (r.need.stance, -r.demand))
        result.append((segment, rows))
    return result


def declined_counts(
    organisation_id: int,
) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """The "no" register counted per segment and per need: (name, declined, of which told)."""
    base = DeclinedRequest.objects.filter(organisation_id=organisation_id)

    def count(by: str) -> list[tuple[str, int, int]]:
        rows = (
            base.values(by)
            .annotate(n=Count("pk"), told=Count("pk", filter=Q(customer_told=True)))
            .order_by("-n")
        )
        return [(row[by] or str(_("None")), row["n"], row["told"]) for row in rows]

    return count("segment__name"), count("need__name")


# --- the process network and the flags ------------------------------------------------------------


def quarter(today: date) -> tuple[date, date]:
    return today - timedelta(days=90), today


def flag_facts(organisation_id: int, today: date) -> tuple[list[flag_logic.Flag], dict[str, Any]]:
    since, until = quarter(today)
    processes = [
        flag_logic.ProcessFact(
            p.pk, p.name, p.team_id, frozenset(t.pk for t in p.touchpoints.all())
        )
        for p in Process.objects.filter(organisation_id=organisation_id).prefetch_related(
            "touchpoints"
        )
    ]
    measured = set(
        TouchpointLink.objects.filter(
            organisation_id=organisation_id, touchpoint__isnull=False
        ).values_list("touchpoint_id", flat=True)
    )
    touchpoints = [
        flag_logic.TouchpointFact(pk, name, team_id, pk in measured)
        for pk, name, team_id in Touchpoint.objects.filter(
            organisation_id=organisation_id
        ).values_list("pk", "name", "team_id")
    ]
    contacts = dict(
        Contact.objects.filter(
            organisation_id=organisation_id, happened_on__gte=since, happened_on__lte=until
        )
        .values("team_id")
        .annotate(n=Count("pk"))
        .values_list("team_id", "n")
        .order_by()
    )
    tz = timezone.get_current_timezone()
    cases = dict(
        Case.objects.filter(
            organisation_id=organisation_id,
            opened_at__gte=datetime.combine(since, time.min, tzinfo=tz),
        )
        .values("team_id")
        .annotate(n=Count("pk"))
        .values_list("team_id", "n")
        .order_by()
    )
    teams = [
        flag_logic.TeamFact(pk, name, contacts.get(pk, 0), cases.get(pk, 0))
        for pk, name in Team.objects.filter(
            organisation_id=organisation_id, kind="team"
        ).values_list("pk", "name")
    ]
    found = flag_logic.disconnected(processes, touchpoints, teams)
    return found, {"since": since, "until": until}


def network(organisation_id: int, today: date) -> dict[str, Any]:
    """Nodes and edges for the network view: customer → segments → journeys → touchpoints →
    processes → teams. Each node carries the URL it opens and whether it is flagged."""
    found, _period = flag_facts(organisation_id, today)
    flagged = {(f.kind.split("_")[0], f.object_id) for f in found}
    nodes: list[dict[str, Any]] = [
        {
            "id": "customer",
            "label": str(_("The customer")),
            "type": "customer",
            "url": reverse("strategy-segments"),
        }
    ]
    edges: list[dict[str, Any]] = []

    def edge(source: str, target: str) -> None:
        edges.append({"id": f"{source}>{target}", "source": source, "target": target})

    strategies = dict(
        SegmentStrategy.objects.filter(organisation_id=organisation_id).values_list(
            "segment_id", "priority"
        )
    )
    for segment in Segment.objects.filter(organisation_id=organisation_id):
        key = f"segment-{segment.pk}"
        nodes.append(
            {
                "id": key,
                "label": segment.name,
                "type": "segment",
                "priority": strategies.get(segment.pk, ""),
                "url": reverse("strategy-segment", args=[segment.pk]),
            }
        )
        edge("customer", key)
    for journey in Journey.objects.filter(organisation_id=organisation_id):
        key = f"journey-{journey.pk}"
        nodes.append(
            {
                "id": key,
                "label": journey.name,
                "type": "journey",
                "url": reverse("strategy-journey", args=[journey.pk]),
            }
        )
        edge(f"segment-{journey.segment_id}", key)
    used_teams: set[int] = set()
    for touchpoint in Touchpoint.objects.filter(organisation_id=organisation_id).select_related(
        "stage"
    ):
        key = f"touchpoint-{touchpoint.pk}"
        nodes.append(
            {
                "id": key,
                "label": touchpoint.name,
                "type": "touchpoint",
                "flagged": ("touchpoint", touchpoint.pk) in flagged,
                "url": reverse("strategy-journey-map", args=[touchpoint.stage.journey_id])
                + f"#tp-{touchpoint.pk}",
            }
        )
        edge(f"journey-{touchpoint.stage.journey_id}", key)
        if touchpoint.team_id:
            used_teams.add(touchpoint.team_id)
            edge(key, f"team-{touchpoint.team_id}")
    for process in Process.objects.filter(organisation_id=organisation_id).prefetch_related(
        "touchpoints"
    ):
        key = f"process-{process.pk}"
        nodes.append(
            {
                "id": key,
                "label": process.name,
                "type": "process",
                "flagged": ("process", process.pk) in flagged,
                "url": reverse("strategy-process", args=[process.pk]),
            }
        )
        for touchpoint in process.touchpoints.all():
            edge(f"touchpoint-{touchpoint.pk}", key)
        if process.team_id:
            used_teams.add(process.team_id)
            edge(key, f"team-{process.team_id}")
    flagged_teams = {object_id for kind, object_id in flagged if kind == "team"}
    for team in Team.objects.filter(organisation_id=organisation_id).filter(
        Q(pk__in=used_teams) | Q(pk__in=flagged_teams)
    ):
        nodes.append(
            {
                "id": f"team-{team.pk}",
                "label": team.name,
                "type": "team",
                "flagged": team.pk in flagged_teams,
                "url": reverse("team-detail", args=[team.pk]),
            }
        )
    return {
        "nodes": nodes,
        "edges": edges,
        "flags": flag_logic.counts(found),
        "total_flags": len(found),
    }


def _ids(items: Iterable[Any]) -> list[int]:
    return [item.pk for item in items]
