"""The practice app's own evidence kinds, feedback listener, work source and norms (see
``registry``), registered once from ``PracticeConfig.ready()``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outsidein.core.models import Customer, Person
from outsidein.core.services import month_starts
from outsidein.practice import registry, reports
from outsidein.practice.registry import EvidenceItem, Measure, Norm, Recipient, WorkItem


def _short(text: str, size: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _recipient(customer: Customer | None) -> tuple[Recipient, ...]:
    if customer is None or not customer.email or not customer.consent_updates:
        return ()
    return (Recipient(email=customer.email, name=customer.name, language=customer.language),)


def _feedback(organisation_id: int, ids: Sequence[int]) -> dict[int, EvidenceItem]:
    from outsidein.voice.models import Feedback

    found = {}
    for item in Feedback.objects.filter(organisation_id=organisation_id, pk__in=ids).select_related(
        "customer"
    ):
        who = f" · {item.customer.name}" if item.customer else ""
        label = (
            f"{item.get_kind_display()} {date_format(item.submitted_at, 'SHORT_DATE_FORMAT')}{who}"
        )
        if item.comment or item.subject:
            label += f": “{_short(item.subject or item.comment)}”"
        found[item.pk] = EvidenceItem(
            label=label,
            url=reverse("feedback-detail", args=[item.pk]),
            recipients=_recipient(item.customer),
        )
    return found


def _tags(organisation_id: int, ids: Sequence[int]) -> dict[int, EvidenceItem]:
    from outsidein.voice.models import Tag

    found = {}
    for tag in Tag.objects.filter(organisation_id=organisation_id, pk__in=ids).annotate(
        n=Count("feedback")
    ):
        found[tag.pk] = EvidenceItem(
            label=_("Theme “%(name)s” (%(n)s items)") % {"name": tag.name, "n": tag.n},
            url=reverse("inbox") + "?" + urlencode({"tag": tag.name}),
        )
    return found


def _surveys(organisation_id: int, ids: Sequence[int]) -> dict[int, EvidenceItem]:
    from outsidein.voice.models import Survey

    found = {}
    for survey in Survey.objects.filter(organisation_id=organisation_id, pk__in=ids).annotate(
        n=Count("feedback")
    ):
        found[survey.pk] = EvidenceItem(
            label=_("Survey results “%(name)s” (%(n)s responses)")
            % {"name": survey.name, "n": survey.n},
            url=reverse("dashboard") + f"?survey={survey.pk}",
        )
    return found


def _contacts(organisation_id: int, ids: Sequence[int]) -> dict[int, EvidenceItem]:
    from outsidein.practice.models import Contact

    found = {}
    for contact in Contact.objects.filter(
        organisation_id=organisation_id, pk__in=ids
    ).select_related("person", "customer"):
        who = f" · {contact.customer.name}" if contact.customer else ""
        label = (
            f"{contact.get_kind_display()} {date_format(contact.happened_on, 'SHORT_DATE_FORMAT')}"
            f"{who} ({contact.person.name})"
        )
        if contact.learned:
            label += f": “{_short(contact.learned)}”"
        found[contact.pk] = EvidenceItem(
            label=label,
            url=reverse("contact-detail", args=[contact.pk]),
            recipients=_recipient(contact.customer),
        )
    return found


def _end_of_day(day: date | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())


def my_customer_items(person: Person) -> Iterable[WorkItem]:
    from outsidein.practice.services import open_items_for

    for case in open_items_for(person).select_related("customer"):
        yield WorkItem(
            title=case.subject,
            url=reverse("case-detail", args=[case.pk]),
            kind_label=case.get_kind_display(),
            is_customer=True,
            due_at=case.due_at(),  # type: ignore[arg-type]
            opened_at=case.opened_at,
            detail=_("yours") if case.owner_id == person.pk else _("your team's, not picked up"),
        )


def my_proposals(person: Person) -> Iterable[WorkItem]:
    from outsidein.practice.models import Decision, DecisionStatus

    for decision in Decision.objects.filter(
        organisation_id=person.organisation_id, owner=person, status=DecisionStatus.PROPOSED
    ):
        yield WorkItem(
            title=decision.title,
            url=reverse("decision-detail", args=[decision.pk]),
            kind_label=_("Proposal to decide"),
            is_customer=False,
            opened_at=decision.created_at,
        )


def _queue_report(organisation_id: int, start: date, end: date) -> Any:
    # The queue and loop norms read the same report: computed once per period (the overview
    # asks for twelve months of both).
    memo = reports.shared_memo.get()
    key = ("queue", organisation_id, start, end)
    if memo is not None and key in memo:
        return memo[key]
    value = reports.queue_report(organisation_id, start, end, with_backlog=False)
    if memo is not None:
        memo[key] = value
    return value


def _queue_measure(organisation_id: int, start: date, end: date) -> Measure:
    queue, _loop, rows = _queue_report(organisation_id, start, end)
    note = ""
    if queue.first_response_median_h is not None:
        note = _("median first response %(h)s h") % {"h": f"{queue.first_response_median_h:.0f}"}
    return Measure(
        value=queue.within_target_pct,
        n=queue.within_target_n,
        by_team={
            row.team.pk: (row.queue.within_target_pct, row.queue.within_target_n)
            for row in rows
            if row.team
        },
        note=note,
    )


def _loop_measure(organisation_id: int, start: date, end: date) -> Measure:
    _queue, loop, rows = _queue_report(organisation_id, start, end)
    note = ""
    if loop.close_median_h is not None:
        note = _("median %(h)s h to close") % {"h": f"{loop.close_median_h:.0f}"}
    return Measure(
        value=loop.closure_pct,
        n=loop.n,
        by_team={row.team.pk: (row.loop.closure_pct, row.loop.n) for row in rows if row.team},
        note=note,
    )


def _contact_measure(organisation_id: int, start: date, end: date) -> Measure:
    from outsidein.practice.services import settings_for

    minimum = settings_for(organisation_id).contacts_per_month
    report = reports.coverage_report(organisation_id, start, end, minimum)
    return Measure(
        value=report.organisation.pct,
        n=report.organisation.n,
        by_team={team_id: (cov.pct, cov.n) for team_id, cov in report.by_team.items() if team_id},
        note=_("customer-facing %(a)s, others %(b)s")
        % {
            "a": "–"
            if report.customer_facing.pct is None
            else f"{report.customer_facing.pct:.0f}%",
            "b": "–" if report.others.pct is None else f"{report.others.pct:.0f}%",
        },
    )


def _decision_measure(organisation_id: int, start: date, end: date) -> Measure:
    # Decisions are few: a month alone swings between 0 and 100%, so the figure covers the
    # three months up to the end of the period.
    start = min(start, month_starts(end, 3)[0])
    facts = reports.decision_facts(organisation_id, start, end)
    value, n = reports.metrics.input_share(fact.with_input for fact in facts)
    return Measure(
        value=value,
        n=n,
        by_team={
            team_id: share  # type: ignore[misc]
            for team_id, share in reports.input_by(facts, "team_id").items()
            if team_id
        },
        note=_("over the three months up to %(month)s") % {"month": end.strftime("%Y-%m")},
    )


def register_practice_parts() -> None:
    from outsidein.practice.services import open_cases_for_feedback
    from outsidein.voice.services import register_feedback_listener

    register_feedback_listener(open_cases_for_feedback)
    registry.register_evidence_kind("feedback", gettext_lazy("Feedback"), _feedback)
    registry.register_evidence_kind("tag", gettext_lazy("Theme (tag)"), _tags)
    registry.register_evidence_kind("survey", gettext_lazy("Survey results"), _surveys)
    registry.register_evidence_kind("contact", gettext_lazy("Customer contact"), _contacts)
    registry.register_work_source(my_customer_items)
    registry.register_work_source(my_proposals)
    registry.register_norm(
        Norm(
            key="queue",
            position=1,
            label=gettext_lazy("Customer questions first"),
            question=gettext_lazy("Are customer questions answered within the target?"),
            url_name="queue",
            measure=_queue_measure,
            target=90.0,
        )
    )
    registry.register_norm(
        Norm(
            key="loop",
            position=2,
            label=gettext_lazy("Closed loop"),
            question=gettext_lazy("Is every unhappy customer followed up?"),
            url_name="queue",
            measure=_loop_measure,
            target=95.0,
        )
    )
    registry.register_norm(
        Norm(
            key="contacts",
            position=3,
            label=gettext_lazy("Everyone in contact"),
            question=gettext_lazy("Does everyone speak to a customer every month?"),
            url_name="contact-coverage",
            measure=_contact_measure,
            target=80.0,
        )
    )
    registry.register_norm(
        Norm(
            key="decisions",
            position=4,
            label=gettext_lazy("Decisions with customer input"),
            question=gettext_lazy("Is no decision taken without customer input?"),
            url_name="decision-list",
            measure=_decision_measure,
            target=80.0,
        )
    )
