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

from outsidein.core.permissions import Action, can
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import _form_errors_from, employee_required, require
from outsidein.text import forms, services
from outsidein.text.models import FeedbackAnalysis, Sentiment, TextModel, Theme, ThemeStatus


def _days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        days = 90
    return days if days in (30, 90, 365) else 90


@employee_required
def themes_overview(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    days = _days(request)
    now = timezone.now()
    figures = services.theme_figures(person.organisation_id, start=now - timedelta(days=days))
    themes = {t.name: t for t in scoped(person, Theme)}
    rows = []
    for item in figures["themes"]:
        theme = themes.get(item["name"])
        examples = (
            FeedbackAnalysis.objects.filter(
                organisation_id=person.organisation_id, themes__has_key=item["name"]
            )
            .select_related("feedback")
            .order_by("score")[:2]
        )
        rows.append({**item, "theme": theme, "examples": examples})
    context = {
        "days": days,
        "total": figures["total"],
        "rows": rows,
        "unused": [t for name, t in themes.items() if name not in {r["name"] for r in rows}],
        "models": scoped(person, TextModel).order_by("kind", "language"),
        "emerging": services.emerging_themes(person.organisation_id, now=now),
        "form": forms.ThemeForm(organisation=person.organisation),
        "may_edit": can(person, Action.CREATE, Theme),
    }
    return render(request, "text/themes.html", context)


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
        .order_by("-feedback__submitted_at")[:30]
    )
    figures = next(
        (
            item
            for item in services.theme_figures(person.organisation_id)["themes"]
            if item["name"] == theme.name
        ),
        None,
    )
    context = {
        "theme": theme,
        "form": form,
        "may_edit": may_edit,
        "figures": figures,
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
    services.merge_themes(theme, [source])
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
    services.save_theme(
        person.organisation,
        theme=theme,
        name=theme.name,
        description=theme.description,
        keywords=theme.keywords,
        owner_team=theme.owner_team,
        status=ThemeStatus.ACCEPTED,
    )
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
            "may_correct": can(person, Action.CHANGE, FeedbackAnalysis),
            "theme_names": list(scoped(person, Theme).values_list("name", flat=True)),
            "sentiments": Sentiment.choices,
        },
    )
