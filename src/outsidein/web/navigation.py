"""The sub-navigation of each area with sub-pages: one list per area, in one order, rendered by
one partial (``web/_subnav.html``) on every page of the area, the current page marked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def _everyone(person: Any) -> bool:
    return True


def _admin(person: Any) -> bool:
    return bool(person is not None and person.is_admin)


def _lead(person: Any) -> bool:
    return bool(person is not None and (person.is_admin or person.is_manager))


@dataclass(frozen=True)
class SubItem:
    key: str
    label: str | Promise
    url_name: str
    shown: Callable[[Any], bool] = _everyone


@dataclass(frozen=True)
class Area:
    label: str | Promise
    items: tuple[SubItem, ...]


@dataclass
class Link:
    key: str
    label: str | Promise
    url: str
    current: bool = False


AREAS: dict[str, Area] = {
    "centricity": Area(
        _("Customer centricity"),
        (
            SubItem("index", _("Index"), "centricity-index"),
            SubItem("scorecards", _("Team scorecards"), "index-scorecards"),
            SubItem("gap", _("Delivery gap"), "mirror-gap"),
            SubItem("reliability", _("Reliability"), "mirror-reliability"),
            SubItem("report", _("Monthly report"), "report"),
            SubItem("answer", _("Answer"), "mirror-answer-list"),
            SubItem("waves", _("Waves"), "mirror-waves"),
            SubItem("items", _("Statements"), "mirror-items"),
            SubItem("served", _("Teams and customers"), "mirror-served"),
            SubItem("settings", _("Targets and weights"), "index-settings", _admin),
        ),
    ),
    "practices": Area(
        _("Practices"),
        (
            SubItem("overview", _("The six norms"), "practices"),
            SubItem("queue", _("Customer queue"), "queue"),
            SubItem("contacts", _("Customer contacts"), "contact-log"),
            SubItem("decisions", _("Decisions"), "decision-list"),
            SubItem("ideas", _("Customers' ideas"), "idea-list"),
            SubItem("mystery", _("Mystery shopping"), "mystery-mine"),
        ),
    ),
    "mystery": Area(
        _("Mystery shopping"),
        (
            SubItem("mine", _("My shops"), "mystery-mine"),
            SubItem("shops", _("Team shops"), "mystery-assignments", _lead),
            SubItem("results", _("Results"), "mystery-results"),
            SubItem("scenarios", _("Scenarios"), "mystery-scenarios"),
            SubItem("settings", _("Settings"), "mystery-settings", _admin),
        ),
    ),
    "strategy": Area(
        _("Strategy"),
        (
            SubItem("segments", _("Segments"), "strategy-segments"),
            SubItem("compare", _("Compare segments"), "strategy-compare"),
            SubItem("rules", _("Segment rules"), "strategy-rules"),
            SubItem("needs", _("Needs"), "strategy-needs"),
            SubItem("declined", _("The “no” register"), "strategy-declined"),
            SubItem("journeys", _("Journeys"), "strategy-journeys"),
            SubItem("processes", _("Processes"), "strategy-processes"),
            SubItem("network", _("Network"), "strategy-network"),
            SubItem("flags", _("Disconnected"), "strategy-flags"),
        ),
    ),
}


def subnav(area: str, person: Any, path: str, current: str = "") -> dict[str, Any]:
    """The links of one area for this person: label, url and whether it is the current page.
    Without an explicit ``current`` key, the link whose address is the longest prefix of the
    path is current (a detail page marks its list)."""
    definition = AREAS[area]
    links: list[Link] = []
    for item in definition.items:
        if not item.shown(person):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # an optional app that is not installed
            continue
        links.append(Link(item.key, item.label, url))
    chosen = next((link for link in links if link.key == current), None)
    if chosen is None:
        matching = [link for link in links if path.startswith(link.url)]
        chosen = max(matching, key=lambda link: len(link.url), default=None)
    if chosen is not None:
        chosen.current = True
    return {"label": definition.label, "links": links}
