from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main navigation, marking the section the current page belongs to."""
    person = getattr(request, "person", None)
    if person is None:
        return {"nav_items": []}
    items = [
        ("home", _("Overview"), reverse("home")),
        ("work", _("My work"), reverse("my-work")),
        ("dashboard", _("Dashboard"), reverse("dashboard")),
        ("inbox", _("Feedback"), reverse("inbox")),
        ("themes", _("Themes"), reverse("text-themes")),
        ("surveys", _("Surveys"), reverse("survey-list")),
        ("practices", _("Practices"), reverse("practices")),
        ("centricity", _("Centricity"), reverse("centricity-index")),
        ("strategy", _("Strategy"), reverse("strategy-segments")),
        ("customers", _("Customers"), reverse("customer-list")),
        ("teams", _("Teams & people"), reverse("team-list")),
    ]
    # Pages that belong to a section without living under its URL.
    also = {
        "practices": ("/queue/", "/contacts/", "/decisions/", "/innovation/", "/mystery/"),
        "centricity": ("/mirror/", "/report/"),
    }
    path = request.path
    nav = []
    for key, label, url in items:
        active = path == url if url == "/" else path.startswith(url)
        active = active or path.startswith(also.get(key, ("\0",)))
        nav.append({"key": key, "label": label, "url": url, "active": active})
    return {"nav_items": nav, "current_person": person}
