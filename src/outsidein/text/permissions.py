"""Who may do what with text analytics: everyone reads the themes and analyses; managers and
administrators correct analyses; administrators keep the taxonomy and the models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from outsidein.core.permissions import Action, Policy, register_policy

if TYPE_CHECKING:
    from outsidein.core.models import Person


def _anyone(person: Person, obj: Any) -> bool:
    return True


def _admin(person: Person, obj: Any) -> bool:
    return person.is_admin


def _admin_or_manager(person: Person, obj: Any) -> bool:
    return person.is_admin or person.is_manager


def register_text_policies() -> None:
    from outsidein.text.models import FeedbackAnalysis, TextModel, Theme, TrainingExample

    register_policy(
        Theme,
        Policy(
            rules={
                Action.VIEW: _anyone,
                Action.CREATE: _admin,
                Action.CHANGE: _admin,
                Action.DELETE: _admin,
            }
        ),
    )
    register_policy(
        FeedbackAnalysis, Policy(rules={Action.VIEW: _anyone, Action.CHANGE: _admin_or_manager})
    )
    register_policy(TrainingExample, Policy(rules={Action.VIEW: _admin_or_manager}))
    register_policy(TextModel, Policy(rules={Action.VIEW: _anyone, Action.CHANGE: _admin}))
