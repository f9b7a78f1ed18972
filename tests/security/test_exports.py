"""Every CSV and XLSX export of the product, filled with formula payloads, yields no formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from outsidein.core import spreadsheets
from outsidein.core.models import Team
from outsidein.jobs.models import Job
from outsidein.jobs.services import run_job
from outsidein.voice import services
from outsidein.voice.models import Survey
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory
from tests.security.cases import FORMULA_PAYLOADS

pytestmark = pytest.mark.django_db

# Every download of the product that writes CSV or XLSX, as (route, query) pairs the test
# fetches. The walk below fails when a route named like an export is neither here nor exempt.
EXPORTS: list[tuple[str, dict[str, str]]] = [
    ("/inbox/export.csv", {}),
    *[
        (f"/dashboard/export/{name}.{fmt}", {"all": "1", "by": by})
        for name in ("trend", "breakdown", "distribution")
        for fmt in ("csv", "xlsx")
        for by in ("survey", "team", "segment")
    ],
    ("/index/scorecards/export.csv", {}),
    ("/index/scorecards/export.xlsx", {}),
]
# Routes with "export" in them that are not a spreadsheet download of their own.
EXEMPT = {
    "customers/export/",  # starts the customers job; the job's file is checked below
    "customers/<int:customer_id>/gdpr/export/",  # a zip of JSON + CSV (privacy app)
    "settings/audit/export.csv",  # the audit log (audit app), checked when present below
    "api/v1/",  # the API answers JSON
}


def _seed(tenant: Tenant) -> None:
    organisation = tenant.organisation
    for index, payload in enumerate(FORMULA_PAYLOADS):
        segment = SegmentFactory(organisation=organisation, name=f"{payload} s{index}"[:100])
        team = Team.objects.create(
            organisation=organisation, name=payload[:100], slug=f"evil-{index}"
        )
        survey = Survey.objects.create(organisation=organisation, name=payload)
        customer = CustomerFactory(
            organisation=organisation,
            name=payload,
            city=payload[:100],
            external_id=f"{payload[:20]}-{index}",
            segment=segment,
        )
        for score in (0, 10):
            services.record_feedback(
                organisation,
                kind="response",
                channel="email",
                survey=survey,
                team=team,
                customer=customer,
                nps=score,
                subject=payload[:200],
                comment=payload,
                external_id=f"{payload}-{index}-{score}",
            )


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _assert_csv_safe(text: str, where: str) -> int:
    cells = _csv_cells(text)
    bad = [c for c in cells if spreadsheets.is_formula_like(c) and not _is_number(c)]
    assert not bad, f"{where}: formula-like cells {bad[:5]}"
    neutralised = sum(1 for cell in cells if cell.startswith("'") and cell[1:] in FORMULA_PAYLOADS)
    return neutralised


def _assert_xlsx_safe(content: bytes, where: str) -> int:
    book = load_workbook(io.BytesIO(content))
    strings = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where}: formula at {cell.coordinate}"
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert cell.data_type == "s"
                    strings += 1
    return strings


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def test_the_helper_neutralises_each_payload() -> None:
    for payload in FORMULA_PAYLOADS:
        assert spreadsheets.csv_cell(payload) == "'" + payload
    for harmless in ("Goed geholpen", "", "e-mail", "3", "a=b"):
        assert spreadsheets.csv_cell(harmless) == harmless
    assert spreadsheets.csv_cell(-3) == -3


def test_every_export_writes_payloads_as_text(tenant: Tenant, settings: Any) -> None:
    _seed(tenant)
    client = tenant.client_for(tenant.admin)
    seen_payloads = 0
    for route, query in EXPORTS:
        response = client.get(route, query)
        assert response.status_code == 200, (route, query, response.status_code)
        body = _body(response)
        if route.endswith(".xlsx"):
            seen_payloads += _assert_xlsx_safe(body, route)
        else:
            seen_payloads += _assert_csv_safe(body.decode("utf-8-sig"), route)
    assert seen_payloads > 0  # the payloads did reach the files
    inbox = _body(client.get("/inbox/export.csv")).decode()
    for payload in FORMULA_PAYLOADS:
        assert "'" + payload.strip("\n") in inbox or ("'" + payload) in _csv_cells(inbox)
    breakdown = client.get("/dashboard/export/breakdown.xlsx", {"all": "1", "by": "survey"})
    labels = {
        row[0]
        for row in load_workbook(io.BytesIO(breakdown.content)).active.iter_rows(values_only=True)
    }
    assert '=HYPERLINK("http://evil.example/","click")' in labels  # as text, not a formula


def test_the_customer_export_job_and_the_audit_export(tenant: Tenant) -> None:
    _seed(tenant)
    job = Job.objects.create(
        organisation=tenant.organisation,
        kind="customers.export",
        title="x",
        created_by=tenant.admin,
    )
    run_job(job.pk)
    job.refresh_from_db()
    path = Path(django_settings.MEDIA_ROOT) / job.result["file"]
    assert _assert_csv_safe(path.read_text(encoding="utf-8"), "customers job") >= len(
        FORMULA_PAYLOADS
    )
    client = tenant.client_for(tenant.admin)
    if _route_exists("settings/audit/export.csv"):
        response = client.get("/settings/audit/export.csv")
        if response.status_code == 200:
            _assert_csv_safe(_body(response).decode("utf-8-sig"), "audit")


def test_the_text_cli_writes_payloads_as_text(tmp_path: Path) -> None:
    from outsidein.text.cli import analyse_file

    source = tmp_path / "in.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text"])
        for payload in FORMULA_PAYLOADS:
            writer.writerow([payload])
    out = tmp_path / "out.csv"
    analyse_file(source, text_column="text", organisation_id=None, out=out)
    assert _assert_csv_safe(out.read_text(encoding="utf-8"), "text cli") >= 1


def _routes(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    found: list[str] = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("api/v1/"):
                found.append("api/v1/")
                continue
            found.extend(_routes(entry, route))
        elif isinstance(entry, URLPattern):
            found.append(route)
    return found


def _route_exists(route: str) -> bool:
    return route in _routes()


def test_every_export_route_is_covered() -> None:
    covered = {
        "inbox/export.csv",
        "export/<str:name>.<str:fmt>",
        "dashboard/export/<str:name>.<str:fmt>",
        "index/scorecards/export.<str:fmt>",
    }
    exports = {route for route in _routes() if "export" in route}
    missing = exports - covered - EXEMPT
    assert not missing, f"exports not run by the formula test: {missing}"
