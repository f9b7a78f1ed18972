"""Who may do what in the practice app.

- The queue is everyone's: anyone reads it and may pick an item up (customer questions go first,
  whoever sees them). Working an item (reply, note, close) is for its owner, its team, the
  managers above that team and administrators; moving it to someone else is for managers.
- Contacts are personal: employees see their own, managers their teams', administrators all.
  Coverage is shown per team, never as a list of people.
- Decisions are transparent: everyone reads the register and may propose; the owner, the
  managers of its team and administrators change it.
- Targets, routing rules and the settings are for administrators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from outsidein.core.permissions import Action, Policy, managed_team_ids, register_policy

if TYPE_CHECKING:
    from outsidein.core.models import Person


def _anyone(person: Person, obj: Any) -> bool:
    return True


def _manages(person: Person, team_id: int | None) -> bool:
    if person.is_admin:
        return True
    return person.is_manager and team_id is not None and team_id in managed_team_ids(person)


def may_work_case(person: Person, case: Any) -> bool:
    if case is None:
        return True
    return (
        person.is_admin
        or case.owner_id == person.pk
        or (case.team_id is not None and case.team_id == person.team_id)
        or case.team_id is None
        or _manages(person, case.team_id)
    )


def may_assign_case(person: Person, case: Any) -> bool:
    return person.is_admin or (
        person.is_manager
        and (case is None or case.team_id is None or _manages(person, case.team_id))
    )


def _visible_contacts(person: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if person.is_admin:
        return queryset
    if person.is_manager:
        return queryset.filter(Q(person=person) | Q(person__team_id__in=managed_team_ids(person)))
    return queryset.filter(person=person)


def _own_contact(person: Person, contact: Any) -> bool:
    return contact is None or person.is_admin or contact.person_id == person.pk


def _may_change_decision(person: Person, decision: Any) -> bool:
    if decision is None or person.is_admin:
        return True
    return decision.owner_id == person.pk or _manages(person, decision.team_id)


def register_practice_policies() -> None:
    from outsidein.practice.models import (
        Case,
        Contact,
        Decision,
        Evidence,
        PracticeSettings,
        RootCause,
        RoutingRule,
        ServiceTarget,
    )

    register_policy(
        Case,
        Policy(
            rules={
                Action.VIEW: _anyone,
                Action.CREATE: _anyone,
                Action.CHANGE: may_work_case,
                Action.DELETE: lambda person, obj: person.is_admin,
            }
        ),
    )
    register_policy(
        Contact,
        Policy(
            visible=_visible_contacts,
            rules={
                Action.VIEW: lambda person, obj: (
                    obj is None or _own_contact(person, obj) or _manages(person, obj.person.team_id)
                ),
                Action.CREATE: _anyone,
                Action.CHANGE: _own_contact,
                Action.DELETE: _own_contact,
            },
        ),
    )
    register_policy(
        Decision,
        Policy(
            rules={
                Action.VIEW: _anyone,
                Action.CREATE: _anyone,
                Action.CHANGE: _may_change_decision,
                Action.DELETE: lambda person, obj: person.is_admin,
            }
        ),
    )
    register_policy(
        Evidence,
        Policy(
            rules={
                Action.VIEW: _anyone,
                Action.CREATE: lambda p, e: e is None or _may_change_decision(p, e.decision),
                Action.DELETE: lambda p, e: e is None or _may_change_decision(p, e.decision),
            }
        ),
    )
    register_policy(RootCause, Policy(rules={Action.VIEW: _anyone}))
    register_policy(ServiceTarget, Policy(rules={Action.VIEW: _anyone}))
    register_policy(RoutingRule, Policy(rules={Action.VIEW: _anyone}))
    register_policy(PracticeSettings, Policy())
