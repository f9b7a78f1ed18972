"""The candidates section of the themes overview: what theme discovery proposed, with the
actions on each (accept, rename, merge into an accepted theme, drop)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("text/_candidates.html", takes_context=True)
def discovery_candidates(context: Any) -> dict[str, Any]:
    from outsidein.core.permissions import Action, can
    from outsidein.core.tenancy import scoped
    from outsidein.jobs.models import Job
    from outsidein.text import discovery
    from outsidein.text.models import Theme, ThemeStatus

    request = context["request"]
    person = request.person
    may_edit = can(person, Action.CREATE, Theme)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "candidates": discovery.candidates(person),
        "accepted": scoped(person, Theme).filter(status=ThemeStatus.ACCEPTED).order_by("name"),
        "run": scoped(person, Job).filter(kind=discovery.KIND).first(),
        "may_edit": may_edit,
        "may_drop": can(person, Action.DELETE, Theme),
        "default_days": discovery.DEFAULT_DAYS,
    }
