"""The monthly leadership report: gathering the data, the PDF and its text, the pages, the CLI
and the scheduled email (through a real SMTP server), with its idempotence."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from outsidein.centricity import report as reports
from outsidein.centricity.models import ReportDelivery, ReportSubscription
from outsidein.centricity.report_pdf import render_pdf
from outsidein.cli import main as cli_main
from outsidein.practice.models import Case, CaseStatus, Decision, Loop, RootCause
from outsidein.practice.services import create_decision
from outsidein.voice import services as voice
from outsidein.voice.models import Channel, Feedback, FeedbackKind, Survey
from outsidein.voice.services import FeedbackRow, bulk_record, record_feedback
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)
TODAY = date(2026, 4, 10)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def scores(tenant: Tenant, month: date, nps: list[int], csat: list[int] | None = None) -> None:
    rows = [
        FeedbackRow(
            kind=FeedbackKind.RESPONSE,
            channel=Channel.EMAIL,
            language="nl",
            submitted_at=at(month.replace(day=3 + number % 20)),
            nps=value,
            csat=None if csat is None else csat[number % len(csat)],
        )
        for number, value in enumerate(nps)
    ]
    bulk_record(tenant.organisation, rows)


def stories(tenant: Tenant, month: date = MARCH) -> dict[str, Any]:
    """A promoter, a detractor whose follow-up was closed with a structural fix, and a complaint
    cited in a decision, all in March; plus a shorter promoter in English (never first)."""
    org = tenant.organisation
    survey = voice.open_survey(voice.create_survey(org, name="Relatie-NPS"))
    promoter, _ = record_feedback(
        org,
        kind=FeedbackKind.RESPONSE,
        survey=survey,
        channel=Channel.EMAIL,
        language="nl",
        nps=10,
        comment="De monteur kwam dezelfde dag en legde alles rustig uit. Top service!",
        submitted_at=at(month.replace(day=5)),
    )
    record_feedback(
        org,
        kind=FeedbackKind.RESPONSE,
        survey=survey,
        channel=Channel.EMAIL,
        language="en",
        nps=9,
        comment="Fine.",
        submitted_at=at(month.replace(day=6)),
    )
    detractor, _ = record_feedback(
        org,
        kind=FeedbackKind.RESPONSE,
        survey=survey,
        channel=Channel.EMAIL,
        language="nl",
        nps=2,
        comment="Drie keer gebeld over mijn factuur en niemand belde terug.",
        submitted_at=at(month.replace(day=9)),
    )
    case = Case.objects.get(feedback=detractor)
    cause = RootCause.objects.create(organisation=org, name="Callback not planned")
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED,
        closed_at=at(month.replace(day=11)),
        first_response_at=at(month.replace(day=10)),
        learned="Terugbelverzoeken kwamen in een gedeelde mailbox die niemand las.",
        root_cause=cause,
        loop=Loop.OUTER,
    )
    complaint, _ = record_feedback(
        org,
        kind=FeedbackKind.COMPLAINT,
        channel=Channel.PHONE,
        language="nl",
        comment="Het nieuwe tarief werd niet aangekondigd.",
        submitted_at=at(month.replace(day=12)),
    )
    create_decision(
        org,
        title="Tariefwijzigingen een maand vooraf aankondigen",
        status="taken",
        decided_on=month.replace(day=20),
        evidence=[("feedback", complaint.pk)],
        added_by=tenant.admin,
    )
    create_decision(
        org,
        title="Nieuwe huisstijl",
        status="taken",
        decided_on=month.replace(day=22),
        without_customer_input=True,
        no_input_reason="Wettelijk verplicht logo",
    )
    return {"promoter": promoter, "detractor": detractor, "complaint": complaint}


@pytest.fixture
def march(tenant: Tenant) -> Tenant:
    # March: 20 promoters, 10 passives, 10 detractors (NPS 25); February: 10/10/20 (NPS −25).
    scores(tenant, MARCH, [10] * 20 + [8] * 10 + [3] * 10, csat=[5, 4, 2])
    scores(tenant, date(2026, 2, 1), [9] * 10 + [7] * 10 + [1] * 20, csat=[2, 1, 4])
    stories(tenant)
    return tenant


def test_parse_month_and_bad_months() -> None:
    assert reports.parse_month("2026-03") == MARCH
    for bad in ("2026-13", "26-03", "2026-3", "", "march", "2026-03-01"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            reports.parse_month(bad)
    assert reports.last_full_month(date(2026, 1, 5)) == date(2025, 12, 1)


def test_report_gathers_the_month(march: Tenant) -> None:
    report = reports.build_report(march.organisation, MARCH, "en", today=TODAY)
    assert report.month_label == "March 2026" and not report.partial
    nps = next(f for f in report.figures if f.key == "nps")
    # 20 + 1 (the story promoter, 10) + 1 (9) promoters, 10 passives, 10 + 1 detractors, n = 43
    assert nps.estimate.n == 43 and nps.estimate.enough
    assert nps.value_text == str(round(100 * (22 - 11) / 43))
    assert nps.interval_text.startswith("[") and nps.change.difference is not None
    assert nps.change.significant  # from −25 to about +26
    assert any(m.label == "NPS" and m.significant for m in report.moves)
    kinds = {s.kind: s for s in report.stories}
    assert "monteur" in kinds["promoter"].quote  # "Fine." (en) is too short
    assert "niemand belde terug" in kinds["detractor"].quote
    assert any("gedeelde mailbox" in line for line in kinds["detractor"].done)
    assert "tarief" in kinds["complaint"].quote
    assert any("Tariefwijzigingen" in line for line in kinds["complaint"].done)
    counts = report.decisions.month_counts
    assert (counts.taken, counts.with_input, counts.without_input) == (2, 1, 1)
    assert report.decisions.quarter_counts.taken == 2
    without = next(d for d in report.decisions.month if d.without_input)
    assert without.reason == "Wettelijk verplicht logo"
    assert {n.key for n in report.norms} >= {"queue", "loop", "contacts", "decisions"}
    assert not report.gap.available and "No mirror-survey wave" in report.gap.statement
    assert report.index.period == "2026-Q1"


def test_story_selection_is_deterministic_and_prefers_the_language(march: Tenant) -> None:
    first = reports.build_report(march.organisation, MARCH, "en", today=TODAY)
    again = reports.build_report(march.organisation, MARCH, "en", today=TODAY)
    assert first.stories == again.stories
    survey = Survey.objects.get(organisation=march.organisation)
    record_feedback(
        march.organisation,
        kind=FeedbackKind.RESPONSE,
        survey=survey,
        channel=Channel.EMAIL,
        language="en",
        nps=10,
        comment="Quick and friendly, and they called back when they said they would.",
        submitted_at=at(date(2026, 3, 7)),
    )
    english = reports.build_report(march.organisation, MARCH, "en", today=TODAY)
    dutch = reports.build_report(march.organisation, MARCH, "nl", today=TODAY)
    assert english.stories[0].quote.startswith("Quick and friendly")
    assert "monteur" in dutch.stories[0].quote


def test_a_month_without_data_says_so_and_never_nan(tenant: Tenant) -> None:
    for language in ("en", "nl"):
        report = reports.build_report(tenant.organisation, MARCH, language, today=TODAY)
        assert report.figures_statement
        assert all(f.value_text == "–" and f.bar is None for f in report.figures)
        assert not report.moves and not report.decisions.month
        assert all(not s.available for s in report.stories)
        assert report.decisions.month_counts.share_text == "–"
        html = reports.render_html(report)
        pdf_text = pdf_to_text(render_pdf(report))
        for text in (html, pdf_text):
            assert "nan" not in text.lower().replace("financ", "")
            assert "None" not in text
    english = reports.build_report(tenant.organisation, MARCH, "en", today=TODAY)
    html = reports.render_html(english)
    assert "No customer feedback was recorded in this month." in html
    assert "No decisions were taken this month." in html


def test_too_few_answers_shows_no_figure(tenant: Tenant) -> None:
    scores(tenant, MARCH, [10, 9, 3])
    report = reports.build_report(tenant.organisation, MARCH, "en", today=TODAY)
    nps = report.figures[0]
    assert nps.value_text == "–" and "Too few answers (n=3" in nps.note
    assert nps.change.difference is None and "no comparison" in nps.change_text


def test_the_current_month_is_marked_partial(tenant: Tenant) -> None:
    report = reports.build_report(tenant.organisation, TODAY, "en", today=TODAY)
    assert report.partial and "not over yet" in reports.render_html(report)


def pdf_to_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_pdf_renders_with_the_key_figures(march: Tenant, tmp_path: Path) -> None:
    for language, title, section in (
        ("en", "Customer-centricity report", "Three customer stories"),
        ("nl", None, None),
    ):
        report = reports.build_report(march.organisation, MARCH, language, today=TODAY)
        data = render_pdf(report)
        (tmp_path / f"report-{language}.pdf").write_bytes(data)
        text = " ".join(pdf_to_text(data).split())
        assert march.organisation.name in text
        assert report.month_label in text
        for figure in report.figures:
            assert figure.value_text in text
            assert figure.interval_text in text
        assert "monteur kwam dezelfde dag" in text
        assert "Tariefwijzigingen een maand vooraf aankondigen" in text
        assert "Wettelijk verplicht logo" in text
        if title:
            assert title in text and section in text
            assert "significant (95%)" in text
    results = Path("test-output")
    results.mkdir(exist_ok=True)
    (results / "report-march-en.pdf").write_bytes((tmp_path / "report-en.pdf").read_bytes())


def test_html_page_pdf_link_and_month_selector(march: Tenant) -> None:
    client = march.client_for(march.employee)
    page = client.get("/report/?month=2026-03")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="report-month"' in text and "/report/2026-03.pdf" in text
    assert "<script>" not in text and " style=" not in text  # CSP: nothing inline
    assert "monteur" in text
    pdf = client.get("/report/2026-03.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert client.get("/report/2099-01.pdf").status_code == 404
    assert client.get("/report/junk.pdf").status_code == 404
    bad = client.get("/report/?month=2026-13")
    assert bad.status_code == 200 and "YYYY-MM" in bad.content.decode()
    assert client.get("/report/").status_code == 200
    assert tenant_free(client.get("/report/subscriptions/").status_code)


def tenant_free(status: int) -> bool:
    return status == 403


def test_report_only_shows_the_own_organisation(march: Tenant, other_tenant: Tenant) -> None:
    page = other_tenant.client_for(other_tenant.employee).get("/report/?month=2026-03")
    assert page.status_code == 200 and "monteur" not in page.content.decode()


def test_admin_chooses_leaders(tenant: Tenant, other_tenant: Tenant) -> None:
    client = tenant.client_for(tenant.admin)
    page = client.get("/report/subscriptions/")
    assert page.status_code == 200 and "Nobody receives the report yet." in page.content.decode()
    added = client.post(
        "/report/subscriptions/", {"person": tenant.manager.pk, "day": 3, "language": "en"}
    )
    assert added.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert (subscription.person, subscription.day, subscription.language) == (
        tenant.manager,
        3,
        "en",
    )
    bad_day = client.post("/report/subscriptions/", {"person": tenant.manager.pk, "day": 31})
    assert bad_day.status_code == 200 and b"errorlist" in bad_day.content
    foreign = client.post("/report/subscriptions/", {"person": other_tenant.admin.pk, "day": 1})
    assert foreign.status_code == 200 and ReportSubscription.objects.count() == 1
    theirs = reports.subscribe(other_tenant.admin, day=1)
    assert client.post(f"/report/subscriptions/{theirs.pk}/delete/").status_code == 404
    assert client.post(f"/report/subscriptions/{subscription.pk}/delete/").status_code == 302
    assert not ReportSubscription.objects.filter(organisation=tenant.organisation).exists()


def test_cli_writes_pdf_and_html(march: Tenant, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "r.pdf"
    code = cli_main(
        ["report", "--org", "acme", "--month", "2026-03", "--format", "pdf", "--out", str(out)]
    )
    assert code == 0 and out.read_bytes().startswith(b"%PDF-")
    html = tmp_path / "r.html"
    code = cli_main(
        [
            "report",
            "--org",
            "acme",
            "--month",
            "2026-03",
            "--format",
            "html",
            "--out",
            str(html),
            "--language",
            "en",
        ]
    )
    text = html.read_text(encoding="utf-8")
    assert code == 0 and "<style>" in text and "March 2026" in text and "<script" not in text
    assert cli_main(["report", "--org", "acme", "--month", "2026-3", "--out", str(out)]) == 2
    assert "YYYY-MM" in capsys.readouterr().err
    assert cli_main(["report", "--org", "nope", "--month", "2026-03", "--out", str(out)]) == 2
    missing_dir = tmp_path / "no" / "such" / "r.pdf"
    assert cli_main(["report", "--org", "acme", "--month", "2026-03", "--out", str(missing_dir)])
    assert cli_main(["report", "--org", "acme", "--month", "2099-03", "--out", str(out)]) == 2


def test_scheduled_email_through_smtp_once(march: Tenant, smtp_inbox: Any) -> None:
    reports.subscribe(march.manager, day=5, language="en")
    march.admin.language = "nl"
    march.admin.save()
    reports.subscribe(march.admin, day=12)  # not yet on the 10th; in their own language
    assert reports.send_monthly_reports(date(2026, 4, 4)) == 0  # the 5th has not come
    assert reports.send_monthly_reports(TODAY) == 1
    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == march.manager.email
    assert "March 2026" in message["Subject"]
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "text/html" in parts and "application/pdf" in parts
    attachment = parts["application/pdf"]
    assert attachment.get_filename() == "outsidein-acme-2026-03-en.pdf"
    text = pdf_to_text(attachment.get_payload(decode=True))
    assert "monteur" in text
    assert "/report/?month=2026-03" in parts["text/plain"].get_payload(decode=True).decode()
    # Idempotent: the same day again, and the next day, send nothing more to the manager.
    assert reports.send_monthly_reports(TODAY) == 0
    assert reports.send_monthly_reports(date(2026, 4, 11)) == 0
    assert len(smtp_inbox.messages) == 1
    assert ReportDelivery.objects.filter(person=march.manager, month=MARCH).count() == 1
    # A missed day is caught up; the admin's day (12) comes, in their own language (Dutch).
    assert reports.send_monthly_reports(date(2026, 4, 13)) == 1
    assert "maart 2026" in smtp_inbox.messages[-1]["Subject"]


def test_a_failed_send_is_tried_again(march: Tenant, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    reports.subscribe(march.manager, day=1)
    assert reports.send_monthly_reports(TODAY) == 0
    assert not ReportDelivery.objects.exists()


def test_remind_round_sends_the_reports(march: Tenant, smtp_inbox: Any, capsys: Any) -> None:
    reports.subscribe(march.manager, day=1)
    assert cli_main(["remind"]) == 0
    out = capsys.readouterr().out
    assert "monthly reports sent" in out


def test_subscribe_rejects_inactive_people(tenant: Tenant) -> None:
    from django.core.exceptions import ValidationError

    tenant.employee.is_active = False
    tenant.employee.save()
    with pytest.raises(ValidationError):
        reports.subscribe(tenant.employee, day=1)
    with pytest.raises(ValidationError):
        reports.subscribe(tenant.manager, day=29)
    assert not Decision.objects.exists() and not Feedback.objects.exists()
