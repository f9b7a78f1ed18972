"""Who may see and change what, in one place.

- Administrators manage the whole organisation.
- Managers manage their own team and the teams under it, and the people in them; they keep
  customer records up to date.
- Employees see what is shared (customers, teams, the people directory) and what is theirs (their
  own API tokens and jobs).

Later apps register their own rules with ``register_policy``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from outsidein.core.models import Person, Team


class Action:
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"


Rule = Callable[["Person", Any], bool]


def _anyone(person: Person, obj: Any) -> bool:
    return True


def _admin(person: Person, obj: Any) -> bool:
    return person.is_admin


def _admin_or_manager(person: Person, obj: Any) -> bool:
    return person.is_admin or person.is_manager


@dataclass(frozen=True)
class Policy:
    """What each role may do with one model. ``visible`` narrows the organisation's queryset."""

    visible: Callable[[Person, models.QuerySet[Any]], models.QuerySet[Any]] = lambda person, qs: qs
    rules: dict[str, Rule] = field(default_factory=dict)

    def allows(self, person: Person, action: str, obj: Any = None) -> bool:
        rule = self.rules.get(action, _admin)
        return rule(person, obj)


_POLICIES: dict[type[models.Model], Policy] = {}


def register_policy(model: type[models.Model], policy: Policy) -> None:
    _POLICIES[model] = policy


def policy_for(model: type[models.Model]) -> Policy:
    try:
        return _POLICIES[model]
    except KeyError:
        raise LookupError(f"No permission policy registered for {model.__name__}.") from None


def visible_to(person: Person, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return policy_for(queryset.model).visible(person, queryset)


def can(person: Person, action: str, model_or_obj: Any) -> bool:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    obj = None if isinstance(model_or_obj, type) else model_or_obj
    return policy_for(model).allows(person, action, obj)


# --- permissions an administrator grants -------------------------------------------------------
# Importing data (which creates surveys and counts in every figure) and exporting personal data
# in bulk (customers with their contact details, all feedback) are not for everyone. By default
# administrators and managers may (managers for their own teams' feedback); an administrator
# grants them to an employee or withdraws them from a manager (Person.may_import/may_export).


def _granted(person: Person, explicit: bool | None) -> bool:
    if person.is_admin:
        return True
    if explicit is not None:
        return explicit
    return person.is_manager


def may_import(person: Person) -> bool:
    return _granted(person, person.may_import)


def may_export(person: Person) -> bool:
    return _granted(person, person.may_export)


def require_import(person: Person) -> None:
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if not may_import(person):
        raise PermissionDenied(_("Importing data needs a permission an administrator grants."))


def may_import_into(person: Person, team_id: int | None) -> bool:
    """Administrators import into any survey; others into their own teams' surveys (or a new
    survey the import creates, ``team_id`` None)."""
    if not may_import(person):
        return False
    if person.is_admin or team_id is None:
        return True
    teams = managed_team_ids(person) if person.is_manager else {person.team_id}
    return team_id in teams


def require_export(person: Person) -> None:
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if not may_export(person):
        raise PermissionDenied(
            _("Exporting personal data needs a permission an administrator grants.")
        )


def exportable_feedback(person: Person, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """What a bulk export of feedback may hold: everything for administrators, the feedback of
    one's own teams for everyone else who may export."""
    require_export(person)
    if person.is_admin:
        return queryset
    teams = managed_team_ids(person) if person.is_manager else {person.team_id}
    return queryset.filter(team_id__in=[t for t in teams if t is not None])


# --- team helpers --------------------------------------------------------------------------


def managed_team_ids(person: Person) -> set[int]:
    """The manager's own team and every team below it (remembered for the request)."""
    from outsidein.core.models import Team

    cached: set[int] | None = getattr(person, "_managed_team_ids", None)
    if cached is not None:
        return cached
    if person.team_id is None:
        return set()
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in Team.objects.filter(
        organisation_id=person.organisation_id
    ).values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(team_id)
    found: set[int] = set()
    stack = [person.team_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    person._managed_team_ids = found  # type: ignore[attr-defined]
    return found


def _manages_team(person: Person, team: Team | None) -> bool:
    if person.is_admin:
        return True
    return person.is_manager and team is not None and team.pk in managed_team_ids(person)


def require_may_assign(person: Person, *, role: str | None, team: Team | None) -> None:
    """Only administrators make administrators; managers place people in their own teams."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if person.is_admin:
        return
    if role == "admin":
        raise PermissionDenied(_("Only an administrator can make someone an administrator."))
    if not _manages_team(person, team):
        raise PermissionDenied(_("Managers add people to their own teams only."))


def _may_change_person(person: Person, other: Any) -> bool:
    if person.is_admin:
        return True
    if other is None:
        return person.is_manager
    if other.pk == person.pk:
        return False  # one's own role and team are set by someone else
    return person.is_manager and other.role != "admin" and _manages_team(person, other.team)


def _own_records(person: Person, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return queryset.filter(person=person)


def _owner(person: Person, obj: Any) -> bool:
    return obj is None or obj.person_id == person.pk


def register_core_policies() -> None:
    from outsidein.core.models import (
        ApiToken,
        Customer,
        CustomerContactPerson,
        Person,
        Segment,
        Team,
    )

    register_policy(
        Customer,
        Policy(
            rules={
                Action.VIEW: _anyone,
                Action.CREATE: _admin_or_manager,
                Action.CHANGE: _admin_or_manager,
                Action.DELETE: _admin,
            }
        ),
    )
    register_policy(
        CustomerContactPerson,
        Policy(
            rules={
                Action.VIEW: _anyone,
                Action.CREATE: _admin_or_manager,
                Action.CHANGE: _admin_or_manager,
                Action.DELETE: _admin_or_manager,
            }
        ),
    )
    register_policy(Segment, Policy(rules={Action.VIEW: _anyone}))
    register_policy(
        Team,
        Policy(
            rules={
                Action.VIEW: _anyone,
                Action.CHANGE: lambda person, team: _manages_team(person, team),
            }
        ),
    )
    register_policy(
        Person,
        Policy(
            rules={
                Action.VIEW: _anyone,
                Action.CREATE: lambda person, obj: person.is_admin or person.is_manager,
                Action.CHANGE: _may_change_person,
                Action.DELETE: lambda person, other: (
                    person.is_admin and (other is None or other.pk != person.pk)
                ),
            }
        ),
    )
    register_policy(
        ApiToken,
        Policy(
            visible=_own_records,
            rules={
                Action.VIEW: _owner,
                Action.CREATE: _anyone,
                Action.DELETE: _owner,
            },
        ),
    )
