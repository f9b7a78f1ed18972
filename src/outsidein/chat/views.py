"""The settings page for Slack and Teams channels. Administrators manage every channel,
managers (team leads) the channels of the teams they lead. Thin: forms, then services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outsidein.chat import events, services
from outsidein.chat.forms import ChannelEditForm, ChannelForm
from outsidein.chat.models import ChatChannel, ChatMessage
from outsidein.core.models import Person, Team
from outsidein.core.permissions import Action, can, managed_team_ids
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import _form_errors_from, employee_required

RECENT_MESSAGES = 20


def _person(request: HttpRequest) -> Person:
    person: Person = request.person  # type: ignore[attr-defined]
    if not can(person, Action.VIEW, ChatChannel):
        raise PermissionDenied(_("Only administrators and team managers manage chat channels."))
    return person


def _teams(person: Person) -> Any:
    teams = Team.objects.filter(organisation_id=person.organisation_id)
    return teams if person.is_admin else teams.filter(pk__in=managed_team_ids(person))


def _channel(request: HttpRequest, channel_id: int) -> ChatChannel:
    person = _person(request)
    channel = get_scoped_or_404(person, ChatChannel, channel_id)
    if not can(person, Action.CHANGE, channel):
        raise PermissionDenied(_("Only administrators manage organisation-wide channels."))
    return channel


def _edit_form(channel: ChatChannel, data: Any = None) -> ChannelEditForm:
    return ChannelEditForm(
        data,
        prefix=f"c{channel.pk}",
        initial={
            "events": channel.events,
            "language": channel.language,
            "is_active": channel.is_active,
        },
    )


@employee_required
def settings_page(
    request: HttpRequest, posted: ChannelEditForm | None = None, posted_id: int = 0
) -> HttpResponse:
    person = _person(request)
    form = ChannelForm(
        request.POST if request.method == "POST" and posted is None else None,
        teams=_teams(person),
        allow_whole=person.is_admin,
    )
    if request.method == "POST" and posted is None and form.is_valid():
        data = form.cleaned_data
        if data["team"] is None and not person.is_admin:
            raise PermissionDenied(_("Only administrators add organisation-wide channels."))
        try:
            services.create_channel(person.organisation, created_by=person, **data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Channel added. Send a test message to check it."))
            return redirect("chat-settings")
    channels = list(scoped(person, ChatChannel).select_related("team"))
    for channel in channels:
        channel.form = (  # type: ignore[attr-defined]
            posted if posted is not None and channel.pk == posted_id else _edit_form(channel)
        )
        channel.may_change = can(person, Action.CHANGE, channel)  # type: ignore[attr-defined]
    recent = scoped(person, ChatMessage).select_related("channel", "channel__team")[
        :RECENT_MESSAGES
    ]
    context = {
        "channels": channels,
        "form": form,
        "event_names": events.EVENTS,
        "recent": recent,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "chat/settings.html", context, status=status)


@employee_required
@require_POST
def edit_channel(request: HttpRequest, channel_id: int) -> HttpResponseBase:
    channel = _channel(request, channel_id)
    form = ChannelEditForm(request.POST, prefix=f"c{channel.pk}")
    if form.is_valid():
        try:
            services.update_channel(channel, **form.cleaned_data)
        except ValidationError as exc:
            channel.refresh_from_db()
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Channel saved."))
            return redirect("chat-settings")
    return settings_page(request, posted=form, posted_id=channel.pk)


@employee_required
@require_POST
def send_test(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel(request, channel_id)
    services.send_test(channel)
    messages.success(request, _("Test message sent to the worker; its result shows on this page."))
    return redirect("chat-settings")


@employee_required
@require_POST
def delete_channel(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel(request, channel_id)
    services.delete_channel(channel)
    messages.success(request, _("Channel removed."))
    return redirect("chat-settings")
