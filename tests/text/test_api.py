"""The text API: the shared contract for themes, and analysing, drivers, the analysis of a
piece of feedback with its correction, re-analysis and the models, through the real client."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.utils import timezone

from outsidein.jobs.models import Job
from outsidein.text import services
from outsidein.text.models import FeedbackAnalysis, TextModel, Theme, TrainingExample
from outsidein.voice.services import record_feedback
from tests.api.contract import CrudContract
from tests.conftest import Tenant
from tests.factories import SegmentFactory

pytestmark = pytest.mark.django_db


def call(method: str, path: str, headers: dict[str, str] | None, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {"headers": headers or {}}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(Client(), method)(path, **kwargs)


class TestThemesApi(CrudContract):
    path = "/api/v1/themes"
    model = Theme

    def make(self, tenant: Tenant) -> models.Model:
        return services.save_theme(
            tenant.organisation, name=f"Thema {Theme.objects.count()}", keywords="factuur"
        )

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        return {
            "name": "Bezorging",
            "description": "Levering en pakketten",
            "keywords": ["bezorging", "pakket", "delivery"],
            "owner_team_id": tenant.manager.team_id,
        }

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"name": "Bezorging", "owner_team_id": 987654321}, "owner_team_id"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"keywords": ["factuur", "rekening"]}, "keywords", "factuur\nrekening"


def test_theme_names_are_unique_and_filters_work(tenant: Tenant, other_tenant: Tenant) -> None:
    headers = tenant.api_headers(tenant.admin)
    services.save_theme(tenant.organisation, name="Factuur", owner_team=tenant.manager.team)
    services.save_theme(tenant.organisation, name="App", status="candidate")
    duplicate = call("post", "/api/v1/themes", headers, {"name": "Factuur"})
    assert duplicate.status_code == 422
    assert duplicate.json()["detail"][0]["loc"] == ["body", "name"]
    foreign_team = other_tenant.manager.team_id
    response = call("post", "/api/v1/themes", headers, {"name": "X", "owner_team_id": foreign_team})
    assert response.status_code == 422 and not Theme.objects.filter(name="X").exists()

    def names(query: str) -> list[str]:
        body = call("get", "/api/v1/themes" + query, headers).json()
        return [item["name"] for item in body["items"]]

    assert names("") == ["App", "Factuur"]
    assert names("?status=candidate") == ["App"]
    assert names(f"?owner_team={tenant.manager.team_id}") == ["Factuur"]
    assert names("?q=fact") == ["Factuur"]
    # Clearing the owner team with null; a manager may not change the taxonomy.
    factuur = Theme.objects.get(name="Factuur")
    cleared = call("patch", f"/api/v1/themes/{factuur.pk}", headers, {"owner_team_id": None})
    assert cleared.status_code == 200 and cleared.json()["owner_team_id"] is None
    manager = tenant.api_headers(tenant.manager)
    assert call("patch", f"/api/v1/themes/{factuur.pk}", manager, {"name": "Y"}).status_code == 403


def _feedback(tenant: Tenant, comment: str, nps: int | None = None, **extra: Any) -> Any:
    feedback, _created = record_feedback(
        tenant.organisation,
        kind="review" if nps is not None else "complaint",
        channel="email",
        language="nl",
        comment=comment,
        nps=nps,
        **extra,
    )
    return feedback


def test_rename_and_merge_follow_the_analyses(tenant: Tenant, other_tenant: Tenant) -> None:
    headers = tenant.api_headers(tenant.admin)
    invoice = services.save_theme(tenant.organisation, name="Factuur", keywords="factuur")
    bill = services.save_theme(tenant.organisation, name="Rekening", keywords="rekening")
    _feedback(tenant, "Mijn rekening was te hoog")
    services.analyse_feedback(tenant.organisation.pk)
    theirs = services.save_theme(other_tenant.organisation, name="Hun thema")
    path = f"/api/v1/themes/{invoice.pk}/merge"
    foreign = call("post", path, headers, {"theme_ids": [theirs.pk]})
    assert foreign.status_code == 422 and Theme.objects.filter(pk=theirs.pk).exists()
    itself = call("post", path, headers, {"theme_ids": [invoice.pk]})
    assert itself.status_code == 422
    employee = tenant.api_headers(tenant.employee)
    assert call("post", path, employee, {"theme_ids": [bill.pk]}).status_code == 403
    merged = call("post", path, headers, {"theme_ids": [bill.pk]})
    assert merged.status_code == 200, merged.content
    assert merged.json()["keywords"] == ["factuur", "rekening"]
    assert not Theme.objects.filter(pk=bill.pk).exists()
    assert FeedbackAnalysis.objects.get().themes == {"Factuur": 0.7}
    renamed = call("patch", f"/api/v1/themes/{invoice.pk}", headers, {"name": "Facturen"})
    assert renamed.status_code == 200
    assert FeedbackAnalysis.objects.get().themes == {"Facturen": 0.7}
    assert (
        call(
            "post", f"/api/v1/themes/{theirs.pk}/merge", headers, {"theme_ids": [invoice.pk]}
        ).status_code
        == 404
    )


def test_analyse_without_storing(tenant: Tenant) -> None:
    services.save_theme(tenant.organisation, name="Bezorging", keywords="bezorging\ndelivery")
    services.save_theme(tenant.organisation, name="Prijs", keywords="prijs\nprice")
    headers = tenant.api_headers(tenant.employee)
    texts = [
        "De bezorging was veel te laat en slecht. De prijs is wel heel goed!",
        "Great staff, very helpful.",
        "🙂🙂",
        "",
    ]
    response = call("post", "/api/v1/text/analyse", headers, {"texts": texts})
    assert response.status_code == 200, response.content
    first, english, emoji, empty = response.json()["results"]
    assert first["language"] == "nl"
    assert {t["name"] for t in first["themes"]} == {"Bezorging", "Prijs"}
    aspects = {a["theme"]: a["sentiment"] for a in first["aspects"]}
    assert aspects == {"Bezorging": "negative", "Prijs": "positive"}
    assert len(first["sentences"]) == 2
    assert (english["language"], english["sentiment"]) == ("en", "positive")
    assert (emoji["language"], emoji["sentiment"]) == ("other", None)
    assert (empty["language"], empty["sentiment"], empty["themes"]) == (None, None, [])
    assert not FeedbackAnalysis.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"texts": []}, "texts"),
        ({"texts": ["x"] * 101}, "texts"),
        ({"texts": ["x" * 100_001]}, "texts"),
        ({"texts": ["x" * 90_000] * 6}, "texts"),
        ({"texts": "one text"}, "texts"),
        ({"texts": [1, 2]}, "texts"),
        ({}, "texts"),
    ],
    ids=["empty", "too-many", "too-long", "too-much-in-all", "not-a-list", "numbers", "missing"],
)
def test_analyse_bad_input_is_422_naming_the_field(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    response = call("post", "/api/v1/text/analyse", tenant.api_headers(tenant.employee), body)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert any(field in error["loc"] and error["msg"] for error in detail), detail


def test_analyse_needs_a_token(tenant: Tenant) -> None:
    assert call("post", "/api/v1/text/analyse", None, {"texts": ["x"]}).status_code == 401


def test_drivers_are_the_figures_of_the_page(tenant: Tenant, other_tenant: Tenant) -> None:
    org = tenant.organisation
    services.save_theme(org, name="Factuur", keywords="factuur")
    retail = SegmentFactory(organisation=org, name="Retail")
    from tests.factories import CustomerFactory

    customer = CustomerFactory(organisation=org, segment=retail)
    for i in range(40):
        _feedback(tenant, f"De factuur klopte niet {i}", nps=2, customer=customer)
        _feedback(tenant, f"Alles was prima geregeld {i}", nps=10, customer=customer)
    _feedback(tenant, "De factuur was fout", nps=3)  # no segment
    services.analyse_feedback(org.pk)
    headers = tenant.api_headers(tenant.employee)
    response = call("get", "/api/v1/themes/drivers?by=segment", headers)
    assert response.status_code == 200, response.content
    body = response.json()
    groups = {group["label"]: group for group in body["groups"]}
    assert set(groups) == {"Retail", "No segment"}
    assert groups["Retail"]["key"] == retail.pk and groups["Retail"]["comments"] == 80
    [invoice] = groups["Retail"]["themes"]
    assert invoice["volume"] == 40 and invoice["share"] == 0.5
    assert invoice["nps_difference"]["difference"] == -200.0
    assert invoice["nps_impact"]["difference"] == -100.0
    assert groups["No segment"]["themes"][0]["nps_difference"]["difference"] is None
    figures = services.theme_figures(org.pk)
    [overall] = call("get", "/api/v1/themes/drivers", headers).json()["groups"]
    assert overall["comments"] == figures["total"] == 81
    assert overall["themes"][0]["nps_difference"]["difference"] == pytest.approx(
        figures["themes"][0]["nps_difference"]
    )
    today = timezone.localdate()
    month = call("get", f"/api/v1/themes/drivers?by=month&since={today}&until={today}", headers)
    assert month.json()["groups"][0]["key"] == today.isoformat()[:7]
    before = (today - timedelta(days=10)).isoformat()
    assert call("get", f"/api/v1/themes/drivers?until={before}", headers).json()["groups"] == []
    within = call("get", f"/api/v1/themes/drivers?segment_id={retail.pk}", headers).json()
    assert within["groups"][0]["comments"] == 80
    only = call("get", "/api/v1/themes/drivers?theme=Nope", headers).json()
    assert only["groups"][0]["themes"] == []
    # Bad input names the field; another organisation's segment is not a filter but bad input.
    backwards = call("get", f"/api/v1/themes/drivers?since={today}&until={before}", headers)
    assert backwards.status_code == 422 and backwards.json()["detail"][0]["loc"][-1] == "until"
    assert call("get", "/api/v1/themes/drivers?by=planet", headers).status_code == 422
    theirs = SegmentFactory(organisation=other_tenant.organisation)
    foreign = call("get", f"/api/v1/themes/drivers?segment_id={theirs.pk}", headers)
    assert foreign.status_code == 422
    # Another organisation sees none of it.
    elsewhere = call("get", "/api/v1/themes/drivers", other_tenant.api_headers(other_tenant.admin))
    assert elsewhere.json()["groups"] == []


def test_feedback_analysis_get_and_correct(tenant: Tenant, other_tenant: Tenant) -> None:
    services.save_theme(tenant.organisation, name="Factuur", keywords="factuur")
    services.save_theme(tenant.organisation, name="App")
    feedback = _feedback(
        tenant, "De factuur klopte weer niet, heel slecht. De app werkt wel prima."
    )
    unanalysed = _feedback(tenant, "Nog niet gezien")
    services.analyse_feedback(tenant.organisation.pk, [feedback.pk])
    path = f"/api/v1/feedback/{feedback.pk}/analysis"
    employee = tenant.api_headers(tenant.employee)
    response = call("get", path, employee)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["feedback_id"] == feedback.pk and body["language"] == "nl"
    assert [t["name"] for t in body["themes"]] == ["Factuur"]
    assert {"theme": "Factuur", "sentiment": "negative"}.items() <= body["aspects"][0].items()
    assert call("get", f"/api/v1/feedback/{unanalysed.pk}/analysis", employee).status_code == 404
    foreign = other_tenant.api_headers(other_tenant.admin)
    assert call("get", path, foreign).status_code == 404
    correction = {"sentiment": "neutral", "themes": ["Factuur", "App"]}
    assert call("patch", path, foreign, correction).status_code == 404
    assert call("patch", path, employee, correction).status_code == 403
    manager = tenant.api_headers(tenant.manager)
    bad = call("patch", path, manager, {"themes": ["Nope"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "themes"]
    assert call("patch", path, manager, {"sentiment": "furious"}).status_code == 422
    analysis = FeedbackAnalysis.objects.get(feedback=feedback)
    assert not analysis.sentiment_corrected and not TrainingExample.objects.exists()
    done = call("patch", path, manager, correction)
    assert done.status_code == 200, done.content
    assert done.json()["sentiment"] == "neutral" and done.json()["themes_corrected"]
    analysis.refresh_from_db()
    assert (analysis.sentiment, analysis.themes) == ("neutral", {"App": 1.0, "Factuur": 1.0})
    # The same service as the inline correction: a strong label to learn from, kept on re-analysis.
    example = TrainingExample.objects.get(feedback=feedback)
    assert (example.sentiment, example.themes) == ("neutral", ["App", "Factuur"])
    services.analyse_feedback(tenant.organisation.pk)
    analysis.refresh_from_db()
    assert analysis.sentiment == "neutral"
    assert call("patch", path, manager, {}).status_code == 200  # nothing to change


def test_reanalyse_starts_a_job_and_models_show_their_accuracy(
    tenant: Tenant, other_tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    employee = tenant.api_headers(tenant.employee)
    assert call("post", "/api/v1/text/reanalyse", employee).status_code == 403
    _feedback(tenant, "Prima service")
    with django_capture_on_commit_callbacks(execute=True):
        response = call("post", "/api/v1/text/reanalyse", tenant.api_headers(tenant.admin))
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.organisation_id == tenant.organisation.pk and job.kind == "text.reanalyse"
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert call("get", "/api/v1/text/models", employee).json() == []
    TextModel.objects.create(
        organisation=tenant.organisation,
        kind="sentiment",
        language="nl",
        weights=b"",
        metrics={"accuracy": 0.81, "macro_f1": 0.77, "tested_on": 40},
        examples=200,
    )
    TextModel.objects.create(
        organisation=other_tenant.organisation, kind="themes", weights=b"", metrics={}
    )
    [model] = call("get", "/api/v1/text/models", employee).json()
    assert (model["kind"], model["language"], model["accuracy"]) == ("sentiment", "nl", 0.81)
    assert (model["macro_f1"], model["tested_on"], model["examples"]) == (0.77, 40, 200)
    assert model["micro_f1"] is None and model["trained_at"]


def test_a_body_over_the_upload_limit_is_422_not_a_crash(tenant: Tenant) -> None:
    texts = ["ü" * 90_000] * 5  # within the character limits, over 2.5 MB as escaped JSON
    response = call(
        "post", "/api/v1/text/analyse", tenant.api_headers(tenant.employee), {"texts": texts}
    )
    assert response.status_code == 422
    assert "too large" in response.json()["detail"][0]["msg"]


def test_analyse_a_long_html_and_mixed_text(tenant: Tenant) -> None:
    long = "<p>De service was <b>goed</b> but the app is slow. </p>" * 1_800  # about 100 KB
    assert 95_000 < len(long) <= 100_000
    response = call(
        "post", "/api/v1/text/analyse", tenant.api_headers(tenant.employee), {"texts": [long]}
    )
    assert response.status_code == 200, response.content
    [result] = response.json()["results"]
    assert result["language"] in {"nl", "en", "other"} and -1 <= result["score"] <= 1
    assert "<b>" not in "".join(sentence["text"] for sentence in result["sentences"])
