"""Registers this app's permission policies and its parts of the shared practice pages
(evidence kinds, My work items, norms)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from outsidein.core.models import Person
    from outsidein.practice.registry import EvidenceItem, Measure, WorkItem


def resolve_evidence(organisation_id: int, ids: Sequence[int]) -> dict[int, EvidenceItem]:
    """Reported mystery shops cited by a decision: what was shopped, when, and the score."""
    from outsidein.mystery.models import Assignment, AssignmentStatus
    from outsidein.practice.registry import EvidenceItem

    found = Assignment.objects.filter(
        organisation_id=organisation_id, pk__in=list(ids), status=AssignmentStatus.DONE
    ).select_related("scenario")
    out: dict[int, EvidenceItem] = {}
    for shop in found:
        label = _("Mystery shop “%(scenario)s” (%(touchpoint)s), %(date)s: score %(score)s") % {
            "scenario": shop.scenario.name,
            "touchpoint": shop.scenario.touchpoint,
            "date": shop.shopped_on.isoformat() if shop.shopped_on else "",
            "score": "–" if shop.score is None else f"{shop.score}/100",
        }
        out[shop.pk] = EvidenceItem(
            label=str(label), url=reverse("mystery-assignment", args=[shop.pk])
        )
    return out


def work_items(person: Person) -> Iterable[WorkItem]:
    """The person's open mystery shops, due at the end of their due date."""
    from outsidein.mystery.models import Assignment, AssignmentStatus
    from outsidein.practice.registry import WorkItem

    shops = Assignment.objects.filter(
        person=person, status=AssignmentStatus.ASSIGNED, assigned_on__lte=timezone.localdate()
    ).select_related("scenario")
    for shop in shops.order_by("due_on", "pk"):
        yield WorkItem(
            title=shop.scenario.name,
            url=reverse("mystery-assignment", args=[shop.pk]),
            kind_label=_("Mystery shop"),
            is_customer=False,
            due_at=timezone.make_aware(datetime.combine(shop.due_on, time.max)),
            opened_at=shop.created_at,
            detail=f"{shop.scenario.get_channel_display()} · {shop.scenario.touchpoint}",
        )


def measure(organisation_id: int, start: date, end: date) -> Measure:
    """Share of active employees with a reported shop within the interval that ends at
    ``end``; per team; the note gives the average score of the shops in the period."""
    from django.utils.formats import date_format

    from outsidein.mystery.models import Scenario
    from outsidein.mystery.results import average_score, coverage
    from outsidein.practice.registry import Measure

    if not Scenario.objects.filter(organisation_id=organisation_id).exists():
        return Measure(value=None, n=0)
    found = coverage(organisation_id, end)
    average = average_score(organisation_id, start, end)
    note = str(
        _("shopped in the %(days)s days up to %(day)s")
        % {"days": found.interval_days, "day": date_format(end, "DATE_FORMAT")}
    )
    if average.value is not None and average.enough:
        note += " · " + str(
            _("average score %(score)s (%(n)d shops)")
            % {"score": f"{average.value:.0f}", "n": average.n}
        )
    elif average.n:
        note += " · " + str(_("average score: too few shops (%(n)d)") % {"n": average.n})
    return Measure(
        value=found.value,
        n=found.people,
        unit="%",
        by_team={team.team_id: (team.value, team.people) for team in found.teams},
        note=note,
    )


def register_mystery_parts() -> None:
    from outsidein.mystery.permissions import register_mystery_policies
    from outsidein.practice.registry import (
        Norm,
        register_evidence_kind,
        register_norm,
        register_work_source,
    )

    register_mystery_policies()
    register_evidence_kind("mystery_shop", _("Mystery shop"), resolve_evidence)
    register_work_source(work_items)
    register_norm(
        Norm(
            key="mystery",
            position=6,
            label=_("Mystery shopping"),
            question=_("Does everyone experience their own service as a customer?"),
            url_name="mystery-results",
            measure=measure,
            target=90.0,
        )
    )


__all__ = ["measure", "register_mystery_parts", "resolve_evidence", "work_items"]
