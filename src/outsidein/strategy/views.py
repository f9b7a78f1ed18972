"""Pages of the strategy app. Thin: parse, check permission, call a service, render. Forms
with errors re-render with status 200 (the browser tests treat a 4xx as a console error)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outsidein.core.models import Customer, Segment
from outsidein.core.permissions import Action, can
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import _form_errors_from, employee_required, require
from outsidein.strategy import flags as flag_logic
from outsidein.strategy import forms, reports, services
from outsidein.strategy import rules as rule_logic
from outsidein.strategy.models import (
    CustomerAttribute,
    DeclinedRequest,
    Journey,
    Need,
    NeedTag,
    Process,
    SegmentAssignmentLog,
    SegmentRule,
    SegmentStrategy,
    Stage,
    Touchpoint,
    TouchpointLink,
)


def _person(request: HttpRequest) -> Any:
    return request.person  # type: ignore[attr-defined]


def _period(request: HttpRequest) -> tuple[date, date, int]:
    try:
        days = int(request.GET.get("days", 365))
    except ValueError:
        days = 365
    days = days if days in (90, 365) else 365
    today = timezone.localdate()
    return today - timedelta(days=days - 1), today, days


# --- the customer page panel -------------------------------------------------------------------


def customer_segment_panel(request: HttpRequest, customer: Any) -> tuple[str, dict[str, Any]]:
    person = _person(request)
    return (
        "strategy/_customer_panel.html",
        {
            "customer": customer,
            "attributes": CustomerAttribute.objects.filter(customer=customer),
            "log": SegmentAssignmentLog.objects.filter(customer=customer).select_related(
                "from_segment", "to_segment", "by", "rule"
            )[:5],
            "pinned": customer.pk in services.pinned_customer_ids(customer.organisation_id)
            if person.is_admin
            else False,
            "may_change": person.is_admin,
            "override_form": forms.OverrideForm(
                organisation_id=customer.organisation_id, initial={"segment": customer.segment_id}
            ),
            "attribute_form": forms.AttributeForm(),
        },
    )


@employee_required
@require_POST
def customer_segment(request: HttpRequest, customer_id: int) -> HttpResponse:
    person = _person(request)
    customer = get_scoped_or_404(person, Customer, customer_id)
    require(request, Action.CREATE, SegmentAssignmentLog)
    action = request.POST.get("action")
    try:
        if action == "release":
            services.release_override(customer, by=person, reason=request.POST.get("reason", ""))
            messages.success(request, _("The rules decide this customer's segment again."))
        elif action == "attribute":
            form = forms.AttributeForm(request.POST)
            if form.is_valid():
                services.set_attribute(
                    customer, form.cleaned_data["key"], form.cleaned_data["value"]
                )
                messages.success(request, _("Attribute saved."))
            else:
                messages.error(request, _("Give an attribute name of letters, digits, - or _."))
        else:
            override = forms.OverrideForm(request.POST, organisation_id=person.organisation_id)
            if override.is_valid():
                services.override_segment(
                    customer,
                    override.cleaned_data["segment"],
                    by=person,
                    reason=override.cleaned_data["reason"],
                )
                messages.success(
                    request, _("Segment set by hand; the rules leave this customer alone.")
                )
            else:
                messages.error(request, _("Choose a segment and say why."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("customer-detail", customer_id=customer.pk)


# --- segments and their strategy -----------------------------------------------------------------


@employee_required
def segments(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    all_segments = list(scoped(person, Segment).annotate(n=Count("customers")))
    strategies = {s.segment_id: s for s in scoped(person, SegmentStrategy)}
    rows = [(segment, strategies.get(segment.pk)) for segment in all_segments]
    return render(request, "strategy/segments.html", {"rows": rows, "section": "segments"})


@employee_required
def segment_detail(request: HttpRequest, segment_id: int) -> HttpResponse:
    person = _person(request)
    segment = get_scoped_or_404(person, Segment, segment_id)
    strategy = SegmentStrategy.objects.filter(segment=segment).first()
    may_change = can(person, Action.CHANGE, SegmentStrategy)
    initial = (
        {name: getattr(strategy, name) for name in services.STRATEGY_FIELDS} if strategy else {}
    )
    form = forms.StrategyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(request, Action.CHANGE, SegmentStrategy)
        if form.is_valid():
            try:
                services.update_strategy(segment, **form.cleaned_data)
                messages.success(request, _("Strategy saved."))
                return redirect("strategy-segment", segment_id=segment.pk)
            except ValidationError as exc:
                _form_errors_from(exc, form)
    context = {
        "segment": segment,
        "strategy": strategy,
        "form": form,
        "may_change": may_change,
        "needs": Need.objects.filter(segment=segment),
        "journeys": Journey.objects.filter(segment=segment),
        "customers": Customer.objects.filter(segment=segment).count(),
        "section": "segments",
    }
    return render(request, "strategy/segment_detail.html", context)


@employee_required
def compare(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    since, until, days = _period(request)
    columns = reports.segment_comparison(person.organisation_id, since, until)
    return render(
        request,
        "strategy/compare.html",
        {"columns": columns, "days": days, "since": since, "until": until, "section": "compare"},
    )


# --- segment rules -------------------------------------------------------------------------------


@employee_required
def rules(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    organisation_id = person.organisation_id
    form = forms.RuleForm(request.POST or None, organisation_id=organisation_id)
    if request.method == "POST":
        require(request, Action.CREATE, SegmentRule)
        if form.is_valid():
            try:
                services.create_rule(person.organisation, **form.cleaned_data)
                messages.success(request, _("Rule added."))
                return redirect("strategy-rules")
            except ValidationError as exc:
                _form_errors_from(exc, form)
    rule_list = list(scoped(person, SegmentRule).select_related("segment"))
    problems: dict[int, list[str]] = {}
    for rule in rule_list:
        try:
            rule_logic.validate(rule.conditions)
        except rule_logic.RuleError as exc:
            problems[rule.pk] = exc.messages
    evaluation = services.dry_run(organisation_id) if request.GET.get("check") else None
    names = {rule.pk: rule for rule in rule_list}
    segment_names = dict(
        Segment.objects.filter(organisation_id=organisation_id).values_list("pk", "name")
    )
    context = {
        "form": form,
        "rules": [
            (rule, rule_logic.as_text(rule.conditions), problems.get(rule.pk)) for rule in rule_list
        ],
        "evaluation": evaluation,
        "rule_names": names,
        "changes_by_segment": _changes_by_segment(evaluation, segment_names) if evaluation else [],
        "may_change": can(person, Action.CREATE, SegmentRule),
        "pinned": len(services.pinned_customer_ids(organisation_id)),
        "section": "rules",
    }
    return render(request, "strategy/rules.html", context)


def _changes_by_segment(
    evaluation: rule_logic.Evaluation, names: dict[int, str]
) -> list[tuple[str, int]]:
    counts: dict[int, int] = {}
    for _old, new, _rule in evaluation.changes.values():
        counts[new] = counts.get(new, 0) + 1
    return sorted(((names.get(k, "?"), n) for k, n in counts.items()), key=lambda x: -x[1])


@employee_required
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    person = _person(request)
    rule = get_scoped_or_404(person, SegmentRule, rule_id)
    require(request, Action.CHANGE, rule)
    initial = {
        "name": rule.name,
        "segment": rule.segment_id,
        "position": rule.position,
        "conditions": rule_logic.as_text(rule.conditions),
        "is_active": rule.is_active,
    }
    form = forms.RuleForm(
        request.POST or None, organisation_id=person.organisation_id, initial=initial
    )
    if request.method == "POST":
        if request.POST.get("delete"):
            services.delete_rule(rule)
            messages.success(request, _("Rule deleted."))
            return redirect("strategy-rules")
        if form.is_valid():
            try:
                services.update_rule(rule, **form.cleaned_data)
                messages.success(request, _("Rule saved."))
                return redirect("strategy-rules")
            except ValidationError as exc:
                _form_errors_from(exc, form)
    return render(
        request, "strategy/rule_edit.html", {"form": form, "rule": rule, "section": "rules"}
    )


@employee_required
@require_POST
def rules_run(request: HttpRequest) -> HttpResponse:
    from outsidein.jobs.services import start_job
    from outsidein.strategy.jobs import KIND

    person = _person(request)
    require(request, Action.CREATE, SegmentRule)
    job = start_job(
        person.organisation,
        kind=KIND,
        title=str(_("Re-evaluate segment rules")),
        created_by=person,
    )
    return redirect("job-detail", job_id=job.pk)


# --- needs and the "no" register -----------------------------------------------------------------


@employee_required
def needs(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    form = forms.NeedForm(request.POST or None, organisation_id=person.organisation_id)
    if request.method == "POST":
        require(request, Action.CREATE, Need)
        if form.is_valid():
            try:
                services.create_need(person.organisation, **form.cleaned_data)
                messages.success(request, _("Need added."))
                return redirect("strategy-needs")
            except ValidationError as exc:
                _form_errors_from(exc, form)
    context = {
        "groups": reports.needs_by_segment(person.organisation_id),
        "form": form,
        "may_change": can(person, Action.CREATE, Need),
        "threshold": reports.PRESSURE_THRESHOLD,
        "section": "needs",
    }
    return render(request, "strategy/needs.html", context)


@employee_required
def need_detail(request: HttpRequest, need_id: int) -> HttpResponse:
    person = _person(request)
    need = get_scoped_or_404(person, Need, need_id)
    may_change = can(person, Action.CHANGE, need)
    tag_form = forms.TagForm(request.POST if request.POST.get("section") == "tag" else None)
    edit_form = forms.NeedForm(
        request.POST if request.POST.get("section") == "edit" else None,
        organisation_id=person.organisation_id,
        initial={name: getattr(need, name) for name in services.NEED_FIELDS}
        | {"segment": need.segment_id},
    )
    if request.method == "POST":
        require(request, Action.CHANGE, need)
        section = request.POST.get("section")
        try:
            if section == "delete":
                services.delete_need(need)
                messages.success(request, _("Need deleted."))
                return redirect("strategy-needs")
            if section == "untag":
                services.untag_need(
                    get_scoped_or_404(person, NeedTag, request.POST.get("id"), need=need)
                )
                return redirect("strategy-need", need_id=need.pk)
            if section == "tag" and tag_form.is_valid():
                services.tag_need(need, by=person, **tag_form.cleaned_data)
                messages.success(request, _("Tagged."))
                return redirect("strategy-need", need_id=need.pk)
            if section == "edit" and edit_form.is_valid():
                services.update_need(need, **edit_form.cleaned_data)
                messages.success(request, _("Need saved."))
                return redirect("strategy-need", need_id=need.pk)
        except ValidationError as exc:
            _form_errors_from(exc, tag_form if section == "tag" else edit_form)
    context = {
        "need": need,
        "tags": need.tags.all(),
        "declined": need.declined_requests.all(),
        "tag_form": tag_form,
        "edit_form": edit_form,
        "may_change": may_change,
        "section": "needs",
    }
    return render(request, "strategy/need_detail.html", context)


@employee_required
def declined(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    form = forms.DeclinedForm(request.POST or None, organisation_id=person.organisation_id)
    if request.method == "POST":
        require(request, Action.CREATE, DeclinedRequest)
        if request.POST.get("delete"):
            services.delete_declined(
                get_scoped_or_404(person, DeclinedRequest, request.POST["delete"])
            )
            return redirect("strategy-declined")
        if request.POST.get("told"):
            item = get_scoped_or_404(person, DeclinedRequest, request.POST["told"])
            services.update_declined(item, customer_told=True)
            return redirect("strategy-declined")
        if form.is_valid():
            try:
                services.create_declined(
                    person.organisation, decided_by=person, **form.cleaned_data
                )
                messages.success(request, _("Added to the “no” register."))
                return redirect("strategy-declined")
            except ValidationError as exc:
                _form_errors_from(exc, form)
    items = scoped(person, DeclinedRequest).select_related(
        "need", "segment", "customer", "decided_by"
    )
    by_segment, by_need = reports.declined_counts(person.organisation_id)
    context = {
        "items": items[:200],
        "total": items.count(),
        "untold": items.filter(customer_told=False).count(),
        "by_segment": by_segment,
        "by_need": by_need,
        "form": form,
        "may_change": can(person, Action.CREATE, DeclinedRequest),
        "section": "declined",
    }
    return render(request, "strategy/declined.html", context)


# --- journeys ----------------------------------------------------------------------------------


@employee_required
def journeys(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    form = forms.JourneyForm(request.POST or None, organisation_id=person.organisation_id)
    if request.method == "POST":
        require(request, Action.CREATE, Journey)
        if form.is_valid():
            try:
                journey = services.create_journey(person.organisation, **form.cleaned_data)
                messages.success(request, _("Journey added; now add its stages."))
                return redirect("strategy-journey", journey_id=journey.pk)
            except ValidationError as exc:
                _form_errors_from(exc, form)
    items = (
        scoped(person, Journey)
        .select_related("segment")
        .annotate(
            n_stages=Count("stages", distinct=True),
            n_touchpoints=Count("stages__touchpoints", distinct=True),
        )
    )
    context = {
        "journeys": items,
        "form": form,
        "may_change": can(person, Action.CREATE, Journey),
        "unlinked": reports.unlinked_items(person.organisation_id),
        "section": "journeys",
    }
    return render(request, "strategy/journeys.html", context)


@employee_required
def journey_detail(request: HttpRequest, journey_id: int) -> HttpResponse:
    person = _person(request)
    journey = get_scoped_or_404(person, Journey, journey_id)
    section = request.POST.get("section")
    stage_form = forms.StageForm(request.POST if section == "stage" else None)
    touchpoint_form = forms.TouchpointForm(
        request.POST if section == "touchpoint" else None,
        organisation_id=person.organisation_id,
        journey_id=journey.pk,
    )
    journey_form = forms.JourneyForm(
        request.POST if section == "journey" else None,
        organisation_id=person.organisation_id,
        initial={
            "segment": journey.segment_id,
            "name": journey.name,
            "description": journey.description,
        },
    )
    if request.method == "POST":
        try:
            if section == "stage":
                require(request, Action.CREATE, Stage)
                if stage_form.is_valid():
                    services.create_stage(journey, **stage_form.cleaned_data)
                    messages.success(request, _("Stage added."))
                    return redirect("strategy-journey", journey_id=journey.pk)
            elif section == "delete-stage":
                require(request, Action.DELETE, Stage)
                services.delete_stage(
                    get_scoped_or_404(person, Stage, request.POST.get("id"), journey=journey)
                )
                messages.success(request, _("Stage deleted; its linked items are kept, unlinked."))
                return redirect("strategy-journey", journey_id=journey.pk)
            elif section == "touchpoint":
                require(request, Action.CREATE, Touchpoint)
                if touchpoint_form.is_valid():
                    data = touchpoint_form.cleaned_data
                    if not can(person, Action.CREATE, Touchpoint(team=data["team"])):
                        raise PermissionDenied(_("Managers add touchpoints for their own teams."))
                    touchpoint = services.create_touchpoint(person.organisation, **data)
                    messages.success(request, _("Touchpoint added."))
                    return redirect("strategy-touchpoint", touchpoint_id=touchpoint.pk)
            elif section == "journey":
                require(request, Action.CHANGE, journey)
                if journey_form.is_valid():
                    services.update_journey(journey, **journey_form.cleaned_data)
                    messages.success(request, _("Journey saved."))
                    return redirect("strategy-journey", journey_id=journey.pk)
            elif section == "delete-journey":
                require(request, Action.DELETE, journey)
                services.delete_journey(journey)
                messages.success(
                    request, _("Journey deleted; its linked items are kept, unlinked.")
                )
                return redirect("strategy-journeys")
        except ValidationError as exc:
            form = {"stage": stage_form, "touchpoint": touchpoint_form}.get(
                section or "", journey_form
            )
            _form_errors_from(exc, form)
    stages = list(
        journey.stages.prefetch_related(
            "touchpoints__team", "touchpoints__links", "touchpoints__processes"
        )
    )
    context = {
        "journey": journey,
        "stages": [(stage, flag_logic.suggested_measure(stage.kind)) for stage in stages],
        "stage_form": stage_form,
        "touchpoint_form": touchpoint_form,
        "journey_form": journey_form,
        "may_change": can(person, Action.CREATE, Stage),
        "may_add_touchpoint": can(person, Action.CREATE, Touchpoint),
        "section": "journeys",
    }
    return render(request, "strategy/journey_detail.html", context)


@employee_required
def journey_map(request: HttpRequest, journey_id: int) -> HttpResponse:
    person = _person(request)
    journey = get_scoped_or_404(person, Journey, journey_id)
    since, until, days = _period(request)
    rows = reports.journey_map(journey, since, until)
    context = {
        "journey": journey,
        "rows": rows,
        "days": days,
        "since": since,
        "until": until,
        "others": scoped(person, Journey).exclude(pk=journey.pk),
        "section": "journeys",
    }
    return render(request, "strategy/journey_map.html", context)


@employee_required
def touchpoint_detail(request: HttpRequest, touchpoint_id: int) -> HttpResponse:
    person = _person(request)
    touchpoint = get_scoped_or_404(person, Touchpoint, touchpoint_id)
    journey = touchpoint.stage.journey
    section = request.POST.get("section")
    initial = {name: getattr(touchpoint, name) for name in services.TOUCHPOINT_FIELDS}
    initial.update(stage=touchpoint.stage_id, team=touchpoint.team_id)
    form = forms.TouchpointForm(
        request.POST if section == "edit" else None,
        organisation_id=person.organisation_id,
        journey_id=journey.pk,
        initial=initial,
    )
    link_form = forms.LinkForm(request.POST if section == "link" else None)
    may_change = can(person, Action.CHANGE, touchpoint)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(_("Your role does not allow this."))
        try:
            if section == "delete":
                services.delete_touchpoint(touchpoint)
                messages.success(
                    request, _("Touchpoint deleted; its linked items are kept, unlinked.")
                )
                return redirect("strategy-journey", journey_id=journey.pk)
            if section == "unlink":
                services.unlink(
                    get_scoped_or_404(
                        person, TouchpointLink, request.POST.get("id"), touchpoint=touchpoint
                    )
                )
                return redirect("strategy-touchpoint", touchpoint_id=touchpoint.pk)
            if section == "link" and link_form.is_valid():
                services.link(touchpoint, **link_form.cleaned_data)
                messages.success(request, _("Linked."))
                return redirect("strategy-touchpoint", touchpoint_id=touchpoint.pk)
            if section == "edit" and form.is_valid():
                data = form.cleaned_data
                if not can(person, Action.CHANGE, Touchpoint(team=data["team"])):
                    raise PermissionDenied(_("Managers keep touchpoints of their own teams."))
                services.update_touchpoint(touchpoint, **data)
                messages.success(request, _("Touchpoint saved."))
                return redirect("strategy-touchpoint", touchpoint_id=touchpoint.pk)
        except ValidationError as exc:
            _form_errors_from(exc, link_form if section == "link" else form)
    context = {
        "touchpoint": touchpoint,
        "journey": journey,
        "form": form,
        "link_form": link_form,
        "links": touchpoint.links.all(),
        "processes": touchpoint.processes.all(),
        "suggested": flag_logic.suggested_measure(touchpoint.stage.kind),
        "may_change": may_change,
        "section": "journeys",
    }
    return render(request, "strategy/touchpoint_detail.html", context)


# --- processes, network and flags ---------------------------------------------------------------


@employee_required
def processes(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    found = reports.flag_facts(person.organisation_id, timezone.localdate())[0]
    flagged = {f.object_id for f in found if f.kind == flag_logic.PROCESS_NO_TOUCHPOINT}
    items = scoped(person, Process).select_related("team").prefetch_related("touchpoints")
    context = {
        "processes": items,
        "flagged": flagged,
        "may_create": can(person, Action.CREATE, Process),
        "section": "processes",
    }
    return render(request, "strategy/processes.html", context)


@employee_required
def process_edit(request: HttpRequest, process_id: int | None = None) -> HttpResponse:
    person = _person(request)
    process = get_scoped_or_404(person, Process, process_id) if process_id else None
    may_change = can(person, Action.CHANGE if process else Action.CREATE, process or Process)
    if process is None or request.method == "POST":
        require(request, Action.CHANGE if process else Action.CREATE, process or Process)
    initial: dict[str, Any] = {"team": person.team_id}
    if process:
        initial = {
            "name": process.name,
            "team": process.team_id,
            "description": process.description,
            "touchpoints": [t.pk for t in process.touchpoints.all()],
            "decisions": [d.pk for d in process.decisions.all()],
        }
    form = forms.ProcessForm(
        request.POST or None, organisation_id=person.organisation_id, initial=initial
    )
    if request.method == "POST":
        if process and request.POST.get("delete"):
            require(request, Action.DELETE, process)
            services.delete_process(process)
            messages.success(request, _("Process deleted."))
            return redirect("strategy-processes")
        if form.is_valid():
            data = dict(form.cleaned_data)
            if not can(person, Action.CHANGE, Process(team=data["team"])):
                form.add_error("team", _("Managers keep processes of their own teams."))
            else:
                touchpoints = list(data.pop("touchpoints"))
                decisions = list(data.pop("decisions"))
                try:
                    if process:
                        services.update_process(
                            process, touchpoints=touchpoints, decisions=decisions, **data
                        )
                    else:
                        process = services.create_process(
                            person.organisation,
                            touchpoints=touchpoints,
                            decisions=decisions,
                            **data,
                        )
                    messages.success(request, _("Process saved."))
                    return redirect("strategy-process", process_id=process.pk)
                except ValidationError as exc:
                    _form_errors_from(exc, form)
    context = {
        "form": form,
        "process": process,
        "decisions": process.decisions.all() if process else [],
        "touchpoints": process.touchpoints.select_related("stage__journey") if process else [],
        "may_change": may_change,
        "section": "processes",
    }
    return render(request, "strategy/process_edit.html", context)


@employee_required
def network(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    graph = reports.network(person.organisation_id, timezone.localdate())
    return render(request, "strategy/network.html", {"graph": graph, "section": "network"})


@employee_required
def flags(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    found, period = reports.flag_facts(person.organisation_id, timezone.localdate())
    grouped: dict[str, list[flag_logic.Flag]] = {kind: [] for kind in flag_logic.KINDS}
    for flag in found:
        grouped[flag.kind].append(flag)
    titles = {
        flag_logic.PROCESS_NO_TOUCHPOINT: _("Processes that serve no touchpoint"),
        flag_logic.TEAM_DISCONNECTED: _(
            "Teams that own or serve no touchpoint (with their customer contacts and "
            "follow-ups in the last quarter)"
        ),
        flag_logic.TOUCHPOINT_NO_OWNER: _("Touchpoints without an owning team"),
        flag_logic.TOUCHPOINT_UNMEASURED: _("Touchpoints without any measurement"),
    }
    sections = [(kind, titles[kind], grouped[kind]) for kind in flag_logic.KINDS]
    return render(
        request,
        "strategy/flags.html",
        {"sections": sections, "total": len(found), "period": period, "section": "flags"},
    )


# --- a feedback item's needs and touchpoint ----------------------------------------------------


def feedback_strategy_panel(request: HttpRequest, feedback: Any) -> tuple[str, dict[str, Any]]:
    """On a feedback item's page: the needs it is evidence for and the touchpoint it belongs to,
    with forms to tag and link it (administrators)."""
    person = request.person  # type: ignore[attr-defined]
    tags = (
        scoped(person, NeedTag)
        .filter(kind="feedback", ref_id=feedback.pk)
        .select_related("need", "need__segment")
    )
    links = (
        scoped(person, TouchpointLink)
        .filter(kind="feedback", ref_id=feedback.pk, touchpoint__isnull=False)
        .select_related("touchpoint", "touchpoint__stage__journey")
    )
    may_edit = can(person, Action.CREATE, NeedTag)
    return (
        "strategy/_feedback_panel.html",
        {
            "feedback": feedback,
            "tags": tags,
            "links": links,
            "may_edit": may_edit,
            "needs": scoped(person, Need).select_related("segment") if may_edit else [],
            "touchpoints": (
                scoped(person, Touchpoint).select_related("stage__journey") if may_edit else []
            ),
        },
    )


@employee_required
@require_POST
def feedback_need(request: HttpRequest, feedback_id: int) -> HttpResponse:
    from outsidein.voice.models import Feedback

    person = request.person  # type: ignore[attr-defined]
    feedback = get_scoped_or_404(person, Feedback, feedback_id)
    require(request, Action.CREATE, NeedTag)
    need = get_scoped_or_404(person, Need, request.POST.get("need"))
    try:
        services.tag_need(need, kind="feedback", ref_id=feedback.pk, by=person)
        messages.success(request, _("Tagged with the need “%(need)s”.") % {"need": need.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("feedback-detail", feedback_id=feedback.pk)


@employee_required
@require_POST
def feedback_touchpoint(request: HttpRequest, feedback_id: int) -> HttpResponse:
    from outsidein.voice.models import Feedback

    person = request.person  # type: ignore[attr-defined]
    feedback = get_scoped_or_404(person, Feedback, feedback_id)
    require(request, Action.CREATE, TouchpointLink)
    touchpoint = get_scoped_or_404(person, Touchpoint, request.POST.get("touchpoint"))
    try:
        services.link(touchpoint, kind="feedback", ref_id=feedback.pk)
        messages.success(
            request, _("Linked to the touchpoint “%(name)s”.") % {"name": touchpoint.name}
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("feedback-detail", feedback_id=feedback.pk)
