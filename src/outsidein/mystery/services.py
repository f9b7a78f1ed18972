"""Domain operations of mystery shopping: the programme settings, scenarios, planning a round of
shops, reports (which may open a follow-up or a decision proposal), skipping, and the emails
that announce and remind. Views, the API, the demo and the daily run all come through here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outsidein.core.models import Organisation, Person
from outsidein.core.services import apply_changes
from outsidein.mystery.models import (
    Assignment,
    AssignmentStatus,
    MysteryProgramme,
    Scenario,
)
from outsidein.mystery.scoring import (
    ANSWERS,
    SCORE_MAX,
    SCORE_MIN,
    ItemError,
    Option,
    Shopper,
    assign_round,
    keyed_items,
    overall_score,
    reminder_stage,
)

MAX_OBSERVATIONS = 10_000
MAX_TITLE = 200

# --- the programme ---------------------------------------------------------------------------

PROGRAMME_FIELDS = ("interval_days", "due_days", "reminder_days", "is_active")


def programme_for(organisation: Organisation) -> MysteryProgramme:
    programme, _created = MysteryProgramme.objects.get_or_create(organisation=organisation)
    return programme


@transaction.atomic
def update_programme(organisation: Organisation, **changes: Any) -> MysteryProgramme:
    programme = programme_for(organisation)
    try:
        apply_changes(programme, changes, PROGRAMME_FIELDS)
        programme.full_clean()
    except ValidationError:
        programme.refresh_from_db()
        raise
    programme.save()
    return programme


# --- scenarios -------------------------------------------------------------------------------

SCENARIO_FIELDS = ("name", "channel", "touchpoint", "team", "instructions", "is_active")


def _labels(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.splitlines()
    return [str(label) for label in value]


def _save_scenario(scenario: Scenario, items: Mapping[str, Any]) -> None:
    """Key the item lists, validate everything at once (errors name their fields), save."""
    errors: dict[str, Any] = {}
    for name, prefix in (("checklist", "c"), ("scoring", "s")):
        if name in items:
            try:
                setattr(
                    scenario,
                    name,
                    keyed_items(_labels(items[name]), getattr(scenario, name) or [], prefix),
                )
            except ItemError as exc:
                errors[name] = str(exc)
    if not errors and not scenario.checklist and not scenario.scoring:
        errors["scoring"] = _(
            "Give at least one checklist or scoring item, so that a shop has something to score."
        )
    try:
        scenario.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)
    scenario.save()


@transaction.atomic
def create_scenario(
    organisation: Organisation,
    *,
    checklist: Sequence[str] | str = (),
    scoring: Sequence[str] | str = (),
    **fields: Any,
) -> Scenario:
    scenario = Scenario(organisation=organisation)
    apply_changes(scenario, fields, SCENARIO_FIELDS)
    items: dict[str, Any] = {"checklist": checklist, "scoring": scoring}
    _save_scenario(scenario, items)
    return scenario


@transaction.atomic
def update_scenario(scenario: Scenario, **changes: Any) -> Scenario:
    """Change a scenario; item lists come as labels. An item whose label stays keeps its key,
    so earlier reports keep counting for it. On bad input nothing changes."""
    items: dict[str, Any] = {
        name: changes.pop(name) for name in ("checklist", "scoring") if name in changes
    }
    try:
        apply_changes(scenario, changes, SCENARIO_FIELDS)
        _save_scenario(scenario, items)
    except ValidationError:
        if scenario.pk:
            scenario.refresh_from_db()
        raise
    return scenario


@transaction.atomic
def delete_scenario(scenario: Scenario) -> None:
    """A scenario with reports stays (its results are history): make it inactive instead.
    Without reports it goes, with its open shops."""
    if scenario.assignments.filter(status=AssignmentStatus.DONE).exists():
        raise ValidationError(
            {
                "scenario": _(
                    "This scenario has reports. Make it inactive instead, so that its results stay."
                )
            }
        )
    scenario.delete()


# --- planning --------------------------------------------------------------------------------


@dataclass
class PlanResult:
    created: list[Assignment] = field(default_factory=list)
    expired: int = 0
    # Why nothing was planned, if so: "inactive" (programme off) or "no_scenarios".
    reason: str = ""


@transaction.atomic
def plan_assignments(organisation: Organisation, today: date | None = None) -> PlanResult:
    """Give every active employee without a shop in the current interval one, due in
    ``due_days``. Scenarios rotate per person (they do each one before repeating, and not their
    own team's touchpoint twice in a row) and each round is spread evenly over the scenarios
    (``scoring.assign_round``).
    A shop still open when the next round starts expires. Idempotent: a second run the same
    day (or any day within the interval) assigns nothing."""
    today = today or timezone.localdate()
    programme_for(organisation)
    # One planner at a time per organisation (PostgreSQL locks the row; SQLite the database).
    programme = MysteryProgramme.objects.select_for_update().get(pk=organisation.pk)
    result = PlanResult()
    round_start = today - timedelta(days=programme.interval_days)
    mine = Assignment.objects.filter(organisation=organisation)
    result.expired = mine.filter(
        status=AssignmentStatus.ASSIGNED, assigned_on__lte=round_start
    ).update(status=AssignmentStatus.EXPIRED, updated_at=timezone.now())
    if not programme.is_active:
        result.reason = "inactive"
        return result
    scenarios = list(
        Scenario.objects.filter(organisation=organisation, is_active=True).order_by("pk")
    )
    if not scenarios:
        result.reason = "no_scenarios"
        return result
    options = [Option(scenario.pk, scenario.team_id) for scenario in scenarios]
    busy = set(
        mine.filter(assigned_on__gt=round_start, assigned_on__lte=today).values_list(
            "person_id", flat=True
        )
    ) | set(mine.filter(status=AssignmentStatus.ASSIGNED).values_list("person_id", flat=True))
    people = [
        person
        for person in Person.objects.filter(organisation=organisation, is_active=True).order_by(
            "pk"
        )
        if person.pk not in busy
    ]
    if not people:
        return result
    history: dict[int, list[Option]] = {}
    load: dict[int, int] = {}
    for person_id, scenario_id, team_id in (
        mine.filter(status__in=[AssignmentStatus.DONE, AssignmentStatus.ASSIGNED])
        .order_by("assigned_on", "pk")
        .values_list("person_id", "scenario_id", "scenario__team_id")
    ):
        history.setdefault(person_id, []).append(Option(scenario_id, team_id))
        load[scenario_id] = load.get(scenario_id, 0) + 1
    shoppers = [Shopper(person.team_id, tuple(history.get(person.pk, ()))) for person in people]
    due_on = today + timedelta(days=programme.due_days)
    for person, scenario_id in zip(people, assign_round(shoppers, options, load), strict=True):
        result.created.append(
            Assignment(
                organisation=organisation,
                scenario_id=scenario_id,
                person=person,
                team_id=person.team_id,
                assigned_on=today,
                due_on=due_on,
            )
        )
    Assignment.objects.bulk_create(result.created)
    return result


# --- reports ---------------------------------------------------------------------------------


def _as_score(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def check_answers(
    scenario: Scenario, checklist: Mapping[str, Any], scores: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, int]]:
    """The report's answers, validated against the scenario's items. Errors name the item
    (``checklist.<key>`` or ``scores.<key>``) and say what is expected."""
    errors: dict[str, str] = {}
    answers: dict[str, str] = {}
    for item in scenario.checklist:
        key, label = item["key"], item["label"]
        answer = checklist.get(key)
        if answer in (None, ""):
            errors[f"checklist.{key}"] = _("Answer “%(item)s”: yes, no or not applicable.") % {
                "item": label
            }
        elif answer not in ANSWERS:
            errors[f"checklist.{key}"] = _(
                "“%(item)s” is answered with yes, no or not applicable (yes, no, na), not "
                "%(value)s."
            ) % {"item": label, "value": str(answer)[:20]}
        else:
            answers[key] = str(answer)
    unknown = sorted(set(checklist) - {item["key"] for item in scenario.checklist})
    if unknown:
        errors["checklist"] = _("This scenario has no checklist item %(keys)s.") % {
            "keys": ", ".join(str(key)[:20] for key in unknown[:5])
        }
    scored: dict[str, int] = {}
    for item in scenario.scoring:
        key, label = item["key"], item["label"]
        value = scores.get(key)
        number = _as_score(value)
        if value in (None, ""):
            errors[f"scores.{key}"] = _("Score “%(item)s” from %(min)d to %(max)d.") % {
                "item": label,
                "min": SCORE_MIN,
                "max": SCORE_MAX,
            }
        elif number is None or not SCORE_MIN <= number <= SCORE_MAX:
            errors[f"scores.{key}"] = _(
                "“%(item)s” takes a whole number from %(min)d to %(max)d, not %(value)s."
            ) % {"item": label, "min": SCORE_MIN, "max": SCORE_MAX, "value": str(value)[:20]}
        else:
            scored[key] = number
    unknown = sorted(set(scores) - {item["key"] for item in scenario.scoring})
    if unknown:
        errors["scores"] = _("This scenario has no scoring item %(keys)s.") % {
            "keys": ", ".join(str(key)[:20] for key in unknown[:5])
        }
    if errors:
        raise ValidationError(errors)
    return answers, scored


def _text(value: str | None, limit: int, field_name: str, errors: dict[str, str]) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        errors[field_name] = _("At most %(n)d characters (this is %(length)d).") % {
            "n": limit,
            "length": len(text),
        }
    return text


@transaction.atomic
def submit_report(
    assignment: Assignment,
    *,
    by: Person,
    checklist: Mapping[str, Any],
    scores: Mapping[str, Any],
    observations: str = "",
    shopped_on: date | None = None,
    follow_up: str = "",
    proposal: str = "",
    now: datetime | None = None,
) -> Assignment:
    """Record the shopper's report and its score. ``follow_up`` (a subject) opens a follow-up
    case for the team that owns the touchpoint; ``proposal`` (a title) proposes a decision
    citing this shop as evidence. All or nothing: on any error nothing is written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if assignment.person_id != by.pk:
        raise PermissionDenied(_("Only the shopper reports their own mystery shop."))
    locked = Assignment.objects.select_for_update().select_related("scenario").get(pk=assignment.pk)
    if locked.status == AssignmentStatus.DONE:
        raise ValidationError({"status": _("This mystery shop has already been reported.")})
    if locked.status != AssignmentStatus.ASSIGNED:
        raise ValidationError(
            {
                "status": _("This mystery shop is %(status)s and cannot be reported.")
                % {"status": locked.get_status_display().lower()}
            }
        )
    scenario = locked.scenario
    errors: dict[str, Any] = {}
    try:
        answers, scored = check_answers(scenario, checklist, scores)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        answers, scored = {}, {}
    shopped_on = shopped_on or today
    if shopped_on > today:
        errors["shopped_on"] = _("The shop cannot be in the future.")
    elif shopped_on < locked.assigned_on:
        errors["shopped_on"] = _("The shop cannot be before it was assigned (%(date)s).") % {
            "date": locked.assigned_on.isoformat()
        }
    text = _text(observations, MAX_OBSERVATIONS, "observations", errors)
    follow_up = _text(follow_up, MAX_TITLE, "follow_up", errors)
    proposal = _text(proposal, MAX_TITLE, "proposal", errors)
    if (follow_up or proposal) and not text and "observations" not in errors:
        errors["observations"] = _(
            "Describe what you experienced: the follow-up or proposal needs it."
        )
    if errors:
        raise ValidationError(errors)
    locked.checklist_answers = answers
    locked.item_scores = scored
    locked.score = overall_score(answers.values(), scored.values())
    locked.observations = text
    locked.shopped_on = shopped_on
    locked.completed_at = now
    locked.status = AssignmentStatus.DONE
    locked.save()
    organisation = locked.organisation
    context = _("Mystery shop “%(scenario)s” (%(touchpoint)s) on %(date)s, score %(score)s.") % {
        "scenario": scenario.name,
        "touchpoint": scenario.touchpoint,
        "date": shopped_on.isoformat(),
        "score": "–" if locked.score is None else f"{locked.score}/100",
    }
    description = f"{text}\n\n{context}"
    if follow_up:
        from outsidein.practice.services import open_case

        try:
            locked.case = open_case(
                organisation,
                kind="follow_up",
                subject=follow_up,
                channel=scenario.channel,
                team=scenario.team,
                opened_by=by,
                description=description,
            )
        except ValidationError as exc:
            raise ValidationError({"follow_up": exc.messages}) from exc
    if proposal:
        from outsidein.practice.services import propose_decision

        try:
            locked.decision = propose_decision(
                organisation,
                title=proposal,
                description=description,
                team=scenario.team,
                evidence=[("mystery_shop", locked.pk)],
                added_by=by,
            )
        except ValidationError as exc:
            raise ValidationError({"proposal": exc.messages}) from exc
    if follow_up or proposal:
        locked.save(update_fields=["case", "decision", "updated_at"])
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def skip_assignment(assignment: Assignment, *, reason: str) -> Assignment:
    """A manager lets an open shop go (long leave, a new colleague); the next round assigns a
    new one. The reason is kept."""
    reason = " ".join((reason or "").split())
    if not assignment.is_open:
        raise ValidationError({"status": _("Only an open mystery shop can be skipped.")})
    if not reason:
        raise ValidationError({"reason": _("Say why this shop is skipped.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("At most 300 characters.")})
    assignment.status = AssignmentStatus.SKIPPED
    assignment.skip_reason = reason
    assignment.save(update_fields=["status", "skip_reason", "updated_at"])
    return assignment


@transaction.atomic
def set_due_date(assignment: Assignment, due_on: date) -> Assignment:
    if not assignment.is_open:
        raise ValidationError({"due_on": _("Only an open mystery shop has a due date to move.")})
    if due_on < assignment.assigned_on:
        raise ValidationError({"due_on": _("The due date cannot be before the assignment.")})
    assignment.due_on = due_on
    assignment.reminder_stage = min(assignment.reminder_stage, 1)
    assignment.save(update_fields=["due_on", "reminder_stage", "updated_at"])
    return assignment


# --- emails ----------------------------------------------------------------------------------


def _message(
    person: Person, shops: list[Assignment], stage: int, base_url: str
) -> EmailMultiAlternatives:
    first = shops[0]
    with translation.override(person.language):
        items = [
            {
                "assignment": shop,
                "url": base_url + reverse("mystery-assignment", args=[shop.pk]),
            }
            for shop in shops
        ]
        if stage >= 3:
            subject = _("Your mystery shop is overdue: %(scenario)s")
        elif stage == 2:
            subject = _("Reminder: your mystery shop is due soon: %(scenario)s")
        else:
            subject = _("Your mystery shop: %(scenario)s")
        subject = subject % {"scenario": first.scenario.name}
        context = {
            "person": person,
            "items": items,
            "stage": stage,
            "organisation": first.organisation,
            "mine_url": base_url + reverse("mystery-mine"),
        }
        text = render_to_string("mystery/email/reminder.txt", context)
        html = render_to_string("mystery/email/reminder.html", context)
    message = EmailMultiAlternatives(subject, text, to=[person.email])
    message.attach_alternative(html, "text/html")
    return message


def send_reminders(
    organisation: Organisation, today: date | None = None, *, base_url: str | None = None
) -> int:
    """Email each person with an open shop when it is new, when it is due within
    ``reminder_days`` and when it is overdue: at most one email per person per day, each of
    those three once, in the person's language. Returns the number of emails sent."""
    today = today or timezone.localdate()
    base_url = (base_url or settings.BASE_URL).rstrip("/")
    programme = programme_for(organisation)
    open_shops = (
        Assignment.objects.filter(
            organisation=organisation,
            status=AssignmentStatus.ASSIGNED,
            person__is_active=True,
            assigned_on__lte=today,
        )
        .select_related("person", "scenario", "organisation")
        .order_by("person_id", "due_on", "pk")
    )
    per_person: dict[int, list[Assignment]] = {}
    for shop in open_shops:
        per_person.setdefault(shop.person_id, []).append(shop)
    sent = 0
    with get_connection() as connection:
        for shops in per_person.values():
            wanted = {
                shop.pk: reminder_stage(shop.due_on, today, programme.reminder_days)
                for shop in shops
            }
            if all(wanted[shop.pk] <= shop.reminder_stage for shop in shops):
                continue
            person = shops[0].person
            if not person.email:
                continue
            message = _message(person, shops, max(wanted.values()), base_url)
            message.connection = connection
            try:
                message.send()
            except OSError:
                continue  # tried again on the next run
            now = timezone.now()
            for shop in shops:
                Assignment.objects.filter(pk=shop.pk).update(
                    reminder_stage=wanted[shop.pk], reminded_at=now
                )
            sent += 1
    return sent


@dataclass
class DailyReport:
    planned: int = 0
    expired: int = 0
    emailed: int = 0


def run_daily(today: date | None = None, *, base_url: str | None = None) -> DailyReport:
    """The daily run (``outsidein remind``): for every organisation that has scenarios, plan
    the shops that are due and send announcements and reminders."""
    report = DailyReport()
    organisation_ids = Scenario.objects.values_list("organisation_id", flat=True).distinct()
    for organisation in Organisation.objects.filter(pk__in=list(organisation_ids)).order_by("pk"):
        plan = plan_assignments(organisation, today)
        report.planned += len(plan.created)
        report.expired += plan.expired
        report.emailed += send_reminders(organisation, today, base_url=base_url)
    return report
