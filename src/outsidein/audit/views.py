"""The audit trail page (administrators): filters, pages of 50, a CSV download."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from outsidein.audit import services
from outsidein.audit.forms import AuditFilterForm
from outsidein.audit.models import AuditEntry
from outsidein.core.permissions import Action
from outsidein.core.spreadsheets import csv_writer
from outsidein.core.tenancy import scoped
from outsidein.core.views import employee_required, require


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, Any]:
    person = request.person  # type: ignore[attr-defined]
    require(request, Action.VIEW, AuditEntry)
    form = AuditFilterForm(request.GET or None, organisation_id=person.organisation_id)
    entries = scoped(person, AuditEntry).select_related("actor")
    if form.is_valid():
        entries = services.filter_entries(entries, **form.cleaned_data)
    elif form.is_bound:
        entries = entries.none()
    return form, entries


@employee_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.action_label = services.action_label(entry.action)  # type: ignore[attr-defined]
        entry.type_label = services.object_type_label(entry.object_type)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    template = "audit/_results.html" if request.htmx else "audit/list.html"  # type: ignore[attr-defined]
    return render(
        request, template, {"form": form, "page": page, "query_string": query.urlencode()}
    )


@employee_required
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered trail as CSV, streamed. The download is itself an entry of the trail."""
    _form, entries = _filtered(request)
    services.record(
        request.organisation,  # type: ignore[attr-defined]
        "export",
        object_type="audit.auditentry",
        label=str(AuditEntry._meta.verbose_name_plural),
        details={"filters": {k: v for k, v in request.GET.items() if v}},
    )

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv_writer(Echo())
    rows = (writer.writerow(row) for row in services.export_rows(entries))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
