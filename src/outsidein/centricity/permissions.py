"""Who may do what with the mirror survey.

- Everyone reads the statements, the waves and the results (results of fewer than five
  employees are withheld by the services for everyone, administrators included).
- Administrators manage the statements, the waves and which segments each team serves.
- Nobody reads individual employee responses or participations through the application.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from outsidein.core.permissions import Action, Policy, register_policy

if TYPE_CHECKING:
    from outsidein.core.models import Person


def _anyone(person: Person, obj: Any) -> bool:
    return True


def _admin(person: Person, obj: Any) -> bool:
    return person.is_admin


def _nobody(person: Person, obj: Any) -> bool:
    return False


def _none(person: Person, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return queryset.none()


def register_centricity_policies() -> None:
    from outsidein.centricity.models import (
        EmployeeResponse,
        MirrorItem,
        Participation,
        ServedSegment,
        Wave,
    )

    admin_writes = Policy(
        rules={
            Action.VIEW: _anyone,
            Action.CREATE: _admin,
            Action.CHANGE: _admin,
            Action.DELETE: _admin,
        }
    )
    register_policy(MirrorItem, admin_writes)
    register_policy(Wave, admin_writes)
    register_policy(ServedSegment, admin_writes)
    hidden = Policy(
        visible=_none,
        rules=dict.fromkeys((Action.VIEW, Action.CHANGE, Action.DELETE), _nobody),
    )
    register_policy(EmployeeResponse, hidden)
    register_policy(Participation, hidden)
