"""Domain operations of the mirror survey and the delivery gap.

Writes: the statements (``ensure_items``, ``add_item``, ``update_item``, ``reset_item``,
``delete_item``), waves (``create_wave``, ``update_wave``, ``open_wave``, ``close_wave``,
``delete_wave``), the teams' customers (``set_served_segments``) and an employee's anonymous
answers (``submit_employee_response``). Customers answer the wave's voice survey through the
voice machinery (invitation links, public link); their answers are ``Feedback`` rows of that
survey, so the voice rollups stay right.

Reads, for the pages, the API and the customer-centricity index built on top of this:

``dimension_gaps(organisation, *, wave=None, team=None) -> list[DimensionGap]``
    Per dimension of the wave (the latest wave that has opened when ``wave`` is None): the
    employees' and the customers' mean on the 1–7 scale with a 95% t-interval and n, the gap
    (employee mean − customer mean) with Welch's 95% interval, ``significant``, Cronbach's
    alpha on both sides, and ``employee_enough`` / ``customer_enough``. Below ``MIN_GROUP``
    employees the employee side is withheld (anonymity, ``employee_hidden``); below
    ``MIN_GROUP`` customers it is "too few". ``statement`` says in words why a gap is missing.
    With ``team``, the team's employees are compared with the customers of the segments the
    team serves (``ServedSegment``).
``superior_experience(organisation, *, wave=None, team=None) -> Superior``
    The headline: % of employees and % of customers who agree (6 or 7 of 7) that the
    organisation delivers a superior experience, with Wilson intervals, and the difference in
    percentage points with Newcombe's interval.
``reliability_for(organisation, *, wave=None, side="employee", team=None)``
    Cronbach's alpha and item-rest correlations per dimension, weak items flagged.
``trend(organisation, *, team=None)``
    Per wave: the dimension gaps and the headline, oldest first.

No number is ever NaN: where one cannot be given it is None, with the reason.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from outsidein.analytics.stats import Estimate, mean, proportion
from outsidein.centricity import stats
from outsidein.centricity.bank import (
    AGREE_FROM,
    BUILT_IN,
    DIMENSION_KEYS,
    DIMENSIONS,
    HEADLINE,
    ITEMS,
    SUPERIOR,
    dimension_label,
)
from outsidein.centricity.models import (
    EmployeeResponse,
    MirrorItem,
    Participation,
    ServedSegment,
    Wave,
    WaveStatus,
)
from outsidein.core.models import Organisation, Person, Segment, Team
from outsidein.core.services import apply_changes
from outsidein.voice import services as voice
from outsidein.voice.models import Feedback, QuestionKind, SurveyStatus

MIN_GROUP = 5
"""Results of fewer than this many employees are never shown (anonymity); fewer customers than
this are "too few answers"."""

SCALE = (1, 7)

# --- the statements -------------------------------------------------------------------------

ITEM_FIELDS = (
    "dimension",
    "employee_nl",
    "employee_en",
    "customer_nl",
    "customer_en",
    "hidden",
    "position",
)


@transaction.atomic
def ensure_items(organisation: Organisation) -> list[MirrorItem]:
    """The organisation's statements, with any built-in one it does not have yet added (a new
    organisation gets the whole bank; a reworded or hidden one is left as it is)."""
    have = set(MirrorItem.objects.filter(organisation=organisation).values_list("key", flat=True))
    missing = []
    for position, item in enumerate([*ITEMS, HEADLINE]):
        if item.key not in have:
            missing.append(
                MirrorItem(
                    organisation=organisation,
                    key=item.key,
                    dimension=item.dimension,
                    position=position,
                    employee_nl=item.employee_nl,
                    employee_en=item.employee_en,
                    customer_nl=item.customer_nl,
                    customer_en=item.customer_en,
                )
            )
    if missing:
        MirrorItem.objects.bulk_create(missing, ignore_conflicts=True)
    return list(MirrorItem.objects.filter(organisation=organisation))


def _check_texts(item: MirrorItem) -> None:
    for name in ("employee_nl", "employee_en", "customer_nl", "customer_en"):
        setattr(item, name, (getattr(item, name) or "").strip())
    # One language may be left empty when adding: it takes the other's text.
    for a, b in (("employee_nl", "employee_en"), ("customer_nl", "customer_en")):
        if not getattr(item, a):
            setattr(item, a, getattr(item, b))
        if not getattr(item, b):
            setattr(item, b, getattr(item, a))
    errors = {}
    if not item.employee_nl:
        errors["employee_nl"] = _("Write the statement as employees answer it.")
    if not item.customer_nl:
        errors["customer_nl"] = _("Write the statement as customers answer it.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_item(organisation: Organisation, **fields: Any) -> MirrorItem:
    """An organisation's own statement, in a dimension (last in it unless ``position``)."""
    item = MirrorItem(organisation=organisation, custom=True)
    apply_changes(item, fields, ITEM_FIELDS)
    if item.dimension not in DIMENSION_KEYS:
        raise ValidationError({"dimension": _("Choose a dimension.")})
    _check_texts(item)
    number = MirrorItem.objects.filter(organisation=organisation, custom=True).count() + 1
    while MirrorItem.objects.filter(organisation=organisation, key=f"own-{number}").exists():
        number += 1
    item.key = f"own-{number}"
    if "position" not in fields:
        top = MirrorItem.objects.filter(
            organisation=organisation, dimension=item.dimension
        ).aggregate(top=Max("position"))["top"]
        item.position = 0 if top is None else top + 1
    item.full_clean(validate_constraints=False)
    item.save()
    return item


@transaction.atomic
def update_item(item: MirrorItem, **changes: Any) -> MirrorItem:
    """Reword, hide or move a statement. Waves already opened keep the text they asked."""
    try:
        apply_changes(item, changes, ITEM_FIELDS)
        if item.is_headline and item.hidden:
            raise ValidationError({"hidden": _("The headline question is always asked.")})
        if item.is_headline and item.dimension:
            raise ValidationError({"dimension": _("The headline question has no dimension.")})
        if (
            not item.custom
            and item.key in BUILT_IN
            and item.dimension != BUILT_IN[item.key].dimension
        ):
            raise ValidationError(
                {"dimension": _("A built-in statement stays in its own dimension.")}
            )
        if not item.is_headline and item.dimension not in DIMENSION_KEYS:
            raise ValidationError({"dimension": _("Choose a dimension.")})
        _check_texts(item)
        item.full_clean(validate_constraints=False)
    except ValidationError:
        if item.pk:
            item.refresh_from_db()
        raise
    item.save()
    return item


@transaction.atomic
def reset_item(item: MirrorItem) -> MirrorItem:
    """Back to the built-in wording (and shown again)."""
    source = BUILT_IN.get(item.key)
    if item.custom or source is None:
        raise ValidationError(_("Only a built-in statement has an original wording."))
    return update_item(
        item,
        employee_nl=source.employee_nl,
        employee_en=source.employee_en,
        customer_nl=source.customer_nl,
        customer_en=source.customer_en,
        hidden=False,
    )


@transaction.atomic
def delete_item(item: MirrorItem) -> None:
    """Only an organisation's own statement is deleted; a built-in one is hidden instead."""
    if not item.custom:
        raise ValidationError(
            {"hidden": _("A built-in statement cannot be deleted; hide it instead.")}
        )
    item.delete()


def items_by_dimension(organisation: Organisation) -> list[tuple[Any, list[MirrorItem]]]:
    items = ensure_items(organisation)
    groups = []
    for dimension in DIMENSIONS:
        inside = sorted(
            (i for i in items if i.dimension == dimension.key), key=lambda i: (i.position, i.pk)
        )
        groups.append((dimension, inside))
    return groups


# --- waves -------------------------------------------------------------------------------------

WAVE_FIELDS = ("name", "opens_at", "closes_at")


@transaction.atomic
def create_wave(organisation: Organisation, **fields: Any) -> Wave:
    wave = Wave(organisation=organisation)
    apply_changes(wave, fields, WAVE_FIELDS)
    wave.name = (wave.name or "").strip()
    if not wave.name:
        raise ValidationError({"name": _("Give the wave a name, e.g. “Spring 2026”.")})
    wave.full_clean()
    wave.save()
    return wave


@transaction.atomic
def update_wave(wave: Wave, **changes: Any) -> Wave:
    try:
        apply_changes(wave, changes, WAVE_FIELDS)
        wave.full_clean()
    except ValidationError:
        wave.refresh_from_db()
        raise
    wave.save()
    if wave.survey is not None:
        voice.update_survey(wave.survey, opens_at=wave.opens_at, closes_at=wave.closes_at)
    return wave


def _snapshot(item: MirrorItem) -> dict[str, str]:
    return {
        "key": item.key,
        "dimension": item.dimension,
        "employee_nl": item.employee_nl,
        "employee_en": item.employee_en,
        "customer_nl": item.customer_nl,
        "customer_en": item.customer_en,
    }


def wave_items(wave: Wave) -> list[dict[str, str]]:
    """The statements the wave asks (frozen when it opened; the current ones while a draft)."""
    if wave.items:
        return list(wave.items)
    items = [i for i in ensure_items(wave.organisation) if not i.hidden]
    return [_snapshot(i) for i in _ordered(items)]


def _ordered(items: Iterable[MirrorItem]) -> list[MirrorItem]:
    order = {key: n for n, key in enumerate(DIMENSION_KEYS)}
    return sorted(items, key=lambda i: (order.get(i.dimension, len(order)), i.position, i.pk or 0))


@transaction.atomic
def open_wave(wave: Wave, *, now: datetime | None = None) -> Wave:
    """Freeze the statements, create the customers' survey (one agreement question per
    statement, the same keys) and open both sides."""
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status == WaveStatus.OPEN:
        return wave
    if wave.status == WaveStatus.CLOSED:
        raise ValidationError(_("A closed wave stays closed; start a new wave instead."))
    organisation = wave.organisation
    items = [i for i in ensure_items(organisation) if not i.hidden]
    if not any(i.dimension for i in items):
        raise ValidationError(_("Show at least one statement before opening a wave."))
    wave.items = [_snapshot(i) for i in _ordered(items)]
    if wave.opens_at is None:
        wave.opens_at = now or timezone.now()
    name = organisation.name
    survey = voice.create_survey(
        organisation,
        template="blank",
        name=_("Mirror survey: %(wave)s") % {"wave": wave.name},
        title_nl=f"Hoe klantgericht is {name}?",
        title_en=f"How customer-centric is {name}?",
        intro_nl=(
            "Geef bij elke uitspraak aan in hoeverre je het ermee eens bent. "
            "Sla over wat je niet kunt beoordelen."
        ),
        intro_en=("Tell us how far you agree with each statement. Skip what you cannot judge."),
        thanks_nl="Dank je wel! We vergelijken je antwoorden met hoe wij onszelf zien.",
        thanks_en="Thank you! We compare your answers with how we see ourselves.",
        opens_at=wave.opens_at,
        closes_at=wave.closes_at,
    )
    for position, item in enumerate(wave.items):
        voice.add_question(
            survey,
            position=position,
            key=item["key"],
            kind=QuestionKind.AGREE,
            text_nl=item["customer_nl"].replace("{org}", name)[:500],
            text_en=item["customer_en"].replace("{org}", name)[:500],
        )
    voice.open_survey(survey)
    wave.survey = survey
    wave.status = WaveStatus.OPEN
    wave.save()
    return wave


@transaction.atomic
def close_wave(wave: Wave) -> Wave:
    wave.status = WaveStatus.CLOSED
    wave.save(update_fields=["status", "updated_at"])
    if wave.survey is not None and wave.survey.status == SurveyStatus.OPEN:
        voice.close_survey(wave.survey)
    return wave


@transaction.atomic
def delete_wave(wave: Wave) -> None:
    """A wave with its employees' answers and its customer survey (and the customers' answers,
    which leave the rollups)."""
    survey = wave.survey
    wave.delete()
    if survey is not None:
        voice.delete_survey(survey)


def latest_wave(organisation: Organisation) -> Wave | None:
    return (
        Wave.objects.filter(organisation=organisation)
        .exclude(status=WaveStatus.DRAFT)
        .order_by("-opens_at", "-pk")
        .first()
    )


def result_waves(organisation: Organisation) -> list[Wave]:
    """Waves that have opened, oldest first."""
    return list(
        Wave.objects.filter(organisation=organisation)
        .exclude(status=WaveStatus.DRAFT)
        .order_by("opens_at", "pk")
    )


# --- the teams' customers ----------------------------------------------------------------------


@transaction.atomic
def set_served_segments(team: Team, segments: Iterable[Segment]) -> None:
    chosen = {s.pk: s for s in segments}
    for segment in chosen.values():
        if segment.organisation_id != team.organisation_id:
            raise ValidationError({"segments": _("This belongs to another organisation.")})
    ServedSegment.objects.filter(team=team).exclude(segment_id__in=list(chosen)).delete()
    have = set(ServedSegment.objects.filter(team=team).values_list("segment_id", flat=True))
    ServedSegment.objects.bulk_create(
        [
            ServedSegment(organisation_id=team.organisation_id, team=team, segment=segment)
            for pk, segment in chosen.items()
            if pk not in have
        ]
    )


def served_segments(organisation: Organisation) -> dict[int, set[int]]:
    """Team id → the ids of the segments it serves."""
    out: dict[int, set[int]] = {}
    for team_id, segment_id in ServedSegment.objects.filter(organisation=organisation).values_list(
        "team_id", "segment_id"
    ):
        out.setdefault(team_id, set()).add(segment_id)
    return out


# --- answering (employees) ---------------------------------------------------------------------


class WaveNotOpen(Exception):
    """The wave does not take answers now."""


class AlreadyAnswered(Exception):
    """This person answered this wave already."""


def _digest(wave: Wave, person: Person) -> str:
    """A keyed hash of wave and person: the same pair always gives the same value (so nobody
    answers twice), and without the server's secret nobody can tell whose it is."""
    key = hashlib.sha256(f"outsidein.centricity:{settings.SECRET_KEY}".encode()).digest()
    message = f"{wave.organisation_id}:{wave.pk}:{person.pk}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def has_answered(wave: Wave, person: Person) -> bool:
    return Participation.objects.filter(wave=wave, digest=_digest(wave, person)).exists()


def open_waves(organisation: Organisation, now: datetime | None = None) -> list[Wave]:
    waves = Wave.objects.filter(organisation=organisation, status=WaveStatus.OPEN)
    return [w for w in waves.order_by("-opens_at", "-pk") if w.is_accepting(now)]


def parse_employee_answers(
    wave: Wave, data: Mapping[str, Any]
) -> tuple[dict[str, int], dict[str, str]]:
    """Answers by item key (1–7); a statement may be skipped, but not all of them."""
    answers: dict[str, int] = {}
    errors: dict[str, str] = {}
    low, high = SCALE
    for item in wave_items(wave):
        raw = data.get(item["key"])
        if raw in (None, ""):
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = 0
        if isinstance(raw, bool) or not low <= value <= high:
            errors[item["key"]] = _("Choose a number from %(low)s to %(high)s.") % {
                "low": low,
                "high": high,
            }
            continue
        answers[item["key"]] = value
    if not answers and not errors:
        errors["__all__"] = _("Answer at least one statement.")
    return answers, errors


@transaction.atomic
def submit_employee_response(
    wave: Wave, person: Person, data: Mapping[str, Any], *, now: datetime | None = None
) -> EmployeeResponse:
    """Store one employee's answers anonymously. The response keeps the team (results for
    teams of five or more) and nothing else about the person."""
    if person.organisation_id != wave.organisation_id:
        raise WaveNotOpen
    if not wave.is_accepting(now):
        raise WaveNotOpen
    answers, errors = parse_employee_answers(wave, data)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            Participation.objects.create(
                organisation_id=wave.organisation_id, wave=wave, digest=_digest(wave, person)
            )
    except IntegrityError:
        raise AlreadyAnswered from None
    return EmployeeResponse.objects.create(
        organisation_id=wave.organisation_id, wave=wave, team_id=person.team_id, answers=answers
    )


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One side's mean on the 1–7 scale. ``hidden``: fewer than MIN_GROUP employees (never
    shown). ``value`` etc. are None when hidden or when nobody answered."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    enough: bool
    hidden: bool = False
    alpha: float | None = None


@dataclass(frozen=True)
class DimensionGap:
    key: str
    label: str
    employee: Side
    customer: Side
    gap: stats.Difference
    items: int
    statement: str = ""

    @property
    def significant(self) -> bool:
        return self.gap.significant

    @property
    def employee_enough(self) -> bool:
        return self.employee.enough

    @property
    def customer_enough(self) -> bool:
        return self.customer.enough

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(
            significant=self.significant,
            employee_enough=self.employee_enough,
            customer_enough=self.customer_enough,
        )
        return out


@dataclass(frozen=True)
class Superior:
    """The headline: % who agree that the organisation delivers a superior experience."""

    employee: Estimate
    customer: Estimate
    gap: stats.Difference
    employee_hidden: bool
    statement: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "employee": self.employee.to_dict(),
            "customer": self.customer.to_dict(),
            "gap": self.gap.to_dict(),
            "employee_hidden": self.employee_hidden,
            "statement": self.statement,
        }


@dataclass
class _Answers:
    employee: list[dict[str, int]] = field(default_factory=list)
    customer: list[dict[str, int]] = field(default_factory=list)
    no_customers: bool = False  # a team that serves no segment


def _load(organisation: Organisation, wave: Wave, team: Team | None) -> _Answers:
    employees = EmployeeResponse.objects.filter(organisation=organisation, wave=wave)
    customers = Feedback.objects.filter(
        organisation=organisation, survey_id=wave.survey_id or 0, is_complete=True
    )
    no_customers = False
    if team is not None:
        employees = employees.filter(team=team)
        segments = served_segments(organisation).get(team.pk, set())
        no_customers = not segments
        customers = customers.filter(segment_id__in=list(segments))
    return _Answers(
        employee=[_scores(a) for a in employees.values_list("answers", flat=True)],
        customer=[]
        if wave.survey_id is None or no_customers
        else [_scores(a) for a in customers.values_list("answers", flat=True)],
        no_customers=no_customers,
    )


def _scores(answers: Any) -> dict[str, int]:
    """Only whole answers 1–7: anything else (an edited row, another question) is ignored."""
    if not isinstance(answers, dict):
        return {}
    low, high = SCALE
    return {
        key: value
        for key, value in answers.items()
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    }


def _dimension_scores(rows: Sequence[Mapping[str, int]], keys: Sequence[str]) -> list[float]:
    """Each respondent's mean over the dimension's statements they answered."""
    out = []
    for row in rows:
        values = [row[k] for k in keys if k in row]
        if values:
            out.append(math.fsum(values) / len(values))
    return out


def _side(values: Sequence[float], *, employees: bool, alpha: float | None) -> Side:
    n = len(values)
    hidden = employees and 0 < n < MIN_GROUP
    if n == 0 or hidden:
        return Side(None, None, None, n, False, hidden=hidden)
    estimate = mean(n, math.fsum(values), math.fsum(v * v for v in values), minimum_n=MIN_GROUP)
    return Side(
        estimate.value,
        estimate.low,
        estimate.high,
        n,
        n >= MIN_GROUP,
        hidden=False,
        alpha=alpha if n >= MIN_GROUP else None,
    )


def _alpha_of(rows: Sequence[Mapping[str, int]], keys: Sequence[str]) -> float | None:
    return stats.reliability([[row.get(k) for k in keys] for row in rows], keys).alpha


def _statement(employee: Side, customer: Side, no_customers: bool) -> str:
    if employee.hidden:
        return _(
            "Fewer than %(min)s employees answered, so their answers are not shown: "
            "with so few, anyone could work out who said what."
        ) % {"min": MIN_GROUP}
    if employee.n == 0 and not no_customers and customer.n == 0:
        return _("Nobody has answered these statements in this wave yet.")
    if employee.n == 0:
        return _("No employee answered these statements in this wave.")
    if no_customers:
        return _(
            "This team serves no customer segment yet, so there are no customers to compare "
            "with. An administrator links teams to the segments they serve."
        )
    if customer.n < MIN_GROUP:
        return _("Too few customers answered (%(n)s; at least %(min)s are needed) to compare.") % {
            "n": customer.n,
            "min": MIN_GROUP,
        }
    return ""


def _resolve_wave(organisation: Organisation, wave: Wave | None) -> Wave | None:
    if wave is not None and wave.organisation_id != organisation.pk:
        raise ValueError("wave of another organisation")
    return wave or latest_wave(organisation)


def dimension_gaps(
    organisation: Organisation, *, wave: Wave | None = None, team: Team | None = None
) -> list[DimensionGap]:
    """See the module docstring. An empty list when no wave has opened yet."""
    wave = _resolve_wave(organisation, wave)
    if wave is None:
        return []
    data = _load(organisation, wave, team)
    return _gaps(wave, data)


def _gaps(wave: Wave, data: _Answers) -> list[DimensionGap]:
    items = wave_items(wave)
    out = []
    for dimension in DIMENSIONS:
        keys = [i["key"] for i in items if i["dimension"] == dimension.key]
        if not keys:
            continue
        employee_scores = _dimension_scores(data.employee, keys)
        customer_scores = _dimension_scores(data.customer, keys)
        employee = _side(employee_scores, employees=True, alpha=_alpha_of(data.employee, keys))
        customer = _side(customer_scores, employees=False, alpha=_alpha_of(data.customer, keys))
        if employee.enough and customer.enough:
            gap = stats.welch_difference(employee_scores, customer_scores)
        else:
            gap = stats.NO_DIFFERENCE
        out.append(
            DimensionGap(
                key=dimension.key,
                label=dimension_label(dimension.key),
                employee=employee,
                customer=customer,
                gap=gap,
                items=len(keys),
                statement=_statement(employee, customer, data.no_customers),
            )
        )
    return out


def _superior(data: _Answers) -> Superior:
    employee_answers = [row[SUPERIOR] for row in data.employee if SUPERIOR in row]
    customer_answers = [row[SUPERIOR] for row in data.customer if SUPERIOR in row]
    n_e, n_c = len(employee_answers), len(customer_answers)
    hidden = 0 < n_e < MIN_GROUP
    x_e = sum(1 for v in employee_answers if v >= AGREE_FROM)
    x_c = sum(1 for v in customer_answers if v >= AGREE_FROM)
    employee = proportion(0, 0) if hidden else proportion(x_e, n_e, minimum_n=MIN_GROUP)
    if hidden:
        employee = Estimate(None, None, None, n_e, False)
    customer = proportion(x_c, n_c, minimum_n=MIN_GROUP)
    if n_e >= MIN_GROUP and n_c >= MIN_GROUP:
        gap = stats.newcombe_difference((x_e, n_e), (x_c, n_c))
    else:
        gap = stats.NO_DIFFERENCE
    side_e = Side(employee.value, None, None, n_e, n_e >= MIN_GROUP, hidden=hidden)
    side_c = Side(customer.value, None, None, n_c, n_c >= MIN_GROUP)
    return Superior(
        employee=employee,
        customer=customer,
        gap=gap,
        employee_hidden=hidden,
        statement=_statement(side_e, side_c, data.no_customers),
    )


def superior_experience(
    organisation: Organisation, *, wave: Wave | None = None, team: Team | None = None
) -> Superior | None:
    """See the module docstring. None when no wave has opened yet."""
    wave = _resolve_wave(organisation, wave)
    if wave is None:
        return None
    return _superior(_load(organisation, wave, team))


@dataclass(frozen=True)
class DimensionReliability:
    key: str
    label: str
    reliability: stats.Reliability
    texts: dict[str, str]
    hidden: bool = False
    statement: str = ""


def reliability_for(
    organisation: Organisation,
    *,
    wave: Wave | None = None,
    side: str = "employee",
    team: Team | None = None,
    language: str = "en",
) -> list[DimensionReliability]:
    """Per dimension: alpha and item-rest correlations on one side, with the statements' texts
    in ``language``. Fewer than MIN_GROUP employees: hidden."""
    wave = _resolve_wave(organisation, wave)
    if wave is None:
        return []
    data = _load(organisation, wave, team)
    rows = data.employee if side == "employee" else data.customer
    items = wave_items(wave)
    out = []
    for dimension in DIMENSIONS:
        inside = [i for i in items if i["dimension"] == dimension.key]
        if not inside:
            continue
        keys = [i["key"] for i in inside]
        texts = {
            i["key"]: (i[f"{side}_{language}"] or i[f"{side}_nl"]).replace(
                "{org}", organisation.name
            )
            for i in inside
        }
        answered = [row for row in rows if any(k in row for k in keys)]
        hidden = side == "employee" and 0 < len(answered) < MIN_GROUP
        result = stats.reliability([[row.get(k) for k in keys] for row in answered], keys)
        statement = ""
        if hidden:
            result = stats.Reliability(alpha=None, n=len(answered), k=len(keys))
            statement = _("Fewer than %(min)s employees answered, so nothing is shown.") % {
                "min": MIN_GROUP
            }
        elif result.reason == "one_item":
            statement = _("This dimension has one statement: reliability needs at least two.")
        elif result.reason == "too_few":
            statement = _(
                "Too few complete answers (%(n)s) to judge reliability; at least 3 are needed."
            ) % {"n": result.n}
        elif result.reason == "no_variance":
            statement = _("Everyone gave the same answers, so reliability cannot be computed.")
        out.append(
            DimensionReliability(
                key=dimension.key,
                label=dimension_label(dimension.key),
                reliability=result,
                texts=texts,
                hidden=hidden,
                statement=statement,
            )
        )
    return out


@dataclass(frozen=True)
class WavePoint:
    wave: Wave
    gaps: list[DimensionGap]
    superior: Superior


def trend(organisation: Organisation, *, team: Team | None = None) -> list[WavePoint]:
    """Every wave that has opened, oldest first, with its gaps and headline."""
    points = []
    for wave in result_waves(organisation):
        data = _load(organisation, wave, team)
        points.append(WavePoint(wave=wave, gaps=_gaps(wave, data), superior=_superior(data)))
    return points


def response_counts(wave: Wave) -> tuple[int, int]:
    """(employees, customers) who answered the wave."""
    employees = EmployeeResponse.objects.filter(wave=wave).count()
    customers = (
        Feedback.objects.filter(survey_id=wave.survey_id or 0, is_complete=True).count()
        if wave.survey_id
        else 0
    )
    return employees, customers
