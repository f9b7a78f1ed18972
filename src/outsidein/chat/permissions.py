"""Who manages chat channels: administrators every channel; managers (team leads) the channels
of the teams they manage; employees none."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from outsidein.core.permissions import Action, Policy, Rule, managed_team_ids, register_policy

if TYPE_CHECKING:
    from outsidein.core.models import Person


def _admin_or_manager(person: Person, obj: Any) -> bool:
    return person.is_admin or person.is_manager


def may_manage(person: Person, obj: Any) -> bool:
    if person.is_admin:
        return True
    if obj is None:
        return person.is_manager
    team_id = obj.team_id
    return person.is_manager and team_id is not None and team_id in managed_team_ids(person)


def _visible(person: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if person.is_admin:
        return queryset
    if person.is_manager:
        return queryset.filter(team_id__in=managed_team_ids(person))
    return queryset.none()


def register_chat_policies() -> None:
    from outsidein.chat.models import ChatChannel, ChatMessage

    rules: dict[str, Rule] = {
        Action.VIEW: _admin_or_manager,
        Action.CREATE: _admin_or_manager,
        Action.CHANGE: may_manage,
        Action.DELETE: may_manage,
    }
    register_policy(ChatChannel, Policy(visible=_visible, rules=rules))
    register_policy(
        ChatMessage,
        Policy(
            visible=lambda person, qs: qs.filter(
                channel__in=_visible(person, ChatChannel.objects.all())
            ),
            rules={Action.VIEW: _admin_or_manager},
        ),
    )
