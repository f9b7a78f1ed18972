"""The core pages: scoping, permissions, search, forms with clear errors."""

from __future__ import annotations

import pytest

from outsidein.core.models import Customer
from tests.conftest import Tenant
from tests.factories import ContactPersonFactory, CustomerFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def test_home_shows_real_figures(tenant: Tenant) -> None:
    CustomerFactory.create_batch(4, organisation=tenant.organisation)
    response = tenant.client_for(tenant.employee).get("/")
    assert response.status_code == 200
    assert response.context["overview"].customers == 4
    assert b'data-testid="kpi-customers">4<' in response.content


def test_customer_list_searches_and_filters(tenant: Tenant, other_tenant: Tenant) -> None:
    segment = SegmentFactory(organisation=tenant.organisation, name="MKB")
    wanted = CustomerFactory(
        organisation=tenant.organisation, name="Bakkerij Jansen", segment=segment
    )
    CustomerFactory(organisation=tenant.organisation, name="Jansen Wonen")
    CustomerFactory(organisation=other_tenant.organisation, name="Bakkerij Elders")
    client = tenant.client_for(tenant.employee)
    page = client.get("/customers/", {"q": "bakkerij"})
    assert list(page.context["page"].object_list) == [wanted]
    by_segment = client.get("/customers/", {"q": "jansen", "segment": segment.pk})
    assert list(by_segment.context["page"].object_list) == [wanted]


def test_customer_list_answers_htmx_with_the_results_fragment(tenant: Tenant) -> None:
    CustomerFactory(organisation=tenant.organisation, name="Fragment BV")
    response = tenant.client_for(tenant.employee).get(
        "/customers/", {"q": "fragment"}, headers={"HX-Request": "true"}
    )
    assert b"Fragment BV" in response.content
    assert b"<html" not in response.content


def test_customer_of_another_organisation_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = CustomerFactory(organisation=other_tenant.organisation, name="Secret Customer")
    client = tenant.client_for(tenant.admin)
    for path in (f"/customers/{theirs.pk}/", f"/customers/{theirs.pk}/edit/"):
        response = client.get(path)
        assert response.status_code == 404
        assert b"Secret Customer" not in response.content
    assert client.post(f"/customers/{theirs.pk}/delete/").status_code == 404
    assert Customer.objects.filter(pk=theirs.pk).exists()


def test_customer_detail_shows_contact_people(tenant: Tenant) -> None:
    contact = ContactPersonFactory(customer__organisation=tenant.organisation, name="Eva de Boer")
    response = tenant.client_for(tenant.employee).get(f"/customers/{contact.customer.pk}/")
    assert b"Eva de Boer" in response.content


def test_manager_adds_a_customer_and_bad_input_is_named(tenant: Tenant) -> None:
    client = tenant.client_for(tenant.manager)
    bad = client.post(
        "/customers/new/", {"name": "", "kind": "consumer", "language": "nl", "email": "nope"}
    )
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) >= {"name", "email"}
    assert not Customer.objects.exists()
    good = client.post(
        "/customers/new/",
        {"name": "Nieuwe Klant", "kind": "consumer", "language": "nl", "consent_surveys": "on"},
    )
    assert good.status_code == 302
    assert Customer.objects.get().organisation == tenant.organisation


def test_duplicate_external_id_in_the_form_is_named(tenant: Tenant) -> None:
    CustomerFactory(organisation=tenant.organisation, external_id="PS-9")
    response = tenant.client_for(tenant.admin).post(
        "/customers/new/",
        {"name": "Twin", "kind": "consumer", "language": "nl", "external_id": "PS-9"},
    )
    assert response.status_code == 200
    assert "external_id" in response.context["form"].errors


def test_employee_may_read_but_not_change_customers(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation)
    client = tenant.client_for(tenant.employee)
    assert client.get(f"/customers/{customer.pk}/").status_code == 200
    assert client.get("/customers/new/").status_code == 403
    assert client.post(f"/customers/{customer.pk}/edit/", {"name": "Hacked"}).status_code == 403
    assert client.post(f"/customers/{customer.pk}/delete/").status_code == 403
    customer.refresh_from_db()
    assert customer.name != "Hacked"


def test_admin_edits_and_deletes_a_customer(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation, name="Old")
    client = tenant.client_for(tenant.admin)
    response = client.post(
        f"/customers/{customer.pk}/edit/", {"name": "New", "kind": "business", "language": "en"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.kind, customer.language) == ("New", "business", "en")
    assert client.post(f"/customers/{customer.pk}/delete/").status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_teams_page_lists_the_tree_and_people(tenant: Tenant) -> None:
    response = tenant.client_for(tenant.employee).get("/teams/", {"q": "manager@"})
    assert [team.name for team, _depth in response.context["tree"]] == ["Service", "Helpdesk"]
    assert list(response.context["people"]) == [tenant.manager]


def test_tokens_page_shows_a_new_token_once(tenant: Tenant) -> None:
    client = tenant.client_for(tenant.employee)
    created = client.post("/settings/tokens/", {"name": "Script"})
    plaintext = created.context["new_token"].plaintext
    assert plaintext.encode() in created.content
    assert plaintext.encode() not in client.get("/settings/tokens/").content


def test_language_switch_serves_dutch(tenant: Tenant) -> None:
    client = tenant.client_for(tenant.employee)
    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    response = client.get("/customers/")
    assert response.context["LANGUAGE_CODE"] == "nl"
    assert b'lang="nl"' in response.content


def test_login_without_an_employee_record_is_refused_politely(db: object) -> None:
    from django.test import Client

    from outsidein.core.models import User

    user = User.objects.create_user(email="loner@example.org", password="x-long-password")
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 403


def test_admin_manages_segments(tenant: Tenant) -> None:
    from outsidein.core.models import Segment

    client = tenant.client_for(tenant.admin)
    assert (
        client.post("/segments/new/", {"name": "MKB", "description": "Small firms"}).status_code
        == 302
    )
    segment = Segment.objects.get(name="MKB")
    assert segment.organisation == tenant.organisation
    duplicate = client.post("/segments/new/", {"name": "mkb"})
    assert "name" in duplicate.context["form"].errors
    CustomerFactory(organisation=tenant.organisation, segment=segment)
    listing = client.get("/segments/")
    assert listing.context["segments"][0].customer_count == 1
    assert client.post(f"/segments/{segment.pk}/delete/").status_code == 302
    assert Customer.objects.get().segment is None


def test_employee_cannot_manage_segments(tenant: Tenant) -> None:
    client = tenant.client_for(tenant.employee)
    assert client.get("/segments/").status_code == 200
    assert client.post("/segments/new/", {"name": "Nope"}).status_code == 403


def test_admin_adds_and_edits_a_team_manager_edits_own_team(tenant: Tenant) -> None:
    from outsidein.core.models import Team

    admin = tenant.client_for(tenant.admin)
    created = admin.post(
        "/teams/new/", {"name": "Facturatie", "slug": "facturatie", "kind": "team"}
    )
    assert created.status_code == 302
    billing = Team.objects.get(slug="facturatie")
    bad = admin.post("/teams/new/", {"name": "X", "slug": "facturatie", "kind": "team"})
    assert "slug" in bad.context["form"].errors
    manager = tenant.client_for(tenant.manager)
    own = tenant.manager.team
    assert (
        manager.post(
            f"/teams/{own.pk}/edit/", {"name": "Helpdesk NL", "slug": own.slug, "kind": "team"}
        ).status_code
        == 302
    )
    assert (
        manager.post(
            f"/teams/{billing.pk}/edit/", {"name": "Mine now", "slug": "x", "kind": "team"}
        ).status_code
        == 403
    )
    assert manager.post(f"/teams/{own.pk}/delete/").status_code == 403


def test_department_with_teams_cannot_be_deleted_from_the_page(tenant: Tenant) -> None:
    department = tenant.manager.team.parent
    response = tenant.client_for(tenant.admin).post(f"/teams/{department.pk}/delete/", follow=True)
    assert b"still has teams" in response.content


def test_organisation_settings_are_for_admins(tenant: Tenant) -> None:
    assert tenant.client_for(tenant.manager).get("/settings/organisation/").status_code == 403
    admin = tenant.client_for(tenant.admin)
    assert (
        admin.post("/settings/organisation/", {"name": "Acme NL", "language": "en"}).status_code
        == 302
    )
    tenant.organisation.refresh_from_db()
    assert (tenant.organisation.name, tenant.organisation.language) == ("Acme NL", "en")


def test_contact_people_are_added_and_removed_on_the_customer_page(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    business = CustomerFactory(organisation=tenant.organisation, kind="business")
    client = tenant.client_for(tenant.manager)
    response = client.post(
        f"/customers/{business.pk}/contacts/new/",
        {"name": "Eva", "email": "eva@example.org", "language": "nl", "is_primary": "on"},
    )
    assert response.status_code == 302
    contact = business.contact_people.get()
    foreign = ContactPersonFactory(customer__organisation=other_tenant.organisation)
    assert client.post(f"/customers/{business.pk}/contacts/{foreign.pk}/delete/").status_code == 404
    assert client.post(f"/customers/{business.pk}/contacts/{contact.pk}/delete/").status_code == 302
    assert not business.contact_people.exists()


def test_deactivated_colleague_can_no_longer_log_in(tenant: Tenant) -> None:
    from django.test import Client

    from tests.factories import TEST_PASSWORD

    admin = tenant.client_for(tenant.admin)
    response = admin.post(
        f"/people/{tenant.employee.pk}/edit/",
        {
            "name": tenant.employee.name,
            "email": tenant.employee.email,
            "role": "employee",
            "language": "en",
        },
    )
    assert response.status_code == 302
    tenant.employee.refresh_from_db()
    assert not tenant.employee.is_active
    login = Client().post("/login/", {"username": tenant.employee.email, "password": TEST_PASSWORD})
    assert login.status_code == 200


def test_django_admin_works_for_the_platform_operator(db: object) -> None:
    from django.test import Client

    from outsidein.core.models import User

    operator = User.objects.create_superuser(email="ops@example.org", password="ops-long-password")
    client = Client()
    client.force_login(operator)
    for path in (
        "/django-admin/",
        "/django-admin/core/customer/",
        "/django-admin/core/user/",
        "/django-admin/core/user/add/",
        "/django-admin/jobs/job/",
    ):
        assert client.get(path).status_code == 200, path
