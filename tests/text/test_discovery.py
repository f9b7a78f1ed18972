"""Theme discovery: the pure clustering (planted themes found and named in both languages,
deterministic, odd input), the service (per organisation, re-runs keep what people touched,
dropped proposals are not made again), the pages (permissions, CSRF) and the CLI."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outsidein.cli import main
from outsidein.jobs.models import Job
from outsidein.text import discovery
from outsidein.text.engine import discovery as engine
from outsidein.text.models import DiscoveredTheme, Theme, ThemeStatus
from outsidein.voice.services import FeedbackRow, bulk_record
from tests.text.discovery_data import planted

# ----------------------------------------------------------------------------- pure


@pytest.fixture(scope="module")
def planted_items() -> tuple[list[tuple[str, str]], list[str]]:
    return planted()


@pytest.fixture(scope="module")
def found(planted_items: Any) -> list[engine.Cluster]:
    return engine.discover(planted_items[0])


def _theme_of(cluster: engine.Cluster, truth: list[str]) -> tuple[str, float]:
    counts = Counter(truth[i] for i in cluster.members)
    theme, n = counts.most_common(1)[0]
    return theme, n / cluster.size


def test_planted_themes_are_found_in_both_languages(found: Any, planted_items: Any) -> None:
    _items, truth = planted_items
    by_theme = {}
    for cluster in found:
        theme, purity = _theme_of(cluster, truth)
        assert purity >= 0.9, (cluster.label, purity)
        by_theme.setdefault(theme, []).append(cluster)
    assert set(by_theme) == {"late", "waiting", "invoice"}
    for theme, clusters in by_theme.items():
        biggest = max(clusters, key=lambda c: c.size)
        # Most of the planted comments are found, in Dutch and English together.
        assert biggest.size >= 0.8 * truth.count(theme), theme
        assert set(biggest.languages) == {"nl", "en"}
        assert biggest.phrases["nl"] and biggest.phrases["en"]
    labels = {theme: max(c, key=lambda c: c.size).label.lower() for theme, c in by_theme.items()}
    assert "te laat" in labels["late"] and "late" in labels["late"].split("/")[1]
    assert "factuur" in labels["invoice"] and "invoice" in labels["invoice"]
    assert "wachttijd" in labels["waiting"] and "wait" in labels["waiting"]


def test_labels_skip_stop_words_and_generic_sentiment(found: Any) -> None:
    words = {word for cluster in found for p in cluster.keywords for word in p.split()}
    assert not words & {"de", "het", "the", "was", "slecht", "bad", "jammer", "annoying"}


def test_examples_are_distinct_members_nearest_the_centre(found: Any, planted_items: Any) -> None:
    items, _truth = planted_items
    for cluster in found:
        assert 1 <= len(cluster.examples) <= 4
        assert set(cluster.examples) <= set(cluster.members)
        texts = [items[i][0] for i in cluster.examples]
        assert len(set(texts)) == len(texts)
        assert cluster.keywords  # both languages, one per line in the theme


def test_discovery_is_deterministic(planted_items: Any, found: Any) -> None:
    again = engine.discover(planted_items[0])
    assert [(c.label, c.members, c.examples) for c in again] == [
        (c.label, c.members, c.examples) for c in found
    ]


def test_empty_and_tiny_input() -> None:
    assert engine.discover([]) == []
    assert engine.discover([("Prima!", "nl")]) == []
    assert engine.discover([("De factuur klopt niet", "nl")] * 3) == []
    assert engine.discover([("", "nl"), ("   ", "en"), ("😀😀😀", "nl")]) == []


def test_odd_comments_do_not_crash_or_leak_into_labels(planted_items: Any) -> None:
    items, _truth = planted_items
    odd = [
        ("😀😀😀 🙈", "nl"),
        ("<p>De <b>factuur</b> klopt niet &amp; <script>alert(1)</script></p>", "nl"),
        ("<div><br/></div>", "en"),
        ("Le service était horrible, je suis très déçu.", "other"),
        ("", "nl"),
        ("a" * 100_000, "en"),
        ("factuur " * 5000, "nl"),
        ("Mixed: de levering was late, very annoying", None),
    ]
    clusters = engine.discover(items + odd * 3)
    assert len(clusters) >= 3
    for cluster in clusters:
        assert "<" not in cluster.label and "script" not in " ".join(cluster.keywords)


def test_covered_comments_and_known_keywords_are_left_out(planted_items: Any) -> None:
    items, truth = planted_items
    covered = [theme == "late" for theme in truth]
    clusters = engine.discover(items, covered=covered)
    assert all(_theme_of(c, truth)[0] != "late" for c in clusters)
    assert all(not covered[i] for c in clusters for i in c.members)
    clusters = engine.discover(items, known=["factuur", "Invoice"])
    assert all(_theme_of(c, truth)[0] != "invoice" for c in clusters)
    assert {_theme_of(c, truth)[0] for c in clusters} >= {"late", "waiting"}


# ----------------------------------------------------------------------------- the service


def _seed(organisation: Any, *, days: int = 3) -> list[Any]:
    items, _truth = planted()
    when = timezone.now() - timedelta(days=days)
    rows = [
        FeedbackRow(
            kind="complaint", channel="email", language=language, submitted_at=when, comment=text
        )
        for text, language in items
    ]
    return bulk_record(organisation, rows, fill_ids=True)


@pytest.mark.django_db
def test_candidates_per_organisation_only(tenant: Any, other_tenant: Any) -> None:
    _seed(tenant.organisation)
    _seed(other_tenant.organisation, days=200)  # too old for the default 90 days
    found = discovery.discover_themes(tenant.organisation)
    assert len(found) >= 3
    themes = Theme.objects.filter(organisation=tenant.organisation, status="candidate")
    assert themes.count() == len(found)
    assert not Theme.objects.filter(organisation=other_tenant.organisation).exists()
    from outsidein.voice.models import Feedback

    own = {tenant.organisation.pk}  # examples and members are the organisation's own feedback

    for record in found:
        assert record.theme.keywords == record.keywords and record.keywords.count("\n") >= 1
        assert str(record.size) in record.theme.description
        ids = set(record.members) | set(record.examples)
        assert (
            set(Feedback.objects.filter(pk__in=ids).values_list("organisation_id", flat=True))
            == own
        )
    assert discovery.discover_themes(other_tenant.organisation) == []


@pytest.mark.django_db
def test_rerun_replaces_untouched_candidates_only(tenant: Any) -> None:
    _seed(tenant.organisation)
    first = discovery.discover_themes(tenant.organisation)
    accepted, renamed, untouched = first[0].theme, first[1].theme, first[2].theme
    discovery.accept_candidate(accepted)
    discovery.rename_candidate(renamed, "Wat klanten echt dwarszit")
    second = discovery.discover_themes(tenant.organisation)
    assert Theme.objects.filter(pk=accepted.pk, status=ThemeStatus.ACCEPTED).exists()
    assert Theme.objects.filter(pk=renamed.pk, name="Wat klanten echt dwarszit").exists()
    assert not Theme.objects.filter(pk=untouched.pk).exists()
    # The accepted and renamed themes' keywords are known now: not proposed again.
    assert len(second) == 1
    assert second[0].label == first[2].label
    names = list(
        Theme.objects.filter(organisation=tenant.organisation).values_list("name", flat=True)
    )
    assert len(names) == len(set(names)) == 3


@pytest.mark.django_db
def test_a_candidate_accepted_while_discovery_runs_is_kept(tenant: Any, monkeypatch: Any) -> None:
    _seed(tenant.organisation)
    first = discovery.discover_themes(tenant.organisation)
    accepted = first[0].theme
    real = engine.discover

    def meanwhile_someone_accepts(*args: Any, **kwargs: Any) -> Any:
        discovery.accept_candidate(Theme.objects.get(pk=accepted.pk))
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "discover", meanwhile_someone_accepts)
    discovery.discover_themes(tenant.organisation)
    assert Theme.objects.filter(pk=accepted.pk, status=ThemeStatus.ACCEPTED).exists()


@pytest.mark.django_db
def test_a_dropped_candidate_is_not_proposed_again(tenant: Any) -> None:
    from outsidein.text import services

    _seed(tenant.organisation)
    first = discovery.discover_themes(tenant.organisation)
    dropped = first[0]
    services.delete_theme(dropped.theme)
    assert DiscoveredTheme.objects.filter(pk=dropped.pk, theme__isnull=True).exists()
    second = discovery.discover_themes(tenant.organisation)
    assert dropped.label not in [item.label for item in second]
    assert len(second) == len(first) - 1


@pytest.mark.django_db
def test_merge_into_an_accepted_theme(tenant: Any) -> None:
    _seed(tenant.organisation)
    target = Theme.objects.create(organisation=tenant.organisation, name="Levering")
    found = discovery.discover_themes(tenant.organisation)
    candidate = found[0].theme
    words = candidate.keyword_list
    discovery.merge_candidate(candidate, target)
    target.refresh_from_db()
    assert set(words) <= set(target.keyword_list)
    assert not Theme.objects.filter(pk=candidate.pk).exists()
    with pytest.raises(Exception, match="accepted theme"):
        discovery.merge_candidate(found[1].theme, found[2].theme)


@pytest.mark.django_db
def test_discovery_runs_as_a_job(tenant: Any, django_capture_on_commit_callbacks: Any) -> None:
    _seed(tenant.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        job = discovery.start_discovery(tenant.organisation, tenant.admin, days=30)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result["candidates"] == len(job.result["labels"]) >= 3
    assert job.progress == 100 and "candidate" in job.log
    assert DiscoveredTheme.objects.filter(job=job).count() == job.result["candidates"]
    with pytest.raises(Exception, match="days"):
        discovery.start_discovery(tenant.organisation, tenant.admin, days=0)


# ----------------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_discover_button_and_candidates_on_the_overview(
    tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _seed(tenant.organisation)
    client = tenant.client_for(tenant.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("text-discover"), {"days": "90"})
    assert response.status_code == 302 and response["Location"].endswith("#candidates")
    page = client.get(reverse("text-themes")).content.decode()
    assert page.count('data-testid="candidate"') >= 3
    assert "Te laat" in page or "te laat" in page
    assert 'data-testid="candidate-accept"' in page and "discover-form" in page
    # Someone who may not keep the taxonomy sees the candidates but no actions.
    page = tenant.client_for(tenant.employee).get(reverse("text-themes")).content.decode()
    assert 'data-testid="candidate"' in page
    assert "candidate-accept" not in page and "discover-form" not in page


@pytest.mark.django_db
def test_actions_need_the_right_role_and_organisation(tenant: Any, other_tenant: Any) -> None:
    _seed(tenant.organisation)
    found = discovery.discover_themes(tenant.organisation)
    theme = found[0].theme
    for person in (tenant.manager, tenant.employee):
        client = tenant.client_for(person)
        assert client.post(reverse("text-discover")).status_code == 403
        assert client.post(reverse("text-candidate-accept", args=[theme.pk])).status_code == 403
        assert (
            client.post(reverse("text-candidate-rename", args=[theme.pk]), {"name": "X"})
        ).status_code == 403
    foreign = other_tenant.client_for(other_tenant.admin)
    assert foreign.post(reverse("text-candidate-accept", args=[theme.pk])).status_code == 404
    assert foreign.post(reverse("text-theme-accept", args=[theme.pk])).status_code == 404
    assert not Job.objects.exists()
    theme.refresh_from_db()
    assert theme.status == ThemeStatus.CANDIDATE
    # Accepted from the theme's own page: the same as from the overview.
    admin = tenant.client_for(tenant.admin)
    assert admin.post(reverse("text-theme-accept", args=[theme.pk])).status_code == 302
    theme.refresh_from_db()
    assert theme.status == ThemeStatus.ACCEPTED


@pytest.mark.django_db
def test_accept_rename_merge_drop_from_the_page(
    tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _seed(tenant.organisation)
    target = Theme.objects.create(organisation=tenant.organisation, name="Bestaand thema")
    found = discovery.discover_themes(tenant.organisation)
    one, two, three = (record.theme for record in found[:3])
    client = tenant.client_for(tenant.admin)
    response = client.post(reverse("text-candidate-rename", args=[one.pk]), {"name": "Levertijd"})
    assert response.status_code == 302
    one.refresh_from_db()
    assert one.name == "Levertijd" and one.status == ThemeStatus.CANDIDATE
    # An empty name is refused with a message; nothing changes.
    client.post(reverse("text-candidate-rename", args=[one.pk]), {"name": " "})
    one.refresh_from_db()
    assert one.name == "Levertijd"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("text-candidate-accept", args=[one.pk]))
    one.refresh_from_db()
    assert one.status == ThemeStatus.ACCEPTED
    # Its comments were analysed again and now carry the theme.
    from outsidein.text.models import FeedbackAnalysis

    assert FeedbackAnalysis.objects.filter(themes__has_key="Levertijd").count() >= 30
    client.post(reverse("text-candidate-merge", args=[two.pk]), {"target": target.pk})
    assert not Theme.objects.filter(pk=two.pk).exists()
    client.post(reverse("text-theme-delete", args=[three.pk]))
    assert not Theme.objects.filter(pk=three.pk).exists()
    page = client.get(reverse("text-themes")).content.decode()
    assert 'data-testid="no-candidates"' in page


@pytest.mark.django_db
def test_discover_needs_csrf(tenant: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant.admin.user)
    assert client.post(reverse("text-discover")).status_code == 403
    assert not Job.objects.exists()


# ----------------------------------------------------------------------------- CLI


@pytest.mark.django_db
def test_cli_discover_prints_the_candidates(tenant: Any, capsys: Any) -> None:
    _seed(tenant.organisation)
    assert main(["text", "discover", "--org", tenant.organisation.slug, "--days", "30"]) == 0
    out = capsys.readouterr().out
    assert "candidate themes" in out and "nl:" in out and "en:" in out
    assert Theme.objects.filter(organisation=tenant.organisation, status="candidate").count() >= 3
    assert main(["text", "discover", "--org", tenant.organisation.slug, "--days", "0"]) == 2
    assert "days" in capsys.readouterr().err


@pytest.mark.django_db
def test_cli_discover_uncovered_leaves_out_what_themes_hold(tenant: Any, capsys: Any) -> None:
    from outsidein.text import services

    _seed(tenant.organisation)
    for record in discovery.discover_themes(tenant.organisation):
        discovery.accept_candidate(record.theme)
    services.analyse_feedback(tenant.organisation.pk)
    assert main(["text", "discover", "--org", tenant.organisation.slug, "--uncovered"]) == 0
    assert "0 candidate themes" in capsys.readouterr().out
