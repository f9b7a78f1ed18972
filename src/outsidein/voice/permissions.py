"""Who may do what with surveys and feedback.

Everyone reads feedback: hearing the customer is everyone's job. Administrators and managers
build surveys; managers change the surveys of the teams they manage. Anyone may log feedback
(a complaint heard at the counter, a note of a visit) and tag it. What a customer said is
evidence: staff add tags, notes and corrections beside it but never change it; an employee may
correct feedback they logged themselves; an administrator amends an import error with a reason
(recorded in the audit trail). Deleting feedback is for administrators only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from outsidein.core.permissions import Action, Policy, managed_team_ids, register_policy

if TYPE_CHECKING:
    from outsidein.core.models import Person


def _may_change_survey(person: Person, survey: Any) -> bool:
    if person.is_admin:
        return True
    if not person.is_manager:
        return False
    return survey is None or survey.team_id is None or survey.team_id in managed_team_ids(person)


def _may_change_feedback(person: Person, feedback: Any) -> bool:
    """What a customer said is evidence: nobody rewrites it (an administrator amends an import
    error with a reason, ``may_amend_feedback``). Feedback an employee logged themselves stays
    theirs to correct."""
    if feedback is None:
        return True  # some feedback (their own notes) may be changed
    return feedback.author_id is not None and feedback.author_id == person.pk


def may_amend_feedback(person: Person, feedback: Any) -> bool:
    return person.is_admin


def may_route_feedback(person: Person, feedback: Any) -> bool:
    """Moving feedback to another owning team: administrators, managers, or its author."""
    if person.is_admin or person.is_manager:
        return True
    return feedback is not None and feedback.author_id == person.pk


def register_voice_policies() -> None:
    from outsidein.voice.models import (
        Delivery,
        Feedback,
        InboundHook,
        Invitation,
        OutboundHook,
        Question,
        Survey,
        Tag,
    )

    anyone = lambda person, obj: True  # noqa: E731
    admin_or_manager = lambda person, obj: person.is_admin or person.is_manager  # noqa: E731
    register_policy(
        Survey,
        Policy(
            rules={
                Action.VIEW: anyone,
                Action.CREATE: admin_or_manager,
                Action.CHANGE: _may_change_survey,
                Action.DELETE: lambda person, obj: person.is_admin,
            }
        ),
    )
    register_policy(
        Question,
        Policy(
            rules={
                Action.VIEW: anyone,
                Action.CREATE: lambda p, q: _may_change_survey(p, q.survey if q else None),
                Action.CHANGE: lambda p, q: _may_change_survey(p, q.survey if q else None),
                Action.DELETE: lambda p, q: _may_change_survey(p, q.survey if q else None),
            }
        ),
    )
    register_policy(
        Invitation, Policy(rules={Action.VIEW: anyone, Action.CREATE: admin_or_manager})
    )
    register_policy(
        Feedback,
        Policy(
            rules={
                Action.VIEW: anyone,
                Action.CREATE: anyone,
                Action.CHANGE: _may_change_feedback,
                Action.DELETE: lambda person, obj: person.is_admin,
            }
        ),
    )
    register_policy(Tag, Policy(rules={Action.VIEW: anyone, Action.CREATE: anyone}))
    for hook_model in (InboundHook, OutboundHook, Delivery):
        register_policy(hook_model, Policy())  # administrators only (the default rule)
