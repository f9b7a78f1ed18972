"""Pages of the core app. Thin: parse the request, check permission, call a service, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outsidein.core import services
from outsidein.core.forms import (
    CustomerForm,
    CustomerSearchForm,
    PersonEditForm,
    PersonForm,
    TokenForm,
)
from outsidein.core.models import ApiToken, Customer, Person, Team
from outsidein.core.panels import customer_panels
from outsidein.core.permissions import Action, can, require_export, require_may_assign
from outsidein.core.tenancy import get_scoped_or_404, scoped

View = Callable[..., HttpResponseBase]


def employee_required(view: View) -> View:
    """Logged in, and an active employee of an organisation."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "person", None) is None:
            raise PermissionDenied(_("This login is not linked to an employee of an organisation."))
        return view(request, *args, **kwargs)

    return wrapper


def require(request: HttpRequest, action: str, model_or_obj: Any) -> None:
    if not can(request.person, action, model_or_obj):  # type: ignore[attr-defined]
        raise PermissionDenied(_("Your role does not allow this."))


def _form_errors_from(exc: ValidationError, form: Any) -> None:
    """Show a service's validation errors on the form fields they name."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- overview --------------------------------------------------------------------------------


@employee_required
def home(request: HttpRequest) -> HttpResponse:
    overview = services.organisation_overview(request.organisation)  # type: ignore[attr-defined]
    charts = {
        "segments": {
            "labels": [label for label, _n in overview.customers_per_segment],
            "values": [n for _label, n in overview.customers_per_segment],
        },
        "months": {
            "labels": [label for label, _n in overview.new_customers_per_month],
            "values": [n for _label, n in overview.new_customers_per_month],
        },
    }
    return render(request, "core/home.html", {"overview": overview, "charts": charts})


# --- customers -------------------------------------------------------------------------------

CUSTOMERS_PER_PAGE = 25


@employee_required
def customer_list(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    from outsidein.core.models import Segment

    segments = scoped(person, Segment)
    form = CustomerSearchForm(request.GET or None, segments=segments)
    customers = scoped(person, Customer).select_related("segment")
    if form.is_valid():
        segment = form.cleaned_data["segment"]
        customers = services.search_customers(
            customers,
            query=form.cleaned_data["q"],
            segment_id=segment.pk if segment else None,
            kind=form.cleaned_data["kind"],
            language=form.cleaned_data["language"],
        )
    page = Paginator(customers, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query_string": query_without_page.urlencode(),
        "can_create": can(person, Action.CREATE, Customer),
        "can_export": True,
    }
    template = "core/customers/_results.html" if request.htmx else "core/customers/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@employee_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    customer = get_scoped_or_404(person, Customer, customer_id)
    context = {
        "customer": customer,
        "contact_people": customer.contact_people.all(),
        "can_change": can(person, Action.CHANGE, customer),
        "can_delete": can(person, Action.DELETE, customer),
        "panels": customer_panels(request, customer),
    }
    return render(request, "core/customers/detail.html", context)


@employee_required
def customer_edit(request: HttpRequest, customer_id: int | None = None) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    from outsidein.core.models import Segment

    customer = get_scoped_or_404(person, Customer, customer_id) if customer_id else None
    require(request, Action.CHANGE if customer else Action.CREATE, customer or Customer)
    segments = scoped(person, Segment)
    form = CustomerForm(request.POST or None, instance=customer, segments=segments)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if customer is None:
                customer = services.create_customer(person.organisation, **fields)
                messages.success(request, _("Customer %(name)s added.") % {"name": customer.name})
            else:
                # The form has already written its values onto the instance; save via the service.
                customer.refresh_from_db()
                services.update_customer(customer, **fields)
                messages.success(request, _("Changes saved."))
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            return redirect("customer-detail", customer_id=customer.pk)
    return render(request, "core/customers/edit.html", {"form": form, "customer": customer})


@employee_required
@require_POST
def customer_delete(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_scoped_or_404(request.person, Customer, customer_id)  # type: ignore[attr-defined]
    require(request, Action.DELETE, customer)
    services.delete_customer(customer)
    messages.success(request, _("Customer %(name)s deleted.") % {"name": customer.name})
    return redirect("customer-list")


# --- teams and people --------------------------------------------------------------------------


@employee_required
def team_list(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()
    people = scoped(person, Person).filter(is_active=True).select_related("team", "user")
    if query:
        from django.db.models import Q

        people = people.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(job_title__icontains=query)
        )
    context = {
        "tree": services.team_tree(person.organisation),
        "people": Paginator(people, 50).get_page(request.GET.get("page")),
        "query": query,
        "can_invite": can(person, Action.CREATE, Person),
        "can_add_team": can(person, Action.CREATE, Team),
    }
    return render(request, "core/teams/list.html", context)


@employee_required
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    team = get_scoped_or_404(person, Team, team_id)
    members = list(
        scoped(person, Person).filter(team=team, is_active=True).select_related("user", "team")
    )
    for member in members:
        member.may_edit = can(person, Action.CHANGE, member)  # type: ignore[attr-defined]
    context = {
        "team": team,
        "members": members,
        "children": scoped(person, Team).filter(parent=team),
        "facing": sum(1 for m in members if m.customer_facing),
        "can_change": can(person, Action.CHANGE, team),
        "can_delete": can(person, Action.DELETE, team),
    }
    return render(request, "core/teams/detail.html", context)


@employee_required
def person_invite(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    require(request, Action.CREATE, Person)
    form = PersonForm(
        request.POST or None,
        teams=scoped(person, Team),
        initial={"language": person.organisation.language},
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            require_may_assign(person, role=fields["role"], team=fields["team"])
            invited = services.invite_person(
                person.organisation,
                invited_by=person,
                base_url=request.build_absolute_uri("/"),
                **fields,
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(
                request,
                _("%(name)s is invited; the email with their link is on its way to %(email)s.")
                % {"name": invited.name, "email": invited.email},
            )
            return redirect("team-list")
    return render(request, "core/people/invite.html", {"form": form})


@employee_required
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    other = get_scoped_or_404(person, Person, person_id)
    require(request, Action.CHANGE, other)
    form = PersonEditForm(
        request.POST or None,
        teams=scoped(person, Team),
        initial=PersonEditForm.initial_from(other),
        grants=person.is_admin,
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            require_may_assign(person, role=fields["role"], team=fields["team"])
            services.update_person(other, **fields)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("team-list")
    return render(request, "core/people/edit.html", {"form": form, "other": other})


# --- settings: API tokens ------------------------------------------------------------------------


@employee_required
def token_list(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        new_token = services.create_api_token(person, name=form.cleaned_data["name"])
        form = TokenForm()
    context = {
        "tokens": scoped(person, ApiToken),
        "form": form,
        "new_token": new_token,
    }
    return render(request, "core/settings/tokens.html", context)


@employee_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_scoped_or_404(request.person, ApiToken, token_id)  # type: ignore[attr-defined]
    require(request, Action.DELETE, token)
    services.revoke_api_token(token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("token-list")


# --- jobs ----------------------------------------------------------------------------------------


@employee_required
@require_POST
def customer_export(request: HttpRequest) -> HttpResponse:
    from outsidein.jobs.services import start_job

    person = request.person  # type: ignore[attr-defined]
    require_export(person)
    job = start_job(
        person.organisation,
        kind="customers.export",
        title=_("Export of all customers (CSV)"),
        created_by=person,
    )
    return redirect("job-detail", job_id=job.pk)


# --- organisation set-up: segments, teams, the organisation itself ------------------------------


@employee_required
def segment_list(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count

    from outsidein.core.models import Segment

    person = request.person  # type: ignore[attr-defined]
    segments = scoped(person, Segment).annotate(customer_count=Count("customers"))
    return render(
        request,
        "core/segments/list.html",
        {"segments": segments, "can_manage": can(person, Action.CREATE, Segment)},
    )


@employee_required
def segment_edit(request: HttpRequest, segment_id: int | None = None) -> HttpResponse:
    from outsidein.core.forms import SegmentForm
    from outsidein.core.models import Segment

    person = request.person  # type: ignore[attr-defined]
    segment = get_scoped_or_404(person, Segment, segment_id) if segment_id else None
    require(request, Action.CHANGE if segment else Action.CREATE, segment or Segment)
    initial = {"name": segment.name, "description": segment.description} if segment else None
    form = SegmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if segment is None:
                services.create_segment(person.organisation, **form.cleaned_data)
            else:
                services.update_segment(segment, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Segment saved."))
            return redirect("segment-list")
    return render(request, "core/segments/edit.html", {"form": form, "segment": segment})


@employee_required
@require_POST
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    from outsidein.core.models import Segment

    segment = get_scoped_or_404(request.person, Segment, segment_id)  # type: ignore[attr-defined]
    require(request, Action.DELETE, segment)
    services.delete_segment(segment)
    messages.success(
        request,
        _("Segment %(name)s deleted; its customers are kept without a segment.")
        % {"name": segment.name},
    )
    return redirect("segment-list")


@employee_required
def team_edit(request: HttpRequest, team_id: int | None = None) -> HttpResponse:
    from outsidein.core.forms import TeamForm

    person = request.person  # type: ignore[attr-defined]
    team = get_scoped_or_404(person, Team, team_id) if team_id else None
    require(request, Action.CHANGE if team else Action.CREATE, team or Team)
    parents = scoped(person, Team).exclude(pk=team.pk) if team else scoped(person, Team)
    initial = (
        {
            "name": team.name,
            "slug": team.slug,
            "kind": team.kind,
            "parent": team.parent,
            "description": team.description,
        }
        if team
        else None
    )
    form = TeamForm(request.POST or None, initial=initial, teams=parents)
    if request.method == "POST" and form.is_valid():
        try:
            if team is None:
                team = services.create_team(person.organisation, **form.cleaned_data)
            else:
                services.update_team(team, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Team saved."))
            return redirect("team-detail", team_id=team.pk)
    return render(request, "core/teams/edit.html", {"form": form, "team": team})


@employee_required
@require_POST
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_scoped_or_404(request.person, Team, team_id)  # type: ignore[attr-defined]
    require(request, Action.DELETE, team)
    try:
        services.delete_team(team)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("team-detail", team_id=team.pk)
    messages.success(request, _("Team %(name)s deleted.") % {"name": team.name})
    return redirect("team-list")


@employee_required
def organisation_settings(request: HttpRequest) -> HttpResponse:
    from outsidein.core.forms import OrganisationForm

    person = request.person  # type: ignore[attr-defined]
    if not person.is_admin:
        raise PermissionDenied(_("Only administrators change the organisation's settings."))
    organisation = person.organisation
    form = OrganisationForm(
        request.POST or None,
        initial={name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            services.update_organisation(organisation, **changes)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("organisation-settings")
    return render(
        request,
        "core/settings/organisation.html",
        {"form": form, "organisation": organisation, "more": _more_settings(person)},
    )


def _more_settings(person: Any) -> list[tuple[str, str, str]]:
    """The organisation's other settings pages: (title, what it holds, url)."""
    from django.urls import NoReverseMatch, reverse

    pages = (
        (
            "practice-settings",
            _("Follow-up and norms"),
            _("When an unhappy customer gets a follow-up, contacts per employee"),
        ),
        ("privacy-settings", _("Privacy"), _("How long comments and contact details are kept")),
        (
            "index-settings",
            _("Customer-centricity index"),
            _("Weights, targets and floors of the index"),
        ),
        ("mystery-settings", _("Mystery shopping"), _("The mystery-shopping programme")),
        ("webhook-settings", _("Webhooks"), _("Events sent to and received from other systems")),
        (
            "chat-settings",
            _("Slack and Teams"),
            _("Which team hears about which events in its chat channel"),
        ),
        (
            "mail-settings",
            _("Email from customers"),
            _("Mailboxes whose messages become complaints and questions"),
        ),
        (
            "sso-settings",
            _("Single sign-on"),
            _("Sign in with the company account; password login"),
        ),
        ("audit-list", _("Audit log"), _("Every change, by whom and when")),
        ("token-list", _("API tokens"), _("Access for other systems")),
    )
    found = []
    for name, title, text in pages:
        try:
            found.append((str(title), str(text), reverse(name)))
        except NoReverseMatch:
            continue
    return found


@employee_required
def contact_person_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    from outsidein.core.forms import ContactPersonForm
    from outsidein.core.models import CustomerContactPerson

    person = request.person  # type: ignore[attr-defined]
    customer = get_scoped_or_404(person, Customer, customer_id)
    require(request, Action.CREATE, CustomerContactPerson)
    form = ContactPersonForm(request.POST or None, initial={"language": customer.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_contact_person(customer, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Contact person added."))
            return redirect("customer-detail", customer_id=customer.pk)
    return render(request, "core/customers/contact_add.html", {"form": form, "customer": customer})


@employee_required
@require_POST
def contact_person_delete(request: HttpRequest, customer_id: int, contact_id: int) -> HttpResponse:
    from outsidein.core.models import CustomerContactPerson

    person = request.person  # type: ignore[attr-defined]
    customer = get_scoped_or_404(person, Customer, customer_id)
    contact = get_scoped_or_404(person, CustomerContactPerson, contact_id, customer=customer)
    require(request, Action.DELETE, contact)
    services.delete_contact_person(contact)
    messages.success(request, _("Contact person removed."))
    return redirect("customer-detail", customer_id=customer.pk)
