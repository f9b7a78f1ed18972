"""Registers the mirror survey's permission policies and its item on employees' My work page
(an open wave they have not answered yet)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from outsidein.core.models import Person
    from outsidein.practice.registry import WorkItem


def work_items(person: Person) -> Iterable[WorkItem]:
    from outsidein.centricity import services
    from outsidein.practice.registry import WorkItem

    for wave in services.open_waves(person.organisation):
        if services.has_answered(wave, person):
            continue
        yield WorkItem(
            title=str(_("Mirror survey: how customer-centric are we?")),
            url=reverse("mirror-answer", args=[wave.pk]),
            kind_label=_("Mirror survey"),
            is_customer=False,
            due_at=wave.closes_at,
            opened_at=wave.opens_at,
            detail=str(_("%(wave)s · anonymous, about 5 minutes") % {"wave": wave.name}),
        )


def register_centricity_parts() -> None:
    from outsidein.centricity.permissions import register_centricity_policies

    register_centricity_policies()
    from outsidein.centricity.report import register_report_policies

    register_report_policies()
    try:
        from outsidein.practice.registry import register_work_source
    except ImportError:  # pragma: no cover - the practice app is part of every install
        return
    register_work_source(work_items)
