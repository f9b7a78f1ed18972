"""Staff pages of the voice app and the dashboard."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest

from outsidein.voice import services
from outsidein.voice.models import Feedback, Survey
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def _feedback(tenant: Tenant, **fields: Any) -> Feedback:
    fields.setdefault("kind", "complaint")
    fields.setdefault("channel", "phone")
    return services.record_feedback(tenant.organisation, **fields)[0]


def test_inbox_lists_filters_and_searches(tenant: Tenant, other_tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation, name="Bakkerij Jansen")
    unhappy = _feedback(
        tenant, customer=customer, comment="De factuur was te hoog", nps=3, kind="review"
    )
    _feedback(tenant, comment="Snelle levering", nps=10, kind="review")
    _feedback(other_tenant, comment="Not ours at all")
    client = tenant.client_for(tenant.employee)
    everything = client.get("/inbox/")
    assert everything.context["page"].paginator.count == 2
    assert b"Not ours" not in everything.content
    detractors = client.get("/inbox/", {"band": "detractor"})
    assert list(detractors.context["page"].object_list) == [unhappy]
    by_text = client.get("/inbox/", {"q": "jansen"})
    assert list(by_text.context["page"].object_list) == [unhappy]
    fragment = client.get("/inbox/", {"q": "factuur"}, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b"factuur" in fragment.content


def test_feedback_detail_shows_the_customers_history_and_takes_tags(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation)
    older = _feedback(tenant, customer=customer, comment="Eerdere klacht")
    newer = _feedback(tenant, customer=customer, comment="Weer hetzelfde")
    client = tenant.client_for(tenant.employee)
    page = client.get(f"/inbox/{newer.pk}/")
    assert older in page.context["history"]
    assert (
        client.post(f"/inbox/{newer.pk}/tags/", {"tags": "factuur, levering ,"}).status_code == 302
    )
    assert sorted(newer.tags.values_list("name", flat=True)) == ["factuur", "levering"]
    assert client.get("/inbox/", {"tag": "factuur"}).context["page"].paginator.count == 1


def test_feedback_of_another_organisation_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = _feedback(other_tenant, comment="secret")
    client = tenant.client_for(tenant.admin)
    assert client.get(f"/inbox/{theirs.pk}/").status_code == 404
    assert client.post(f"/inbox/{theirs.pk}/delete/").status_code == 404
    assert Feedback.objects.filter(pk=theirs.pk).exists()


def test_logging_feedback_by_hand_for_a_customer(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation, language="en")
    client = tenant.client_for(tenant.employee)
    response = client.post(
        f"/inbox/new/?customer={customer.pk}",
        {
            "kind": "complaint",
            "channel": "phone",
            "comment": "Meter reading was wrong",
            "language": "en",
            "customer": customer.pk,
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.customer, feedback.author, feedback.team) == (
        customer,
        tenant.employee,
        tenant.employee.team,
    )
    empty = client.post("/inbox/new/", {"kind": "complaint", "channel": "phone", "language": "nl"})
    assert "comment" in empty.context["form"].errors


def test_only_admins_delete_feedback(tenant: Tenant) -> None:
    item = _feedback(tenant, comment="x", nps=2, kind="review")
    assert tenant.client_for(tenant.manager).post(f"/inbox/{item.pk}/delete/").status_code == 403
    assert tenant.client_for(tenant.admin).post(f"/inbox/{item.pk}/delete/").status_code == 302
    assert not Feedback.objects.exists()


def test_build_open_and_share_a_survey(tenant: Tenant, smtp_inbox: Any) -> None:
    client = tenant.client_for(tenant.manager)
    created = client.post(
        "/surveys/new/",
        {
            "name": "Na installatie",
            "template": "ces",
            "team": tenant.manager.team_id,
            "title_nl": "Hoe ging de installatie?",
        },
    )
    assert created.status_code == 302
    survey = Survey.objects.get(name="Na installatie")
    assert [q.key for q in survey.questions.all()] == ["ces", "reason"]
    add = client.post(
        f"/surveys/{survey.pk}/questions/",
        {
            "kind": "single",
            "key": "monteur",
            "text_nl": "Was de monteur op tijd?",
            "choices": "Ja | Yes\nNee | No",
        },
    )
    assert add.status_code == 302
    question = survey.questions.get(key="monteur")
    assert question.choices[1] == {"value": "c2", "nl": "Nee", "en": "No"}
    settings_page = client.post(
        f"/surveys/{survey.pk}/settings/",
        {"name": survey.name, "title_nl": "Hoe ging de installatie?", "allow_anonymous": "on"},
    )
    assert settings_page.status_code == 302
    assert client.post(f"/surveys/{survey.pk}/open/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open" and survey.allow_anonymous
    detail = client.get(f"/surveys/{survey.pk}/")
    assert survey.public_key.encode() in detail.content
    png = client.get(f"/surveys/{survey.pk}/qr.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = client.get(f"/surveys/{survey.pk}/qr.svg")
    assert b"<svg" in svg.content
    CustomerFactory.create_batch(3, organisation=tenant.organisation)
    invited = client.post(f"/surveys/{survey.pk}/invite/", {"limit": 10}, follow=True)
    assert b"3 invitations sent" in invited.content
    assert len(smtp_inbox.messages) == 3


def test_employee_cannot_build_surveys(tenant: Tenant) -> None:
    client = tenant.client_for(tenant.employee)
    assert client.post("/surveys/new/", {"name": "x", "template": "nps"}).status_code == 403


def _scored(tenant: Tenant, n: int, score: int, segment: Any = None, month: int = 3) -> None:
    customer = (
        CustomerFactory(organisation=tenant.organisation, segment=segment) if segment else None
    )
    for index in range(n):
        _feedback(
            tenant,
            kind="review",
            channel="link",
            nps=score,
            customer=customer,
            submitted_at=datetime(2026, month, 1 + index % 28, 12, tzinfo=UTC),
        )


def test_dashboard_shows_intervals_and_says_when_there_are_too_few(tenant: Tenant) -> None:
    mkb = SegmentFactory(organisation=tenant.organisation, name="MKB")
    _scored(tenant, 40, 10)
    _scored(tenant, 5, 0, segment=mkb)
    client = tenant.client_for(tenant.employee)
    page = client.get("/dashboard/", {"all": "1"})
    assert page.status_code == 200
    assert page.context["summary"].nps.n == 45
    assert b"not enough responses" in page.content  # MKB has n=5
    data = client.get("/dashboard/data.json", {"all": "1", "by": "segment"}).json()
    groups = {g["label"]: g for g in data["breakdown"]["groups"]}
    assert groups["MKB"]["nps"]["n"] == 5 and groups["MKB"]["nps"]["enough"] is False
    assert data["distribution"]["10"] == 40


def test_dashboard_downloads(tenant: Tenant) -> None:
    _scored(tenant, 3, 9)
    client = tenant.client_for(tenant.employee)
    csv_file = client.get("/dashboard/export/trend.csv", {"all": "1"})
    assert csv_file["Content-Type"].startswith("text/csv")
    assert csv_file.content.decode().splitlines()[0].startswith("period_start,items")
    xlsx = client.get("/dashboard/export/distribution.xlsx", {"all": "1"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("nps_score", "responses") and rows[10] == (9, 3)
    assert client.get("/dashboard/export/secrets.csv").status_code == 404


def test_dashboard_rejects_an_inverted_period(tenant: Tenant) -> None:
    response = tenant.client_for(tenant.employee).get(
        "/dashboard/data.json", {"since": "2026-05-01", "until": "2026-01-01"}
    )
    assert response.status_code == 422


def test_customer_page_shows_their_feedback(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation)
    _feedback(tenant, customer=customer, comment="Monteur was te laat")
    page = tenant.client_for(tenant.employee).get(f"/customers/{customer.pk}/")
    assert b"Monteur was te laat" in page.content


def test_inbox_download_streams_the_filtered_feedback(tenant: Tenant, other_tenant: Tenant) -> None:
    _feedback(tenant, comment="first, with a comma", nps=3, kind="review")
    _feedback(tenant, comment="second", nps=10, kind="review")
    _feedback(other_tenant, comment="foreign")
    response = tenant.client_for(tenant.admin).get("/inbox/export.csv", {"band": "detractor"})
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("id,kind,channel")
    assert len(lines) == 2 and '"first, with a comma"' in lines[1]


def test_survey_page_shows_the_response_rate(tenant: Tenant) -> None:
    from outsidein.voice import distribution
    from outsidein.voice.models import Invitation

    survey = services.open_survey(services.create_survey(tenant.organisation, name="Rate"))
    customers = CustomerFactory.create_batch(4, organisation=tenant.organisation)
    distribution.invite(survey, customers)
    Invitation.objects.update(status="sent")
    Invitation.objects.filter(pk=Invitation.objects.first().pk).update(status="responded")
    page = tenant.client_for(tenant.admin).get(f"/surveys/{survey.pk}/")
    rate = page.context["response_rate"]
    assert (rate.n, rate.value) == (4, 25.0)
