"""Who may do what in mystery shopping.

- Everyone reads the scenarios (a shopper needs the script) and the results, which rank teams,
  never individuals.
- Administrators and managers write scenarios; a manager changes those of the teams they manage
  and those no team owns.
- An employee sees their own shops and reports them; a manager also sees the shops of the people
  in the teams they manage and may skip one (long leave, say); an administrator sees all.
- Planning the next round is for administrators and managers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from outsidein.core.permissions import Action, Policy, managed_team_ids, register_policy

if TYPE_CHECKING:
    from outsidein.core.models import Person


def _admin_or_manager(person: Person, obj: Any) -> bool:
    return person.is_admin or person.is_manager


def may_change_scenario(person: Person, scenario: Any) -> bool:
    if person.is_admin:
        return True
    if not person.is_manager:
        return False
    if scenario is None or scenario.team_id is None:
        return True
    return scenario.team_id in managed_team_ids(person)


def _visible_assignments(person: Person, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    if person.is_admin:
        return queryset
    if person.is_manager:
        teams = managed_team_ids(person)
        return queryset.filter(
            Q(person=person) | Q(person__team_id__in=teams) | Q(team_id__in=teams)
        )
    return queryset.filter(person=person)


def may_view_assignment(person: Person, assignment: Any) -> bool:
    if assignment is None or person.is_admin or assignment.person_id == person.pk:
        return True
    if not person.is_manager:
        return False
    teams = managed_team_ids(person)
    return assignment.team_id in teams or assignment.person.team_id in teams


def may_manage_assignment(person: Person, assignment: Any) -> bool:
    """Skip a shop or move its due date: the shopper's manager or an administrator."""
    if person.is_admin:
        return True
    if not person.is_manager or assignment is None:
        return person.is_manager
    teams = managed_team_ids(person)
    return assignment.team_id in teams or assignment.person.team_id in teams


def may_report(person: Person, assignment: Any) -> bool:
    """Only the shopper reports their own shop."""
    return assignment is None or assignment.person_id == person.pk


def register_mystery_policies() -> None:
    from outsidein.mystery.models import Assignment, Scenario

    register_policy(
        Scenario,
        Policy(
            rules={
                Action.VIEW: lambda person, obj: True,
                Action.CREATE: _admin_or_manager,
                Action.CHANGE: may_change_scenario,
                Action.DELETE: may_change_scenario,
            }
        ),
    )
    register_policy(
        Assignment,
        Policy(
            visible=_visible_assignments,
            rules={
                Action.VIEW: may_view_assignment,
                Action.CREATE: _admin_or_manager,  # planning a round
                Action.CHANGE: may_manage_assignment,
                Action.DELETE: lambda person, obj: person.is_admin,
            },
        ),
    )
