"""Pages of mystery shopping. Thin: parse the request, check permission, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from outsidein.core.models import Person, Team
from outsidein.core.permissions import Action, can
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import _form_errors_from, employee_required, require
from outsidein.mystery import results as mystery_results
from outsidein.mystery import services
from outsidein.mystery.forms import (
    AssignmentFilterForm,
    ProgrammeForm,
    ReportForm,
    ResultsForm,
    ScenarioForm,
    SkipForm,
)
from outsidein.mystery.models import Answer, Assignment, AssignmentStatus, Scenario
from outsidein.mystery.permissions import may_manage_assignment, may_report


def _person(request: HttpRequest) -> Person:
    person: Person = request.person  # type: ignore[attr-defined]
    return person


def _may_manage(person: Person) -> bool:
    return person.is_admin or person.is_manager


def _link(name: str, pk: int | None) -> str:
    """A page of the practice app, if it has one yet."""
    if pk is None:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


# --- my shops ---------------------------------------------------------------------------------


@employee_required
def mine(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    today = timezone.localdate()
    shops = Assignment.objects.filter(
        organisation_id=person.organisation_id, person=person, assigned_on__lte=today
    ).select_related("scenario")
    open_shops = list(shops.filter(status=AssignmentStatus.ASSIGNED).order_by("due_on", "pk"))
    history = list(shops.exclude(status=AssignmentStatus.ASSIGNED).order_by("-assigned_on", "-pk"))
    context = {
        "open_shops": open_shops,
        "history": history,
        "today": today,
        "programme": services.programme_for(person.organisation),
        "may_manage": _may_manage(person),
    }
    return render(request, "mystery/mine.html", context)


@employee_required
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    person = _person(request)
    assignment = get_scoped_or_404(person, Assignment, assignment_id)
    scenario = assignment.scenario
    reporting = assignment.is_open and may_report(person, assignment)
    form = ReportForm(request.POST or None, scenario=scenario) if reporting else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only the shopper reports an open mystery shop."))
        if form.is_valid():
            checklist, scores = form.answers()
            try:
                services.submit_report(
                    assignment,
                    by=person,
                    checklist=checklist,
                    scores=scores,
                    observations=form.cleaned_data["observations"],
                    shopped_on=form.cleaned_data["shopped_on"],
                    follow_up=form.cleaned_data["follow_up"],
                    proposal=form.cleaned_data["proposal"],
                )
            except ValidationError as exc:
                _form_errors_from(exc, form)
            else:
                assignment.refresh_from_db()
                messages.success(
                    request,
                    _("Thank you: your mystery shop is reported (score %(score)s).")
                    % {"score": "–" if assignment.score is None else assignment.score},
                )
                return redirect("mystery-assignment", assignment_id=assignment.pk)
        else:
            try:
                services.check_answers(scenario, *form.answers())
            except ValidationError as exc:
                _form_errors_from(exc, form)
    answers = []
    if assignment.status == AssignmentStatus.DONE:
        labels = dict(Answer.choices)
        for item in scenario.checklist:
            value = assignment.checklist_answers.get(item["key"])
            answers.append(
                {"label": item["label"], "kind": "check", "value": value, "text": labels.get(value)}
            )
        for item in scenario.scoring:
            value = assignment.item_scores.get(item["key"])
            answers.append({"label": item["label"], "kind": "score", "value": value})
    today = timezone.localdate()
    context = {
        "assignment": assignment,
        "scenario": scenario,
        "form": form,
        "answers": answers,
        "today": today,
        "overdue": assignment.is_overdue(today),
        "follow_up_open": form is not None
        and any(form[name].value() or form.errors.get(name) for name in ("follow_up", "proposal")),
        "case_url": _link("case-detail", assignment.case_id),
        "decision_url": _link("decision-detail", assignment.decision_id),
        "skip_form": SkipForm()
        if assignment.is_open
        and assignment.person_id != person.pk
        and may_manage_assignment(person, assignment)
        else None,
        "mine": assignment.person_id == person.pk,
    }
    return render(request, "mystery/assignment.html", context)


@employee_required
@require_POST
def assignment_skip(request: HttpRequest, assignment_id: int) -> HttpResponse:
    person = _person(request)
    assignment = get_scoped_or_404(person, Assignment, assignment_id)
    require(request, Action.CHANGE, assignment)
    form = SkipForm(request.POST)
    form.is_valid()
    try:
        services.skip_assignment(assignment, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The mystery shop is skipped."))
    return redirect("mystery-assignment", assignment_id=assignment.pk)


# --- team overview and planning -----------------------------------------------------------------

SHOPS_PER_PAGE = 50


@employee_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    today = timezone.localdate()
    teams = scoped(person, Team)
    if not person.is_admin:
        from outsidein.core.permissions import managed_team_ids

        teams = teams.filter(pk__in=managed_team_ids(person))
    scenarios = scoped(person, Scenario)
    form = AssignmentFilterForm(request.GET or None, teams=teams, scenarios=scenarios)
    shops = scoped(person, Assignment).select_related("scenario", "person", "team")
    if form.is_valid():
        status = form.cleaned_data["status"]
        if status == "overdue":
            shops = shops.filter(status=AssignmentStatus.ASSIGNED, due_on__lt=today)
        elif status:
            shops = shops.filter(status=status)
        if form.cleaned_data["team"]:
            shops = shops.filter(team_id=form.cleaned_data["team"])
        if form.cleaned_data["scenario"]:
            shops = shops.filter(scenario_id=form.cleaned_data["scenario"])
    shops = shops.order_by("-assigned_on", "person__name", "pk")
    page = Paginator(shops, SHOPS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        "today": today,
        "can_plan": can(person, Action.CREATE, Assignment),
        "programme": services.programme_for(person.organisation),
    }
    return render(request, "mystery/assignments.html", context)


@employee_required
@require_POST
def plan(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    require(request, Action.CREATE, Assignment)
    result = services.plan_assignments(person.organisation)
    if result.reason == "inactive":
        messages.error(request, _("Automatic planning is off in the mystery shopping settings."))
    elif result.reason == "no_scenarios":
        messages.error(request, _("There is no active scenario to assign yet."))
    else:
        count = len(result.created)
        messages.success(
            request,
            ngettext("%(n)d mystery shop assigned.", "%(n)d mystery shops assigned.", count)
            % {"n": count}
            if count
            else _("Everyone already has a mystery shop in this interval."),
        )
    return redirect("mystery-assignments")


# --- scenarios ---------------------------------------------------------------------------------


@employee_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    scenarios = (
        scoped(person, Scenario).select_related("team").order_by("-is_active", "touchpoint", "name")
    )
    rows = [
        {"scenario": scenario, "can_change": can(person, Action.CHANGE, scenario)}
        for scenario in scenarios
    ]
    context = {"rows": rows, "can_create": can(person, Action.CREATE, Scenario)}
    return render(request, "mystery/scenarios.html", context)


@employee_required
def scenario_edit(request: HttpRequest, scenario_id: int | None = None) -> HttpResponse:
    person = _person(request)
    scenario = get_scoped_or_404(person, Scenario, scenario_id) if scenario_id else None
    require(request, Action.CHANGE if scenario else Action.CREATE, scenario or Scenario)
    teams = scoped(person, Team)
    initial = ScenarioForm.initial_for(scenario) if scenario else None
    form = ScenarioForm(request.POST or None, initial=initial, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if scenario is None:
                scenario = services.create_scenario(person.organisation, **data)
                messages.success(request, _("Scenario %(name)s added.") % {"name": scenario.name})
            else:
                services.update_scenario(scenario, **data)
                messages.success(request, _("Scenario %(name)s saved.") % {"name": scenario.name})
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            return redirect("mystery-scenarios")
    context = {
        "form": form,
        "scenario": scenario,
        "can_delete": scenario is not None and can(person, Action.DELETE, scenario),
    }
    return render(request, "mystery/scenario_edit.html", context)


@employee_required
@require_POST
def scenario_delete(request: HttpRequest, scenario_id: int) -> HttpResponse:
    person = _person(request)
    scenario = get_scoped_or_404(person, Scenario, scenario_id)
    require(request, Action.DELETE, scenario)
    try:
        services.delete_scenario(scenario)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("mystery-scenario-edit", scenario_id=scenario.pk)
    messages.success(request, _("Scenario deleted."))
    return redirect("mystery-scenarios")


# --- results and settings ------------------------------------------------------------------------


@employee_required
def results(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    from outsidein.core.periods import Window, parse_window, period_choices

    form = ResultsForm(request.GET or None)
    months = form.cleaned_data["months"] if form.is_valid() else None
    today = timezone.localdate()
    error = ""
    if months:  # the older "last N months" links: a rolling window up to today
        window = Window.days(round(months * 30.44), today)
    else:
        try:
            window = parse_window(request.GET.get("period"), today, default="quarter")
        except ValueError as exc:
            error, window = str(exc), parse_window("", today, default="quarter")
    organisation_id = person.organisation_id
    found = mystery_results.results(organisation_id, window.first, window.end, today)
    coverage = mystery_results.coverage(organisation_id, window.end)
    context = {
        "window": window,
        "periods": period_choices(today),
        "period_error": error,
        "form": form,
        "results": found,
        "coverage": coverage,
        "target": 90,
        "minimum_shops": mystery_results.MINIMUM_SHOPS,
        "chart": found.trend,
        "may_manage": _may_manage(person),
    }
    return render(request, "mystery/results.html", context)


@employee_required
def programme_settings(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if not person.is_admin:
        raise PermissionDenied(_("Your role does not allow this."))
    programme = services.programme_for(person.organisation)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ProgrammeForm.Meta.fields}
        try:
            services.update_programme(person.organisation, **fields)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Mystery shopping settings saved."))
            return redirect("mystery-assignments")
    return render(request, "mystery/settings.html", {"form": form})
