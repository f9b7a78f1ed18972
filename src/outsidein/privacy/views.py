"""Pages of the privacy app: the privacy settings (what is kept and why, the retention policy),
and on the customer page their consent history with the GDPR export and erasure."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outsidein.core.models import Customer
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import _form_errors_from, employee_required
from outsidein.privacy import gdpr, retention, services
from outsidein.privacy.forms import EraseForm, PrivacySettingsForm
from outsidein.privacy.models import ConsentEvent


def _admin_only(request: HttpRequest) -> None:
    if not request.person.is_admin:  # type: ignore[attr-defined]
        raise PermissionDenied(_("Only an administrator can do this."))


def customer_privacy_panel(
    request: HttpRequest, customer: Customer
) -> tuple[str, dict[str, Any]] | None:
    person = request.person  # type: ignore[attr-defined]
    events = list(scoped(person, ConsentEvent).filter(customer=customer)[:20])
    return (
        "privacy/_customer_panel.html",
        {
            "customer": customer,
            "consent_events": events,
            "may_gdpr": person.is_admin,
            "erase_form": EraseForm(),
        },
    )


@employee_required
@require_POST
def customer_export(request: HttpRequest, customer_id: int) -> HttpResponse:
    _admin_only(request)
    customer = get_scoped_or_404(request.person, Customer, customer_id)  # type: ignore[attr-defined]
    data = gdpr.export_zip(customer, by=request.person)  # type: ignore[attr-defined]
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{gdpr.export_filename(customer)}"'
    return response


@employee_required
def customer_erase(request: HttpRequest, customer_id: int) -> HttpResponse:
    _admin_only(request)
    customer = get_scoped_or_404(request.person, Customer, customer_id)  # type: ignore[attr-defined]
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        gdpr.erase_customer(
            customer,
            by=request.person,  # type: ignore[attr-defined]
            reason=form.cleaned_data["reason"],
        )
        messages.success(
            request,
            _(
                "The customer's personal data and words were erased; their scores still count, "
                "anonymously. The erasure is in the audit trail."
            ),
        )
        return redirect("customer-detail", customer_id=customer.pk)
    return render(request, "privacy/erase.html", {"customer": customer, "form": form})


@employee_required
def privacy_settings(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    organisation = request.organisation  # type: ignore[attr-defined]
    policy = retention.settings_for(organisation)
    form = PrivacySettingsForm(request.POST or None, instance=policy)
    if request.method == "POST" and request.POST.get("action") == "run":
        counts = retention.run_retention(organisation)
        if counts:
            done = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items())
            messages.success(request, _("Retention applied: %(done)s.") % {"done": done})
        else:
            messages.success(request, _("Retention applied: nothing was old enough."))
        return redirect("privacy-settings")
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                organisation, **{name: form.cleaned_data[name] for name in form.Meta.fields}
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Privacy settings saved."))
            return redirect("privacy-settings")
    return render(request, "privacy/settings.html", {"form": form, "policy": policy})
