"""Pages of the customer-centricity index: the index (``/index/``), its targets and weights
(``/index/settings/``, administrators) and the team scorecards (``/index/scorecards/``, with
CSV and XLSX export). Thin: parse the request, call ``indicators`` / ``scorecards``, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from outsidein.centricity import indicators, scorecards
from outsidein.centricity.index import PILLAR_LABELS, PILLARS
from outsidein.core.models import Person, Team
from outsidein.core.periods import Quarter, Window
from outsidein.core.tenancy import scoped
from outsidein.core.views import employee_required

QUARTERS_SHOWN = 8
TREND_QUARTERS = 4


def _person(request: HttpRequest) -> Person:
    person: Person = request.person  # type: ignore[attr-defined]
    return person


def _quarter(request: HttpRequest) -> tuple[Quarter, list[Window], str]:
    """The chosen quarter (default: the last COMPLETE one; the running quarter only when asked
    for), the choices as named windows, and an error in words."""
    today = timezone.localdate()
    running = Quarter.of(today)
    choices = [
        indicators.quarter_window(q, today) for q in reversed(running.back(QUARTERS_SHOWN + 1))
    ]
    raw = request.GET.get("quarter", "") or request.GET.get("period", "")
    error = ""
    chosen = indicators.quarter_or_default(None, today)
    if raw:
        try:
            chosen = Quarter.parse(raw)
        except ValueError as exc:
            error = str(exc)
    if all(w.key != str(chosen) for w in choices):
        choices.append(indicators.quarter_window(chosen, today))
    return chosen, choices, error


def _team(request: HttpRequest, teams: list[Team]) -> Team | None:
    raw = request.GET.get("team", "")
    return next((t for t in teams if str(t.pk) == raw), None) if raw else None


def _teams(person: Person) -> list[Team]:
    return list(scoped(person, Team).filter(kind="team").order_by("name"))


def _trend_chart(points: list[indicators.TrendPoint]) -> dict[str, Any]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "labels": [str(p.quarter) + (" *" if p.running else "") for p in points],
        "partial": [p.running for p in points],
        "series": [{"label": _("Index"), "values": [rounded(p.value) for p in points]}]
        + [
            {"label": str(PILLAR_LABELS[key]), "values": [rounded(p.pillars[key]) for p in points]}
            for key in PILLARS
        ],
        "target": None,
    }


@employee_required
def index_page(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    organisation = person.organisation
    quarter, quarters, error = _quarter(request)
    teams = _teams(person)
    team = _team(request, teams)
    settings = indicators.settings_for(organisation)
    result = indicators.compute_index(organisation, quarter=quarter, team=team, settings=settings)
    points = indicators.index_trend(
        organisation, quarter=quarter, team=team, count=TREND_QUARTERS, settings=settings
    )
    context = {
        "result": result,
        "quarter": quarter,
        "quarter_key": str(quarter),
        "window": indicators.quarter_window(quarter),
        "quarters": quarters,
        "quarter_error": error,
        "teams": teams,
        "team": team,
        "points": points,
        "trend_chart": _trend_chart(points),
        "movers": result.movers(),
        "is_admin": person.is_admin,
    }
    return render(request, "centricity/index/index.html", context)


@employee_required
def settings_page(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if not person.is_admin:
        raise PermissionDenied(_("Only administrators set the index's targets and weights."))
    organisation = person.organisation
    current = indicators.settings_for(organisation)
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {
            k: str(request.POST.get(k, "")) for k in request.POST if k != "csrfmiddlewaretoken"
        }
        # A field left out of the form keeps its value; one sent empty is an error.
        pillar_weights = {
            p: request.POST[f"{p}_weight"] for p in PILLARS if f"{p}_weight" in request.POST
        }
        given = {
            spec.key: {
                part: request.POST[f"{spec.key}-{part}"]
                for part in ("target", "floor", "weight")
                if f"{spec.key}-{part}" in request.POST
            }
            for spec in current.specs
        }
        try:
            indicators.save_settings(organisation, pillar_weights=pillar_weights, indicators=given)
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
        else:
            messages.success(request, _("Targets and weights saved."))
            return redirect("index-settings")

    def field(name: str, value: float, label: str = "") -> dict[str, Any]:
        return {
            "name": name,
            "value": posted.get(name, _plain(value)),
            "error": errors.get(name),
            "label": label,
        }

    pillars = [
        {
            "key": key,
            "label": PILLAR_LABELS[key],
            "weight": field(f"{key}_weight", current.pillar_weights[key]),
            "specs": [
                {
                    "spec": spec,
                    "fields": [
                        field(f"{spec.key}-target", spec.target, _("target")),
                        field(f"{spec.key}-floor", spec.floor, _("floor")),
                        field(f"{spec.key}-weight", spec.weight, _("weight")),
                    ],
                    "default": next(d for d in indicators.default_specs() if d.key == spec.key),
                }
                for spec in current.specs
                if spec.pillar == key
            ],
        }
        for key in PILLARS
    ]
    return render(
        request,
        "centricity/index/settings.html",
        {"pillars": pillars, "errors": errors},
    )


def _plain(value: float) -> str:
    return f"{value:g}"


@employee_required
def scorecards_page(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    organisation = person.organisation
    quarter, quarters, error = _quarter(request)
    settings = indicators.settings_for(organisation)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not person.is_admin:
            raise PermissionDenied(_("Only administrators choose the reward indicators."))
        chosen = {
            spec.key: request.POST.get(f"{spec.key}-reward_target", "")
            for spec in settings.specs
            if request.POST.get(f"reward-{spec.key}")
        }
        try:
            indicators.save_rewards(organisation, chosen)
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
        else:
            messages.success(request, _("Reward indicators saved."))
            return redirect(request.get_full_path())
    board = scorecards.build(organisation, quarter=quarter, settings=settings)
    choices = [
        {
            "spec": spec,
            "chosen": spec.key in settings.rewards,
            "target": _plain(settings.rewards[spec.key]) if spec.key in settings.rewards else "",
            "error": errors.get(f"{spec.key}-reward_target"),
        }
        for spec in settings.specs
    ]
    context = {
        "board": board,
        "quarter": quarter,
        "quarter_key": str(quarter),
        "window": indicators.quarter_window(quarter),
        "quarters": quarters,
        "quarter_error": error,
        "choices": choices,
        "is_admin": person.is_admin,
        "errors": errors,
    }
    return render(request, "centricity/index/scorecards.html", context)


@employee_required
def scorecards_export(request: HttpRequest, fmt: str) -> HttpResponse:
    person = _person(request)
    quarter, _quarters, _error = _quarter(request)
    board = scorecards.build(person.organisation, quarter=quarter)
    name = f"scorecards-{person.organisation.slug}-{quarter}"
    if fmt == "xlsx":
        response = HttpResponse(
            scorecards.to_xlsx(board),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(scorecards.to_csv(board), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
