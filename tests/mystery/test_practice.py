"""Mystery shopping in the shared practice pages: follow-ups and proposals from a report, the
evidence kind, My work items and the norm; and the results behind the norm."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from outsidein.mystery import services
from outsidein.mystery.models import Assignment, Scenario
from outsidein.mystery.results import coverage, results
from outsidein.mystery.wiring import measure, resolve_evidence, work_items
from outsidein.practice import registry
from tests.conftest import Tenant
from tests.factories import PersonFactory, TeamFactory
from tests.mystery.conftest import TODAY, full_answers, make_scenario

pytestmark = pytest.mark.django_db


def test_a_report_opens_a_follow_up_and_a_proposal(tenant: Tenant, shop: Assignment) -> None:
    from outsidein.practice.models import Case, Decision, Evidence

    services.submit_report(
        shop,
        by=tenant.employee,
        observations="Twintig minuten in de wacht, daarna verbroken.",
        follow_up="Wachtrij telefoon loopt vol",
        proposal="Terugbelservice bij drukte",
        **full_answers(shop.scenario, "no", 1),
    )
    shop.refresh_from_db()
    case = Case.objects.get(pk=shop.case_id)
    assert (case.kind, case.subject, case.team, case.channel) == (
        "follow_up",
        "Wachtrij telefoon loopt vol",
        shop.scenario.team,
        "phone",
    )
    decision = Decision.objects.get(pk=shop.decision_id)
    assert decision.title == "Terugbelservice bij drukte"
    evidence = Evidence.objects.get(decision=decision)
    assert (evidence.kind, evidence.ref_id) == ("mystery_shop", shop.pk)
    page = tenant.client_for(tenant.employee).get(f"/mystery/shops/{shop.pk}/")
    assert b"Wachtrij telefoon loopt vol" in page.content


def test_registered_parts() -> None:
    assert "mystery_shop" in registry.evidence_kinds()
    assert work_items in registry.work_sources()
    norm = next(norm for norm in registry.norms() if norm.key == "mystery")
    assert (norm.position, norm.url_name, norm.target) == (6, "mystery-results", 90.0)


def test_evidence_resolves_reported_shops_of_the_organisation_only(
    tenant: Tenant, other_tenant: Tenant, shop: Assignment
) -> None:
    assert resolve_evidence(tenant.organisation.pk, [shop.pk]) == {}  # not reported yet
    services.submit_report(shop, by=tenant.employee, **full_answers(shop.scenario))
    found = resolve_evidence(tenant.organisation.pk, [shop.pk, 987654])
    assert list(found) == [shop.pk]
    assert "Bellen over de jaarnota" in found[shop.pk].label
    assert found[shop.pk].url == f"/mystery/shops/{shop.pk}/"
    assert resolve_evidence(other_tenant.organisation.pk, [shop.pk]) == {}


def test_open_shops_are_internal_work_due_at_the_end_of_the_day(
    tenant: Tenant, shop: Assignment
) -> None:
    items = list(work_items(tenant.employee))
    assert len(items) == 1
    item = items[0]
    assert not item.is_customer
    assert item.due_at is not None
    assert timezone.localtime(item.due_at).date() == shop.due_on
    assert timezone.localtime(item.due_at).hour == 23
    services.submit_report(shop, by=tenant.employee, **full_answers(shop.scenario))
    assert list(work_items(tenant.employee)) == []


def _report(shop: Assignment, day: date, check: str = "yes", score: int = 4) -> None:
    from datetime import datetime, time

    now = timezone.make_aware(datetime.combine(day, time(12)))
    services.submit_report(
        shop, by=shop.person, now=now, **full_answers(shop.scenario, check, score)
    )


def test_coverage_per_team_and_the_norm(tenant: Tenant, other_tenant: Tenant) -> None:
    assert measure(tenant.organisation.pk, TODAY, TODAY).value is None  # no programme yet
    billing = TeamFactory(organisation=tenant.organisation, name="Facturatie", slug="facturatie")
    billing_people = [
        PersonFactory(organisation=tenant.organisation, team=billing) for _ in range(3)
    ]
    make_scenario(tenant)
    make_scenario(other_tenant)
    created = services.plan_assignments(tenant.organisation, TODAY).created
    by_person = {shop.person_id: shop for shop in created}
    _report(by_person[tenant.employee.pk], TODAY + timedelta(days=2), "yes", 5)
    _report(by_person[tenant.manager.pk], TODAY + timedelta(days=3), "no", 1)
    _report(by_person[billing_people[0].pk], TODAY + timedelta(days=4), "yes", 3)
    end = TODAY + timedelta(days=10)
    found = coverage(tenant.organisation.pk, end)
    assert (found.people, found.covered) == (6, 3)  # admin has no team: counted in all only
    helpdesk = tenant.manager.team_id
    assert [(t.team_id, t.covered, t.people) for t in found.teams] == [
        (billing.pk, 1, 3),
        (helpdesk, 2, 2),
    ]
    norm = measure(tenant.organisation.pk, TODAY, end)
    assert norm.value == pytest.approx(50.0)
    assert norm.n == 6
    assert norm.by_team[billing.pk] == (pytest.approx(100 / 3), 3)
    # The window is named; an average of three shops is below the small-n rule: "too few".
    assert "shopped in the 90 days up to" in norm.note
    assert "average score: too few shops (3)" in norm.note
    # After the interval, shops no longer count.
    assert coverage(tenant.organisation.pk, end + timedelta(days=120)).covered == 0


def test_results_per_touchpoint_with_trend_and_weakest_item(tenant: Tenant) -> None:
    phone = make_scenario(tenant, name="Bellen")
    chat = make_scenario(tenant, name="Chatten", channel="widget", touchpoint="Chat")
    people = [PersonFactory(organisation=tenant.organisation) for _ in range(9)]
    del people
    day = date(2025, 4, 1)
    for _round in range(4):
        for shop in services.plan_assignments(tenant.organisation, day).created:
            good = shop.scenario_id == phone.pk
            _report(shop, day + timedelta(days=5), "yes" if good else "no", 5 if good else 2)
        day += timedelta(days=90)
    end = day - timedelta(days=80)
    found = results(tenant.organisation.pk, end - timedelta(days=364), end, end)
    by_name = {t.touchpoint: t for t in found.touchpoints}
    assert found.touchpoints[0].touchpoint == "Chat"  # weakest first
    assert by_name["Chat"].estimate.value == pytest.approx(13.0)  # each shop: 12.5 → 13
    assert by_name["Vraag over de jaarnota"].estimate.value == pytest.approx(100.0)
    assert found.overall.n == found.done == 48
    chat_result = by_name["Chat"].scenarios[0]
    assert chat_result.scenario == chat
    assert chat_result.weakest is not None and chat_result.weakest.value == 0.0
    series = {s["label"]: s for s in found.trend["series"]}
    assert len(found.trend["labels"]) == len(series["Chat"]["values"])
    assert 13.0 in series["Chat"]["values"]
    assert found.completion == 100.0


def test_results_page_with_inactive_scenario_without_shops(tenant: Tenant) -> None:
    scenario: Scenario = make_scenario(tenant, is_active=False)
    page = tenant.client_for(tenant.employee).get("/mystery/results/")
    assert scenario.touchpoint not in page.content.decode()
    assert isinstance(page.context["results"].trend, dict)
