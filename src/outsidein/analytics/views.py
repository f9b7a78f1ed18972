"""The dashboard: what customers say in numbers, with n and intervals, from the rollups."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from outsidein.analytics import services as metrics
from outsidein.analytics.forms import MetricsFilterForm, default_since
from outsidein.core import spreadsheets
from outsidein.core.views import employee_required


def _dashboard_data(request: HttpRequest) -> tuple[MetricsFilterForm, dict[str, Any]]:
    organisation_id = request.organisation.pk  # type: ignore[attr-defined]
    form = MetricsFilterForm(request.GET or None, organisation_id=organisation_id)
    filters = form.filters()
    if not request.GET.get("since") and not request.GET.get("all"):
        # Open on the last twelve months, compared with the twelve before.
        filters = replace(
            filters,
            since=default_since(timezone.localdate()),
            until=filters.until or timezone.localdate(),
        )
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
    data: dict[str, Any] = {
        "filters": filters,
        "by": by,
        "period": period,
        "summary": result.summary,
        "trend": result.trend,
        "breakdown": result.breakdown,
        "distribution": result.distribution,
    }
    return form, data


def _period_label(point: metrics.Point, period: str) -> str:
    return formats.date_format(point.start, "M Y" if period == "month" else "j M Y")


def _chart_payload(data: dict[str, Any]) -> dict[str, Any]:
    trend = data["trend"]
    period = data["period"]
    return {
        "trend": {
            "labels": [_period_label(p, period) for p in trend],
            "values": [p.summary.nps.value for p in trend],
            "low": [p.summary.nps.low for p in trend],
            "high": [p.summary.nps.high for p in trend],
            "n": [p.summary.nps.n for p in trend],
            "enough": [p.summary.nps.enough for p in trend],
        },
        "volume": {
            "labels": [_period_label(p, period) for p in trend],
            "values": [p.summary.items for p in trend],
        },
        "distribution": {
            "labels": [str(score) for score in data["distribution"]],
            "values": list(data["distribution"].values()),
        },
        "breakdown": {
            "labels": [g.label for g in data["breakdown"] if g.summary.nps.n],
            "values": [g.summary.nps.value for g in data["breakdown"] if g.summary.nps.n],
            "low": [g.summary.nps.low for g in data["breakdown"] if g.summary.nps.n],
            "high": [g.summary.nps.high for g in data["breakdown"] if g.summary.nps.n],
            "n": [g.summary.nps.n for g in data["breakdown"] if g.summary.nps.n],
        },
    }


@employee_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, data = _dashboard_data(request)
    filters = data["filters"]
    organisation_id = request.organisation.pk  # type: ignore[attr-defined]
    data["comparison"] = (
        metrics.compare(organisation_id, filters) if filters.since and filters.until else None
    )
    query = request.GET.copy()
    by_label = dict(form.fields["by"].choices).get(data["by"], data["by"])  # type: ignore[attr-defined]
    context = {
        "form": form,
        "by_label": str(by_label).lower(),
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
        "trend": [{"start": p.start.isoformat(), **p.summary.to_dict()} for p in data["trend"]],
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
        return ["period_start", *measures], [
            [p.start.isoformat(), *estimate_cells(p.summary)] for p in data["trend"]
        ]
    if name == "breakdown":
        return [data["by"], *measures], [
            [g.label, *estimate_cells(g.summary)] for g in data["breakdown"]
        ]
    return ["nps_score", "responses"], [[k, v] for k, v in data["distribution"].items()]


@employee_required
def dashboard_export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    if name not in EXPORTS or fmt not in ("csv", "xlsx"):
        return HttpResponse(_("Unknown download."), status=404)
    form, data = _dashboard_data(request)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"detail": form.errors.get_json_data()}, status=422)
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
