"""Staff pages of the ideas portal: the list with filters and numbers, insights (top ideas
overall and per segment, answers per team), and an idea's page with triage. Thin: parse, check
permission, call a service, render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outsidein.core.models import Customer, Team
from outsidein.core.permissions import Action, can, managed_team_ids
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import _form_errors_from, employee_required, require
from outsidein.ideas import duplicates, services
from outsidein.ideas.forms import (
    IdeaFilterForm,
    LinkDecisionForm,
    MergeForm,
    StaffCommentForm,
    StaffIdeaForm,
    StatusForm,
    TeamForm,
)
from outsidein.ideas.models import Idea
from outsidein.ideas.permissions import may_assign_to

PER_PAGE = 25


def _portal_url(request: HttpRequest) -> str:
    return reverse("ideas-portal", args=[request.organisation.slug])  # type: ignore[attr-defined]


def _answered_context(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    """The norm figure "ideas answered" for ``?period=`` (default: the last complete month)."""
    from outsidein.core.periods import parse_window, period_choices
    from outsidein.practice.registry import SMALL_N

    today = timezone.localdate()
    error = ""
    try:
        window = parse_window(request.GET.get("period"), today)
    except ValueError as exc:
        error, window = str(exc), parse_window("", today)
    return {
        "answered": services.answered_figure(organisation_id, window),
        "window": window,
        "periods": period_choices(today),
        "period_error": error,
        "small_n": SMALL_N,
    }


@employee_required
def idea_list(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    form = IdeaFilterForm(request.GET or None, organisation_id=person.organisation_id)
    ideas = scoped(person, Idea).select_related("team", "segment", "author")
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}
    listed = services.filter_ideas(ideas, **filters)
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    stats = services.idea_stats(scoped(person, Idea))
    context = {
        **_answered_context(request, person.organisation_id),
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        "stats": stats,
        "portal_url": _portal_url(request),
        "waiting_since": timezone.now() - timedelta(days=services.TRIAGE_AFTER_DAYS),
    }
    template = "ideas/staff/_results.html" if request.htmx else "ideas/staff/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@employee_required
def insights(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    ideas = scoped(person, Idea)
    top = list(
        services.filter_ideas(
            ideas.filter(status__in=services.OPEN_STATUSES), sort="votes"
        ).select_related("team")[:10]
    )
    answered = _answered_context(request, person.organisation_id)
    figure = answered["answered"]
    context = {
        **answered,
        "stats": services.idea_stats(ideas),
        "top": top,
        "by_segment": services.top_by_segment(person.organisation_id),
        "by_team": [
            (team, stats, *(figure.by_team.get(team.pk, (None, 0)) if team else (None, 0)))
            for team, stats in services.team_stats(person.organisation_id)
        ],
        "triage_after_days": services.TRIAGE_AFTER_DAYS,
    }
    return render(request, "ideas/staff/insights.html", context)


def _decisions(person: Any) -> Any:
    """The decisions the person may cite evidence on (the practice app's policy when it has one)."""
    from outsidein.practice.models import Decision

    try:
        return scoped(person, Decision)
    except LookupError:  # the practice app registers no policy for decisions
        if not (person.is_admin or person.is_manager):
            return Decision.objects.none()
        return Decision.objects.filter(organisation_id=person.organisation_id)


def _may_cite_on(person: Any, decision: Any) -> bool:
    try:
        return can(person, Action.CHANGE, decision)
    except LookupError:
        return bool(person.is_admin or person.is_manager)


def _detail_context(request: HttpRequest, idea: Idea, **forms: Any) -> dict[str, Any]:
    person = request.person  # type: ignore[attr-defined]
    teams = scoped(person, Team)
    if not person.is_admin:
        teams = teams.filter(pk__in=managed_team_ids(person))
    candidates = (
        scoped(person, Idea)
        .filter(merged_into__isnull=True)
        .exclude(pk=idea.pk)
        .order_by("-vote_count", "-created_at")[:300]
    )
    likely = (
        duplicates.likely_duplicates(
            idea.organisation,
            idea.title,
            idea.description,
            among=scoped(person, Idea),
            exclude=[idea.pk],
        )
        if idea.merged_into_id is None
        else []
    )
    decisions = [
        d for d in _decisions(person).order_by("-created_at")[:200] if _may_cite_on(person, d)
    ]
    return {
        "idea": idea,
        "comments": idea.comments.select_related("participant", "person"),
        "history": idea.status_changes.select_related("person", "merged_into"),
        "voters": idea.votes.select_related("participant", "segment")[:100],
        "duplicates": idea.duplicates.all(),
        "likely_duplicates": [(found, can(person, Action.CHANGE, found.idea)) for found in likely],
        "decisions": services.decisions_citing(idea),
        "can_triage": can(person, Action.CHANGE, idea),
        "can_delete": can(person, Action.DELETE, idea),
        "can_comment": can(person, Action.CREATE, services.Comment),
        "status_form": forms.get("status_form")
        or StatusForm(initial={"status": idea.status, "reason": idea.decline_reason}),
        "team_form": forms.get("team_form")
        or TeamForm(initial={"team": idea.team_id}, teams=teams),
        "merge_form": forms.get("merge_form") or MergeForm(candidates=candidates),
        "comment_form": forms.get("comment_form") or StaffCommentForm(),
        "link_form": forms.get("link_form") or LinkDecisionForm(decisions=decisions),
        "public_url": reverse("ideas-portal-idea", args=[idea.organisation.slug, idea.pk])
        if idea.is_public
        else "",
    }


@employee_required
def idea_detail(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = get_scoped_or_404(request.person, Idea, idea_id)  # type: ignore[attr-defined]
    return render(request, "ideas/staff/detail.html", _detail_context(request, idea))


def _triage_target(request: HttpRequest, idea_id: int) -> Idea:
    idea = get_scoped_or_404(request.person, Idea, idea_id)  # type: ignore[attr-defined]
    require(request, Action.CHANGE, idea)
    return idea


@employee_required
@require_POST
def idea_status(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = _triage_target(request, idea_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_status(
                idea,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                person=request.person,  # type: ignore[attr-defined]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "decline_reason" in exc.error_dict:
                exc = ValidationError({"reason": exc.error_dict["decline_reason"]})
            _form_errors_from(exc, form)
        else:
            messages.success(
                request, _("Status saved. The author and voters who asked are told by email.")
            )
            return redirect("idea-detail", idea_id=idea.pk)
    idea.refresh_from_db()
    return render(
        request, "ideas/staff/detail.html", _detail_context(request, idea, status_form=form)
    )


@employee_required
@require_POST
def idea_team(request: HttpRequest, idea_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    idea = _triage_target(request, idea_id)
    form = TeamForm(request.POST, teams=scoped(person, Team))
    if form.is_valid():
        team_id = form.cleaned_data["team"]
        team = get_scoped_or_404(person, Team, team_id) if team_id else None
        if not may_assign_to(person, team):
            raise PermissionDenied(_("Managers hand ideas to their own teams only."))
        services.assign_team(idea, team)
        messages.success(request, _("Team saved."))
        return redirect("idea-detail", idea_id=idea.pk)
    return render(
        request, "ideas/staff/detail.html", _detail_context(request, idea, team_form=form)
    )


@employee_required
@require_POST
def idea_merge(request: HttpRequest, idea_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    idea = _triage_target(request, idea_id)
    candidates = scoped(person, Idea).filter(merged_into__isnull=True).exclude(pk=idea.pk)
    form = MergeForm(request.POST, candidates=candidates.filter(pk=request.POST.get("into") or 0))
    if form.is_valid():
        into = get_scoped_or_404(person, Idea, form.cleaned_data["into"])
        require(request, Action.CHANGE, into)
        try:
            services.merge(idea, into, person=person)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Merged. The votes now count on this idea."))
            return redirect("idea-detail", idea_id=into.pk)
    return render(
        request, "ideas/staff/detail.html", _detail_context(request, idea, merge_form=form)
    )


@employee_required
@require_POST
def idea_comment(request: HttpRequest, idea_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    idea = get_scoped_or_404(person, Idea, idea_id)
    require(request, Action.CREATE, services.Comment)
    form = StaffCommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(idea, text=form.cleaned_data["text"], person=person)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Your answer is on the portal."))
            return redirect("idea-detail", idea_id=idea.pk)
    return render(
        request, "ideas/staff/detail.html", _detail_context(request, idea, comment_form=form)
    )


@employee_required
@require_POST
def idea_link_decision(request: HttpRequest, idea_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    idea = get_scoped_or_404(person, Idea, idea_id)
    decisions = _decisions(person).filter(pk=request.POST.get("decision") or 0)
    form = LinkDecisionForm(request.POST, decisions=decisions)
    if form.is_valid():
        decision = decisions.get(pk=form.cleaned_data["decision"])
        if not _may_cite_on(person, decision):
            raise PermissionDenied(_("Your role does not allow this."))
        try:
            services.link_decision(idea, decision, person=person, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("The decision now cites this idea."))
            return redirect("idea-detail", idea_id=idea.pk)
    return render(
        request, "ideas/staff/detail.html", _detail_context(request, idea, link_form=form)
    )


@employee_required
@require_POST
def idea_delete(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = get_scoped_or_404(request.person, Idea, idea_id)  # type: ignore[attr-defined]
    require(request, Action.DELETE, idea)
    services.delete_idea(idea)
    messages.success(request, _("Idea deleted."))
    return redirect("idea-list")


@employee_required
def idea_create(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    require(request, Action.CREATE, Idea)
    customer = None
    customer_id = request.GET.get("customer") or request.POST.get("customer")
    if customer_id:
        customer = get_scoped_or_404(person, Customer, customer_id)
    form = StaffIdeaForm(
        request.POST or None,
        initial={
            "language": customer.language if customer else person.organisation.language,
            "email": customer.email if customer else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            author = services.participant_for_staff_entry(
                person.organisation,
                customer=customer,
                email=data["email"] or None,
                language=data["language"],
                notify=data["notify"],
            )
            idea = services.submit_idea(
                person.organisation,
                title=data["title"],
                description=data["description"],
                author=author,
                entered_by=person,
                customer=customer,
                language=data["language"],
                is_public=data["is_public"],
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Idea saved."))
            return redirect("idea-detail", idea_id=idea.pk)
    return render(request, "ideas/staff/create.html", {"form": form, "customer": customer})


def customer_ideas_panel(
    request: HttpRequest, customer: Customer
) -> tuple[str, dict[str, Any]] | None:
    """The customer's ideas (submitted or voted for) on their page."""
    person = request.person  # type: ignore[attr-defined]
    from django.db.models import Q

    ideas = (
        scoped(person, Idea)
        .filter(Q(customer=customer) | Q(votes__participant__customer=customer))
        .distinct()
        .order_by("-created_at")
    )
    return ("ideas/_customer_panel.html", {"ideas": ideas[:20], "customer": customer})
