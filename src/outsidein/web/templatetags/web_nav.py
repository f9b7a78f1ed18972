"""``{% subnav_links "centricity" current as nav %}``: the links of an area's sub-navigation."""

from __future__ import annotations

from typing import Any

from django import template

from outsidein.web.navigation import subnav

register = template.Library()


@register.simple_tag(takes_context=True)
def subnav_links(context: template.Context, area: str, current: str = "") -> dict[str, Any]:
    request = context.get("request")
    person = getattr(request, "person", None) if request is not None else None
    path = request.path if request is not None else ""
    return subnav(area, person, path, current or "")
