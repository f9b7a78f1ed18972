"""The practice pages through Django's test client: each role sees what it should, forms show
errors on the fields they concern, and nothing is half-written."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from outsidein.practice import services
from outsidein.practice.models import Case, CaseStatus, Contact, Decision
from outsidein.voice import services as voice
from tests.conftest import Tenant
from tests.factories import CustomerFactory, TeamFactory


@pytest.fixture
def complaint_case(tenant: Tenant) -> Case:
    feedback = voice.record_feedback(
        tenant.organisation, kind="complaint", channel="phone", comment="Nota te hoog"
    )[0]
    return Case.objects.get(feedback=feedback)


@pytest.mark.parametrize("role", ["admin", "manager", "employee"])
def test_every_practice_page_opens_for_every_role(
    tenant: Tenant, complaint_case: Case, role: str
) -> None:
    client = tenant.client_for(getattr(tenant, role))
    decision = services.create_decision(tenant.organisation, title="Chat tot 21:00")
    contact = services.log_contact(getattr(tenant, role), kind="call", learned="Leuk gesprek")
    for url in (
        reverse("my-work"),
        reverse("practices"),
        reverse("queue"),
        reverse("queue") + "?view=breached&status=&kind=complaint",
        reverse("case-detail", args=[complaint_case.pk]),
        reverse("contact-log"),
        reverse("contact-coverage"),
        reverse("contact-detail", args=[contact.pk]),
        reverse("decision-list"),
        reverse("decision-detail", args=[decision.pk]),
        reverse("decision-create"),
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_my_work_puts_customer_items_first(tenant: Tenant, complaint_case: Case) -> None:
    services.pick_up(complaint_case, tenant.employee)
    services.create_decision(tenant.organisation, title="Intern voorstel", owner=tenant.employee)
    page = tenant.client_for(tenant.employee).get(reverse("my-work")).content.decode()
    assert page.index("Nota te hoog") < page.index("Intern voorstel")


def test_logging_a_contact_from_the_page(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation, name="Bakkerij De Molen")
    client = tenant.client_for(tenant.employee)
    response = client.post(
        reverse("contact-log"),
        {
            "kind": "visit",
            "customer": "de molen",
            "happened_on": "2026-11-02",
            "learned": "Wil één nota voor twee winkels",
            "to_inbox": "on",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.customer == customer
    assert contact.feedback is not None


def test_a_contact_form_with_errors_names_the_fields_and_saves_nothing(tenant: Tenant) -> None:
    CustomerFactory(organisation=tenant.organisation, name="Jansen A")
    CustomerFactory(organisation=tenant.organisation, name="Jansen B")
    client = tenant.client_for(tenant.employee)
    response = client.post(
        reverse("contact-log"), {"kind": "", "customer": "jansen", "happened_on": "morgen"}
    )
    assert response.status_code == 200  # the form again, with its errors
    form = response.context["form"]
    assert set(form.errors) >= {"kind", "customer", "happened_on"}
    assert "Jansen A" in str(form.errors["customer"])
    assert not Contact.objects.exists()


def test_closing_without_what_was_learned_shows_the_errors(
    tenant: Tenant, complaint_case: Case
) -> None:
    client = tenant.client_for(tenant.manager)
    response = client.post(reverse("case-close", args=[complaint_case.pk]), {"learned": ""})
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["close_form"].errors
    assert "learned" in errors and "root_cause" in errors
    complaint_case.refresh_from_db()
    assert complaint_case.status == CaseStatus.OPEN


def test_another_teams_item_needs_picking_up_first(tenant: Tenant) -> None:
    other = TeamFactory(organisation=tenant.organisation, name="IT", slug="it")
    case = services.open_case(tenant.organisation, kind="question", subject="?", team=other)
    client = tenant.client_for(tenant.employee)
    assert client.post(reverse("case-respond", args=[case.pk]), {"text": "Hoi"}).status_code == 403
    client.post(reverse("case-pick-up", args=[case.pk]))
    response = client.post(reverse("case-respond", args=[case.pk]), {"text": "Gebeld"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == tenant.employee and case.first_response_at is not None


def test_foreign_items_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = services.open_case(other_tenant.organisation, kind="question", subject="Geheim")
    decision = services.create_decision(other_tenant.organisation, title="Geheim besluit")
    client = tenant.client_for(tenant.admin)
    assert client.get(reverse("case-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("decision-detail", args=[decision.pk])).status_code == 404
    assert client.post(reverse("case-pick-up", args=[theirs.pk])).status_code == 404


def test_a_decision_from_the_feedback_it_cites(tenant: Tenant, complaint_case: Case) -> None:
    client = tenant.client_for(tenant.manager)
    url = reverse("decision-create") + f"?feedback={complaint_case.feedback_id}"
    page = client.get(url)
    assert "Nota te hoog" in page.content.decode()
    response = client.post(
        url,
        {
            "title": "Nota herzien",
            "status": "taken",
            "decided_on": "2026-11-20",
            "scope": "team",
            "owner": tenant.manager.pk,
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert [(e.kind, e.ref_id) for e in decision.evidence.all()] == [
        ("feedback", complaint_case.feedback_id)
    ]


def test_adding_evidence_that_does_not_exist_says_so(tenant: Tenant) -> None:
    decision = services.create_decision(tenant.organisation, title="Chat tot 21:00")
    client = tenant.client_for(tenant.admin)
    response = client.post(
        reverse("decision-evidence", args=[decision.pk]),
        {"kind": "tag", "reference": "bestaat niet"},
    )
    assert response.status_code == 200  # the form again, with its errors
    assert "reference" in response.context["evidence_form"].errors


def test_practice_settings_are_for_administrators(tenant: Tenant) -> None:
    assert tenant.client_for(tenant.manager).get(reverse("practice-settings")).status_code == 403
    client = tenant.client_for(tenant.admin)
    assert client.get(reverse("practice-settings")).status_code == 200
    response = client.post(
        reverse("practice-settings"),
        {
            "section": "target",
            "channel": "phone",
            "priority": "normal",
            "first_response_hours": "8",
            "resolution_hours": "2",
        },
    )
    assert response.status_code == 200  # the form again, with its errors
    assert "resolution_hours" in response.context["target_form"].errors


def test_the_solved_link_is_rate_limited(tenant: Tenant, client: Any) -> None:
    case = services.open_case(tenant.organisation, kind="question", subject="x")
    services.close_case(case, tenant.employee)
    url = reverse("case-solved", args=[services.solved_token(case), "yes"])
    statuses = [client.get(url).status_code for _ in range(35)]
    assert statuses[0] == 200 and statuses[-1] == 429


def test_date_inputs_carry_iso_dates_in_dutch(tenant: Tenant) -> None:
    # A type="date" input only accepts YYYY-MM-DD; a Dutch 30-11-2026 would show as empty.
    client = tenant.client_for(tenant.employee)
    page = client.get(reverse("contact-log"), headers={"accept-language": "nl"})
    today = timezone.localdate().isoformat()
    assert f'type="date" name="happened_on" value="{today}"' in page.content.decode()


def test_a_routing_rule_is_added_from_the_settings_page(tenant: Tenant) -> None:
    from outsidein.practice.models import RoutingRule

    client = tenant.client_for(tenant.admin)
    response = client.post(
        reverse("practice-settings"),
        {
            "section": "rule",
            "position": "10",
            "name": "Facturen",
            "keywords": "factu*",
            "team": tenant.manager.team_id,
        },
    )
    assert response.status_code == 302, response.context and response.context["rule_form"].errors
    assert RoutingRule.objects.get().team == tenant.manager.team


def test_a_decision_link_with_a_missing_item_says_so(tenant: Tenant) -> None:
    client = tenant.client_for(tenant.manager)
    for query in ("?feedback=987654", "?feedback=²"):
        response = client.get(reverse("decision-create") + query)
        assert response.status_code == 200
    assert (
        "was not found" in client.get(reverse("decision-create") + "?feedback=9").content.decode()
    )


def test_a_colleagues_contact_cannot_be_cited(tenant: Tenant) -> None:
    secret = services.log_contact(tenant.manager, kind="call", learned="Vertrouwelijk")
    decision = services.create_decision(tenant.organisation, title="Iets", owner=tenant.employee)
    client = tenant.client_for(tenant.employee)
    response = client.post(
        reverse("decision-evidence", args=[decision.pk]),
        {"kind": "contact", "reference": str(secret.pk)},
    )
    assert response.status_code == 200
    assert "colleague" in str(response.context["evidence_form"].errors)
    assert not decision.evidence.exists()
    page = client.get(reverse("decision-create") + f"?contact={secret.pk}").content.decode()
    assert "Vertrouwelijk" not in page


def test_the_backlog_counts_open_items_older_than_the_period(tenant: Tenant) -> None:
    from datetime import timedelta

    from outsidein.practice import reports

    old = timezone.now() - timedelta(days=200)
    services.open_case(tenant.organisation, kind="question", subject="Oud", opened_at=old)
    today = timezone.localdate()
    totals, _loop, _rows = reports.queue_report(
        tenant.organisation.pk, today - timedelta(days=29), today
    )
    assert totals.n == 0  # nothing opened in the last 30 days
    assert totals.open == 1 and totals.open_breached == 1
    assert totals.backlog_oldest_age_h is not None and totals.backlog_oldest_age_h > 24 * 199
