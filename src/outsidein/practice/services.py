"""Domain operations of the practice app: the customer-first queue and its closed loop, customer
contacts, and the decision register. The one place these rules live; views and the API call
these functions, which validate fully and write in one transaction."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from outsidein import audit
from outsidein.chat import notify as chat_notify
from outsidein.core.models import Customer, Organisation, Person, Team
from outsidein.core.services import _update_validated, apply_changes, team_managers
from outsidein.practice import registry
from outsidein.practice.models import (
    Case,
    CaseKind,
    CaseNote,
    CaseNoteKind,
    CaseStatus,
    Contact,
    ContactKind,
    Decision,
    DecisionStatus,
    Evidence,
    Loop,
    PracticeSettings,
    Priority,
    RootCause,
    RoutingRule,
    ServiceTarget,
)
from outsidein.voice import hook_events
from outsidein.voice.models import Channel, Feedback, FeedbackKind

SOLVED_SALT = "outsidein.practice.solved"
SOLVED_LINK_DAYS = 30

# Used where an organisation has not set its own targets (hours to first response, to resolve).
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    Priority.URGENT: (2, 24),
    Priority.HIGH: (8, 48),
    Priority.NORMAL: (24, 120),
    Priority.LOW: (48, 240),
}
DEFAULT_ROOT_CAUSES = (
    gettext_noop("Billing"),
    gettext_noop("Communication"),
    gettext_noop("Delivery"),
    gettext_noop("Process"),
    gettext_noop("Product"),
    gettext_noop("Staff attitude"),
    gettext_noop("Website and app"),
)


# --- settings -------------------------------------------------------------------------------------


def settings_for(organisation: Organisation | int) -> PracticeSettings:
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    found, _created = PracticeSettings.objects.get_or_create(organisation_id=organisation_id)
    return found


SETTINGS_FIELDS = (
    "follow_up_nps_max",
    "follow_up_csat_max",
    "follow_up_ces_min",
    "follow_up_hours",
    "ask_customer_if_solved",
    "default_team",
    "contacts_per_month",
)


@transaction.atomic
def update_settings(organisation: Organisation, **changes: Any) -> PracticeSettings:
    current = settings_for(organisation)
    team = changes.get("default_team")
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError({"default_team": _("This belongs to another organisation.")})
    for name, low, high in (
        ("follow_up_nps_max", 0, 10),
        ("follow_up_csat_max", 1, 5),
        ("follow_up_ces_min", 1, 7),
        ("follow_up_hours", 1, 720),
        ("contacts_per_month", 1, 31),
    ):
        value = changes.get(name)
        if value is not None and not low <= value <= high:
            raise ValidationError(
                {
                    name: _("Use a whole number from %(low)s to %(high)s.")
                    % {"low": low, "high": high}
                }
            )
    before = audit.snapshot(current, SETTINGS_FIELDS)
    _update_validated(current, changes, SETTINGS_FIELDS)
    audit.changed(current, before, SETTINGS_FIELDS)
    return current


# --- service targets and routing ------------------------------------------------------------------


TARGET_FIELDS = ("channel", "priority", "first_response_hours", "resolution_hours")


@transaction.atomic
def create_target(organisation: Organisation, **fields: Any) -> ServiceTarget:
    target = ServiceTarget(organisation=organisation)
    apply_changes(target, fields, TARGET_FIELDS)
    target.full_clean(validate_constraints=False)
    target.save()
    return target


@transaction.atomic
def update_target(target: ServiceTarget, **changes: Any) -> ServiceTarget:
    _update_validated(target, changes, TARGET_FIELDS)
    return target


def delete_target(target: ServiceTarget) -> None:
    target.delete()


def target_hours(organisation_id: int, channel: str, priority: str) -> tuple[int, int]:
    """(first response, resolution) in hours: the channel's own target, else the target for
    any channel, else the built-in default for the priority."""
    targets = {
        (t.channel, t.priority): t
        for t in ServiceTarget.objects.filter(
            organisation_id=organisation_id, priority=priority, channel__in=[channel, ""]
        )
    }
    target = targets.get((channel, priority)) or targets.get(("", priority))
    if target is not None:
        return target.first_response_hours, target.resolution_hours
    return DEFAULT_TARGETS.get(priority, DEFAULT_TARGETS[Priority.NORMAL])


RULE_FIELDS = (
    "position",
    "name",
    "kind",
    "channel",
    "survey",
    "tag",
    "keywords",
    "team",
    "priority",
    "is_active",
)


@transaction.atomic
def create_rule(organisation: Organisation, **fields: Any) -> RoutingRule:
    rule = RoutingRule(organisation=organisation)
    apply_changes(rule, fields, RULE_FIELDS)
    rule.full_clean(validate_constraints=False)
    rule.save()
    return rule


@transaction.atomic
def update_rule(rule: RoutingRule, **changes: Any) -> RoutingRule:
    _update_validated(rule, changes, RULE_FIELDS)
    return rule


def delete_rule(rule: RoutingRule) -> None:
    rule.delete()


@dataclass(frozen=True)
class Route:
    team_id: int | None
    rule: RoutingRule | None
    reason: str
    priority: str | None = None


def _keyword_pattern(word: str) -> str:
    """A whole word; a trailing * matches every word that starts with it ("factu*")."""
    if word.endswith("*"):
        return rf"\b{re.escape(word[:-1])}"
    return rf"\b{re.escape(word)}\b"


def rule_matches(
    rule: RoutingRule,
    *,
    kind: str,
    channel: str,
    survey_id: int | None,
    tag_ids: Iterable[int],
    text: str,
) -> bool:
    if rule.kind and rule.kind != kind:
        return False
    if rule.channel and rule.channel != channel:
        return False
    if rule.survey_id and rule.survey_id != survey_id:
        return False
    if rule.tag_id and rule.tag_id not in set(tag_ids):
        return False
    words = rule.keyword_list()
    if words:
        lowered = text.lower()
        if not any(re.search(_keyword_pattern(word), lowered) for word in words):
            return False
    return True


def route(
    organisation_id: int,
    *,
    kind: str,
    channel: str = "",
    survey_id: int | None = None,
    tag_ids: Iterable[int] | Callable[[], Iterable[int]] = (),
    text: str = "",
    owner_team_id: int | None = None,
    practice_settings: PracticeSettings | None = None,
) -> Route:
    """The team that owns the cause: the first active rule that matches; else the team that
    owns the survey or the item; else the organisation's catch-all team. Never the customer's
    account manager by default: the cause decides, not the relationship. ``tag_ids`` may be a
    function: the tags are then only looked up if a rule asks for one."""
    rules = list(RoutingRule.objects.filter(organisation_id=organisation_id, is_active=True))
    if callable(tag_ids):
        tag_ids = tag_ids() if any(rule.tag_id for rule in rules) else ()
    tag_ids = list(tag_ids)
    for rule in rules:
        if rule_matches(
            rule, kind=kind, channel=channel, survey_id=survey_id, tag_ids=tag_ids, text=text
        ):
            return Route(
                rule.team_id,
                rule,
                _("Routing rule “%(name)s”") % {"name": rule.name},
                rule.priority or None,
            )
    if owner_team_id:
        return Route(owner_team_id, None, _("The team that owns the survey or item"))
    fallback = (practice_settings or settings_for(organisation_id)).default_team_id
    if fallback:
        return Route(fallback, None, _("The catch-all team in the practice settings"))
    return Route(None, None, _("No rule matched: anyone may pick it up"))


# --- the queue ------------------------------------------------------------------------------------


def _event(case: Case, text: str, author: Person | None = None) -> None:
    CaseNote.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        author=author,
        kind=CaseNoteKind.EVENT,
        text=text,
    )


@transaction.atomic
def open_case(
    organisation: Organisation,
    *,
    kind: str,
    subject: str,
    customer: Customer | None = None,
    feedback: Feedback | None = None,
    channel: str = "",
    priority: str = Priority.NORMAL,
    team: Team | None = None,
    opened_by: Person | None = None,
    description: str = "",
    opened_at: datetime | None = None,
) -> Case:
    """Put a customer item in the queue, routed to the team that owns its cause, with its
    deadlines. A follow-up is due within the organisation's follow-up hours (48 by default)."""
    if kind not in CaseKind.values:
        raise ValidationError({"kind": _("Unknown kind of customer item.")})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": _("Give the item a subject.")})
    for name, related in (("customer", customer), ("feedback", feedback), ("team", team)):
        if related is not None and related.organisation_id != organisation.pk:
            raise ValidationError({name: _("This belongs to another organisation.")})
    if feedback is not None and Case.objects.filter(feedback=feedback).exists():
        raise ValidationError({"feedback": _("This feedback already has a customer item.")})
    return _open_case(
        organisation,
        kind=kind,
        subject=subject,
        customer=customer,
        feedback=feedback,
        channel=channel,
        priority=priority,
        team=team,
        opened_by=opened_by,
        description=description,
        opened_at=opened_at,
    )


def _open_case(
    organisation: Organisation,
    *,
    kind: str,
    subject: str,
    customer: Customer | None = None,
    feedback: Feedback | None = None,
    channel: str = "",
    priority: str = Priority.NORMAL,
    team: Team | None = None,
    opened_by: Person | None = None,
    description: str = "",
    opened_at: datetime | None = None,
    practice_settings: PracticeSettings | None = None,
) -> Case:
    """``open_case`` once its input was checked (the feedback listener checks its own)."""
    opened_at = opened_at or timezone.now()
    channel = channel or (feedback.channel if feedback else "")
    if team is not None:
        chosen = Route(team.pk, None, _("Chosen by %(name)s") % {"name": opened_by or "?"})
    else:
        chosen = route(
            organisation.pk,
            kind=kind,
            channel=channel,
            survey_id=feedback.survey_id if feedback else None,
            tag_ids=(
                (lambda: feedback.tags.values_list("pk", flat=True))
                if feedback and feedback.pk
                else ()
            ),
            text=" ".join(
                part
                for part in (subject, feedback.comment if feedback else "", description)
                if part
            ),
            owner_team_id=feedback.team_id if feedback else None,
            practice_settings=practice_settings,
        )
    priority = chosen.priority or priority
    first_hours, resolve_hours = target_hours(organisation.pk, channel, priority)
    if kind == CaseKind.FOLLOW_UP:
        first_hours = (practice_settings or settings_for(organisation)).follow_up_hours
        resolve_hours = max(resolve_hours, first_hours)
    case = Case(
        organisation=organisation,
        kind=kind,
        subject=subject[:200],
        channel=channel,
        priority=priority,
        feedback=feedback,
        customer=customer or (feedback.customer if feedback else None),
        team_id=chosen.team_id,
        routing_rule=chosen.rule,
        routing_reason=chosen.reason[:200],
        opened_at=opened_at,
        first_response_due=opened_at + timedelta(hours=first_hours),
        resolution_due=opened_at + timedelta(hours=resolve_hours),
    )
    # Related records were checked above (same organisation); the database keeps the keys.
    case.full_clean(
        exclude=["organisation", "feedback", "customer", "team", "routing_rule"],
        validate_constraints=False,
    )
    case.save()
    if description.strip():
        CaseNote.objects.create(
            organisation=organisation,
            case=case,
            author=opened_by,
            kind=CaseNoteKind.NOTE,
            text=description.strip(),
        )
    hook_events.case_opened(case)
    return case


def follow_up_reason(feedback: Feedback, rules: PracticeSettings) -> str | None:
    """Why this feedback needs a follow-up, or None. Pure: thresholds from the settings."""
    if feedback.kind == FeedbackKind.COMPLAINT:
        return _("Complaint")  # every complaint is followed up: it is the closed loop
    if feedback.kind not in (FeedbackKind.RESPONSE, FeedbackKind.REVIEW):
        return None
    nps, csat, ces = feedback.nps, feedback.csat, feedback.ces
    if rules.follow_up_nps_max is not None and nps is not None and nps <= rules.follow_up_nps_max:
        return _("NPS %(score)s") % {"score": feedback.nps}
    if (
        rules.follow_up_csat_max is not None
        and csat is not None
        and csat <= rules.follow_up_csat_max
    ):
        return _("CSAT %(score)s") % {"score": feedback.csat}
    if rules.follow_up_ces_min is not None and ces is not None and ces >= rules.follow_up_ces_min:
        return _("CES %(score)s") % {"score": feedback.ces}
    return None


def _subject_for(feedback: Feedback, reason: str) -> str:
    text = (feedback.subject or feedback.comment or "").strip().replace("\n", " ")
    who = feedback.customer.name if feedback.customer_id and feedback.customer else ""
    head = f"{reason} · {who}" if who else reason
    return f"{head}: {text[:120]}" if text else head


def open_cases_for_feedback(feedback: Feedback) -> Case | None:
    """Feedback listener: a question or complaint enters the queue; an unhappy score opens a
    follow-up. Run for every complete submission, in the worker (``voice.tasks.
    feedback_arrived``) for customers' own submissions, at once for feedback an employee logs;
    idempotent (the task may run twice: one case per feedback, also a unique constraint);
    kept to as few queries as it can (none more for a happy customer than the settings)."""
    organisation = feedback.organisation
    rules = None
    reason: str | None
    with translation.override(organisation.language):
        if feedback.kind == FeedbackKind.QUESTION:
            kind, reason = CaseKind.QUESTION, _("Question")
        else:
            rules = settings_for(feedback.organisation_id)
            reason = follow_up_reason(feedback, rules)
            if reason is None:
                return None
            complaint = feedback.kind == FeedbackKind.COMPLAINT
            kind = CaseKind.COMPLAINT if complaint else CaseKind.FOLLOW_UP
        if Case.objects.filter(feedback_id=feedback.pk).exists():
            return None
        subject = _subject_for(feedback, reason)
    return _open_case(
        organisation,
        kind=kind,
        subject=subject,
        feedback=feedback,
        opened_at=feedback.submitted_at,
        practice_settings=rules,
    )


def _require_same_org(case: Case, person: Person | None, field: str = "owner") -> None:
    if person is not None and person.organisation_id != case.organisation_id:
        raise ValidationError({field: _("This belongs to another organisation.")})


@transaction.atomic
def pick_up(case: Case, person: Person) -> Case:
    """Anyone may pick up an item: customer questions go first, whoever sees them."""
    _require_same_org(case, person)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"status": _("This item is closed; reopen it first.")})
    if case.owner_id == person.pk:
        return case
    case.owner = person
    case.save(update_fields=["owner", "updated_at"])
    _event(case, _("%(name)s picked this up.") % {"name": person.name}, person)
    return case


@transaction.atomic
def assign(case: Case, owner: Person | None, *, by: Person, team: Team | None = None) -> Case:
    _require_same_org(case, owner)
    if team is not None and team.organisation_id != case.organisation_id:
        raise ValidationError({"team": _("This belongs to another organisation.")})
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": _("This person is no longer active.")})
    changes = []
    if team is not None and team.pk != case.team_id:
        case.team = team
        case.routing_reason = (_("Moved by %(name)s") % {"name": by.name})[:200]
        changes.append(_("moved to %(team)s") % {"team": team.name})
    if owner is not None and owner.pk != case.owner_id:
        case.owner = owner
        changes.append(_("assigned to %(name)s") % {"name": owner.name})
    if changes:
        case.save()
        _event(case, f"{by.name}: " + ", ".join(str(c) for c in changes) + ".", by)
    return case


def delete_case(case: Case) -> None:
    case.delete()


@transaction.atomic
def change_case(
    case: Case, *, by: Person, priority: str | None = None, subject: str | None = None
) -> Case:
    """A new priority moves the deadlines by the difference between the two priorities'
    targets, so time the item spent waiting for the customer (or a reopening) still counts."""
    if subject is not None:
        if not subject.strip():
            raise ValidationError({"subject": _("Give the item a subject.")})
        case.subject = subject.strip()[:200]
    if priority is not None and priority != case.priority:
        if priority not in Priority.values:
            raise ValidationError({"priority": _("Unknown priority.")})
        previous = case.priority
        case.priority = priority
        if case.kind != CaseKind.FOLLOW_UP:
            old_first, old_resolve = target_hours(case.organisation_id, case.channel, previous)
            first, resolve = target_hours(case.organisation_id, case.channel, priority)
            case.first_response_due = (
                case.first_response_due or case.opened_at + timedelta(hours=old_first)
            ) + timedelta(hours=first - old_first)
            case.resolution_due = (
                case.resolution_due or case.opened_at + timedelta(hours=old_resolve)
            ) + timedelta(hours=resolve - old_resolve)
            _rearm_breach_alert(case)
        _event(
            case,
            _("%(name)s set the priority to %(p)s.")
            % {"name": by.name, "p": case.get_priority_display()},
            by,
        )
    case.save()
    return case


@transaction.atomic
def respond(
    case: Case, person: Person, text: str, *, at: datetime | None = None, waiting: bool = False
) -> CaseNote:
    """Record contact with the customer (a reply, a call). The first one is the first response."""
    _require_same_org(case, person, "author")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what you told or asked the customer.")})
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"status": _("This item is closed; reopen it first.")})
    at = at or timezone.now()
    note = CaseNote.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        author=person,
        kind=CaseNoteKind.RESPONSE,
        text=text,
        created_at=at,
    )
    if case.first_response_at is None:
        case.first_response_at = at
    if case.owner_id is None:
        case.owner = person
    if waiting:
        _start_waiting(case, at)
    else:
        _stop_waiting(case, at)
    case.save()
    hook_events.case_responded(case, note)
    return note


def _start_waiting(case: Case, at: datetime) -> None:
    if case.status != CaseStatus.WAITING:
        case.status = CaseStatus.WAITING
        case.waiting_since = at


def _stop_waiting(case: Case, at: datetime) -> None:
    """Back to open; the resolution deadline moves on by the time the item waited."""
    if case.status == CaseStatus.WAITING and case.waiting_since is not None:
        paused = max(at - case.waiting_since, timedelta(0))
        if case.resolution_due is not None:
            case.resolution_due += paused
    case.status = CaseStatus.OPEN
    case.waiting_since = None
    _rearm_breach_alert(case)


def _rearm_breach_alert(case: Case) -> None:
    """A deadline moved into the future: the next time it passes is a new breach to announce."""
    if case.breach_alerted_at is not None and not case.is_breached():
        case.breach_alerted_at = None


@transaction.atomic
def add_note(case: Case, person: Person, text: str) -> CaseNote:
    _require_same_org(case, person, "author")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The note is empty.")})
    return CaseNote.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        author=person,
        kind=CaseNoteKind.NOTE,
        text=text,
    )


@transaction.atomic
def close_case(
    case: Case,
    person: Person,
    *,
    learned: str = "",
    root_cause: RootCause | None = None,
    loop: str = "",
    at: datetime | None = None,
    ask_customer: bool | None = None,
) -> Case:
    """Close an item. For complaints and follow-ups this is the closed loop: the contact with
    the customer is recorded, what was learned, the root cause, and whether the cause needs a
    structural fix (the outer loop becomes a proposal in the decision register)."""
    _require_same_org(case, person)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"status": _("This item is closed already.")})
    errors: dict[str, str] = {}
    if root_cause is not None and root_cause.organisation_id != case.organisation_id:
        errors["root_cause"] = _("This belongs to another organisation.")
    if loop and loop not in Loop.values:
        errors["loop"] = _("Choose whether the cause needs a structural fix.")
    if case.is_closed_loop:
        if case.first_response_at is None:
            errors["first_response"] = _(
                "Record your contact with the customer before closing the loop."
            )
        if not learned.strip():
            errors["learned"] = _("Write what you learned from the customer.")
        if root_cause is None and "root_cause" not in errors:
            errors["root_cause"] = _("Choose the root cause.")
        if not loop:
            errors["loop"] = _("Choose whether the cause needs a structural fix.")
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    case.learned = learned.strip()
    case.root_cause = root_cause
    case.loop = loop
    case.status = CaseStatus.CLOSED
    case.closed_at = at
    case.waiting_since = None
    if case.owner_id is None:
        case.owner = person
    if case.first_response_at is None:
        case.first_response_at = at
    case.save()
    _event(case, _("%(name)s closed this.") % {"name": person.name}, person)
    hook_events.case_closed(case)
    if loop == Loop.OUTER and case.decision_id is None:
        evidence = [("feedback", case.feedback_id)] if case.feedback_id else []
        with translation.override(person.language):
            title = _("Structural fix: %(cause)s") % {
                "cause": root_cause.name if root_cause else case.subject
            }
        proposal = propose_decision(
            case.organisation,
            title=title[:200],
            description=f"{case.subject}\n\n{case.learned}".strip(),
            owner=None,
            team=case.team,
            evidence=evidence,
            added_by=person,
        )
        case.decision = proposal
        case.save(update_fields=["decision", "updated_at"])
    wants_answer = settings_for(case.organisation_id).ask_customer_if_solved
    if ask_customer is not None:
        wants_answer = ask_customer
    if wants_answer and case.is_closed_loop and case.customer_id and case.customer.email:  # type: ignore[union-attr]
        transaction.on_commit(lambda: send_solved_question(case.pk), robust=True)
    return case


@transaction.atomic
def reopen(case: Case, person: Person) -> Case:
    _require_same_org(case, person)
    if case.status != CaseStatus.CLOSED:
        return case
    _reopen(case)
    _event(case, _("%(name)s reopened this.") % {"name": person.name}, person)
    return case


def _reopen(case: Case) -> None:
    """Open again with a fresh resolution deadline, so it is neither instantly overdue nor
    silently past its alert."""
    _first, resolve = target_hours(case.organisation_id, case.channel, case.priority)
    case.status = CaseStatus.OPEN
    case.closed_at = None
    case.waiting_since = None
    case.resolution_due = timezone.now() + timedelta(hours=resolve)
    case.breach_alerted_at = None
    case.save()


# --- asking the customer whether it is solved -----------------------------------------------------


def _closure_stamp(case: Case) -> int:
    return round(case.closed_at.timestamp() * 1_000_000) if case.closed_at else 0


def solved_token(case: Case) -> str:
    """Signed case id and closure time: a link asks about this closure only; after the item is
    reopened and closed again, the customer gets a new question and the old link is void."""
    return signing.dumps([case.pk, _closure_stamp(case)], salt=SOLVED_SALT)


def case_for_solved_token(token: str) -> Case | None:
    try:
        value = signing.loads(token, salt=SOLVED_SALT, max_age=timedelta(days=SOLVED_LINK_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(value, list) or len(value) != 2:
        return None
    case = Case.objects.select_related("organisation", "customer").filter(pk=value[0]).first()
    if case is None or not value[1] or _closure_stamp(case) != value[1]:
        return None
    return case


def send_solved_question(case_id: int) -> bool:
    case = Case.objects.select_related("organisation", "customer").filter(pk=case_id).first()
    if case is None or case.customer is None or not case.customer.email:
        return False
    if not case.customer.consent_surveys:  # they said no to being asked (GDPR consent)
        return False
    token = solved_token(case)
    base = settings.BASE_URL
    context = {
        "case": case,
        "customer": case.customer,
        "organisation": case.organisation,
        "yes_url": base + reverse("case-solved", args=[token, "yes"]),
        "no_url": base + reverse("case-solved", args=[token, "no"]),
    }
    with translation.override(case.customer.language):
        subject = _("Is your issue solved? – %(org)s") % {"org": case.organisation.name}
        text = render_to_string("practice/email/solved.txt", context)
        html = render_to_string("practice/email/solved.html", context)
    message = EmailMultiAlternatives(subject, text, to=[case.customer.email])
    message.attach_alternative(html, "text/html")
    message.send()
    Case.objects.filter(pk=case.pk).update(solved_asked_at=timezone.now())
    return True


@transaction.atomic
def record_customer_answer(case: Case, solved: bool) -> Case:
    """The customer's answer. The last answer counts; the same answer again changes nothing;
    a "no" reopens the item with a fresh deadline."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.customer_says_solved is solved:
        return case
    case.customer_says_solved = solved
    case.customer_answered_at = timezone.now()
    case.save(update_fields=["customer_says_solved", "customer_answered_at", "updated_at"])
    with translation.override(case.organisation.language):
        text = (
            _("The customer says the issue is solved.")
            if solved
            else _("The customer says the issue is not solved.")
        )
    _event(case, str(text))
    if not solved and case.status == CaseStatus.CLOSED:
        _reopen(case)
    return case


# --- breach alerts --------------------------------------------------------------------------------


ALERT_LIST_LIMIT = 25


def breached_q(now: datetime) -> Q:
    """Open items past their next deadline: the first response, or once answered, resolution.
    Items waiting for the customer are not overdue: their clock has stopped."""
    return (
        Q(first_response_at__isnull=True, first_response_due__lt=now)
        | Q(first_response_at__isnull=False, resolution_due__lt=now)
    ) & ~Q(status=CaseStatus.WAITING)


def send_breach_alerts(organisation: Organisation, now: datetime | None = None) -> int:
    """One email per manager listing every newly breached item of their teams (batched, not one
    per item); each item is announced once. Returns the number of emails sent."""
    now = now or timezone.now()
    breached = list(
        Case.objects.filter(organisation=organisation, breach_alerted_at__isnull=True)
        .exclude(status=CaseStatus.CLOSED)
        .filter(breached_q(now))
        .select_related("team", "owner")
        .order_by("opened_at")
    )
    if not breached:
        return 0
    by_person: dict[int, tuple[Person, list[Case]]] = {}
    recipients: dict[int | None, list[Person]] = {}
    for case in breached:
        if case.team_id not in recipients:
            recipients[case.team_id] = team_managers(organisation.pk, case.team_id)
        for person in recipients[case.team_id]:
            by_person.setdefault(person.pk, (person, []))[1].append(case)
    messages = []
    for person, cases in by_person.values():
        if not person.email:
            continue
        context = {
            "person": person,
            "organisation": organisation,
            "cases": cases[:ALERT_LIST_LIMIT],
            "more": max(0, len(cases) - ALERT_LIST_LIMIT),
            "count": len(cases),
            "queue_url": settings.BASE_URL + reverse("queue") + "?view=breached",
            "base_url": settings.BASE_URL,
            "now": now,
        }
        with translation.override(person.language):
            subject = _("%(count)s customer items past their deadline") % {"count": len(cases)}
            body = render_to_string("practice/email/breaches.txt", context)
        messages.append(EmailMultiAlternatives(subject, body, to=[person.email]))
    if messages:
        get_connection().send_messages(messages)
    chat_notify.targets_breached(organisation.pk, breached)
    Case.objects.filter(pk__in=[case.pk for case in breached]).update(breach_alerted_at=now)
    return len(messages)


# --- customer contacts ----------------------------------------------------------------------------


CONTACT_CHANNEL = {
    ContactKind.CALL: Channel.PHONE,
    ContactKind.VISIT: Channel.VISIT,
}


@transaction.atomic
def log_contact(
    person: Person,
    *,
    kind: str,
    customer: Customer | None = None,
    happened_on: date | None = None,
    learned: str = "",
    to_inbox: bool = False,
) -> Contact:
    """An employee spoke with a customer. The learning can go to the inbox as a contact note,
    where it is counted and routed like any other feedback."""
    contact = Contact(
        organisation_id=person.organisation_id,
        person=person,
        team_id=person.team_id,
        customer_facing=person.customer_facing,
        kind=kind,
        customer=customer,
        happened_on=happened_on or timezone.localdate(),
        learned=(learned or "").strip(),
    )
    contact.full_clean(exclude=["feedback"], validate_constraints=False)
    if to_inbox and not contact.learned:
        raise ValidationError({"learned": _("Write what you learned to send it to the inbox.")})
    contact.save()
    if to_inbox:
        send_contact_to_inbox(contact)
    return contact


@transaction.atomic
def send_contact_to_inbox(contact: Contact) -> Feedback:
    from outsidein.voice.services import record_feedback

    if contact.feedback_id:
        return contact.feedback  # type: ignore[return-value]
    if not contact.learned:
        raise ValidationError({"learned": _("Write what you learned to send it to the inbox.")})
    feedback = record_feedback(
        contact.person.organisation,
        kind=FeedbackKind.NOTE,
        channel=CONTACT_CHANNEL.get(contact.kind, Channel.OTHER),  # type: ignore[call-overload]
        author=contact.person,
        customer=contact.customer,
        team=contact.team,
        comment=contact.learned,
        submitted_at=timezone.make_aware(
            datetime.combine(contact.happened_on, datetime.min.time().replace(hour=12))
        ),
    )[0]
    contact.feedback = feedback
    contact.save(update_fields=["feedback", "updated_at"])
    return feedback


CONTACT_FIELDS = ("kind", "customer", "happened_on", "learned")


@transaction.atomic
def update_contact(contact: Contact, **changes: Any) -> Contact:
    if "learned" in changes and changes["learned"] is not None:
        changes["learned"] = changes["learned"].strip()
    _update_validated(contact, changes, CONTACT_FIELDS)
    return contact


def delete_contact(contact: Contact) -> None:
    contact.delete()


def month_start(day: date) -> date:
    return day.replace(day=1)


def send_contact_reminders(organisation: Organisation, today: date | None = None) -> int:
    """Once a month, from the 15th, remind everyone without a customer contact this month.
    Idempotent: the month is recorded, a second run sends nothing."""
    today = today or timezone.localdate()
    rules = settings_for(organisation)
    month = month_start(today)
    if today.day < 15 or rules.contact_reminder_month == month:
        return 0
    with_contact = set(
        Contact.objects.filter(organisation=organisation, happened_on__gte=month).values_list(
            "person_id", flat=True
        )
    )
    people = Person.objects.filter(
        organisation=organisation, is_active=True, user__isnull=False
    ).exclude(pk__in=with_contact)
    messages = []
    for person in people:
        if not person.email:
            continue
        context = {
            "person": person,
            "organisation": organisation,
            "url": settings.BASE_URL + reverse("contact-log"),
        }
        with translation.override(person.language):
            subject = _("Have you spoken with a customer this month?")
            body = render_to_string("practice/email/contact_reminder.txt", context)
        messages.append(EmailMultiAlternatives(subject, body, to=[person.email]))
    if messages:
        get_connection().send_messages(messages)
    rules.contact_reminder_month = month
    rules.save(update_fields=["contact_reminder_month"])
    return len(messages)


# --- decisions ------------------------------------------------------------------------------------


DECISION_FIELDS = (
    "title",
    "description",
    "owner",
    "team",
    "decided_on",
    "status",
    "scope",
    "without_customer_input",
    "no_input_reason",
)


def _check_decision(decision: Decision, *, has_evidence: bool) -> None:
    decision.full_clean(validate_constraints=False)
    if (
        decision.status != DecisionStatus.PROPOSED
        and not has_evidence
        and not decision.without_customer_input
    ):
        raise ValidationError(
            {
                "without_customer_input": _(
                    "Cite customer evidence, or mark the decision as taken without customer "
                    "input and say why."
                )
            }
        )


@transaction.atomic
def create_decision(
    organisation: Organisation,
    *,
    evidence: Sequence[tuple[str, int]] = (),
    added_by: Person | None = None,
    **fields: Any,
) -> Decision:
    decision = Decision(organisation=organisation)
    apply_changes(decision, fields, DECISION_FIELDS)
    if decision.status != DecisionStatus.PROPOSED and decision.decided_on is None:
        decision.decided_on = timezone.localdate()
    resolved = (
        resolve_citable(added_by, evidence)
        if added_by is not None
        else _resolve_evidence(organisation.pk, evidence)
    )
    _check_decision(decision, has_evidence=bool(resolved))
    decision.save()
    for (kind, ref_id), item in resolved.items():
        Evidence.objects.create(
            organisation=organisation,
            decision=decision,
            kind=kind,
            ref_id=ref_id,
            label=item.label[:300],
            added_by=added_by,
        )
    chat_notify.decision_created(decision, has_evidence=bool(resolved))
    if decision.status == DecisionStatus.TAKEN:
        hook_events.decision_taken(decision)
    return decision


def propose_decision(
    organisation: Organisation,
    *,
    title: str,
    description: str = "",
    owner: Person | None = None,
    team: Team | None = None,
    evidence: Sequence[tuple[str, int]] = (),
    added_by: Person | None = None,
) -> Decision:
    """A proposal for the register, e.g. the structural fix a follow-up or a mystery shop asks
    for; the evidence travels with it."""
    return create_decision(
        organisation,
        title=title,
        description=description,
        owner=owner,
        team=team,
        status=DecisionStatus.PROPOSED,
        evidence=evidence,
        added_by=added_by,
    )


@transaction.atomic
def update_decision(decision: Decision, **changes: Any) -> Decision:
    was_taken = decision.status == DecisionStatus.TAKEN
    try:
        apply_changes(decision, changes, DECISION_FIELDS)
        if decision.status != DecisionStatus.PROPOSED and decision.decided_on is None:
            decision.decided_on = timezone.localdate()
        if not decision.without_customer_input:
            decision.no_input_reason = ""
        _check_decision(decision, has_evidence=decision.evidence.exists())
    except ValidationError:
        decision.refresh_from_db()
        raise
    decision.save()
    if decision.status == DecisionStatus.TAKEN and not was_taken:
        hook_events.decision_taken(decision)
    return decision


def delete_decision(decision: Decision) -> None:
    decision.delete()


def _resolve_evidence(
    organisation_id: int, refs: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], registry.EvidenceItem]:
    kinds = registry.evidence_kinds()
    wanted: dict[str, list[int]] = defaultdict(list)
    for kind, ref_id in refs:
        if kind not in kinds:
            raise ValidationError(
                {"evidence": _("Unknown kind of evidence: %(kind)s.") % {"kind": kind}}
            )
        wanted[kind].append(int(ref_id))
    found: dict[tuple[str, int], registry.EvidenceItem] = {}
    for kind, ids in wanted.items():
        items = kinds[kind].resolve(organisation_id, ids)
        for ref_id in ids:
            if ref_id not in items:
                raise ValidationError(
                    {
                        "evidence": _("%(kind)s %(id)s was not found.")
                        % {"kind": kinds[kind].label, "id": ref_id}
                    }
                )
            found[(kind, ref_id)] = items[ref_id]
    return found


def resolve_citable(
    person: Person, refs: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], registry.EvidenceItem]:
    """The items a person may cite. Contacts are personal (notes of someone's conversation):
    one cites one's own, or as a manager the team's, never a colleague's behind their back."""
    from outsidein.core.permissions import Action, can

    for kind, ref_id in refs:
        if kind == "contact":
            contact = (
                Contact.objects.filter(organisation_id=person.organisation_id, pk=ref_id)
                .select_related("person")
                .first()
            )
            if contact is not None and not can(person, Action.VIEW, contact):
                raise ValidationError(
                    {"evidence": _("You can cite your own customer contacts, not a colleague's.")}
                )
    return _resolve_evidence(person.organisation_id, refs) if refs else {}


@transaction.atomic
def add_evidence(
    decision: Decision, *, kind: str, ref_id: int, note: str = "", added_by: Person | None = None
) -> Evidence:
    if added_by is not None:
        resolve_citable(added_by, [(kind, int(ref_id))])
    item = _resolve_evidence(decision.organisation_id, [(kind, ref_id)])[(kind, int(ref_id))]
    evidence, created = Evidence.objects.get_or_create(
        decision=decision,
        kind=kind,
        ref_id=int(ref_id),
        defaults={
            "organisation_id": decision.organisation_id,
            "label": item.label[:300],
            "note": note.strip(),
            "added_by": added_by,
        },
    )
    if not created:
        raise ValidationError({"evidence": _("This decision cites that already.")})
    return evidence


@transaction.atomic
def remove_evidence(evidence: Evidence) -> None:
    decision = evidence.decision
    evidence.delete()
    if (
        decision.status != DecisionStatus.PROPOSED
        and not decision.without_customer_input
        and not decision.evidence.exists()
    ):
        raise ValidationError(
            {
                "evidence": _(
                    "A decision that is taken keeps at least one piece of customer evidence; "
                    "mark it as taken without customer input first."
                )
            }
        )


@dataclass(frozen=True)
class CitedEvidence:
    evidence: Evidence
    item: registry.EvidenceItem | None  # None: the item was deleted since

    @property
    def removed(self) -> bool:
        return self.item is None

    @property
    def kind_label(self) -> Any:
        kind = registry.evidence_kinds().get(self.evidence.kind)
        return kind.label if kind else self.evidence.kind


def cited_evidence(decision: Decision) -> list[CitedEvidence]:
    """The decision's evidence with each item as it is now; deleted items come back as removed."""
    rows = list(decision.evidence.select_related("added_by"))
    kinds = registry.evidence_kinds()
    by_kind: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row.ref_id)
    resolved: dict[tuple[str, int], registry.EvidenceItem] = {}
    for kind, ids in by_kind.items():
        if kind in kinds:
            for ref_id, item in kinds[kind].resolve(decision.organisation_id, ids).items():
                resolved[(kind, ref_id)] = item
    return [CitedEvidence(row, resolved.get((row.kind, row.ref_id))) for row in rows]


def recipients_to_tell(decision: Decision) -> list[registry.Recipient]:
    seen: dict[str, registry.Recipient] = {}
    for cited in cited_evidence(decision):
        if cited.item is None:
            continue
        for recipient in cited.item.recipients:
            seen.setdefault(recipient.email.lower(), recipient)
    return list(seen.values())


def tell_customers(decision: Decision, by: Person) -> int:
    """Email the customers whose feedback or idea the decision cites and who asked to hear back.
    Once per decision."""
    if decision.status == DecisionStatus.PROPOSED:
        raise ValidationError({"status": _("Tell customers once the decision is taken.")})
    # Claim the telling first, so a double click or two API calls email nobody twice.
    claimed = Decision.objects.filter(pk=decision.pk, customers_told_at__isnull=True).update(
        customers_told_at=timezone.now()
    )
    if not claimed:
        raise ValidationError({"customers_told_at": _("The customers were told already.")})
    decision.refresh_from_db(fields=["customers_told_at"])
    recipients = recipients_to_tell(decision)
    messages = []
    organisation = decision.organisation
    for recipient in recipients:
        context = {"decision": decision, "organisation": organisation, "recipient": recipient}
        with translation.override(recipient.language):
            subject = _("What %(org)s did with your feedback") % {"org": organisation.name}
            body = render_to_string("practice/email/decision_told.txt", context)
        messages.append(EmailMultiAlternatives(subject, body, to=[recipient.email]))
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


# --- root causes ----------------------------------------------------------------------------------


@transaction.atomic
def create_root_cause(organisation: Organisation, *, name: str, description: str = "") -> RootCause:
    cause = RootCause(organisation=organisation, name=(name or "").strip(), description=description)
    cause.full_clean(validate_constraints=False)
    cause.save()
    return cause


def ensure_root_causes(organisation: Organisation) -> None:
    if not RootCause.objects.filter(organisation=organisation).exists():
        with translation.override(organisation.language):
            for name in DEFAULT_ROOT_CAUSES:
                RootCause.objects.create(organisation=organisation, name=_(name))


def open_items_for(person: Person) -> Any:
    """The customer items a person should look at: their own, then their team's unowned ones."""
    mine = Q(owner=person)
    team_unowned = Q(owner__isnull=True) & (
        Q(team_id=person.team_id) if person.team_id else Q(team__isnull=True)
    )
    return (
        Case.objects.filter(organisation_id=person.organisation_id)
        .filter(mine | team_unowned)
        .exclude(status=CaseStatus.CLOSED)
    )
