"""Pages of the practice app: My work, the queue and its items, customer contacts and coverage,
the decision register, the Practices overview and the practice settings. Thin: parse, check
permission, call a service, render."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from outsidein.core.models import Team
from outsidein.core.periods import parse_window, period_choices
from outsidein.core.permissions import Action, can
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import _form_errors_from, employee_required, require
from outsidein.practice import forms, overview, registry, reports, services
from outsidein.practice.models import (
    Case,
    CaseStatus,
    Contact,
    Decision,
    DecisionStatus,
    Evidence,
    RootCause,
    RoutingRule,
    ServiceTarget,
)
from outsidein.practice.permissions import may_assign_case, may_work_case


def customer_practice_panel(request: HttpRequest, customer: Any) -> tuple[str, dict[str, Any]]:
    """On the customer's page: their items in the queue and who spoke with them."""
    person = request.person  # type: ignore[attr-defined]
    cases = scoped(person, Case).filter(customer=customer).select_related("team", "owner")
    contacts = scoped(person, Contact).filter(customer=customer).select_related("person")
    return (
        "practice/_customer_panel.html",
        {
            "cases": cases[:10],
            "open": cases.exclude(status=CaseStatus.CLOSED).count(),
            "contacts": contacts[:5],
            "customer": customer,
            "now": timezone.now(),
        },
    )


# --- my work -------------------------------------------------------------------------------------


@employee_required
def my_work(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    now = timezone.now()
    items = [item for source in registry.work_sources() for item in source(person)]
    far = now + timedelta(days=3650)

    # Customer items first; within each, breached items by how long ago they were due, then
    # the rest by deadline, then by age.
    def order(item: registry.WorkItem) -> tuple[Any, ...]:
        return (
            not item.is_customer,
            not item.breached(now),
            item.due_at or far,
            item.opened_at or far,
        )

    items.sort(key=order)
    customer_items = [item for item in items if item.is_customer]
    internal_items = [item for item in items if not item.is_customer]
    this_month = timezone.localdate().replace(day=1)
    my_contacts = Contact.objects.filter(person=person, happened_on__gte=this_month).count()
    context = {
        "customer_items": customer_items,
        "internal_items": internal_items,
        "breached": sum(1 for item in customer_items if item.breached(now)),
        "now": now,
        "my_contacts": my_contacts,
        "contacts_needed": services.settings_for(person.organisation_id).contacts_per_month,
    }
    return render(request, "practice/my_work.html", context)


# --- the queue -----------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[date, date, int]:
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        days = 90
    days = days if days in (30, 90, 365) else 90
    today = timezone.localdate()
    return today - timedelta(days=days - 1), today, days


@employee_required
def queue(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = "active"
    form = forms.QueueFilterForm(data, organisation_id=person.organisation_id)
    cases = scoped(person, Case).select_related("team", "owner", "customer")
    now = timezone.now()
    if form.is_valid():
        chosen = form.cleaned_data
        if chosen["status"] == "active":
            cases = cases.exclude(status=CaseStatus.CLOSED)
        elif chosen["status"]:
            cases = cases.filter(status=chosen["status"])
        if chosen["kind"]:
            cases = cases.filter(kind=chosen["kind"])
        if chosen["team"]:
            cases = cases.filter(team=chosen["team"])
        if chosen["view"] == "mine":
            cases = cases.filter(owner=person)
        elif chosen["view"] == "unowned":
            cases = cases.filter(owner__isnull=True)
        elif chosen["view"] == "breached":
            cases = cases.exclude(status=CaseStatus.CLOSED).filter(services.breached_q(now))
    # Unanswered items first (NULLs sort last on PostgreSQL unless told), then by deadline.
    cases = cases.order_by(
        F("first_response_at").asc(nulls_first=True),
        F("first_response_due").asc(nulls_last=True),
        "opened_at",
    )
    page = Paginator(cases, 30).get_page(request.GET.get("page"))
    start, end, days = _period(request)
    totals, loop, team_rows = reports.queue_report(person.organisation_id, start, end, now)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "now": now,
        "totals": totals,
        "loop": loop,
        "team_rows": team_rows,
        "days": days,
        "query_string": query.urlencode(),
    }
    return render(request, "practice/queue.html", context)


def _case_context(request: HttpRequest, case: Case, **forms_given: Any) -> dict[str, Any]:
    person = request.person  # type: ignore[attr-defined]
    organisation_id = person.organisation_id
    close_form = forms_given.get("close_form") or forms.CloseForm(
        organisation_id=organisation_id,
        initial={"ask_customer": services.settings_for(organisation_id).ask_customer_if_solved},
    )
    return {
        "case": case,
        "notes": case.notes.select_related("author"),
        "respond_form": forms_given.get("respond_form") or forms.RespondForm(),
        "note_form": forms_given.get("note_form") or forms.NoteForm(),
        "assign_form": forms.AssignForm(
            organisation_id=organisation_id,
            initial={"owner": case.owner_id, "team": case.team_id},
        ),
        "close_form": close_form,
        "may_work": may_work_case(person, case),
        "may_assign": may_assign_case(person, case),
        "breached": case.is_breached(),
        "now": timezone.now(),
    }


@employee_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_scoped_or_404(request.person, Case, case_id)  # type: ignore[attr-defined]
    return render(request, "practice/case_detail.html", _case_context(request, case))


def _working_case(request: HttpRequest, case_id: int) -> Case:
    case = get_scoped_or_404(request.person, Case, case_id)  # type: ignore[attr-defined]
    if not may_work_case(request.person, case):  # type: ignore[attr-defined]
        raise PermissionDenied(_("Pick the item up first, or ask its team."))
    return case


@employee_required
@require_POST
def case_pick_up(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_scoped_or_404(request.person, Case, case_id)  # type: ignore[attr-defined]
    try:
        services.pick_up(case, request.person)  # type: ignore[attr-defined]
        messages.success(request, _("It is yours now."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("case-detail", case_id=case.pk)


@employee_required
@require_POST
def case_respond(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _working_case(request, case_id)
    form = forms.RespondForm(request.POST)
    if form.is_valid():
        try:
            services.respond(
                case,
                request.person,  # type: ignore[attr-defined]
                form.cleaned_data["text"],
                waiting=form.cleaned_data["waiting"],
            )
            messages.success(request, _("Contact recorded."))
            return redirect("case-detail", case_id=case.pk)
        except ValidationError as exc:
            _form_errors_from(exc, form)
    return render(
        request,
        "practice/case_detail.html",
        _case_context(request, case, respond_form=form),
    )


@employee_required
@require_POST
def case_note(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _working_case(request, case_id)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        services.add_note(case, request.person, form.cleaned_data["text"])  # type: ignore[attr-defined]
        messages.success(request, _("Note added."))
        return redirect("case-detail", case_id=case.pk)
    return render(
        request,
        "practice/case_detail.html",
        _case_context(request, case, note_form=form),
    )


@employee_required
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    case = get_scoped_or_404(person, Case, case_id)
    if not may_assign_case(person, case):
        raise PermissionDenied(_("Only managers and administrators assign items to others."))
    form = forms.AssignForm(request.POST, organisation_id=person.organisation_id)
    if form.is_valid():
        try:
            services.assign(
                case, form.cleaned_data["owner"], by=person, team=form.cleaned_data["team"]
            )
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose a person and a team from the lists."))
    return redirect("case-detail", case_id=case.pk)


@employee_required
@require_POST
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _working_case(request, case_id)
    person = request.person  # type: ignore[attr-defined]
    form = forms.CloseForm(request.POST, organisation_id=person.organisation_id)
    if form.is_valid():
        try:
            services.close_case(
                case,
                person,
                learned=form.cleaned_data["learned"],
                root_cause=form.cleaned_data["root_cause"],
                loop=form.cleaned_data["loop"],
                ask_customer=form.cleaned_data["ask_customer"],
            )
            if case.decision_id:
                messages.success(
                    request,
                    _("Closed. The structural fix is now a proposal in the decision register."),
                )
            else:
                messages.success(request, _("Closed."))
            return redirect("case-detail", case_id=case.pk)
        except ValidationError as exc:
            case.refresh_from_db()
            _form_errors_from(exc, form)
    return render(
        request,
        "practice/case_detail.html",
        _case_context(request, case, close_form=form),
    )


@employee_required
@require_POST
def case_reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _working_case(request, case_id)
    services.reopen(case, request.person)  # type: ignore[attr-defined]
    messages.success(request, _("Reopened."))
    return redirect("case-detail", case_id=case.pk)


@csrf_exempt  # no session here: the signed token in the URL is the credential
def case_solved(request: HttpRequest, token: str, answer: str) -> HttpResponse:
    """The customer's answer from the email: is the issue solved? No login. The link only
    shows the question with their choice; the answer counts when they press the button (a
    POST), so mail scanners that open every link change nothing."""
    from django.utils import translation

    from outsidein.core import ratelimit

    if ratelimit.hit("solved", ratelimit.client_address(request), window=60) > 30:
        return render(request, "practice/solved.html", {"state": "busy"}, status=429)
    case = services.case_for_solved_token(token)
    if case is None or answer not in ("yes", "no"):
        return render(request, "practice/solved.html", {"state": "invalid"}, status=404)
    language = case.customer.language if case.customer else case.organisation.language
    translation.activate(language)
    request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
    context = {"case": case, "organisation": case.organisation, "token": token, "answer": answer}
    if request.method == "POST":
        services.record_customer_answer(case, answer == "yes")
        return render(request, "practice/solved.html", {**context, "state": answer})
    return render(request, "practice/solved.html", {**context, "state": "ask"})


# --- contacts ------------------------------------------------------------------------------------


@employee_required
def contact_log(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    form = forms.ContactForm(request.POST or None, organisation_id=person.organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.log_contact(
                person,
                kind=form.cleaned_data["kind"],
                customer=form.cleaned_data["customer"],
                happened_on=form.cleaned_data["happened_on"],
                learned=form.cleaned_data["learned"],
                to_inbox=form.cleaned_data["to_inbox"],
            )
            messages.success(
                request,
                _("Contact logged. Thank you for speaking with a customer!")
                if not contact.feedback_id
                else _("Contact logged, and the learning is in the feedback inbox."),
            )
            return redirect("contact-log")
        except ValidationError as exc:
            _form_errors_from(exc, form)
    recent = scoped(person, Contact).filter(person=person).select_related("customer")[:10]
    suggestions = (
        scoped(person, Contact)
        .filter(person=person, customer__isnull=False)
        .values_list("customer__name", flat=True)
        .distinct()[:20]
    )
    this_month = timezone.localdate().replace(day=1)
    context = {
        "form": form,
        "recent": recent,
        "suggestions": suggestions,
        "this_month_count": Contact.objects.filter(
            person=person, happened_on__gte=this_month
        ).count(),
        "needed": services.settings_for(person.organisation_id).contacts_per_month,
    }
    return render(request, "practice/contact_log.html", context)


@employee_required
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    contact = get_scoped_or_404(person, Contact, contact_id)
    if request.method == "POST":
        require(request, Action.CHANGE, contact)
        action = request.POST.get("action")
        try:
            if action == "delete":
                require(request, Action.DELETE, contact)
                services.delete_contact(contact)
                messages.success(request, _("Contact deleted."))
                return redirect("contact-log")
            if action == "inbox":
                services.send_contact_to_inbox(contact)
                messages.success(request, _("The learning is in the feedback inbox."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("contact-detail", contact_id=contact.pk)
    return render(
        request,
        "practice/contact_detail.html",
        {"contact": contact, "may_change": can(person, Action.CHANGE, contact)},
    )


@employee_required
def contact_coverage(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    organisation_id = person.organisation_id
    today = timezone.localdate()
    minimum = services.settings_for(organisation_id).contacts_per_month
    error = ""
    try:
        window = parse_window(request.GET.get("period"), today)
    except ValueError as exc:
        error, window = str(exc), parse_window("", today)
    windows = window.back(8 if window.kind == "quarter" else 12)
    trend = [reports.coverage_report(organisation_id, w.first, w.end, minimum) for w in windows]
    current = trend[-1]
    teams = {team.pk: team for team in Team.objects.filter(organisation_id=organisation_id)}
    names = {pk: team.name for pk, team in teams.items()}
    ranked = reports.metrics.ranked_teams(
        {k: v for k, v in current.by_team.items() if k is not None}, names
    )
    managed = None
    if person.is_manager:
        from outsidein.core.permissions import managed_team_ids

        managed = managed_team_ids(person)
    chart = {
        "labels": [w.key + (" *" if w.running else "") for w in windows],
        "partial": [w.running for w in windows],
        "series": [
            {"label": str(_("Everyone")), "values": [r.organisation.pct for r in trend]},
            {
                "label": str(_("Customer-facing roles")),
                "values": [r.customer_facing.pct for r in trend],
            },
            {"label": str(_("Other roles")), "values": [r.others.pct for r in trend]},
        ],
        "target": 80,
    }
    context = {
        "current": current,
        "trend": trend,
        "rows": list(zip(windows, trend, strict=True))[::-1],
        "window": window,
        "periods": period_choices(today),
        "period_error": error,
        "small_n": registry.SMALL_N,
        "enough": registry.enough(current.organisation.n),
        "ranked": ranked,
        "managed": managed,
        "chart": chart,
        "minimum": minimum,
    }
    return render(request, "practice/coverage.html", context)


# --- decisions -----------------------------------------------------------------------------------


@employee_required
def decision_list(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    decisions = (
        scoped(person, Decision).select_related("owner", "team").prefetch_related("evidence")
    )
    status = request.GET.get("status", "")
    if status in DecisionStatus.values:
        decisions = decisions.filter(status=status)
    if request.GET.get("input") == "none":
        decisions = decisions.filter(without_customer_input=True)
    page = Paginator(decisions, 30).get_page(request.GET.get("page"))
    today = timezone.localdate()
    facts = reports.decision_facts(person.organisation_id, today - timedelta(days=730), today)
    teams = {
        team.pk: team.name for team in Team.objects.filter(organisation_id=person.organisation_id)
    }
    quarters = sorted({fact.quarter for fact in facts})[-4:]
    table = []
    grid = reports.input_by(facts, "team_id")
    for team_id in sorted({f.team_id for f in facts}, key=lambda t: teams.get(t, "") if t else "~"):
        cells = []
        for quarter in quarters:
            subset = [f.with_input for f in facts if f.team_id == team_id and f.quarter == quarter]
            cells.append(reports.metrics.input_share(subset))
        table.append(
            (teams.get(team_id, _("No team")) if team_id else _("No team"), cells, grid[team_id])
        )
    org_cells = [
        reports.metrics.input_share(f.with_input for f in facts if f.quarter == quarter)
        for quarter in quarters
    ]
    context = {
        "page": page,
        "status": status,
        "statuses": DecisionStatus.choices,
        "quarters": quarters,
        "table": table,
        "org_cells": org_cells,
        "may_create": can(person, Action.CREATE, Decision),
    }
    return render(request, "practice/decision_list.html", context)


def _decision_form_values(form: forms.DecisionForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.DECISION_FIELDS}


@employee_required
def decision_edit(request: HttpRequest, decision_id: int | None = None) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    decision = get_scoped_or_404(person, Decision, decision_id) if decision_id else None
    require(request, Action.CHANGE if decision else Action.CREATE, decision or Decision)
    initial: dict[str, Any] = {"owner": person.pk, "team": person.team_id, "status": "proposed"}
    evidence: list[tuple[str, int]] = []
    if decision is None:
        for key in registry.evidence_kinds():
            value = request.GET.get(key, "")
            if value.isascii() and value.isdigit():
                evidence.append((key, int(value)))
        if request.GET.get("title"):
            initial["title"] = request.GET["title"][:200]
    else:
        initial = {name: getattr(decision, name) for name in services.DECISION_FIELDS}
        initial["owner"], initial["team"] = decision.owner_id, decision.team_id
    form = forms.DecisionForm(
        request.POST or None, organisation_id=person.organisation_id, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            if decision is None:
                decision = services.create_decision(
                    person.organisation,
                    evidence=evidence,
                    added_by=person,
                    **_decision_form_values(form),
                )
            else:
                services.update_decision(decision, **_decision_form_values(form))
            messages.success(request, _("Decision saved."))
            return redirect("decision-detail", decision_id=decision.pk)
        except ValidationError as exc:
            _form_errors_from(exc, form)
    evidence_errors: list[str] = []
    try:
        pending = services.resolve_citable(person, evidence)
    except ValidationError as exc:
        pending, evidence_errors = {}, exc.messages
    return render(
        request,
        "practice/decision_edit.html",
        {
            "form": form,
            "decision": decision,
            "pending": list(pending.values()),
            "evidence_errors": evidence_errors,
        },
    )


@employee_required
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    decision = get_scoped_or_404(person, Decision, decision_id)
    form = forms.EvidenceForm(organisation_id=person.organisation_id)
    return render(
        request, "practice/decision_detail.html", _decision_context(request, decision, form)
    )


def _decision_context(request: HttpRequest, decision: Decision, form: Any) -> dict[str, Any]:
    person = request.person  # type: ignore[attr-defined]
    return {
        "decision": decision,
        "cited": services.cited_evidence(decision),
        "evidence_form": form,
        "may_change": can(person, Action.CHANGE, decision),
        "recipients": len(services.recipients_to_tell(decision)),
        "source_cases": decision.source_cases.all(),
    }


@employee_required
@require_POST
def decision_evidence(request: HttpRequest, decision_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    decision = get_scoped_or_404(person, Decision, decision_id)
    require(request, Action.CHANGE, decision)
    if request.POST.get("remove"):
        evidence = get_scoped_or_404(person, Evidence, request.POST["remove"], decision=decision)
        try:
            services.remove_evidence(evidence)
            messages.success(request, _("Evidence removed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("decision-detail", decision_id=decision.pk)
    form = forms.EvidenceForm(request.POST, organisation_id=person.organisation_id)
    if form.is_valid():
        try:
            services.add_evidence(
                decision,
                kind=form.cleaned_data["kind"],
                ref_id=form.cleaned_data["ref_id"],
                note=form.cleaned_data["note"],
                added_by=person,
            )
            messages.success(request, _("Evidence added."))
            return redirect("decision-detail", decision_id=decision.pk)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("reference", message)
    return render(
        request,
        "practice/decision_detail.html",
        _decision_context(request, decision, form),
    )


@employee_required
@require_POST
def decision_tell(request: HttpRequest, decision_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    decision = get_scoped_or_404(person, Decision, decision_id)
    require(request, Action.CHANGE, decision)
    try:
        sent = services.tell_customers(decision, person)
        messages.success(request, _("%(n)s customers were told.") % {"n": sent})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("decision-detail", decision_id=decision.pk)


@employee_required
@require_POST
def decision_delete(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = get_scoped_or_404(request.person, Decision, decision_id)  # type: ignore[attr-defined]
    require(request, Action.DELETE, decision)
    services.delete_decision(decision)
    messages.success(request, _("Decision deleted."))
    return redirect("decision-list")


# --- the practices overview ----------------------------------------------------------------------


@employee_required
def practices(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    today = timezone.localdate()
    error = ""
    try:
        window = parse_window(request.GET.get("period"), today)
    except ValueError as exc:
        error, window = str(exc), parse_window("", today)
    board = overview.board(person.organisation_id, today, window)
    context = {
        "board": board,
        "period_error": error,
        "periods": period_choices(today),
        "small_n": registry.SMALL_N,
    }
    return render(request, "practice/practices.html", context)


# --- settings ------------------------------------------------------------------------------------


@employee_required
def practice_settings(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    if not person.is_admin:
        raise PermissionDenied(_("Only administrators change the practice settings."))
    organisation = person.organisation
    current = services.settings_for(organisation)
    services.ensure_root_causes(organisation)
    section = request.POST.get("section")
    settings_form = forms.SettingsForm(
        request.POST if section == "settings" else None, instance=current
    )
    target_form = forms.TargetForm(
        request.POST if section == "target" else None,
        instance=ServiceTarget(organisation=organisation),
    )
    rule_form = forms.RuleForm(
        request.POST if section == "rule" else None,
        organisation_id=organisation.pk,
        instance=RoutingRule(organisation=organisation),
    )
    cause_form = forms.RootCauseForm(request.POST if section == "cause" else None)
    if request.method == "POST":
        try:
            if section == "settings" and settings_form.is_valid():
                services.update_settings(
                    organisation,
                    **{name: settings_form.cleaned_data[name] for name in services.SETTINGS_FIELDS},
                )
                messages.success(request, _("Settings saved."))
                return redirect("practice-settings")
            if section == "target" and target_form.is_valid():
                services.create_target(organisation, **target_form.cleaned_data)
                messages.success(request, _("Target added."))
                return redirect("practice-settings")
            if section == "rule" and rule_form.is_valid():
                services.create_rule(organisation, **rule_form.cleaned_data)
                messages.success(request, _("Routing rule added."))
                return redirect("practice-settings")
            if section == "cause" and cause_form.is_valid():
                services.create_root_cause(organisation, name=cause_form.cleaned_data["name"])
                messages.success(request, _("Root cause added."))
                return redirect("practice-settings")
            if section == "delete-target":
                services.delete_target(
                    get_scoped_or_404(person, ServiceTarget, request.POST.get("id"))
                )
                return redirect("practice-settings")
            if section == "delete-rule":
                services.delete_rule(get_scoped_or_404(person, RoutingRule, request.POST.get("id")))
                return redirect("practice-settings")
        except ValidationError as exc:
            form = {"settings": settings_form, "target": target_form, "rule": rule_form}.get(
                section or "", cause_form
            )
            _form_errors_from(exc, form)
    context = {
        "settings_form": settings_form,
        "target_form": target_form,
        "rule_form": rule_form,
        "cause_form": cause_form,
        "targets": ServiceTarget.objects.filter(organisation=organisation),
        "defaults": services.DEFAULT_TARGETS,
        "rules": RoutingRule.objects.filter(organisation=organisation).select_related(
            "team", "survey", "tag"
        ),
        "causes": RootCause.objects.filter(organisation=organisation),
        "has_errors": any(f.errors for f in (settings_form, target_form, rule_form, cause_form)),
    }
    return render(
        request,
        "practice/settings.html",
        context,
    )
