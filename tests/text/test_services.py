"""Text analytics with the database: background analysis, corrections, the taxonomy,
training, figures, the CLI and the pages."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from outsidein.cli import main
from outsidein.text import services
from outsidein.text.models import FeedbackAnalysis, TextModel, Theme, TrainingExample
from outsidein.voice.models import Feedback, Survey
from outsidein.voice.services import create_survey, record_feedback

pytestmark = pytest.mark.django_db

GOOD = [
    "De medewerker was erg vriendelijk en behulpzaam",
    "Snelle bezorging, prima geregeld",
    "Heel tevreden over de service",
    "Fijne app, werkt perfect",
]
BAD = [
    "De factuur klopte weer niet, slecht",
    "Veel te lang gewacht aan de telefoon",
    "Onvriendelijke medewerker, heel teleurstellend",
    "De app crasht steeds, waardeloos",
]


def _feedback(tenant: Any, comment: str, nps: int | None = None, days: int = 1) -> Feedback:
    survey = None
    if nps is not None:
        survey = Survey.objects.filter(organisation=tenant.organisation).first() or create_survey(
            tenant.organisation, name="NPS"
        )
    feedback, _created = record_feedback(
        tenant.organisation,
        survey=survey,
        kind="response" if nps is not None else "complaint",
        channel="email",
        language="nl",
        comment=comment,
        nps=nps,
        submitted_at=timezone.now() - timedelta(days=days),
    )
    return feedback


def test_new_feedback_is_analysed_after_commit(
    tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    Theme.objects.create(organisation=tenant.organisation, name="Factuur", keywords="factuur")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        feedback = _feedback(tenant, "De factuur klopte niet, heel vervelend.")
    assert not FeedbackAnalysis.objects.exists()  # nothing happens inside the request
    for callback in callbacks:
        callback()
    analysis = FeedbackAnalysis.objects.get(feedback=feedback)
    assert (analysis.language, analysis.sentiment) == ("nl", "negative")
    assert analysis.themes == {"Factuur": 0.7}


@pytest.mark.django_db(transaction=True)
def test_with_tasks_in_the_database_the_analysis_task_commits_with_the_feedback(
    tenant: Any, settings: Any
) -> None:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        _feedback(tenant, "Rolled back with the request.")
        raise Undo
    assert not DBTaskResult.objects.exists()
    with transaction.atomic():
        feedback = _feedback(tenant, "De factuur klopte niet.")
        assert DBTaskResult.objects.count() == 1  # queued inside the same transaction
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("analyse_feedback_task")
    assert task.args_kwargs["kwargs"]["feedback_ids"] == [feedback.pk]


def test_correction_is_kept_and_becomes_a_strong_label(tenant: Any) -> None:
    Theme.objects.create(organisation=tenant.organisation, name="App")
    feedback = _feedback(tenant, "De app is nieuw.")
    services.analyse_feedback(tenant.organisation.pk)
    analysis = feedback.analysis
    services.correct_analysis(analysis, sentiment="negative", themes=["App"])
    services.analyse_feedback(tenant.organisation.pk)
    analysis.refresh_from_db()
    assert (analysis.sentiment, analysis.themes) == ("negative", {"App": 1.0})
    example = TrainingExample.objects.get(feedback=feedback)
    assert (example.sentiment, example.themes) == ("negative", ["App"])
    with pytest.raises(Exception, match="Unknown theme"):
        services.correct_analysis(analysis, themes=["Nope"])


def test_weak_labels_train_a_model_with_measured_accuracy(tenant: Any) -> None:
    for i in range(12):
        _feedback(tenant, GOOD[i % 4] + f" {i}", nps=10)
        _feedback(tenant, BAD[i % 4] + f" {i}", nps=2)
    outcome = services.train_sentiment_models(tenant.organisation)
    assert outcome["nl"]["trained"] and 0 <= outcome["nl"]["accuracy"] <= 1
    assert not outcome["en"]["trained"]
    stored = TextModel.objects.get(organisation=tenant.organisation, kind="sentiment")
    assert stored.metrics["tested_on"] > 0
    assert services.analyser_for(tenant.organisation.pk).sentiment_models.keys() == {"nl"}
    # The overview lists the trained model with its measured accuracy.
    page = tenant.client_for(tenant.admin).get(reverse("text-themes"))
    assert page.status_code == 200
    assert 'data-testid="model-row"' in page.content.decode()


def test_theme_figures_show_impact_with_an_interval(tenant: Any) -> None:
    Theme.objects.create(organisation=tenant.organisation, name="Factuur", keywords="factuur")
    for i in range(40):
        _feedback(tenant, f"De factuur klopte niet {i}", nps=3)
        _feedback(tenant, f"Alles was prima {i}", nps=9)
    services.analyse_feedback(tenant.organisation.pk)
    [factuur] = services.theme_figures(tenant.organisation.pk)["themes"]
    assert factuur["volume"] == 40 and factuur["share"] == 0.5
    assert factuur["nps_difference"] < 0 and factuur["nps_low"] <= factuur["nps_high"]
    assert factuur["impact"] == pytest.approx(factuur["nps_difference"] * 0.5, abs=0.01)


def test_rename_merge_and_drop_follow_the_analyses(tenant: Any) -> None:
    org = tenant.organisation
    a = services.save_theme(org, name="Factuur", keywords="factuur")
    b = services.save_theme(org, name="Rekening", keywords="rekening")
    _feedback(tenant, "Mijn rekening was te hoog")
    services.analyse_feedback(org.pk)
    services.merge_themes(a, [b])
    assert FeedbackAnalysis.objects.get().themes == {"Factuur": 0.7}
    services.save_theme(org, theme=a, name="Facturen", keywords=a.keywords)
    assert FeedbackAnalysis.objects.get().themes == {"Facturen": 0.7}
    services.delete_theme(a)
    assert FeedbackAnalysis.objects.get().themes == {}


def test_cli_analyse_builtin_and_missing_column(tmp_path: Path, capsys: Any) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,comment\n1,Heel slechte service\n2,Great staff!\n3,\n")
    out = tmp_path / "out.csv"
    assert (
        main(["text", "analyse", str(source), "--text-column", "comment", "--out", str(out)]) == 0
    )
    rows = list(csv.DictReader(out.open()))
    assert [(r["language"], r["sentiment"]) for r in rows] == [
        ("nl", "negative"),
        ("en", "positive"),
        ("", ""),  # an empty comment has no language and no sentiment
    ]
    assert {"sentiment_score", "themes"} <= set(rows[0])
    # the score is a plain number a spreadsheet reads as one, and there is none without sentiment
    assert float(rows[0]["sentiment_score"]) < 0 and float(rows[1]["sentiment_score"]) > 0
    assert rows[2]["sentiment_score"] == ""
    assert main(["text", "analyse", str(source), "--text-column", "text"]) == 2
    assert "no column 'text'" in capsys.readouterr().err


def test_cli_train_themes_adds_unknown_themes(tenant: Any, tmp_path: Path) -> None:
    source = tmp_path / "themes.csv"
    lines = ["text,themes"]
    for i in range(15):
        lines += [f"De factuur was fout {i},Factuur", f"De app crasht {i},App|Storing"]
    source.write_text("\n".join(lines) + "\n")
    assert main(["text", "train-themes", "--org", "acme", str(source)]) == 0
    assert set(Theme.objects.values_list("name", flat=True)) == {"Factuur", "App", "Storing"}
    assert TextModel.objects.filter(kind="themes").exists()
    [result] = services.analyser_for(tenant.organisation.pk).analyse(["de app crasht weer"])
    assert {"App", "Storing"} <= set(result.themes)


def test_reanalysis_job(tenant: Any, django_capture_on_commit_callbacks: Any) -> None:
    _feedback(tenant, "Prima")
    FeedbackAnalysis.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_reanalysis(tenant.organisation, tenant.admin)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["analysed"] == 1


def test_pages_and_permissions(tenant: Any, other_tenant: Any) -> None:
    theme = services.save_theme(tenant.organisation, name="Factuur", keywords="factuur")
    _feedback(tenant, "De factuur klopte niet", nps=2)
    services.analyse_feedback(tenant.organisation.pk)
    analysis = FeedbackAnalysis.objects.get()
    admin = tenant.client_for(tenant.admin)
    page = admin.get(reverse("text-themes"))
    assert page.status_code == 200 and b"Factuur" in page.content
    assert admin.get(reverse("text-theme", args=[theme.pk])).status_code == 200
    foreign = other_tenant.client_for(other_tenant.admin)
    assert foreign.get(reverse("text-theme", args=[theme.pk])).status_code == 404
    assert foreign.post(reverse("text-correct", args=[analysis.pk]), {}).status_code == 404
    employee = tenant.client_for(tenant.employee)
    assert employee.get(reverse("text-themes")).status_code == 200
    denied = employee.post(reverse("text-correct", args=[analysis.pk]), {"sentiment": "positive"})
    assert denied.status_code == 403
    done = tenant.client_for(tenant.manager).post(
        reverse("text-correct", args=[analysis.pk]), {"sentiment": "positive", "themes": []}
    )
    assert done.status_code == 302
    analysis.refresh_from_db()
    assert analysis.sentiment == "positive" and analysis.sentiment_corrected
    response = admin.post(reverse("text-theme-create"), {"name": "App", "status": "accepted"})
    assert response.status_code == 302 and Theme.objects.filter(name="App").exists()
    assert employee.post(reverse("text-theme-create"), {"name": "X"}).status_code == 403


def test_the_feedback_page_shows_the_analysis_and_takes_a_correction(tenant: Any) -> None:
    Theme.objects.create(organisation=tenant.organisation, name="Factuur", keywords="factuur")
    feedback = _feedback(tenant, "De factuur klopte weer niet, slecht")
    services.analyse_feedback(tenant.organisation.pk)
    analysis = FeedbackAnalysis.objects.get(feedback=feedback)
    admin = tenant.client_for(tenant.admin)
    url = reverse("feedback-detail", args=[feedback.pk])
    page = admin.get(url).content.decode()
    assert 'data-testid="feedback-text"' in page and 'data-testid="correct-form"' in page
    response = admin.post(
        reverse("text-correct", args=[analysis.pk]),
        {"sentiment": "neutral", "themes": ["Factuur"], "next": url},
    )
    assert response.status_code == 302 and response["Location"] == url
    analysis.refresh_from_db()
    assert analysis.sentiment == "neutral" and analysis.sentiment_corrected


def test_the_inbox_filters_by_theme_and_sentiment(tenant: Any) -> None:
    Theme.objects.create(organisation=tenant.organisation, name="Factuur", keywords="factuur")
    invoice = _feedback(tenant, "De factuur klopte weer niet, slecht")
    praise = _feedback(tenant, "Heel tevreden over de service")
    services.analyse_feedback(tenant.organisation.pk)
    client = tenant.client_for(tenant.employee)

    def listed(query: str) -> set[int]:
        page = client.get(reverse("inbox") + query)
        assert page.status_code == 200
        return {item.pk for item in page.context["page"]}

    assert listed("?theme=Factuur") == {invoice.pk}
    assert listed("?sentiment=positive") == {praise.pk}
    assert listed("?sentiment=negative&theme=Factuur") == {invoice.pk}
    assert listed("") == {invoice.pk, praise.pk}
    page = client.get(reverse("inbox")).content.decode()
    assert 'name="theme"' in page and 'name="sentiment"' in page


def test_a_growing_theme_alerts_its_owner_team_once(tenant: Any, smtp_inbox: Any) -> None:
    Theme.objects.create(
        organisation=tenant.organisation,
        name="Factuur",
        keywords="factuur",
        owner_team=tenant.manager.team,
    )
    for i in range(40):  # the month before: mostly other topics
        _feedback(tenant, "Heel tevreden over de service" if i % 10 else "Factuur fout", days=45)
    for i in range(40):  # this month: the invoice everywhere
        _feedback(tenant, "De factuur klopte weer niet" if i % 2 else "Prima service", days=5)
    services.analyse_feedback(tenant.organisation.pk)
    assert services.send_emerging_theme_alerts(tenant.organisation) == 1
    assert [m["To"] for m in smtp_inbox.messages] == [tenant.manager.email]
    assert "Factuur" in smtp_inbox.messages[0]["Subject"]
    assert "/themes/" in smtp_inbox.body()
    assert services.send_emerging_theme_alerts(tenant.organisation) == 0  # once a month
