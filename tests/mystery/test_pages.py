"""The mystery pages: my shops, the report form, team shops, scenarios, results, settings."""

from __future__ import annotations

import pytest

from outsidein.mystery import services
from outsidein.mystery.models import Assignment, AssignmentStatus, Scenario
from tests.conftest import Tenant
from tests.factories import PersonFactory
from tests.mystery.conftest import full_answers, make_scenario

pytestmark = pytest.mark.django_db


def _form_data(scenario: Scenario, check: str = "yes", score: int = 4) -> dict[str, str]:
    answers = full_answers(scenario, check, score)
    data = {f"checklist.{k}": v for k, v in answers["checklist"].items()}
    data.update({f"scores.{k}": str(v) for k, v in answers["scores"].items()})
    return data


def test_my_shops_lists_only_mine(tenant: Tenant, shop: Assignment) -> None:
    client = tenant.client_for(tenant.employee)
    page = client.get("/mystery/")
    assert page.status_code == 200
    assert page.context["open_shops"] == [shop]
    other = tenant.client_for(tenant.admin).get("/mystery/")
    assert shop not in other.context["open_shops"]


def test_report_form_shows_errors_next_to_each_item(tenant: Tenant, shop: Assignment) -> None:
    client = tenant.client_for(tenant.employee)
    page = client.get(f"/mystery/shops/{shop.pk}/")
    assert page.status_code == 200
    assert b'name="checklist.c1"' in page.content and b'name="scores.s1"' in page.content
    data = _form_data(shop.scenario)
    del data["scores.s2"]
    data["checklist.c1"] = "perhaps"
    data["follow_up"] = "Terugbellen"
    response = client.post(f"/mystery/shops/{shop.pk}/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "Duidelijkheid van het antwoord" in form.errors["scores.s2"][0]
    assert "perhaps" in form.errors["checklist.c1"][0]
    assert "what you experienced" in form.errors["observations"][0]
    assert b"report-errors" in response.content
    shop.refresh_from_db()
    assert shop.status == AssignmentStatus.ASSIGNED


def test_report_through_the_form(tenant: Tenant, shop: Assignment) -> None:
    client = tenant.client_for(tenant.employee)
    data = _form_data(shop.scenario, "yes", 5)
    data["observations"] = "Snel en vriendelijk geholpen."
    response = client.post(f"/mystery/shops/{shop.pk}/", data)
    assert response.status_code == 302
    shop.refresh_from_db()
    assert (shop.status, shop.score) == (AssignmentStatus.DONE, 100)
    done = client.get(f"/mystery/shops/{shop.pk}/")
    assert done.context["form"] is None
    assert b"Snel en vriendelijk" in done.content
    # A second post is refused: the form is gone.
    assert client.post(f"/mystery/shops/{shop.pk}/", data).status_code == 403


def test_someone_elses_shop_is_404_for_an_employee_and_read_only_for_the_manager(
    tenant: Tenant, shop: Assignment
) -> None:
    colleague = PersonFactory(organisation=tenant.organisation, team=tenant.manager.team)
    assert tenant.client_for(colleague).get(f"/mystery/shops/{shop.pk}/").status_code == 404
    manager = tenant.client_for(tenant.manager)
    page = manager.get(f"/mystery/shops/{shop.pk}/")
    assert page.status_code == 200 and page.context["form"] is None
    assert page.context["skip_form"] is not None
    assert manager.post(f"/mystery/shops/{shop.pk}/", _form_data(shop.scenario)).status_code == 403
    response = manager.post(f"/mystery/shops/{shop.pk}/skip/", {"reason": "Lang ziek"})
    assert response.status_code == 302
    shop.refresh_from_db()
    assert (shop.status, shop.skip_reason) == (AssignmentStatus.SKIPPED, "Lang ziek")
    # An employee cannot skip, not even their own.
    assert tenant.client_for(colleague).post(f"/mystery/shops/{shop.pk}/skip/").status_code == 404


def test_another_organisations_pages_are_404(
    tenant: Tenant, other_tenant: Tenant, shop: Assignment
) -> None:
    client = tenant.client_for(other_tenant.admin)
    assert client.get(f"/mystery/shops/{shop.pk}/").status_code == 404
    assert client.get(f"/mystery/scenarios/{shop.scenario_id}/").status_code == 404
    assert client.post(f"/mystery/scenarios/{shop.scenario_id}/delete/").status_code == 404


def test_team_shops_are_scoped_and_planning_is_for_managers(
    tenant: Tenant, scenario: Scenario
) -> None:
    elsewhere = PersonFactory(organisation=tenant.organisation)  # no team
    manager = tenant.client_for(tenant.manager)
    assert tenant.client_for(tenant.employee).post("/mystery/shops/plan/").status_code == 403
    assert manager.post("/mystery/shops/plan/").status_code == 302
    listed = manager.get("/mystery/shops/")
    people = {shop.person_id for shop in listed.context["page"]}
    assert people == {tenant.manager.pk, tenant.employee.pk}
    assert elsewhere.pk not in people
    everyone = tenant.client_for(tenant.admin).get("/mystery/shops/", {"status": "assigned"})
    assert everyone.context["page"].paginator.count == 4
    overdue = tenant.client_for(tenant.admin).get("/mystery/shops/", {"status": "overdue"})
    assert overdue.context["page"].paginator.count == 0


def test_scenario_pages(tenant: Tenant) -> None:
    admin = tenant.client_for(tenant.admin)
    assert tenant.client_for(tenant.employee).get("/mystery/scenarios/new/").status_code == 403
    assert tenant.client_for(tenant.employee).get("/mystery/scenarios/").status_code == 200
    bad = admin.post(
        "/mystery/scenarios/new/",
        {"name": "Chat", "channel": "widget", "touchpoint": "Chat", "instructions": "Open de chat"},
    )
    assert bad.status_code == 200
    assert "at least one" in bad.context["form"].errors["scoring"][0]
    good = admin.post(
        "/mystery/scenarios/new/",
        {
            "name": "Chat",
            "channel": "widget",
            "touchpoint": "Vraag via de chat",
            "instructions": "Open de chat op de website.",
            "checklist": "Binnen 1 minuut antwoord\nNaam genoemd",
            "scoring": "Toon",
            "is_active": "on",
            "team": tenant.manager.team_id,
        },
    )
    assert good.status_code == 302
    scenario = Scenario.objects.get(name="Chat")
    assert scenario.team == tenant.manager.team and len(scenario.checklist) == 2
    edit = admin.get(f"/mystery/scenarios/{scenario.pk}/")
    assert "Naam genoemd" in edit.context["form"].initial["checklist"]
    assert admin.post(f"/mystery/scenarios/{scenario.pk}/delete/").status_code == 302
    assert not Scenario.objects.filter(pk=scenario.pk).exists()


def test_a_manager_changes_only_their_teams_scenarios(tenant: Tenant, other_tenant: Tenant) -> None:
    from tests.factories import TeamFactory

    mine = make_scenario(tenant, name="Helpdesk", team=tenant.manager.team)
    theirs = make_scenario(
        tenant,
        name="Monteur",
        team=TeamFactory(organisation=tenant.organisation, slug="monteurs"),
    )
    manager = tenant.client_for(tenant.manager)
    assert manager.get(f"/mystery/scenarios/{mine.pk}/").status_code == 200
    assert manager.get(f"/mystery/scenarios/{theirs.pk}/").status_code == 403


def test_results_page(tenant: Tenant, shop: Assignment) -> None:
    services.submit_report(shop, by=tenant.employee, **full_answers(shop.scenario))
    page = tenant.client_for(tenant.employee).get("/mystery/results/", {"months": "6"})
    assert page.status_code == 200
    assert page.context["coverage"].covered == 1
    assert page.context["results"].done == 1
    assert b"mystery-trend" in page.content
    assert (
        tenant.client_for(tenant.employee).get("/mystery/results/", {"months": "x"}).status_code
        == 200
    )


def test_settings_are_for_administrators(tenant: Tenant) -> None:
    assert tenant.client_for(tenant.manager).get("/mystery/settings/").status_code == 403
    admin = tenant.client_for(tenant.admin)
    bad = admin.post(
        "/mystery/settings/", {"interval_days": "30", "due_days": "45", "reminder_days": "3"}
    )
    assert bad.status_code == 200 and "due_days" in bad.context["form"].errors
    good = admin.post(
        "/mystery/settings/",
        {"interval_days": "60", "due_days": "14", "reminder_days": "3", "is_active": "on"},
    )
    assert good.status_code == 302
    assert services.programme_for(tenant.organisation).interval_days == 60


def test_pages_need_a_login(client: object, tenant: Tenant) -> None:
    from django.test import Client

    for url in ("/mystery/", "/mystery/results/", "/mystery/scenarios/", "/mystery/shops/"):
        assert Client().get(url).status_code == 302
