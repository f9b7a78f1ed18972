"""The monthly leadership report: everything leaders read about one organisation and one calendar
month, gathered into plain dataclasses that the HTML page, the email and the PDF print.

``build_report(organisation, month, language)`` reads (never writes) and returns a ``Report``
whose texts are already in ``language``, numbers formatted the way that language writes them:

- the customer-centricity index and its pillars (from ``centricity.index`` when it exists;
  otherwise a statement that it is not available yet),
- the delivery gap of the latest mirror-survey wave that opened by the end of the month,
- NPS, CSAT and CES of the month with n and 95% intervals, each compared with the month before
  (the same tests as ``analytics.services.compare``, on calendar months),
- the practice norms (``practice.registry.norms()``) this month and the month before,
- the biggest changes since last month (significance marked where a test exists),
- three customer stories: a promoter, a detractor whose follow-up was closed with what was
  learned, and a complaint that led to a decision; chosen deterministically,
- the decisions taken in the month and the quarter to date, with and without customer input.

No number is ever NaN: what cannot be given is None and the text says why.

Writes, for the schedule: ``subscribe``/``unsubscribe`` (who receives it) and
``send_monthly_reports(today)`` (the daily round: last month's report to each subscribed leader
on their day, once).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Q, Value, When
from django.db.models.functions import Length
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from outsidein.analytics import services as metrics
from outsidein.analytics import stats
from outsidein.analytics.services import month_end
from outsidein.centricity import services as mirror
from outsidein.centricity.models import ReportDelivery, ReportSubscription, Wave, WaveStatus
from outsidein.core.dates import day_month
from outsidein.core.models import Organisation, Person
from outsidein.core.periods import Quarter, Window, last_full_month

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static" / "centricity"

LANGUAGES = ("nl", "en")
MONTH_RE = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")
VERBATIM_MAX = 600
DECISIONS_LISTED = 15
MOVES_LISTED = 6


# --- months ------------------------------------------------------------------------------------


def parse_month(value: str) -> date:
    """``YYYY-MM`` → the first day of that month; ValueError naming the problem otherwise."""
    match = MONTH_RE.match((value or "").strip())
    if not match:
        raise ValueError(
            _("A month is written as YYYY-MM, e.g. 2026-03, not “%(value)s”.") % {"value": value}
        )
    return date(int(match.group(1)), int(match.group(2)), 1)


def previous_month(first: date) -> date:
    return (first.replace(day=1) - timedelta(days=1)).replace(day=1)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _language(language: str | None) -> str:
    return language if language in LANGUAGES else "nl"


# --- formatting (in the active language) -------------------------------------------------------


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    text = number_format(round(value, digits), digits)
    return "0" if text in ("-0", "−0") else text


def _signed(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    if round(value, digits) == 0:
        return _num(0.0, digits)
    return ("+" if value > 0 else "−") + _num(abs(value), digits)


# --- the dataclasses ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """Positions on a 0–100 axis for a drawn bar or dot with its interval (None: not drawn)."""

    value: float
    low: float | None = None
    high: float | None = None
    target: float | None = None


def _bar(
    value: float | None,
    low: float | None,
    high: float | None,
    scale: tuple[float, float],
    target: float | None = None,
) -> Bar | None:
    if value is None:
        return None
    lo, hi = scale

    def at(x: float | None) -> float | None:
        if x is None:
            return None
        return round(max(0.0, min(100.0, (x - lo) / (hi - lo) * 100.0)), 2)

    position = at(value)
    assert position is not None
    return Bar(value=position, low=at(low), high=at(high), target=at(target))


@dataclass(frozen=True)
class IndexPillar:
    label: str
    value_text: str
    weight_text: str
    bar: Bar | None
    statement: str = ""


@dataclass(frozen=True)
class IndexSection:
    available: bool
    value_text: str = "–"
    period: str = ""
    pillars: list[IndexPillar] = field(default_factory=list)
    statement: str = ""
    bar: Bar | None = None


@dataclass(frozen=True)
class GapRow:
    label: str
    employee_text: str
    customer_text: str
    gap_text: str
    significant: bool
    statement: str
    employee_bar: Bar | None
    customer_bar: Bar | None


@dataclass(frozen=True)
class GapSection:
    available: bool
    wave_name: str = ""
    statement: str = ""
    employees_agree: str = "–"
    customers_agree: str = "–"
    headline_gap: str = "–"
    headline_statement: str = ""
    rows: list[GapRow] = field(default_factory=list)
    widest: str = ""


@dataclass(frozen=True)
class Figure:
    """NPS, CSAT or CES of the month with its interval, and the change since the month before."""

    key: str
    label: str
    scale_text: str
    estimate: stats.Estimate
    previous: stats.Estimate
    change: stats.Change
    value_text: str
    interval_text: str
    note: str
    change_text: str
    bar: Bar | None
    higher_is_better: bool = True


@dataclass(frozen=True)
class NormLine:
    key: str
    label: str
    question: str
    value: float | None
    previous: float | None
    value_text: str
    previous_text: str
    change_text: str
    target_text: str
    meets_target: bool | None
    n: int
    note: str
    bar: Bar | None
    enough: bool = True  # False: below the small-n rule, shown grey with "too few", not judged
    window: str = ""  # the window the figure covers, named


@dataclass(frozen=True)
class Move:
    label: str
    text: str
    better: bool
    significant: bool | None  # None: no test exists for this figure
    size: float


@dataclass(frozen=True)
class Story:
    kind: str  # "promoter", "detractor", "complaint"
    heading: str
    quote: str
    meta: str
    done: list[str]
    available: bool = True


@dataclass(frozen=True)
class DecisionLine:
    title: str
    date_text: str
    team: str
    evidence: int
    without_input: bool
    reason: str

    @property
    def with_input(self) -> bool:
        return self.evidence > 0


@dataclass(frozen=True)
class DecisionCounts:
    taken: int
    with_input: int
    without_input: int
    unexplained: int  # neither evidence nor a reason recorded

    @property
    def share_text(self) -> str:
        if not self.taken:
            return "–"
        return _num(100.0 * self.with_input / self.taken) + "%"


@dataclass(frozen=True)
class Decisions:
    month: list[DecisionLine]
    more: int
    month_counts: DecisionCounts
    quarter_counts: DecisionCounts
    quarter: str


@dataclass(frozen=True)
class Report:
    organisation: str
    slug: str
    month: date
    language: str
    month_label: str
    previous_label: str
    generated_text: str
    partial: bool  # the month has not ended yet
    index: IndexSection
    gap: GapSection
    figures: list[Figure]
    figures_statement: str
    norms: list[NormLine]
    moves: list[Move]
    stories: list[Story]
    decisions: Decisions

    @property
    def month_code(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def title(self) -> str:
        return self.organisation

    def key_texts(self) -> list[str]:
        """The figures a reader must find in any rendering (used by the tests)."""
        return [f.value_text for f in self.figures if f.estimate.enough]


# --- the sections ------------------------------------------------------------------------------


def report_quarter(first: date, today: date) -> Quarter:
    """The quarter whose index the report of ``first``'s month shows: the last COMPLETE quarter
    by the end of that month (a running quarter is never shown as if complete)."""
    end = min(month_end(first), today - timedelta(days=1))
    quarter = Quarter.of(end)
    return quarter if quarter.last == end else quarter.previous()


def _index_section(
    organisation: Organisation, first: date, today: date | None = None
) -> IndexSection:
    quarter = str(report_quarter(first, today or timezone.localdate()))
    not_yet = IndexSection(
        available=False,
        period=quarter,
        statement=_(
            "The customer-centricity index is not available yet. It combines the customers' "
            "mirror-survey scores, the practice norms and NPS, CSAT and CES once they are measured."
        ),
    )
    compute_index = _index_function()
    if compute_index is None:
        return not_yet
    try:
        result = compute_index(organisation, quarter=quarter)
    except Exception:  # the index is another part: its failure must not cost the whole report
        logger.exception("The index of %s for %s could not be computed", organisation.pk, quarter)
        return not_yet
    if result is None:
        return not_yet
    pillars = []
    for pillar in _first_attr(result, ("pillars",)) or []:
        pillar_value = _as_float(_first_attr(pillar, ("score", "value")))
        weight = _as_float(_first_attr(pillar, ("share_in_index", "weight")))
        statement = str(_first_attr(pillar, ("statement",)) or "")
        pillars.append(
            IndexPillar(
                label=str(_first_attr(pillar, ("label", "name", "key")) or ""),
                value_text=_num(pillar_value) if pillar_value is not None else _("missing"),
                weight_text="" if not weight else _num(_weight_percent(weight)) + "%",
                bar=_bar(pillar_value, None, None, (0.0, 100.0)),
                statement=statement if pillar_value is None else "",
            )
        )
    number = _as_float(_first_attr(result, ("value", "score", "index")))
    statement = str(_first_attr(result, ("statement",)) or "")
    if number is None and not statement:
        statement = _("Too little is measured this quarter to compute the index.")
    elif number is not None and _first_attr(result, ("partial",)) is True and not statement:
        statement = _("A pillar is missing, so the index rests on the others.")
    return IndexSection(
        available=True,
        value_text=_num(number),
        period=quarter,
        pillars=pillars,
        statement=statement,
        bar=_bar(number, None, None, (0.0, 100.0)),
    )


def _index_function() -> Callable[..., Any] | None:
    """``compute_index(organisation, *, quarter)`` from the index part, where it is built."""
    import importlib

    for module_name in ("outsidein.centricity.indicators", "outsidein.centricity.index"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        function = getattr(module, "compute_index", None)
        if callable(function):
            return function  # type: ignore[no-any-return]
    return None


def _first_attr(obj: Any, names: Sequence[str]) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


def _as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _weight_percent(weight: float | None) -> float | None:
    if weight is None:
        return None
    return weight * 100.0 if weight <= 1.0 else weight


def _gap_section(organisation: Organisation, first: date) -> GapSection:
    end = _aware(month_end(first) + timedelta(days=1))
    wave = (
        Wave.objects.filter(organisation=organisation, opens_at__lt=end)
        .exclude(status=WaveStatus.DRAFT)
        .order_by("-opens_at", "-pk")
        .first()
    )
    if wave is None:
        return GapSection(
            available=False,
            statement=_("No mirror-survey wave had opened by the end of this month."),
        )
    gaps = mirror.dimension_gaps(organisation, wave=wave)
    superior = mirror.superior_experience(organisation, wave=wave)
    rows = []
    for gap in gaps:
        rows.append(
            GapRow(
                label=str(gap.label),
                employee_text=_side_text(gap.employee),
                customer_text=_side_text(gap.customer),
                gap_text=_difference_text(gap.gap, 1),
                significant=gap.significant,
                statement=gap.statement,
                employee_bar=_bar(
                    gap.employee.value, gap.employee.low, gap.employee.high, (1.0, 7.0)
                ),
                customer_bar=_bar(
                    gap.customer.value, gap.customer.low, gap.customer.high, (1.0, 7.0)
                ),
            )
        )
    widest = max(
        (g for g in gaps if g.gap.difference is not None and g.significant),
        key=lambda g: g.gap.difference or 0.0,
        default=None,
    )
    section = GapSection(
        available=True,
        wave_name=wave.name,
        rows=rows,
        widest=""
        if widest is None
        else _(
            "The widest gap is in %(dimension)s: employees rate it %(gap)s points higher than "
            "customers do."
        )
        % {"dimension": widest.label, "gap": _num(widest.gap.difference, 1)},
    )
    if superior is None:
        return section
    return GapSection(
        **{
            **section.__dict__,
            "employees_agree": "–"
            if superior.employee_hidden or not superior.employee.enough
            else _num(superior.employee.value) + "%",
            "customers_agree": "–"
            if not superior.customer.enough
            else _num(superior.customer.value) + "%",
            "headline_gap": _difference_text(superior.gap, 0),
            "headline_statement": superior.statement,
        }
    )


def _side_text(side: mirror.Side) -> str:
    if side.hidden:
        return _("fewer than %(min)s: hidden") % {"min": mirror.MIN_GROUP}
    if side.value is None:
        return "–"
    if not side.enough:
        return _("too few (n=%(n)s)") % {"n": side.n}
    interval = "" if side.low is None else f" [{_num(side.low, 1)}–{_num(side.high, 1)}]"
    return f"{_num(side.value, 1)}{interval} n={side.n}"


def _difference_text(difference: Any, digits: int) -> str:
    if difference.difference is None:
        return "–"
    mark = " *" if difference.significant else ""
    return (
        f"{_signed(difference.difference, digits)}{mark} "
        f"[{_num(difference.low, digits)}, {_num(difference.high, digits)}]"
    )


# --- NPS, CSAT, CES ----------------------------------------------------------------------------

_FIGURES: list[tuple[str, str, tuple[float, float], bool, int]] = [
    # key, unit after the value, axis, higher is better, digits
    ("nps", "", (-100.0, 100.0), True, 0),
    ("csat", "%", (0.0, 100.0), True, 0),
    ("ces", "", (1.0, 7.0), False, 1),
]


def _figure_labels() -> dict[str, tuple[str, str]]:
    return {
        "nps": (_("NPS"), _("−100 to 100")),
        "csat": (_("CSAT"), _("Share satisfied (4 or 5 of 5)")),
        "ces": (_("CES"), _("effort, 1–7, lower is better")),
    }


def _figures(organisation: Organisation, first: date) -> tuple[list[Figure], str]:
    org_id = organisation.pk
    now_filters = metrics.Filters(since=first, until=month_end(first))
    before = previous_month(first)
    then_filters = metrics.Filters(since=before, until=month_end(before))
    current = metrics.summary(org_id, now_filters)
    previous = metrics.summary(org_id, then_filters)
    a, b = previous.counts, current.counts
    changes = {
        "nps": stats.compare_nps(
            (a["promoters"], a["passives"], a["detractors"]),
            (b["promoters"], b["passives"], b["detractors"]),
        ),
        "csat": stats.compare_proportions(
            (a["csat_top2"], a["csat_n"]), (b["csat_top2"], b["csat_n"])
        ),
        "ces": stats.compare_means(
            (a["ces_n"], a["ces_sum"], a["ces_sumsq"]), (b["ces_n"], b["ces_sum"], b["ces_sumsq"])
        ),
    }
    labels = _figure_labels()
    out = []
    for key, unit, scale, higher, digits in _FIGURES:
        estimate: stats.Estimate = getattr(current, key)
        earlier: stats.Estimate = getattr(previous, key)
        change = changes[key]
        if estimate.n == 0:
            note = _("No answers this month.")
        elif not estimate.enough:
            note = _("Too few answers (n=%(n)s; at least %(min)s are needed).") % {
                "n": estimate.n,
                "min": stats.MINIMUM_N,
            }
        else:
            note = f"n={estimate.n}"
        if change.difference is None:
            change_text = _("no comparison (too few answers in one of the months)")
        else:
            change_text = _("%(change)s vs last month [%(low)s, %(high)s]%(mark)s") % {
                "change": _signed(change.difference, digits),
                "low": _num(change.low, digits),
                "high": _num(change.high, digits),
                "mark": " *" if change.significant else "",
            }
        shown = estimate.enough
        out.append(
            Figure(
                key=key,
                label=labels[key][0],
                scale_text=labels[key][1],
                estimate=estimate,
                previous=earlier,
                change=change,
                value_text=_num(estimate.value, digits) + unit if shown else "–",
                interval_text=f"[{_num(estimate.low, digits)}–{_num(estimate.high, digits)}]"
                if shown and estimate.low is not None
                else "",
                note=note,
                change_text=change_text,
                bar=_bar(estimate.value, estimate.low, estimate.high, scale) if shown else None,
                higher_is_better=higher,
            )
        )
    statement = ""
    if current.items == 0:
        statement = _("No customer feedback was recorded in this month.")
    return out, statement


# --- the norms ---------------------------------------------------------------------------------


def _norm_value_text(value: float | None, unit: str) -> str:
    if value is None:
        return _("no data")
    if unit == "h":
        return _("%(hours)s h") % {"hours": _num(value, 1)}
    if unit == "%":
        return _num(value) + "%"
    return _num(value)


def _norms(organisation: Organisation, first: date, today: date | None = None) -> list[NormLine]:
    """Each norm through ``registry.figure`` for the month (a running month counts so far and
    says so) and the month before; below the small-n rule no verdict and no change."""
    from outsidein.practice import registry

    window = Window.month(first, today or timezone.localdate())
    out = []
    for norm in registry.norms():
        try:
            now = registry.figure(norm, organisation.pk, window)
            then = registry.figure(norm, organisation.pk, window.previous())
        except Exception:  # a plugged-in norm must not cost the whole report
            logger.exception("Norm %s failed for organisation %s", norm.key, organisation.pk)
            continue
        meets = norm.verdict(now)
        change = None
        if now.enough and then.enough and window.complete:
            change = now.value - then.value  # type: ignore[operator]
        unit_word = _("pts") if now.unit in ("%", "score") else ""
        value_text = _norm_value_text(now.value, now.unit)
        if now.value is not None and not now.enough:
            value_text = _("%(value)s (too few)") % {"value": value_text}
        out.append(
            NormLine(
                key=norm.key,
                label=str(norm.label),
                question=str(norm.question),
                value=now.value,
                previous=then.value,
                value_text=value_text,
                previous_text=_norm_value_text(then.value, then.unit),
                change_text="–"
                if change is None
                else f"{_signed(change, 1 if now.unit == 'h' else 0)} {unit_word}".strip(),
                target_text=""
                if norm.target is None
                else _("target %(target)s") % {"target": _norm_value_text(norm.target, now.unit)},
                meets_target=meets,
                n=now.n,
                note=str(now.note or ""),
                bar=_bar(now.value, None, None, (0.0, 100.0), norm.target)
                if now.unit in ("%", "score") and now.enough
                else None,
                enough=now.enough,
                window=window.label,
            )
        )
    return out


# --- the biggest changes -----------------------------------------------------------------------


def _moves(figures: Iterable[Figure], norms: Iterable[NormLine]) -> list[Move]:
    from outsidein.practice import registry

    ranges = {"nps": 200.0, "csat": 100.0, "ces": 6.0}
    moves = []
    for figure in figures:
        diff = figure.change.difference
        if diff is None or round(diff, 1) == 0:
            continue
        digits = 1 if figure.key == "ces" else 0
        better = (diff > 0) == figure.higher_is_better
        moves.append(
            Move(
                label=figure.label,
                text=_("%(label)s %(change)s (from %(before)s to %(now)s)")
                % {
                    "label": figure.label,
                    "change": _signed(diff, digits),
                    "before": _num(figure.previous.value, digits),
                    "now": _num(figure.estimate.value, digits),
                },
                better=better,
                significant=figure.change.significant,
                size=abs(diff) / ranges[figure.key],
            )
        )
    higher = {norm.key: norm.higher_is_better for norm in registry.norms()}
    for line in norms:
        if line.value is None or line.previous is None or line.change_text == "–":
            continue  # too few on either side, or a running month: no move to report
        diff = line.value - line.previous
        if round(diff, 1) == 0:
            continue
        size = abs(diff) / 100.0
        if line.bar is None:  # hours: a relative change
            size = min(1.0, abs(diff) / max(abs(line.previous), 1.0))
        moves.append(
            Move(
                label=line.label,
                text=_("%(label)s %(change)s (from %(before)s to %(now)s)")
                % {
                    "label": line.label,
                    "change": line.change_text,
                    "before": line.previous_text,
                    "now": line.value_text,
                },
                better=(diff > 0) == higher.get(line.key, True),
                significant=None,
                size=size,
            )
        )
    moves.sort(key=lambda m: (m.significant is not True, -m.size, m.label))
    return moves[:MOVES_LISTED]


# --- customer stories --------------------------------------------------------------------------


def _clip_text(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) <= VERBATIM_MAX:
        return text
    return text[: VERBATIM_MAX - 1].rsplit(" ", 1)[0] + "…"


def _feedback_meta(feedback: Any) -> str:
    parts = [date_format(timezone.localtime(feedback.submitted_at), "j F Y")]
    parts.append(str(feedback.get_channel_display()))
    if feedback.nps is not None:
        parts.append(_("NPS score %(score)s") % {"score": feedback.nps})
    elif feedback.csat is not None:
        parts.append(_("CSAT %(score)s of 5") % {"score": feedback.csat})
    if feedback.segment is not None:
        parts.append(feedback.segment.name)
    return " · ".join(parts)


def _what_was_done(case: Any) -> list[str]:
    if case is None:
        return [_("No follow-up was opened for this.")]
    done = []
    if case.status != "closed":
        done.append(_("The follow-up is still open."))
        return done
    if case.learned:
        done.append(_("What we learned: %(text)s") % {"text": _clip_text(case.learned)})
    if case.root_cause is not None:
        done.append(_("Root cause: %(cause)s") % {"cause": case.root_cause.name})
    if case.loop:
        done.append(str(case.get_loop_display()))
    if case.decision is not None:
        done.append(
            _("Decision: %(title)s (%(status)s)")
            % {"title": case.decision.title, "status": case.decision.get_status_display()}
        )
    if case.customer_says_solved is True:
        done.append(_("The customer says it is solved."))
    elif case.customer_says_solved is False:
        done.append(_("The customer says it is not solved yet."))
    if not done:
        done.append(_("The loop was closed with the customer."))
    return done


SHORT_COMMENT = 30
"""A comment shorter than this ("Fine.") tells no story: it comes after the longer ones."""


def _ordered_verbatims(queryset: Any, language: str) -> Any:
    """Deterministic: a comment that tells a story, in the report's language first, then the
    longest comment, then the oldest."""
    return queryset.annotate(
        comment_length=Length("comment"),
        too_short=When_(
            When(comment_length__lt=SHORT_COMMENT, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        same_language=When_(
            When(language=language, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    ).order_by("too_short", "same_language", "-comment_length", "submitted_at", "pk")


def _stories(organisation: Organisation, first: date, language: str) -> list[Story]:
    from outsidein.practice.models import Case, CaseKind, CaseStatus, Evidence, Loop
    from outsidein.voice.models import Feedback, FeedbackKind

    start, end = _aware(first), _aware(month_end(first) + timedelta(days=1))
    in_month = Feedback.objects.filter(
        organisation=organisation, submitted_at__gte=start, submitted_at__lt=end, is_complete=True
    ).exclude(comment="")
    related = ("segment",)
    stories = []
    used: set[int] = set()

    promoter = _ordered_verbatims(in_month.filter(nps__gte=9), language).select_related(*related)
    found = promoter.first()
    if found is not None:
        used.add(found.pk)
        case = Case.objects.filter(feedback=found).first()
        stories.append(
            Story(
                kind="promoter",
                heading=_("A promoter"),
                quote=_clip_text(found.comment),
                meta=_feedback_meta(found),
                done=_what_was_done(case) if case is not None else [],
            )
        )
    else:
        stories.append(_missing("promoter", _("A promoter"), _("No promoter left a comment.")))

    unhappy = in_month.filter(Q(nps__lte=6) | Q(csat__lte=2) | Q(ces__gte=6)).exclude(pk__in=used)
    closed = unhappy.filter(case__status=CaseStatus.CLOSED).exclude(case__learned="")
    chosen = (
        _ordered_verbatims(closed, language)
        .annotate(
            structural=When_(
                When(case__loop=Loop.OUTER, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by(
            "structural", "too_short", "same_language", "-comment_length", "submitted_at", "pk"
        )
        .select_related(*related)
        .first()
    ) or _ordered_verbatims(unhappy, language).select_related(*related).first()
    if chosen is not None:
        used.add(chosen.pk)
        case = Case.objects.filter(feedback=chosen).select_related("root_cause", "decision").first()
        stories.append(
            Story(
                kind="detractor",
                heading=_("A detractor, and what we did"),
                quote=_clip_text(chosen.comment),
                meta=_feedback_meta(chosen),
                done=_what_was_done(case),
            )
        )
    else:
        stories.append(
            _missing(
                "detractor",
                _("A detractor, and what we did"),
                _("No unhappy customer left a comment this month."),
            )
        )

    complaints = in_month.filter(kind=FeedbackKind.COMPLAINT).exclude(pk__in=used)
    cited = Evidence.objects.filter(
        organisation=organisation, kind="feedback", decision__status__in=["taken", "proposed"]
    ).values("ref_id")
    with_decision = complaints.filter(
        Q(case__decision__isnull=False) | Q(pk__in=cited)
    ) | complaints.filter(case__kind=CaseKind.COMPLAINT, case__loop=Loop.OUTER)
    complaint = (
        _ordered_verbatims(with_decision.distinct(), language).select_related(*related).first()
        or _ordered_verbatims(complaints, language).select_related(*related).first()
    )
    if complaint is not None:
        case = (
            Case.objects.filter(feedback=complaint).select_related("root_cause", "decision").first()
        )
        done = _what_was_done(case)
        decision = (
            Evidence.objects.filter(organisation=organisation, kind="feedback", ref_id=complaint.pk)
            .select_related("decision")
            .order_by("pk")
            .first()
        )
        if decision is not None and (case is None or case.decision_id != decision.decision_id):
            done.append(
                _("Cited in the decision: %(title)s (%(status)s)")
                % {
                    "title": decision.decision.title,
                    "status": decision.decision.get_status_display(),
                }
            )
        stories.append(
            Story(
                kind="complaint",
                heading=_("A complaint that changed something"),
                quote=_clip_text(complaint.comment),
                meta=_feedback_meta(complaint),
                done=done,
            )
        )
    else:
        stories.append(
            _missing(
                "complaint",
                _("A complaint that changed something"),
                _("No complaint was recorded this month."),
            )
        )
    return stories


def _missing(kind: str, heading: str, text: str) -> Story:
    return Story(kind=kind, heading=heading, quote="", meta=text, done=[], available=False)


# --- decisions ---------------------------------------------------------------------------------


def _decision_counts(queryset: Any) -> DecisionCounts:
    rows = list(queryset.values_list("evidence_count", "without_customer_input"))
    with_input = sum(1 for n, _without in rows if n > 0)
    without = sum(1 for n, without in rows if n == 0 and without)
    return DecisionCounts(
        taken=len(rows),
        with_input=with_input,
        without_input=without,
        unexplained=len(rows) - with_input - without,
    )


def _decisions(organisation: Organisation, first: date) -> Decisions:
    from outsidein.practice.models import Decision, DecisionStatus

    taken = (
        Decision.objects.filter(organisation=organisation)
        .exclude(status=DecisionStatus.PROPOSED)
        .annotate(evidence_count=Count("evidence"))
    )
    month = taken.filter(decided_on__gte=first, decided_on__lte=month_end(first))
    quarter = taken.filter(
        decided_on__gte=Quarter.of(first).first, decided_on__lte=month_end(first)
    )
    lines = []
    rows = list(month.select_related("team").order_by("decided_on", "pk")[: DECISIONS_LISTED + 1])
    for decision in rows[:DECISIONS_LISTED]:
        lines.append(
            DecisionLine(
                title=decision.title,
                date_text=day_month(decision.decided_on) if decision.decided_on else "",
                team=decision.team.name if decision.team else _("whole organisation"),
                evidence=decision.evidence_count,  # type: ignore[attr-defined]
                without_input=decision.without_customer_input,
                reason=_clip_text(decision.no_input_reason),
            )
        )
    month_counts = _decision_counts(month)
    return Decisions(
        month=lines,
        more=max(0, month_counts.taken - len(lines)),
        month_counts=month_counts,
        quarter_counts=_decision_counts(quarter),
        quarter=str(Quarter.of(first)),
    )


# --- the report --------------------------------------------------------------------------------


def build_report(
    organisation: Organisation,
    month: date,
    language: str = "nl",
    *,
    today: date | None = None,
) -> Report:
    """See the module docstring. ``month`` is any day of the month reported on."""
    first = month.replace(day=1)
    language = _language(language)
    today = today or timezone.localdate()
    with translation.override(language):
        figures, figures_statement = _figures(organisation, first)
        norms = _norms(organisation, first, today)
        return Report(
            organisation=organisation.name,
            slug=organisation.slug,
            month=first,
            language=language,
            month_label=Window.month(first, today).label,
            previous_label=date_format(previous_month(first), "F Y"),
            generated_text=date_format(today, "j F Y"),
            partial=month_end(first) >= today,
            index=_index_section(organisation, first, today),
            gap=_gap_section(organisation, first),
            figures=figures,
            figures_statement=figures_statement,
            norms=norms,
            moves=_moves(figures, norms),
            stories=_stories(organisation, first, language),
            decisions=_decisions(organisation, first),
        )


def render_html(report: Report, *, standalone: bool = True) -> str:
    """The report as one self-contained HTML document (the CLI's ``--format html`` and the
    email's HTML body): its style in the page, no scripts, nothing loaded from elsewhere."""
    with translation.override(report.language):
        return render_to_string(
            "centricity/report/document.html",
            {"report": report, "standalone": standalone, "css": _css()},
        )


def _css() -> str:
    """The page's stylesheet, put inside the standalone file (one source for both)."""
    return (STATIC / "report.css").read_text(encoding="utf-8")


# --- subscriptions and the schedule -------------------------------------------------------------


@transaction.atomic
def subscribe(person: Person, *, day: int = 1, language: str = "") -> ReportSubscription:
    """``person`` gets the monthly report on ``day`` (1–28); again: changes day and language."""
    subscription = ReportSubscription.objects.filter(person=person).first() or ReportSubscription(
        organisation_id=person.organisation_id, person=person
    )
    subscription.day = day
    subscription.language = language if language in LANGUAGES else ""
    if not person.is_active:
        raise ValidationError({"person": _("This person is no longer active.")})
    if not person.email:
        raise ValidationError({"person": _("This person has no email address.")})
    subscription.full_clean(validate_constraints=False)
    subscription.save()
    return subscription


@transaction.atomic
def unsubscribe(subscription: ReportSubscription) -> None:
    subscription.delete()


def _pdf(report: Report) -> bytes:
    from outsidein.centricity.report_pdf import render_pdf

    return render_pdf(report)


def report_message(
    report: Report, person: Person, pdf: bytes, *, base_url: str = ""
) -> EmailMultiAlternatives:
    base_url = (base_url or settings.BASE_URL).rstrip("/")
    with translation.override(report.language):
        context = {
            "report": report,
            "person": person,
            "url": base_url + reverse("report") + f"?month={report.month_code}",
            "pdf_url": base_url + reverse("report-pdf", args=[report.month_code]),
        }
        subject = _("Customer-centricity report %(month)s: %(org)s") % {
            "month": report.month_label,
            "org": report.organisation,
        }
        text = render_to_string("centricity/email/report.txt", context)
        html = render_html(report, standalone=False)
    message = EmailMultiAlternatives(subject, text, to=[person.email])
    message.attach_alternative(html, "text/html")
    message.attach(pdf_filename(report), pdf, "application/pdf")
    return message


def pdf_filename(report: Report) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", report.slug.lower()).strip("-") or "report"
    return f"outsidein-{slug}-{report.month_code}-{report.language}.pdf"


def due_subscriptions(today: date) -> list[ReportSubscription]:
    """Subscriptions whose day has come this month and whose leader has not had last month's
    report yet (a day the round did not run is caught up the next day)."""
    month = last_full_month(today)
    sent = ReportDelivery.objects.filter(month=month).values("person_id")
    return list(
        ReportSubscription.objects.filter(day__lte=today.day, person__is_active=True)
        .exclude(person__email="")
        .exclude(person_id__in=sent)
        .select_related("person", "organisation")
        .order_by("organisation_id", "pk")
    )


def send_monthly_reports(
    today: date | None = None,
    *,
    build: Callable[[Organisation, date, str], Report] | None = None,
) -> int:
    """The daily round: last month's report (HTML body, PDF attached) to every subscribed leader
    whose day has come. Idempotent: each (leader, month) is recorded, and sent once; a failed
    send is released so the next round tries again. Returns the number of emails sent."""
    today = today or timezone.localdate()
    month = last_full_month(today)
    build = build or (lambda org, first, language: build_report(org, first, language, today=today))
    cache: dict[tuple[int, str], tuple[Report, bytes]] = {}
    sent = 0
    connection = get_connection()
    for subscription in due_subscriptions(today):
        person = subscription.person
        try:
            with transaction.atomic():
                delivery = ReportDelivery.objects.create(
                    organisation_id=subscription.organisation_id, person=person, month=month
                )
        except IntegrityError:  # another round got there first
            continue
        language = _language(subscription.language or person.language)
        key = (subscription.organisation_id, language)
        try:
            if key not in cache:
                report = build(subscription.organisation, month, language)
                cache[key] = (report, _pdf(report))
            report, pdf = cache[key]
            message = report_message(report, person, pdf)
            message.connection = connection
            message.send()
        except Exception:
            logger.exception("The monthly report to person %s could not be sent", person.pk)
            delivery.delete()
            continue
        ReportDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def _admin(person: Person, obj: Any) -> bool:
    return person.is_admin


def _admin_rows(person: Person, queryset: Any) -> Any:
    return queryset if person.is_admin else queryset.none()


def register_report_policies() -> None:
    """Everyone reads the report (aggregates only, no model behind it); administrators choose
    who receives it, and only they see the subscriptions."""
    from outsidein.core.permissions import Action, Policy, Rule, register_policy

    rules: dict[str, Rule] = dict.fromkeys(
        (Action.VIEW, Action.CREATE, Action.CHANGE, Action.DELETE), _admin
    )
    register_policy(ReportSubscription, Policy(visible=_admin_rows, rules=rules))
