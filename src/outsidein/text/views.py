"""Pages of text analytics: the themes overview, a theme's detail (edit, merge, examples with
inline correction) and the correction of one analysis. Thin: parse, check, call a service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outsidein.analytics.stats import MINIMUM_N
from outsidein.core.permissions import Action, can
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import _form_errors_from, employee_required, require
from outsidein.text import forms, services
from outsidein.text.drivers import (
    DriverScope,
    analyses_in,
    theme_drivers,
    theme_drivers_per_month_and_whole,
)
from outsidein.text.models import FeedbackAnalysis, Sentiment, TextModel, Theme, ThemeStatus


def _days(request: HttpRequest, default: int = 90) -> int:
    try:
        days = int(request.GET.get("days", default))
    except ValueError:
        days = default
    return days if days in (30, 90, 365) else default


def _theme_breakdowns(organisation_id: int, name: str, days: int) -> dict[str, Any]:
    """One theme's figures over the last ``days``: in all, per segment, per team and per month
    (a row per group, also where the theme did not occur)."""

    scope = DriverScope(start=timezone.now() - timedelta(days=days))
    per_month, overall = theme_drivers_per_month_and_whole(
        organisation_id, scope=scope, themes=[name]
    )

    def rows(by: str) -> list[dict[str, Any]]:
        groups = theme_drivers(organisation_id, by=by, scope=scope, themes=[name])
        return [{"group": group, "theme": group.theme(name)} for group in groups]

    months: list[dict[str, Any]] = [
        {"group": group, "theme": group.theme(name)} for group in per_month
    ]
    return {
        "breakdowns": [
            (_("Per segment"), _("Segment"), rows("segment"), "per-segment"),
            (_("Per team"), _("Team"), rows("team"), "per-team"),
            (_("Per month"), _("Month"), months, "per-month"),
        ],
        "period_choices": (30, 90, 365),
        "figures": overall[0].theme(name) if overall else None,
        "all_comments": overall[0] if overall else None,
        "per_month": months,
        "peak": max((row["theme"].volume for row in months if row["theme"]), default=0),
        "minimum_n": MINIMUM_N,
    }


@employee_required
def themes_overview(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    days = _days(request)
    now = timezone.now()
    start = now - timedelta(days=days)
    drivers = _drivers_breakdown(request, person, days=days, start=start)
    # The table: the period above, narrowed to the breakdown's segment and team.
    table_scope = DriverScope(
        start=start, segment_id=drivers["scope"].segment_id, team_id=drivers["scope"].team_id
    )
    figures = services.theme_figures(
        person.organisation_id,
        start=table_scope.start,
        segment_id=table_scope.segment_id,
        team_id=table_scope.team_id,
    )
    themes = {t.name: t for t in scoped(person, Theme)}
    examples = _examples(
        person.organisation_id, table_scope, [i["name"] for i in figures["themes"]]
    )
    rows = [
        {**item, "theme": themes.get(item["name"]), "examples": examples.get(item["name"], [])}
        for item in figures["themes"]
    ]
    context = {
        "days": days,
        "total": figures["total"],
        "rows": rows,
        "unused": [t for name, t in themes.items() if name not in {r["name"] for r in rows}],
        "models": scoped(person, TextModel).order_by("kind", "language"),
        "emerging": services.emerging_themes(person.organisation_id, now=now),
        "form": forms.ThemeForm(organisation=person.organisation),
        "may_edit": can(person, Action.CREATE, Theme),
        "drivers": drivers,
    }
    return render(request, "text/themes.html", context)


EXAMPLE_POOL = 1000  # the latest comments in scope the examples are chosen from


def _examples(organisation_id: int, scope: DriverScope, names: list[str]) -> dict[str, list[Any]]:
    """Per theme two examples: of its most negative comments among the latest ones received in
    the table's period, segment and team, those it is clearest about. One bounded query along
    the index of the latest feedback (it stops after ``EXAMPLE_POOL`` rows, however many
    comments there are), one pass over them, and the chosen ones fetched."""
    pool = list(
        analyses_in(organisation_id, scope)
        .filter(feedback__organisation_id=organisation_id)
        .order_by("-feedback__submitted_at", "-feedback_id")
        .values_list("pk", "score", "themes")[:EXAMPLE_POOL]
    )
    wanted_names = set(names)
    with_theme: dict[str, list[tuple[int, float, dict[str, Any]]]] = {}
    for row in pool:
        for name in row[2] or {}:
            if name in wanted_names:
                with_theme.setdefault(name, []).append(row)
    chosen: dict[str, list[int]] = {}
    for name in names:
        worst = sorted(with_theme.get(name, []), key=lambda row: row[1])
        clearest = sorted(worst[:20], key=lambda row: -float(row[2].get(name, 0)))[:2]
        chosen[name] = [row[0] for row in clearest]
    wanted = {pk for pks in chosen.values() for pk in pks}
    found = FeedbackAnalysis.objects.filter(pk__in=wanted).select_related("feedback").in_bulk()
    return {name: [found[pk] for pk in pks if pk in found] for name, pks in chosen.items()}


def _drivers_breakdown(
    request: HttpRequest, person: Any, *, days: int, start: Any
) -> dict[str, Any]:
    """The overview's breakdown: the themes' figures per segment, team or month, within the
    chosen segment and team (an unknown choice falls back to everything)."""

    query = request.GET.copy()
    query["days"] = str(days)  # the period the page shows (an unknown one falls back to 90)
    form = forms.DriversForm(query, organisation=person.organisation)
    form.is_valid()  # the valid choices count; an invalid one is left out
    chosen: dict[str, Any] = form.cleaned_data
    scope = DriverScope(
        start=start,
        segment_id=chosen["segment"].pk if chosen.get("segment") else None,
        team_id=chosen["team"].pk if chosen.get("team") else None,
    )
    by = chosen.get("by") or None
    groups = theme_drivers(person.organisation_id, by=by, scope=scope) if by else []
    return {
        "form": form,
        "by": by,
        "scope": scope,
        "groups": groups,
        "has_csat": any(group.has_csat for group in groups),
        "minimum_n": MINIMUM_N,
    }


@employee_required
@require_POST
def theme_create(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    require(request, Action.CREATE, Theme)
    form = forms.ThemeForm(request.POST, organisation=person.organisation)
    if form.is_valid():
        try:
            theme = services.save_theme(person.organisation, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Theme “%(name)s” added.") % {"name": theme.name})
            return redirect("text-theme", theme.pk)
    for error in form.errors.values():
        messages.error(request, " ".join(str(e) for e in error))
    return redirect("text-themes")


@employee_required
def theme_detail(request: HttpRequest, theme_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    theme = get_scoped_or_404(person, Theme, theme_id)
    may_edit = can(person, Action.CHANGE, theme)
    form = forms.ThemeForm(
        request.POST or None,
        organisation=person.organisation,
        initial={
            "name": theme.name,
            "description": theme.description,
            "keywords": theme.keywords,
            "owner_team": theme.owner_team,
            "status": theme.status,
        },
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Your role does not allow this."))
        if form.is_valid():
            try:
                services.save_theme(person.organisation, theme=theme, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors_from(exc, form)
            else:
                messages.success(request, _("Theme saved."))
                return redirect("text-theme", theme.pk)
    analyses = (
        scoped(person, FeedbackAnalysis)
        .filter(themes__has_key=theme.name)
        .select_related("feedback")
        .order_by("-pk")[:30]  # the latest analysed (newest first, without sorting them all)
    )
    days = _days(request, default=365)
    context = {
        "theme": theme,
        "form": form,
        "may_edit": may_edit,
        "days": days,
        **_theme_breakdowns(person.organisation_id, theme.name, days),
        "analyses": analyses,
        "may_correct": can(person, Action.CHANGE, FeedbackAnalysis),
        "all_themes": scoped(person, Theme).exclude(pk=theme.pk),
        "theme_names": list(scoped(person, Theme).values_list("name", flat=True)),
        "sentiments": Sentiment.choices,
    }
    return render(request, "text/theme_detail.html", context)


@employee_required
@require_POST
def theme_merge(request: HttpRequest, theme_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    theme = get_scoped_or_404(person, Theme, theme_id)
    require(request, Action.CHANGE, theme)
    source = get_scoped_or_404(person, Theme, request.POST.get("source"))
    try:
        services.merge_themes(theme, [source])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” merged into this theme.") % {"name": source.name})
    return redirect("text-theme", theme.pk)


@employee_required
@require_POST
def theme_delete(request: HttpRequest, theme_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    theme = get_scoped_or_404(person, Theme, theme_id)
    require(request, Action.DELETE, theme)
    services.delete_theme(theme)
    messages.success(request, _("Theme dropped."))
    return redirect("text-themes")


@employee_required
@require_POST
def theme_accept(request: HttpRequest, theme_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    theme = get_scoped_or_404(person, Theme, theme_id)
    require(request, Action.CHANGE, theme)
    from outsidein.text import discovery

    if theme.status == ThemeStatus.CANDIDATE:
        discovery.accept_candidate(theme)  # the same as on the overview: its comments re-analysed
    return redirect("text-theme", theme.pk)


@employee_required
@require_POST
def correct(request: HttpRequest, analysis_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    analysis = get_scoped_or_404(person, FeedbackAnalysis, analysis_id)
    require(request, Action.CHANGE, analysis)
    form = forms.CorrectionForm(request.POST, organisation=person.organisation)
    if form.is_valid():
        try:
            services.correct_analysis(
                analysis,
                sentiment=form.cleaned_data["sentiment"],
                themes=form.cleaned_data["themes"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you: the correction is kept and learnt from."))
    else:
        messages.error(request, _("The correction could not be saved."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/") and not back.startswith("//") else "text-themes")


@employee_required
@require_POST
def reanalyse(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    require(request, Action.CHANGE, TextModel)
    job = services.start_reanalysis(person.organisation, person)
    messages.success(request, _("Re-analysis started; follow it on the job page."))
    return redirect("job-detail", job.pk)


def _similar(person: Any, feedback: Any) -> list[tuple[Any, float]]:
    """Comments like this one that the person may see (nearest sentence embeddings)."""
    from outsidein.text.similarity import similar_feedback
    from outsidein.voice.models import Feedback

    found = similar_feedback(person.organisation_id, feedback.pk, scoped(person, Feedback))
    items = scoped(person, Feedback).in_bulk([pk for pk, _score in found])
    return [(items[pk], score) for pk, score in found if pk in items]


def feedback_text_panel(request: HttpRequest, feedback: Any) -> tuple[str, dict[str, Any]] | None:
    """On a feedback item's page: its language, sentiment and themes, with the correction form
    (a correction is kept and becomes a strong label for the next model)."""
    person = request.person  # type: ignore[attr-defined]
    analysis = FeedbackAnalysis.objects.filter(
        organisation_id=person.organisation_id, feedback_id=feedback.pk
    ).first()
    if analysis is None and not (feedback.comment or feedback.subject):
        return None
    return (
        "text/_feedback_panel.html",
        {
            "analysis": analysis,
            "similar": _similar(person, feedback),
            "may_correct": can(person, Action.CHANGE, FeedbackAnalysis),
            "theme_names": list(scoped(person, Theme).values_list("name", flat=True)),
            "sentiments": Sentiment.choices,
        },
    )


# ----------------------------------------------------------------------------- theme discovery


@employee_required
@require_POST
def discover(request: HttpRequest) -> HttpResponse:
    """Start theme discovery over the recent comments (a Job: the page never waits)."""
    from outsidein.text import discovery

    person = request.person  # type: ignore[attr-defined]
    require(request, Action.CREATE, Theme)
    try:
        discovery.start_discovery(
            person.organisation, person, days=request.POST.get("days") or discovery.DEFAULT_DAYS
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("text-themes")
    messages.success(
        request,
        _("Theme discovery started; the candidates appear below when it is done."),
    )
    return _to_candidates()


def _to_candidates() -> HttpResponse:
    from django.urls import reverse

    return redirect(reverse("text-themes") + "#candidates")


def _candidate_action(request: HttpRequest, theme_id: int, act: Any) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    theme = get_scoped_or_404(person, Theme, theme_id)
    require(request, Action.CHANGE, theme)
    try:
        message = act(person, theme)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, message)
    return _to_candidates()


@employee_required
@require_POST
def candidate_accept(request: HttpRequest, theme_id: int) -> HttpResponse:
    from outsidein.text import discovery

    def act(person: Any, theme: Theme) -> str:
        discovery.accept_candidate(theme)
        return _("“%(name)s” is now one of the themes; its comments are analysed again.") % {
            "name": theme.name
        }

    return _candidate_action(request, theme_id, act)


@employee_required
@require_POST
def candidate_rename(request: HttpRequest, theme_id: int) -> HttpResponse:
    from outsidein.text import discovery

    def act(person: Any, theme: Theme) -> str:
        discovery.rename_candidate(theme, request.POST.get("name", ""))
        return _("Candidate renamed to “%(name)s”.") % {"name": theme.name}

    return _candidate_action(request, theme_id, act)


@employee_required
@require_POST
def candidate_merge(request: HttpRequest, theme_id: int) -> HttpResponse:
    from outsidein.text import discovery

    def act(person: Any, theme: Theme) -> str:
        target = get_scoped_or_404(person, Theme, request.POST.get("target") or 0)
        name = theme.name
        discovery.merge_candidate(theme, target)
        return _("“%(name)s” merged into “%(target)s”.") % {"name": name, "target": target.name}

    return _candidate_action(request, theme_id, act)
