"""Who may do what in the strategy app.

Strategy is transparent: everyone reads it. Administrators set it; managers keep the touchpoints
and processes of their own teams (and the teams below) up to date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from outsidein.core.permissions import Action, Policy, managed_team_ids, register_policy

if TYPE_CHECKING:
    from outsidein.core.models import Person


def _anyone(person: Person, obj: Any) -> bool:
    return True


def _admin(person: Person, obj: Any) -> bool:
    return person.is_admin


def manages_team(person: Person, team_id: int | None) -> bool:
    if person.is_admin:
        return True
    return person.is_manager and team_id is not None and team_id in managed_team_ids(person)


def _team_record(person: Person, obj: Any) -> bool:
    """Admins; managers for a record (touchpoint, process) owned by one of their teams."""
    if person.is_admin:
        return True
    if obj is None:
        return person.is_manager
    return manages_team(person, obj.team_id)


def register_strategy_policies() -> None:
    from outsidein.strategy import models as m

    admin_writes = Policy(
        rules={
            Action.VIEW: _anyone,
            Action.CREATE: _admin,
            Action.CHANGE: _admin,
            Action.DELETE: _admin,
        }
    )
    for model in (
        m.SegmentStrategy,
        m.SegmentRule,
        m.SegmentAssignmentLog,
        m.CustomerAttribute,
        m.Need,
        m.NeedTag,
        m.DeclinedRequest,
        m.Journey,
        m.Stage,
        m.TouchpointLink,
    ):
        register_policy(model, admin_writes)
    team_writes = Policy(
        rules={
            Action.VIEW: _anyone,
            Action.CREATE: _team_record,
            Action.CHANGE: _team_record,
            Action.DELETE: _team_record,
        }
    )
    register_policy(m.Touchpoint, team_writes)
    register_policy(m.Process, team_writes)
