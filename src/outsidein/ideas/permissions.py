"""Who may do what with customers' ideas.

Everyone reads ideas: hearing the customer is everyone's job, and most ideas are public anyway.
Every employee may enter an idea a customer told them and answer customers in a comment.
Triage (status, owning team, merging duplicates) is for administrators, and for managers on the
ideas of the teams they manage or ideas no team owns yet. Deleting is for administrators.
Participants (customers' verified addresses), votes and the status log are read-only for staff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from outsidein.core.permissions import Action, Policy, managed_team_ids, register_policy

if TYPE_CHECKING:
    from outsidein.core.models import Person


def may_triage(person: Person, idea: Any) -> bool:
    if person.is_admin:
        return True
    if not person.is_manager:
        return False
    return idea is None or idea.team_id is None or idea.team_id in managed_team_ids(person)


def may_assign_to(person: Person, team: Any) -> bool:
    """Managers hand ideas to the teams they manage (or leave them unassigned)."""
    if person.is_admin:
        return True
    return person.is_manager and (team is None or team.pk in managed_team_ids(person))


def register_ideas_policies() -> None:
    from outsidein.ideas.models import Comment, Idea, Participant, StatusChange, Vote

    anyone = lambda person, obj: True  # noqa: E731
    admin = lambda person, obj: person.is_admin  # noqa: E731
    register_policy(
        Idea,
        Policy(
            rules={
                Action.VIEW: anyone,
                Action.CREATE: anyone,
                Action.CHANGE: may_triage,
                Action.DELETE: admin,
            }
        ),
    )
    register_policy(
        Comment,
        Policy(
            rules={
                Action.VIEW: anyone,
                Action.CREATE: anyone,
                Action.DELETE: admin,
            }
        ),
    )
    for model in (Participant, Vote, StatusChange):
        register_policy(model, Policy(rules={Action.VIEW: anyone}))
