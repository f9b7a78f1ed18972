"""One truth on every page (issue 14, items 1–3): each norm and indicator is computed by one
function for one named window, and Practices, the index, the report, the API, the CLI and the
owning app's page show the same value, the same n and name the same window. Below the small-n
rule every surface says "too few" and gives no verdict.

The demo organisation is seeded once for the module (with today's date, so the default windows
hold data) inside a transaction that is rolled back at the end."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from outsidein.centricity.indicators import compute_index
from outsidein.centricity.report import build_report
from outsidein.core.demo import DEMO_SLUG
from outsidein.core.models import Organisation, Person
from outsidein.core.periods import Window, last_complete_month, last_complete_quarter
from outsidein.practice import registry
from outsidein.practice.cli import collect

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Organisation]:
    """The demo's people and the parts the norms come from (practice, ideas, mystery
    shopping); the survey answers and the text analytics are left out to keep this fast."""
    from outsidein.core.demo import seed_demo
    from outsidein.ideas.demo import seed_ideas_demo
    from outsidein.mystery.demo import seed_mystery_demo
    from outsidein.practice.demo import seed_practice_demo

    now = timezone.now()
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(seed=2026, now=now)
        organisation = Organisation.objects.get(slug=DEMO_SLUG)
        for seed_part in (seed_practice_demo, seed_ideas_demo, seed_mystery_demo):
            seed_part(organisation, seed=2026, now=now)
        yield organisation
        transaction.set_rollback(True)


def _admin(organisation: Organisation) -> Person:
    return (
        Person.objects.filter(organisation=organisation, role="admin", user__isnull=False)
        .select_related("user")
        .first()
    )  # type: ignore[return-value]


def _client(organisation: Organisation) -> Client:
    client = Client()
    client.force_login(_admin(organisation).user)
    return client


def _attrs(html: str, marker: str) -> dict[str, str]:
    """The data-value / data-n / data-enough of the first tag after ``marker``."""
    start = html.rindex("<", 0, html.index(marker))  # the tag that holds the marker
    tag = re.search(r"<[^>]*data-n=\"[^\"]*\"[^>]*>", html[start:])
    assert tag, f"no figure after {marker}"
    return dict(re.findall(r'data-(value|n|enough)="([^"]*)"', tag.group(0)))


def _same(shown: str, value: float | None) -> None:
    if value is None:
        assert shown == ""
    else:
        assert float(shown) == pytest.approx(round(value, 1), abs=0.051)


@pytest.fixture(scope="module")
def month() -> Window:
    return last_complete_month(timezone.localdate())


@pytest.fixture(scope="module")
def quarter() -> Window:
    return last_complete_quarter(timezone.localdate())


def test_defaults_are_the_last_complete_periods(demo: Organisation, db: Any) -> None:
    today = timezone.localdate()
    assert last_complete_month(today).complete and last_complete_month(today).last < today
    assert compute_index(demo).quarter.last < today  # never the running quarter by default
    running = Window.month(today, today)
    if running.running:
        assert "so far (" in running.label and f"of {running.length} days" in running.label


def test_practices_api_cli_report_and_owning_pages_agree_on_a_month(
    demo: Organisation, db: Any, month: Window
) -> None:
    client = _client(demo)
    figures = {norm.key: registry.figure(norm, demo.pk, month) for norm in registry.norms()}
    assert set(figures) >= {"queue", "loop", "contacts", "decisions", "ideas", "mystery"}

    practices = client.get("/practices/", {"period": month.key}).content.decode()
    default = client.get("/practices/").content.decode()
    assert month.label in practices and month.label in default  # the default names its window
    api = client.get("/api/v1/practices", {"period": month.key}).json()
    assert api["window"]["key"] == month.key and api["window"]["complete"] is True
    by_key = {row["key"]: row for row in api["norms"]}
    cli = {row["key"]: row for row in collect(demo.pk, month)["norms"]}
    report = build_report(demo, month.first, "en")
    assert report.month_label == month.label
    lines = {line.key: line for line in report.norms}

    for key, figure in figures.items():
        shown = _attrs(practices, f'data-testid="norm-{key}"')
        _same(shown["value"], figure.value)
        assert int(shown["n"]) == figure.n
        assert shown["enough"] == ("true" if figure.enough else "false")
        assert by_key[key]["n"] == cli[key]["n"] == lines[key].n == figure.n, key
        assert by_key[key]["value"] == pytest.approx(figure.value)
        assert by_key[key]["enough"] is cli[key]["enough"] is lines[key].enough is figure.enough
        assert lines[key].window == month.label

    # The owning pages: ideas (staff insights), contact coverage.
    ideas = client.get("/innovation/ideas/insights/", {"period": month.key}).content.decode()
    shown = _attrs(ideas, 'data-testid="kpi-answered"')
    _same(shown["value"], figures["ideas"].value)
    assert int(shown["n"]) == figures["ideas"].n and month.label in ideas
    stats = client.get("/api/v1/ideas/stats", {"period": month.key}).json()["norm"]
    _same(stats["value"], figures["ideas"].value)
    assert stats["n"] == figures["ideas"].n and stats["window"]["key"] == month.key
    coverage = client.get("/contacts/coverage/", {"period": month.key})
    text = coverage.content.decode()
    shown = _attrs(text, 'data-testid="kpi-coverage"')
    _same(shown["value"], figures["contacts"].value)
    assert int(shown["n"]) == figures["contacts"].n and month.label in text


def test_index_pages_api_and_owning_pages_agree_on_a_quarter(
    demo: Organisation, db: Any, quarter: Window
) -> None:
    from outsidein.mystery.results import average_score

    client = _client(demo)
    result = compute_index(demo, quarter=quarter.key)
    assert result.window.label == quarter.label == quarter.key
    readings = {item.key: item.reading for item in result.indicators}
    page = client.get("/index/", {"quarter": quarter.key}).content.decode()
    api = client.get("/api/v1/index", {"quarter": quarter.key}).json()
    assert api["window"]["key"] == quarter.key
    api_items = {i["key"]: i for p in api["pillars"] for i in p["indicators"]}
    practices = client.get("/practices/", {"period": quarter.key}).content.decode()

    for norm in registry.norms():
        figure = registry.figure(norm, demo.pk, quarter)
        reading = readings[norm.key]
        assert (reading.value, reading.n) == (figure.value, figure.n), norm.key
        shown = _attrs(page, f'data-testid="indicator-{norm.key}"')
        _same(shown["value"], figure.value)
        assert int(shown["n"]) == figure.n
        assert api_items[norm.key]["n"] == figure.n
        shown = _attrs(practices, f'data-testid="norm-{norm.key}"')
        _same(shown["value"], figure.value)
        assert int(shown["n"]) == figure.n

    # The mystery-shopping score: one function for the index and the results page.
    score = average_score(demo.pk, quarter.first, quarter.end)
    assert score.n > 0
    assert (readings["mystery_score"].n, readings["mystery_score"].value) == (score.n, score.value)
    results = client.get("/mystery/results/", {"period": quarter.key}).content.decode()
    shown = _attrs(results, 'data-testid="kpi-score"')
    assert int(shown["n"]) == score.n and quarter.label in results
    _same(shown["value"], score.value)


def test_small_n_is_grey_never_judged_everywhere(demo: Organisation, db: Any) -> None:
    """A norm below the threshold: grey "too few" on Practices, enough false in the API and the
    CLI, "(too few)" without a tick or cross in the report, no on/below-target verdict."""
    client = _client(demo)
    today = timezone.localdate()
    candidates = last_complete_month(today).back(12)[::-1]
    found = None
    for window in candidates:
        for norm in registry.norms():
            figure = registry.figure(norm, demo.pk, window)
            if figure.value is not None and not figure.enough:
                found = (window, norm, figure)
                break
        if found:
            break
    assert found, "the demo has a norm on too few in some month (ideas are few)"
    window, norm, figure = found
    assert norm.verdict(figure) is None
    html = client.get("/practices/", {"period": window.key}).content.decode()
    section = html[html.index(f'data-testid="norm-{norm.key}"') :]
    section = section[: section.index("</section>")]
    assert "too-few" in section and "too few" in section
    assert "badge-good" not in section and "badge-bad" not in section
    api = client.get("/api/v1/practices", {"period": window.key}).json()
    row = next(r for r in api["norms"] if r["key"] == norm.key)
    assert row["enough"] is False and row["on_target"] is None
    line = next(x for x in build_report(demo, window.first, "en").norms if x.key == norm.key)
    assert not line.enough and line.meets_target is None and "too few" in line.value_text


def test_a_running_period_is_marked_so_far(demo: Organisation, db: Any) -> None:
    today = timezone.localdate()
    running = Window.month(today, today)
    if not running.running:
        pytest.skip("today is the last day of the month")
    client = _client(demo)
    html = client.get("/practices/", {"period": running.key}).content.decode()
    assert running.so_far in html and 'data-testid="running-period"' in html
    assert "badge-good" not in html and "badge-bad" not in html  # not judged before it ends
    api = client.get("/api/v1/practices", {"period": running.key}).json()
    assert api["window"]["complete"] is False
    assert api["window"]["days_elapsed"] == today.day
    coverage = client.get("/contacts/coverage/").content.decode()
    # The default is the last complete month; the running one is only offered in the picker.
    assert 'data-testid="running-period"' not in coverage
    assert last_complete_month(today).label in coverage
