"""Pages of the mirror survey: answering (employees), the delivery gap, reliability, waves and
statements. Thin: parse the request, check permission, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outsidein.centricity import charts, services
from outsidein.centricity.bank import AGREE_FROM, DIMENSIONS
from outsidein.centricity.forms import ItemForm, ResultsForm, SideForm, WaveForm
from outsidein.centricity.models import MirrorItem, ServedSegment, Wave, WaveStatus
from outsidein.core.models import Person, Segment, Team
from outsidein.core.permissions import Action, can
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import _form_errors_from, employee_required, require


def _person(request: HttpRequest) -> Person:
    person: Person = request.person  # type: ignore[attr-defined]
    return person


def _language() -> str:
    return "en" if (translation.get_language() or "nl").startswith("en") else "nl"


def _admin_only(person: Person) -> None:
    if not person.is_admin:
        raise PermissionDenied(_("Your role does not allow this."))


# --- answering ---------------------------------------------------------------------------------


@employee_required
def answer_list(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    waves = [
        {"wave": wave, "answered": services.has_answered(wave, person)}
        for wave in services.open_waves(person.organisation)
    ]
    return render(request, "centricity/answer_list.html", {"waves": waves})


@employee_required
def answer(request: HttpRequest, wave_id: int) -> HttpResponse:
    person = _person(request)
    wave = get_scoped_or_404(person, Wave, wave_id)
    language = _language()
    answered = services.has_answered(wave, person)
    accepting = wave.is_accepting()
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    if request.method == "POST" and accepting and not answered:
        values = {key: request.POST.get(key) for key in request.POST}
        try:
            services.submit_employee_response(wave, person, request.POST)
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        except services.AlreadyAnswered:
            answered = True
        except services.WaveNotOpen:
            accepting = False
        else:
            messages.success(
                request,
                _("Thank you. Your answers are stored without your name."),
            )
            return redirect("mirror-answer-list")
    groups = []
    items = services.wave_items(wave)
    for dimension in DIMENSIONS:
        inside = [i for i in items if i["dimension"] == dimension.key]
        if inside:
            groups.append(
                {
                    "label": dimension.label,
                    "items": [_question(i, language, values, errors) for i in inside],
                }
            )
    headline = [_question(i, language, values, errors) for i in items if not i["dimension"]]
    context = {
        "wave": wave,
        "groups": groups,
        "headline": headline,
        "answered": answered,
        "accepting": accepting,
        "errors": errors,
        "general_error": errors.get("__all__", ""),
        "scale": list(range(1, 8)),
        "min_group": services.MIN_GROUP,
    }
    return render(request, "centricity/answer.html", context)


def _question(
    item: dict[str, str], language: str, values: dict[str, Any], errors: dict[str, Any]
) -> dict[str, Any]:
    raw = values.get(item["key"])
    return {
        "key": item["key"],
        "text": item[f"employee_{language}"] or item["employee_nl"],
        "value": int(raw) if isinstance(raw, str) and raw.isdigit() else None,
        "error": errors.get(item["key"], ""),
    }


# --- results -----------------------------------------------------------------------------------


def _results_filters(
    request: HttpRequest, form_class: type[ResultsForm] = ResultsForm
) -> tuple[Any, Wave | None, Team | None]:
    person = _person(request)
    waves = list(reversed(services.result_waves(person.organisation)))
    teams = scoped(person, Team).filter(kind="team").order_by("name")
    form = form_class(request.GET or None, waves=waves, teams=teams)
    wave = waves[0] if waves else None
    team = None
    if form.is_valid():
        if form.cleaned_data["wave"]:
            wave = next((w for w in waves if w.pk == form.cleaned_data["wave"]), wave)
        if form.cleaned_data["team"]:
            team = get_scoped_or_404(person, Team, form.cleaned_data["team"])
    return form, wave, team


@employee_required
def gap(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    organisation = person.organisation
    form, wave, team = _results_filters(request)
    gaps = services.dimension_gaps(organisation, wave=wave, team=team) if wave else []
    superior = services.superior_experience(organisation, wave=wave, team=team) if wave else None
    points = services.trend(organisation, team=team)
    no_customers = team is not None and not ServedSegment.objects.filter(team=team).exists()
    served = (
        list(
            Segment.objects.filter(
                pk__in=ServedSegment.objects.filter(team=team).values("segment_id")
            ).values_list("name", flat=True)
        )
        if team
        else []
    )
    context = {
        "form": form,
        "wave": wave,
        "team": team,
        "gaps": gaps,
        "superior": superior,
        "chart": charts.paired_dots(gaps),
        "trend_chart": charts.superior_trend(points),
        "trend_rows": charts.gap_trend_rows(points),
        "trend_waves": [p.wave for p in points],
        "no_customers": no_customers,
        "served": served,
        "min_group": services.MIN_GROUP,
        "agree_from": AGREE_FROM,
        "is_admin": person.is_admin,
        "largest": max(
            (g for g in gaps if g.gap.difference is not None),
            key=lambda g: g.gap.difference or 0.0,
            default=None,
        ),
    }
    return render(request, "centricity/gap.html", context)


@employee_required
def reliability(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    form, wave, team = _results_filters(request, SideForm)
    side = "employee"
    if form.is_valid() and form.cleaned_data.get("side") == "customer":
        side = "customer"
    rows = (
        services.reliability_for(
            person.organisation, wave=wave, side=side, team=team, language=_language()
        )
        if wave
        else []
    )
    context = {
        "form": form,
        "wave": wave,
        "team": team,
        "side": side,
        "rows": rows,
        "min_group": services.MIN_GROUP,
    }
    return render(request, "centricity/reliability.html", context)


# --- waves -------------------------------------------------------------------------------------


@employee_required
def wave_list(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    form = WaveForm(request.POST or None) if person.is_admin else None
    if request.method == "POST":
        require(request, Action.CREATE, Wave)
        assert form is not None
        if form.is_valid():
            try:
                wave = services.create_wave(person.organisation, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors_from(exc, form)
            else:
                messages.success(request, _("Wave %(name)s added.") % {"name": wave.name})
                return redirect("mirror-wave", wave_id=wave.pk)
    rows = []
    for wave in scoped(person, Wave).order_by("-created_at", "-pk"):
        employees, customers = services.response_counts(wave)
        rows.append({"wave": wave, "employees": employees, "customers": customers})
    return render(request, "centricity/waves.html", {"rows": rows, "form": form})


@employee_required
def wave_detail(request: HttpRequest, wave_id: int) -> HttpResponse:
    person = _person(request)
    wave = get_scoped_or_404(person, Wave, wave_id)
    form = None
    if person.is_admin and wave.status != WaveStatus.CLOSED:
        form = WaveForm(
            request.POST or None,
            initial={"name": wave.name, "opens_at": wave.opens_at, "closes_at": wave.closes_at},
        )
    if request.method == "POST":
        require(request, Action.CHANGE, wave)
        if form is not None and form.is_valid():
            try:
                services.update_wave(wave, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors_from(exc, form)
            else:
                messages.success(request, _("Wave saved."))
                return redirect("mirror-wave", wave_id=wave.pk)
    employees, customers = services.response_counts(wave)
    context = {
        "wave": wave,
        "form": form,
        "employees": employees,
        "customers": customers,
        "items": services.wave_items(wave),
        "can_change": can(person, Action.CHANGE, wave),
        "answer_url": request.build_absolute_uri(reverse("mirror-answer", args=[wave.pk])),
    }
    return render(request, "centricity/wave.html", context)


@employee_required
@require_POST
def wave_action(request: HttpRequest, wave_id: int, action: str) -> HttpResponse:
    if action not in ("open", "close", "delete"):
        raise Http404
    person = _person(request)
    wave = get_scoped_or_404(person, Wave, wave_id)
    require(request, Action.DELETE if action == "delete" else Action.CHANGE, wave)
    try:
        if action == "open":
            services.open_wave(wave)
            messages.success(
                request,
                _("The wave is open: employees find it under My work, customers in the survey."),
            )
        elif action == "close":
            services.close_wave(wave)
            messages.success(request, _("The wave is closed."))
        else:
            services.delete_wave(wave)
            messages.success(request, _("The wave is deleted."))
            return redirect("mirror-waves")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("mirror-wave", wave_id=wave.pk)


# --- statements and teams ------------------------------------------------------------------------


@employee_required
def item_list(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    organisation = person.organisation
    groups = services.items_by_dimension(organisation)
    headline = MirrorItem.objects.filter(organisation=organisation, key="superior").first()
    add_form = ItemForm(prefix="new") if person.is_admin else None
    context = {
        "groups": [
            {
                "dimension": dimension,
                "items": items,
                "visible": sum(1 for i in items if not i.hidden),
            }
            for dimension, items in groups
        ],
        "headline": headline,
        "add_form": add_form,
        "is_admin": person.is_admin,
    }
    return render(request, "centricity/items.html", context)


def _item_initial(item: MirrorItem) -> dict[str, Any]:
    return {
        name: getattr(item, name)
        for name in ("dimension", "employee_nl", "employee_en", "customer_nl", "customer_en")
    } | {"hidden": item.hidden}


@employee_required
def item_edit(request: HttpRequest, item_id: int | None = None) -> HttpResponse:
    person = _person(request)
    item = get_scoped_or_404(person, MirrorItem, item_id) if item_id else None
    require(request, Action.CHANGE if item else Action.CREATE, item or MirrorItem)
    fixed = item is not None and not item.custom
    prefix = None if item else "new"
    form = ItemForm(
        request.POST or None,
        initial=_item_initial(item) if item else None,
        fixed_dimension=fixed,
        prefix=prefix,
    )
    if item is not None and item.is_headline:
        del form.fields["hidden"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if item is None:
                item = services.add_item(person.organisation, **data)
                messages.success(request, _("Statement added."))
            else:
                services.update_item(item, **data)
                messages.success(request, _("Statement saved."))
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            return redirect("mirror-items")
    context = {"form": form, "item": item}
    return render(request, "centricity/item_edit.html", context)


@employee_required
@require_POST
def item_action(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    if action not in ("reset", "toggle", "delete"):
        raise Http404
    person = _person(request)
    item = get_scoped_or_404(person, MirrorItem, item_id)
    require(request, Action.DELETE if action == "delete" else Action.CHANGE, item)
    try:
        if action == "reset":
            services.reset_item(item)
            messages.success(request, _("The original wording is back."))
        elif action == "toggle":
            services.update_item(item, hidden=not item.hidden)
            messages.success(
                request, _("Statement hidden.") if item.hidden else _("Statement shown.")
            )
        else:
            services.delete_item(item)
            messages.success(request, _("Statement deleted."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("mirror-items")


@employee_required
def served(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    organisation = person.organisation
    teams = list(scoped(person, Team).filter(kind="team").order_by("name"))
    segments = list(scoped(person, Segment).order_by("name"))
    if request.method == "POST":
        _admin_only(person)
        for team in teams:
            chosen = {int(v) for v in request.POST.getlist(f"team-{team.pk}") if v.isdigit()}
            services.set_served_segments(team, [s for s in segments if s.pk in chosen])
        messages.success(request, _("Saved which teams serve which customers."))
        return redirect("mirror-served")
    mapping = services.served_segments(organisation)
    rows = [
        {
            "team": team,
            "cells": [{"segment": s, "on": s.pk in mapping.get(team.pk, set())} for s in segments],
        }
        for team in teams
    ]
    context = {"rows": rows, "segments": segments, "is_admin": person.is_admin}
    return render(request, "centricity/served.html", context)
