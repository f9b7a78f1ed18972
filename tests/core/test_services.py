"""Domain rules of the core app, tested through its services."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from outsidein.core import services
from outsidein.core.models import Customer, Person
from outsidein.core.permissions import Action, can, managed_team_ids
from outsidein.core.tenancy import get_scoped_or_404, scoped
from tests.conftest import Tenant
from tests.factories import ContactPersonFactory, CustomerFactory, SegmentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_customer_cannot_use_a_segment_of_another_organisation(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    foreign = SegmentFactory(organisation=other_tenant.organisation)
    with pytest.raises(ValidationError) as error:
        services.create_customer(tenant.organisation, name="X", segment=foreign)
    assert "segment" in error.value.message_dict
    assert not Customer.objects.filter(name="X").exists()


def test_external_id_is_unique_per_organisation_only(tenant: Tenant, other_tenant: Tenant) -> None:
    services.create_customer(tenant.organisation, name="A", external_id="K-1")
    services.create_customer(other_tenant.organisation, name="B", external_id="K-1")
    with pytest.raises(ValidationError) as error:
        services.create_customer(tenant.organisation, name="C", external_id="K-1")
    assert "external_id" in error.value.message_dict
    # Customers without an external id do not collide.
    services.create_customer(tenant.organisation, name="D")
    services.create_customer(tenant.organisation, name="E")


def test_database_constraint_backs_up_the_uniqueness_check(tenant: Tenant) -> None:
    CustomerFactory(organisation=tenant.organisation, external_id="RACE")
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(organisation=tenant.organisation, name="Twin", external_id="RACE")


def test_consent_change_is_timestamped(tenant: Tenant) -> None:
    customer = services.create_customer(tenant.organisation, name="A")
    assert customer.consent_updated_at is None
    services.update_customer(customer, city="Delft")
    assert customer.consent_updated_at is None
    services.update_customer(customer, consent_surveys=False)
    assert customer.consent_updated_at is not None


def test_unknown_fields_are_refused(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation)
    with pytest.raises(ValidationError) as error:
        services.update_customer(customer, organisation=None)
    assert "organisation" in error.value.message_dict


def test_only_business_customers_have_contact_people(tenant: Tenant) -> None:
    consumer = CustomerFactory(organisation=tenant.organisation, kind="consumer")
    with pytest.raises(ValidationError):
        services.add_contact_person(consumer, name="Nobody")
    business = CustomerFactory(organisation=tenant.organisation, kind="business")
    first = services.add_contact_person(business, name="Eva", is_primary=True)
    second = services.add_contact_person(business, name="Tom", is_primary=True)
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary


def test_team_cycles_are_refused(tenant: Tenant) -> None:
    top = TeamFactory(organisation=tenant.organisation)
    middle = TeamFactory(organisation=tenant.organisation, parent=top)
    with pytest.raises(ValidationError) as error:
        services.update_team(top, parent=middle)
    assert "parent" in error.value.message_dict


def test_department_with_teams_cannot_be_deleted_but_organisation_can(tenant: Tenant) -> None:
    department = TeamFactory(organisation=tenant.organisation, kind="department")
    TeamFactory(organisation=tenant.organisation, parent=department)
    with pytest.raises(ValidationError):
        services.delete_team(department)
    tenant.organisation.delete()
    assert not Person.objects.filter(pk=tenant.admin.pk).exists()


def test_team_tree_orders_departments_before_their_teams(tenant: Tenant) -> None:
    tree = services.team_tree(tenant.organisation)
    names = [(team.name, depth) for team, depth in tree]
    assert names == [("Service", 0), ("Helpdesk", 1)]
    assert tree[1][0].member_count == 2  # manager and employee


def test_manager_manages_their_team_and_below(tenant: Tenant) -> None:
    below = TeamFactory(organisation=tenant.organisation, parent=tenant.manager.team)
    beside = TeamFactory(organisation=tenant.organisation)
    assert managed_team_ids(tenant.manager) == {tenant.manager.team_id, below.pk}
    assert can(tenant.manager, Action.CHANGE, below)
    assert not can(tenant.manager, Action.CHANGE, beside)
    assert not can(tenant.employee, Action.CHANGE, below)
    assert can(tenant.manager, Action.CHANGE, tenant.employee)
    assert not can(tenant.manager, Action.CHANGE, tenant.admin)
    assert not can(tenant.employee, Action.CREATE, Customer)


def test_last_administrator_stays(tenant: Tenant) -> None:
    with pytest.raises(ValidationError):
        services.update_person(tenant.admin, role="employee")
    with pytest.raises(ValidationError):
        services.delete_person(tenant.admin)
    services.update_person(tenant.manager, role="admin")
    services.update_person(tenant.admin, role="employee")


def test_scoped_lookup_of_another_organisation_is_not_found(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    from django.http import Http404

    theirs = CustomerFactory(organisation=other_tenant.organisation)
    assert theirs not in scoped(tenant.employee, Customer)
    with pytest.raises(Http404):
        get_scoped_or_404(tenant.employee, Customer, theirs.pk)
    with pytest.raises(Http404):
        get_scoped_or_404(tenant.employee, Customer, "not-a-number")


def test_search_finds_customers_by_their_contact_people(tenant: Tenant) -> None:
    contact = ContactPersonFactory(customer__organisation=tenant.organisation, name="Marieke Smit")
    CustomerFactory(organisation=tenant.organisation, name="Someone else")
    found = services.search_customers(Customer.objects.all(), query="marieke")
    assert list(found) == [contact.customer]


def test_api_token_round_trip(tenant: Tenant) -> None:
    new = services.create_api_token(tenant.employee, name="script")
    assert services.authenticate_api_token(new.plaintext).person == tenant.employee
    assert services.authenticate_api_token(new.plaintext + "x") is None
    assert services.authenticate_api_token("oi_" + new.token.prefix + "_wrong") is None
    services.update_person(tenant.employee, is_active=False)
    assert services.authenticate_api_token(new.plaintext) is None


@hsettings(max_examples=40, deadline=None)
@given(st.text(max_size=80))
def test_token_authentication_never_crashes_on_garbage(text: str) -> None:
    assert services.authenticate_api_token(text) is None


def test_overview_figures(tenant: Tenant) -> None:
    segment = SegmentFactory(organisation=tenant.organisation, name="MKB")
    CustomerFactory.create_batch(
        3, organisation=tenant.organisation, segment=segment, kind="business"
    )
    CustomerFactory(organisation=tenant.organisation, consent_surveys=False)
    overview = services.organisation_overview(tenant.organisation)
    assert overview.customers == 4
    assert overview.business_customers == 3
    assert overview.customers_without_segment == 1
    assert overview.survey_consent_share == pytest.approx(0.75)
    assert ("MKB", 3) in overview.customers_per_segment
    assert overview.people == 3


def test_overview_of_an_empty_organisation(db: Any) -> None:
    organisation = services.create_organisation(name="Empty", slug="empty")
    overview = services.organisation_overview(organisation)
    assert overview.customers == 0
    assert overview.survey_consent_share is None


def test_create_administrator_validates_the_password(db: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_administrator(
            org_slug="new", org_name="New", name="", email="a@new.test", password="123"
        )
    assert "password" in error.value.message_dict
    person = services.create_administrator(
        org_slug="new", org_name="New", name="Ada", email="a@new.test", password="long-enough-pass"
    )
    assert person.is_admin and person.user.check_password("long-enough-pass")
