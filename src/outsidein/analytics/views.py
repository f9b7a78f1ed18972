"""The dashboard: what customers say in numbers, with n and intervals, from the rollups."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from outsidein.analytics import export_pdf, window
from outsidein.analytics import services as metrics
from outsidein.analytics.forms import MetricsFilterForm
from outsidein.core import spreadsheets
from outsidein.core.views import employee_required


def _today() -> date:
    """Today in the site's time zone (one place, so tests can fix the date)."""
    return timezone.localdate()


def _dashboard_data(request: HttpRequest) -> tuple[MetricsFilterForm, dict[str, Any]]:
    organisation_id = request.organisation.pk  # type: ignore[attr-defined]
    form = MetricsFilterForm(request.GET or None, organisation_id=organisation_id)
    today = _today()
    chosen = form.filters()
    explicit = bool(chosen.since or chosen.until)
    span = window.resolve(
        chosen,
        today=today,
        explicit=explicit,
        all_time=bool(request.GET.get("all")),
        running=form.include_running(),
    )
    filters = span.filters
    if not form.is_bound:
        form.initial = {"since": filters.since, "until": filters.until}
    by = form.breakdown()
    period = form.trend_period()
    result = metrics.overview(
        organisation_id,
        filters,
        by=by,
        period=period,
        labels=metrics.dimension_labels(organisation_id, by),
    )
    marks = [window.mark(point, period, filters, today) for point in result.trend]
    data: dict[str, Any] = {
        "filters": filters,
        "window": span,
        "by": by,
        "period": period,
        "summary": result.summary,
        "trend": result.trend,
        "marks": marks,
        "partial_marks": [m for m in marks if m.partial],
        "breakdown": result.breakdown,
        "distribution": result.distribution,
    }
    return form, data


def _chart_payload(data: dict[str, Any]) -> dict[str, Any]:
    trend = data["trend"]
    marks = data["marks"]
    labels = [m.label + (" *" if m.partial else "") for m in marks]
    partial = [m.partial for m in marks]
    shown = [g for g in data["breakdown"] if g.summary.nps.n]
    return {
        "trend": {
            "labels": labels,
            "values": [p.summary.nps.value for p in trend],
            "low": [p.summary.nps.low for p in trend],
            "high": [p.summary.nps.high for p in trend],
            "n": [p.summary.nps.n for p in trend],
            "enough": [p.summary.nps.enough for p in trend],
            "partial": partial,
        },
        "volume": {
            "labels": labels,
            "values": [p.summary.items for p in trend],
            "partial": partial,
        },
        "distribution": {
            "labels": [str(score) for score in data["distribution"]],
            "values": list(data["distribution"].values()),
        },
        "breakdown": {
            "labels": [g.label for g in shown],
            "values": [g.summary.nps.value for g in shown],
            "low": [g.summary.nps.low for g in shown],
            "high": [g.summary.nps.high for g in shown],
            "n": [g.summary.nps.n for g in shown],
            "enough": [g.summary.nps.enough for g in shown],
        },
    }


def _with_comparisons(
    request: HttpRequest, form: MetricsFilterForm, data: dict[str, Any]
) -> dict[str, Any]:
    """The period test and every pair of the breakdown tested (Holm), for the page and the
    PDF/PNG downloads alike."""
    filters = data["filters"]
    organisation_id = request.organisation.pk  # type: ignore[attr-defined]
    comparison = (
        metrics.compare_periods(organisation_id, filters)
        if filters.since and filters.until
        else None
    )
    pairs = sorted(
        (pair for pair in metrics.compare_pairs(data["breakdown"]) if pair.tested),
        key=lambda pair: pair.smallest_p,
    )
    all_pairs = len(data["breakdown"]) * (len(data["breakdown"]) - 1) // 2
    by_label = dict(form.fields["by"].choices).get(data["by"], data["by"])  # type: ignore[attr-defined]
    return {
        **data,
        "comparison": comparison,
        "by_label": str(by_label).lower(),
        "tested_pairs": pairs,
        "untested_pairs": all_pairs - len(pairs),
        "comparison_previous": (
            window.range_label(comparison.previous_since, comparison.previous_until)
            if comparison
            else ""
        ),
    }


@employee_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, data = _dashboard_data(request)
    data = _with_comparisons(request, form, data)
    query = request.GET.copy()
    context = {
        "form": form,
        **data,
        "charts": _chart_payload(data),
        "query_string": query.urlencode(),
        "minimum_n": metrics.stats.MINIMUM_N,
    }
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, "analytics/dashboard.html", context, status=status)


@employee_required
def dashboard_data(request: HttpRequest) -> JsonResponse:
    """The dashboard's numbers as JSON (for scripts and for measuring)."""
    form, data = _dashboard_data(request)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"detail": form.errors.get_json_data()}, status=422)
    payload = {
        "summary": data["summary"].to_dict(),
        "window": {
            "since": data["filters"].since,
            "until": data["filters"].until,
            "label": data["window"].label,
        },
        "trend": [
            {
                "start": p.start.isoformat(),
                "partial": m.partial,
                "coverage": m.note,
                **p.summary.to_dict(),
            }
            for p, m in zip(data["trend"], data["marks"], strict=True)
        ],
        "breakdown": {"by": data["by"], "groups": metrics.iter_counts(data["breakdown"])},
        "distribution": data["distribution"],
    }
    return JsonResponse(payload)


EXPORTS = ("trend", "breakdown", "distribution")


def _export_rows(name: str, data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    def estimate_cells(summary: metrics.Summary) -> list[Any]:
        nps, csat, ces = summary.nps, summary.csat, summary.ces
        return [
            summary.items,
            nps.n,
            nps.value,
            nps.low,
            nps.high,
            csat.n,
            csat.value,
            csat.low,
            csat.high,
            ces.n,
            ces.value,
            ces.low,
            ces.high,
        ]

    measures = [
        "items",
        "nps_n",
        "nps",
        "nps_low",
        "nps_high",
        "csat_n",
        "csat_top2_pct",
        "csat_low",
        "csat_high",
        "ces_n",
        "ces_mean",
        "ces_low",
        "ces_high",
    ]
    if name == "trend":
        # A period that is not whole says so ("so far (4 of 31 days)"); empty when it is.
        return ["period_start", *measures, "coverage"], [
            [p.start.isoformat(), *estimate_cells(p.summary), m.note]
            for p, m in zip(data["trend"], data["marks"], strict=True)
        ]
    if name == "breakdown":
        return [data["by"], *measures], [
            [g.label, *estimate_cells(g.summary)] for g in data["breakdown"]
        ]
    return ["nps_score", "responses"], [[k, v] for k, v in data["distribution"].items()]


def _document(
    request: HttpRequest, form: MetricsFilterForm, data: dict[str, Any], name: str, fmt: str
) -> HttpResponse:
    """The dashboard or its breakdown as a PDF (fpdf2) or a PNG rendered from that PDF."""
    document = export_pdf.document_from(
        _with_comparisons(request, form, data),
        request.organisation.name,  # type: ignore[attr-defined]
    )
    content = export_pdf.render(document, name)
    content_type = "application/pdf"
    if fmt == "png":
        content = export_pdf.to_png(content)
        content_type = "image/png"
    response = HttpResponse(content, content_type=content_type)
    filename = f"outsidein-{name}-{_today():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@employee_required
def dashboard_export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    documents = fmt in ("pdf", "png") and name in export_pdf.KINDS
    if not documents and (name not in EXPORTS or fmt not in ("csv", "xlsx")):
        return HttpResponse(_("Unknown download."), status=404)
    form, data = _dashboard_data(request)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"detail": form.errors.get_json_data()}, status=422)
    if documents:
        return _document(request, form, data, name, fmt)
    header, rows = _export_rows(name, data)
    filename = f"outsidein-{name}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = spreadsheets.csv_writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(name)
        spreadsheets.xlsx_append(sheet, header)
        for row in rows:
            spreadsheets.xlsx_append(sheet, row)
        stream = io.BytesIO()
        workbook.save(stream)
        response = HttpResponse(
            stream.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
