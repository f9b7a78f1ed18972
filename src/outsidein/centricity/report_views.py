"""Pages of the monthly leadership report: the report (HTML, any month), its PDF, and who
receives it by email. Thin: parse the request, check permission, call ``report``, render."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from outsidein.centricity import report as reports
from outsidein.centricity.models import ReportSubscription
from outsidein.centricity.report_pdf import render_pdf
from outsidein.core.models import Person
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import _form_errors_from, employee_required

MONTHS_OFFERED = 24

# Everyone reads the report; only administrators see and change who receives it. (Also called
# from the app's wiring; registering twice is harmless.)


def _person(request: HttpRequest) -> Person:
    person: Person = request.person  # type: ignore[attr-defined]
    return person


def _language() -> str:
    return "en" if (translation.get_language() or "nl").startswith("en") else "nl"


def _month_choices(today: date) -> list[tuple[str, str]]:
    first = today.replace(day=1)
    out = []
    for _n in range(MONTHS_OFFERED):
        out.append((first.strftime("%Y-%m"), date_format(first, "F Y")))
        first = reports.previous_month(first)
    return out


def _month_or_none(value: str, today: date) -> date | None:
    try:
        month = reports.parse_month(value)
    except ValueError:
        return None
    return month if month <= today.replace(day=1) else None


@employee_required
def report_page(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    today = timezone.localdate()
    month = reports.last_full_month(today)
    asked = request.GET.get("month", "")
    if asked:
        chosen = _month_or_none(asked, today)
        if chosen is None:
            messages.error(
                request,
                _("There is no report for “%(month)s”: choose a month up to this one (YYYY-MM).")
                % {"month": asked[:20]},
            )
        else:
            month = chosen
    report = reports.build_report(person.organisation, month, _language(), today=today)
    context = {
        "report": report,
        "months": _month_choices(today),
        "selected": report.month_code,
        "pdf_url": reverse("report-pdf", args=[report.month_code]),
        "is_admin": person.is_admin,
    }
    return render(request, "centricity/report/page.html", context)


@employee_required
def report_pdf(request: HttpRequest, month: str) -> HttpResponse:
    person = _person(request)
    today = timezone.localdate()
    first = _month_or_none(month, today)
    if first is None:
        raise Http404(_("There is no report for this month."))
    report = reports.build_report(person.organisation, first, _language(), today=today)
    response = HttpResponse(render_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{reports.pdf_filename(report)}"'
    return response


class SubscriptionForm(forms.Form):
    person = forms.TypedChoiceField(label=gettext_lazy("Leader"), coerce=int)
    day = forms.IntegerField(
        label=gettext_lazy("Day of the month"),
        min_value=1,
        max_value=28,
        initial=1,
        help_text=gettext_lazy("The report of the month before is sent on this day."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[
            ("", gettext_lazy("The leader's own language")),
            ("nl", gettext_lazy("Dutch")),
            ("en", gettext_lazy("English")),
        ],
    )

    def __init__(self, *args: object, people: list[Person], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            (p.pk, f"{p.name} · {p.email}") for p in people
        ]


def _admin(person: Person) -> None:
    if not person.is_admin:
        raise PermissionDenied(_("Only administrators choose who receives the report."))


@employee_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    _admin(person)
    people = list(
        scoped(person, Person).filter(is_active=True).exclude(email="").order_by("name", "pk")
    )
    form = SubscriptionForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        leader = get_scoped_or_404(person, Person, form.cleaned_data["person"])
        try:
            reports.subscribe(
                leader, day=form.cleaned_data["day"], language=form.cleaned_data["language"]
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(
                request,
                _("%(name)s receives the monthly report on day %(day)s.")
                % {"name": leader.name, "day": form.cleaned_data["day"]},
            )
            return redirect("report-subscriptions")
    rows = scoped(person, ReportSubscription).select_related("person").order_by("day", "pk")
    return render(
        request,
        "centricity/report/subscriptions.html",
        {"form": form, "rows": rows},
    )


@require_POST
@employee_required
def subscription_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    person = _person(request)
    _admin(person)
    subscription = get_scoped_or_404(person, ReportSubscription, subscription_id)
    name = subscription.person.name
    reports.unsubscribe(subscription)
    messages.success(request, _("%(name)s no longer receives the report.") % {"name": name})
    return redirect("report-subscriptions")
