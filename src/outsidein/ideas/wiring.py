"""Registers this app's permission policies and its parts of the shared practice pages
(evidence kinds, My work items, norms)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from outsidein.core.models import Person
    from outsidein.practice.registry import EvidenceItem, WorkItem


def resolve_ideas(organisation_id: int, ids: Sequence[int]) -> dict[int, EvidenceItem]:
    """Evidence kind "idea": label with the vote count, the staff page, and the author and
    voters who asked to hear what was decided."""
    from outsidein.ideas import services
    from outsidein.ideas.models import Idea, Participant, Vote
    from outsidein.practice.registry import EvidenceItem, Recipient

    ideas = list(Idea.objects.filter(organisation_id=organisation_id, pk__in=list(ids)))
    wanted: dict[int, set[int]] = {idea.pk: set() for idea in ideas}
    for idea in ideas:
        if idea.author_id:
            wanted[idea.pk].add(idea.author_id)
    for idea_id, participant_id in Vote.objects.filter(idea_id__in=list(wanted)).values_list(
        "idea_id", "participant_id"
    ):
        wanted[idea_id].add(participant_id)
    everyone = {p for pks in wanted.values() for p in pks}
    participants = {
        p.pk: p
        for p in Participant.objects.filter(
            organisation_id=organisation_id, notify=True, pk__in=everyone
        )
    }
    found: dict[int, EvidenceItem] = {}
    for idea in ideas:
        found[idea.pk] = EvidenceItem(
            label=services.evidence_label(idea),
            url=reverse("idea-detail", args=[idea.pk]),
            recipients=tuple(
                Recipient(email=p.email, name=p.name, language=p.language)
                for pk in sorted(wanted[idea.pk])
                if (p := participants.get(pk)) is not None
            ),
        )
    return found


def ideas_waiting(person: Person) -> Iterable[WorkItem]:
    """For administrators and managers: new ideas nobody answered for days (internal work)."""
    from datetime import timedelta

    from outsidein.core.permissions import managed_team_ids
    from outsidein.ideas import services
    from outsidein.practice.registry import WorkItem

    if not (person.is_admin or person.is_manager):
        return []
    team_ids = None if person.is_admin else managed_team_ids(person)
    items = []
    for idea in services.ideas_waiting_for_triage(person.organisation_id, team_ids=team_ids)[:50]:
        items.append(
            WorkItem(
                title=idea.title,
                url=reverse("idea-detail", args=[idea.pk]),
                kind_label=_("Idea to triage"),
                is_customer=False,
                due_at=idea.created_at + timedelta(days=services.TRIAGE_AFTER_DAYS),
                opened_at=idea.created_at,
                detail=ngettext("%(n)s vote", "%(n)s votes", idea.vote_count)
                % {"n": idea.vote_count},
            )
        )
    return items


def register_ideas_parts() -> None:
    from outsidein.ideas import services
    from outsidein.ideas.permissions import register_ideas_policies
    from outsidein.practice.registry import (
        Norm,
        register_evidence_kind,
        register_norm,
        register_work_source,
    )

    register_ideas_policies()
    register_evidence_kind("idea", _("Idea"), resolve_ideas)
    register_work_source(ideas_waiting)
    register_norm(
        Norm(
            key="ideas",
            position=5,
            label=_("Customers' ideas answered"),
            question=_("Does every customer's idea get an answer from us?"),
            url_name="idea-list",
            measure=services.measure,
            target=80.0,
        )
    )
    from outsidein.core.panels import register_customer_panel
    from outsidein.ideas.views import customer_ideas_panel

    register_customer_panel(customer_ideas_panel)
