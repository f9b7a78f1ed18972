"""Scenarios, planning, reports, skipping and reminders (the services)."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from outsidein.mystery import services
from outsidein.mystery.models import Assignment, AssignmentStatus, Scenario
from tests.conftest import Tenant
from tests.factories import PersonFactory, TeamFactory
from tests.mystery.conftest import TODAY, full_answers, make_scenario

pytestmark = pytest.mark.django_db


# --- scenarios --------------------------------------------------------------------------------


def test_create_scenario_keys_its_items(tenant: Tenant) -> None:
    scenario = make_scenario(tenant, checklist="Groet\n\nNaam genoemd\n", scoring=["Toon"])
    assert scenario.checklist == [
        {"key": "c1", "label": "Groet"},
        {"key": "c2", "label": "Naam genoemd"},
    ]
    assert scenario.scoring == [{"key": "s1", "label": "Toon"}]


def test_scenario_errors_name_every_field_at_once(tenant: Tenant) -> None:
    make_scenario(tenant, name="Chat")
    with pytest.raises(ValidationError) as caught:
        make_scenario(tenant, name="chat", checklist=["A", "a"], channel="fax")
    errors = caught.value.message_dict
    assert "twice" in errors["checklist"][0]
    assert "already a scenario" in errors["name"][0]
    assert "channel" in errors
    assert Scenario.objects.count() == 1


def test_a_scenario_needs_something_to_score(tenant: Tenant) -> None:
    with pytest.raises(ValidationError) as caught:
        make_scenario(tenant, checklist=[], scoring=[])
    assert "at least one" in caught.value.message_dict["scoring"][0]


def test_update_keeps_keys_and_leaves_the_scenario_alone_on_bad_input(
    tenant: Tenant, scenario: Scenario
) -> None:
    services.update_scenario(
        scenario, checklist=["Naam genoemd", "Terugbelafspraak gemaakt"], touchpoint="Jaarnota"
    )
    assert scenario.checklist == [
        {"key": "c2", "label": "Naam genoemd"},
        {"key": "c3", "label": "Terugbelafspraak gemaakt"},
    ]
    with pytest.raises(ValidationError):
        services.update_scenario(scenario, name="", scoring=["x" * 300])
    scenario.refresh_from_db()
    assert scenario.touchpoint == "Jaarnota" and scenario.name == "Bellen over de jaarnota"
    with pytest.raises(ValidationError) as caught:
        services.update_scenario(scenario, organisation=None)
    assert "cannot be changed" in caught.value.message_dict["organisation"][0]


def test_scenario_with_reports_cannot_be_deleted(tenant: Tenant, shop: Assignment) -> None:
    services.submit_report(shop, by=tenant.employee, **full_answers(shop.scenario))
    with pytest.raises(ValidationError, match="inactive"):
        services.delete_scenario(shop.scenario)
    other = make_scenario(tenant, name="Ongebruikt")
    services.delete_scenario(other)
    assert not Scenario.objects.filter(pk=other.pk).exists()


def test_team_of_another_organisation_is_refused(tenant: Tenant, other_tenant: Tenant) -> None:
    with pytest.raises(ValidationError) as caught:
        make_scenario(tenant, team=other_tenant.manager.team)
    assert "team" in caught.value.message_dict


def test_programme_settings_are_validated(tenant: Tenant) -> None:
    with pytest.raises(ValidationError) as caught:
        services.update_programme(tenant.organisation, interval_days=30, due_days=40)
    assert "due_days" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.update_programme(tenant.organisation, reminder_days=21)
    assert "reminder_days" in caught.value.message_dict
    assert services.programme_for(tenant.organisation).interval_days == 90
    services.update_programme(tenant.organisation, interval_days=30, due_days=10, reminder_days=3)
    assert services.programme_for(tenant.organisation).due_days == 10


# --- planning ---------------------------------------------------------------------------------


def _people(tenant: Tenant, count: int, team: Any = None) -> list[Any]:
    return [
        PersonFactory(organisation=tenant.organisation, team=team or tenant.manager.team)
        for _ in range(count)
    ]


def test_plan_gives_everyone_active_one_shop_and_is_idempotent(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    for index in range(3):
        make_scenario(tenant, name=f"Scenario {index}")
    make_scenario(other_tenant, name="Theirs")
    _people(tenant, 6)
    PersonFactory(organisation=tenant.organisation, is_active=False)
    first = services.plan_assignments(tenant.organisation, TODAY)
    assert len(first.created) == 9  # admin, manager, employee and six more; not the inactive
    assert {a.due_on for a in first.created} == {TODAY + timedelta(days=21)}
    # Spread evenly: three scenarios, nine people, three each.
    assert sorted(Counter(a.scenario_id for a in first.created).values()) == [3, 3, 3]
    assert services.plan_assignments(tenant.organisation, TODAY).created == []
    assert services.plan_assignments(tenant.organisation, TODAY + timedelta(days=60)).created == []
    assert not Assignment.objects.filter(organisation=other_tenant.organisation).exists()


def test_each_interval_a_new_round_rotating_scenarios(tenant: Tenant) -> None:
    scenarios = [make_scenario(tenant, name=f"Scenario {i}") for i in range(3)]
    day = TODAY
    seen: dict[int, list[int]] = {}
    for _round in range(3):
        created = services.plan_assignments(tenant.organisation, day).created
        assert len(created) == 3
        for shop in created:
            seen.setdefault(shop.person_id, []).append(shop.scenario_id)
            services.submit_report(
                shop,
                by=shop.person,
                now=_noon(day + timedelta(days=3)),
                **full_answers(shop.scenario),
            )
        day += timedelta(days=90)
    # Everyone did every scenario once in three rounds.
    assert all(sorted(ids) == sorted(s.pk for s in scenarios) for ids in seen.values())


def test_nobody_shops_their_own_team_twice_in_a_row(tenant: Tenant) -> None:
    helpdesk = tenant.manager.team
    billing = TeamFactory(organisation=tenant.organisation, name="Facturatie", slug="facturatie")
    own = make_scenario(tenant, name="Helpdesk bellen", team=helpdesk)
    make_scenario(tenant, name="Factuurvraag mailen", team=billing)
    people = _people(tenant, 4, team=helpdesk)
    day = TODAY
    history: dict[int, list[int]] = {}
    for _round in range(4):
        for shop in services.plan_assignments(tenant.organisation, day).created:
            history.setdefault(shop.person_id, []).append(shop.scenario_id)
            services.submit_report(
                shop, by=shop.person, now=_noon(day), **full_answers(shop.scenario)
            )
        day += timedelta(days=90)
    for person in people:
        ids = history[person.pk]
        assert not any(a == b == own.pk for a, b in itertools.pairwise(ids)), ids


def test_open_shop_expires_when_the_next_round_starts(tenant: Tenant, scenario: Scenario) -> None:
    first = services.plan_assignments(tenant.organisation, TODAY).created
    later = services.plan_assignments(tenant.organisation, TODAY + timedelta(days=90))
    assert later.expired == len(first)
    assert len(later.created) == len(first)
    statuses = Counter(Assignment.objects.values_list("status", flat=True))
    assert statuses == {"expired": 3, "assigned": 3}


def test_skipped_shop_waits_for_the_next_round(tenant: Tenant, scenario: Scenario) -> None:
    created = services.plan_assignments(tenant.organisation, TODAY).created
    mine = next(a for a in created if a.person_id == tenant.employee.pk)
    with pytest.raises(ValidationError) as caught:
        services.skip_assignment(mine, reason="  ")
    assert "reason" in caught.value.message_dict
    services.skip_assignment(mine, reason="Ouderschapsverlof")
    assert services.plan_assignments(tenant.organisation, TODAY + timedelta(days=10)).created == []
    with pytest.raises(ValidationError):
        services.skip_assignment(mine, reason="nogmaals")


def test_nothing_planned_without_scenarios_or_when_off(tenant: Tenant) -> None:
    assert services.plan_assignments(tenant.organisation, TODAY).reason == "no_scenarios"
    scenario = make_scenario(tenant)
    services.update_programme(tenant.organisation, is_active=False)
    assert services.plan_assignments(tenant.organisation, TODAY).reason == "inactive"
    services.update_scenario(scenario, is_active=False)
    services.update_programme(tenant.organisation, is_active=True)
    assert services.plan_assignments(tenant.organisation, TODAY).created == []


def test_the_database_allows_one_open_shop_per_person(tenant: Tenant, shop: Assignment) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            organisation=tenant.organisation,
            scenario=shop.scenario,
            person=shop.person,
            assigned_on=shop.assigned_on,
            due_on=shop.due_on,
        )


# --- reports ----------------------------------------------------------------------------------


def _noon(day: date) -> Any:
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(12)))


def test_report_computes_the_score(tenant: Tenant, shop: Assignment) -> None:
    scenario = shop.scenario
    c1, c2 = (item["key"] for item in scenario.checklist)
    s1, s2 = (item["key"] for item in scenario.scoring)
    services.submit_report(
        shop,
        by=tenant.employee,
        checklist={c1: "yes", c2: "no"},
        scores={s1: "5", s2: 3},
        observations="  Vriendelijk, maar het antwoord klopte niet.  ",
    )
    shop.refresh_from_db()
    assert shop.status == AssignmentStatus.DONE
    assert shop.score == 63  # (100 + 0 + 100 + 50) / 4 = 62.5, rounded half up
    assert shop.item_scores == {s1: 5, s2: 3}
    assert shop.observations == "Vriendelijk, maar het antwoord klopte niet."
    assert shop.completed_at is not None and shop.shopped_on is not None


def test_report_errors_name_each_item(tenant: Tenant, shop: Assignment) -> None:
    scenario = shop.scenario
    c1, c2 = (item["key"] for item in scenario.checklist)
    s1, s2 = (item["key"] for item in scenario.scoring)
    with pytest.raises(ValidationError) as caught:
        services.submit_report(
            shop,
            by=tenant.employee,
            checklist={c1: "misschien", "c99": "yes"},
            scores={s1: 9, s2: True, "s77": 3},
            shopped_on=date.today() + timedelta(days=2),
            follow_up="Terugbellen",
        )
    errors = caught.value.message_dict
    assert "Naam genoemd" in errors[f"checklist.{c2}"][0]
    assert "misschien" in errors[f"checklist.{c1}"][0]
    assert "c99" in errors["checklist"][0]
    assert "from 1 to 5, not 9" in errors[f"scores.{s1}"][0]
    assert f"scores.{s2}" in errors
    assert "s77" in errors["scores"][0]
    assert "future" in errors["shopped_on"][0]
    assert "observations" in errors
    shop.refresh_from_db()
    assert shop.status == AssignmentStatus.ASSIGNED and shop.score is None


def test_only_the_shopper_reports_and_only_once(tenant: Tenant, shop: Assignment) -> None:
    with pytest.raises(PermissionDenied):
        services.submit_report(shop, by=tenant.manager, **full_answers(shop.scenario))
    services.submit_report(shop, by=tenant.employee, **full_answers(shop.scenario))
    with pytest.raises(ValidationError, match="already been reported"):
        services.submit_report(shop, by=tenant.employee, **full_answers(shop.scenario))


def test_report_before_the_assignment_is_refused(tenant: Tenant, shop: Assignment) -> None:
    with pytest.raises(ValidationError) as caught:
        services.submit_report(
            shop,
            by=tenant.employee,
            shopped_on=shop.assigned_on - timedelta(days=1),
            **full_answers(shop.scenario),
        )
    assert "before it was assigned" in caught.value.message_dict["shopped_on"][0]


# --- reminders --------------------------------------------------------------------------------


def test_reminders_announce_remind_and_chase_once_each(
    tenant: Tenant, scenario: Scenario, smtp_inbox: Any
) -> None:
    tenant.employee.language = "nl"
    tenant.employee.save()
    services.plan_assignments(tenant.organisation, TODAY)
    assert services.send_reminders(tenant.organisation, TODAY, base_url="https://oi.example") == 3
    assert services.send_reminders(tenant.organisation, TODAY) == 0
    by_address = {m["To"]: m for m in smtp_inbox.messages}
    dutch = by_address[tenant.employee.email]
    assert "Bellen over de jaarnota" in dutch["Subject"]
    assert "Je mystery shop" in dutch["Subject"] or "mystery" in dutch["Subject"].lower()
    body = smtp_inbox.body(smtp_inbox.messages.index(dutch))
    shop = Assignment.objects.get(person=tenant.employee)
    assert f"https://oi.example/mystery/shops/{shop.pk}/" in body
    # Due soon: one reminder each.
    soon = shop.due_on - timedelta(days=5)
    assert services.send_reminders(tenant.organisation, soon) == 3
    assert services.send_reminders(tenant.organisation, soon + timedelta(days=1)) == 0
    # Reported shops are not chased; overdue ones once.
    services.submit_report(shop, by=tenant.employee, **full_answers(scenario))
    late = shop.due_on + timedelta(days=1)
    assert services.send_reminders(tenant.organisation, late) == 2
    assert "overdue" in smtp_inbox.messages[-1]["Subject"]
    assert services.send_reminders(tenant.organisation, late + timedelta(days=7)) == 0


def test_reminders_skip_people_without_email_and_inactive_people(
    tenant: Tenant, scenario: Scenario
) -> None:
    services.plan_assignments(tenant.organisation, TODAY)
    tenant.manager.is_active = False
    tenant.manager.save()
    tenant.admin.email = ""
    tenant.admin.save()
    assert services.send_reminders(tenant.organisation, TODAY) == 1
    assert mail.outbox[0].to == [tenant.employee.email]


def test_run_daily_plans_and_reminds_every_organisation(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    make_scenario(tenant)
    make_scenario(other_tenant)
    report = services.run_daily(TODAY, base_url="https://oi.example")
    assert (report.planned, report.emailed) == (6, 6)
    again = services.run_daily(TODAY)
    assert (again.planned, again.emailed) == (0, 0)
