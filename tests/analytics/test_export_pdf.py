"""The dashboard and its breakdown as PDF and PNG: the figures are in the PDF as text, small n
is marked, the comparisons are there, and the PNG is a real image of a sensible size."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from PIL import Image
from pypdf import PdfReader

from outsidein.analytics import textout, views
from outsidein.voice import services
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "_today", lambda: date(2026, 12, 4))
    retail = CustomerFactory(
        organisation=tenant.organisation,
        segment=SegmentFactory(organisation=tenant.organisation, name="Retail"),
    )
    smb = CustomerFactory(
        organisation=tenant.organisation,
        segment=SegmentFactory(organisation=tenant.organisation, name="SMB"),
    )
    tiny = CustomerFactory(
        organisation=tenant.organisation,
        segment=SegmentFactory(organisation=tenant.organisation, name="Tiny"),
    )
    for index in range(32):
        for customer, nps in ((retail, 10 if index % 4 else 3), (smb, 2 if index % 3 else 9)):
            services.record_feedback(
                tenant.organisation,
                kind="review",
                channel="link",
                nps=nps,
                customer=customer,
                submitted_at=datetime(2026, 11, 1 + index % 28, 12, tzinfo=UTC),
            )
    for day in (1, 2, 3):
        services.record_feedback(
            tenant.organisation,
            kind="review",
            channel="link",
            nps=10,
            customer=tiny,
            submitted_at=datetime(2026, 12, day, 12, tzinfo=UTC),
        )


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_dashboard_pdf_has_the_figures_as_text(tenant: Tenant, figures: None) -> None:
    client = tenant.client_for(tenant.employee)
    page = client.get("/dashboard/", {"running": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert b'data-testid="dashboard-pdf"' in page.content and b"breakdown.pdf" in page.content
    response = client.get(
        "/dashboard/export/dashboard.pdf", {"running": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _text(response.content)
    summary = page.context["summary"]
    assert f"{summary.nps.value:.0f}" in text and f"n={summary.nps.n}" in text
    assert "Dec 2026 *: so far (4 of 31 days)" in text  # the partial bar is named
    assert "too few (n=3)" in text  # Tiny
    [pair] = page.context["tested_pairs"]
    assert textout.p_text(pair.nps.p_adjusted) in text and "p=0.000" not in text
    assert "SMB − Retail" in text and "Holm" in text


def test_breakdown_pdf_in_dutch_and_png(tenant: Tenant, figures: None) -> None:
    client = tenant.client_for(tenant.employee)
    client.cookies["django_language"] = "nl"
    pdf = client.get(
        "/dashboard/export/breakdown.pdf",
        {"since": "2026-11-01", "until": "2026-11-30"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    text = _text(pdf.content)
    assert "Verschillen en of ze echt zijn" in text and "Retail" in text
    png = client.get(
        "/dashboard/export/dashboard.png",
        {"since": "2026-11-01", "until": "2026-11-30"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert png["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    image.verify()
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG"
    assert 800 <= image.width <= 1400 and image.height >= image.width * 1.3  # A4 pages
    # not a blank page: dark ink covers a real part of it
    grey = image.convert("L").resize((100, 140))
    dark = sum(1 for value in grey.tobytes() if value < 200)
    assert dark > 200
    assert client.get("/dashboard/export/trend.pdf").status_code == 404
