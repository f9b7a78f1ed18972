"""Logging in (rate limited), password reset and invitations, delivered over real SMTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from outsidein.core import services
from outsidein.core.models import Person
from tests.conftest import Tenant
from tests.factories import TEST_PASSWORD
from tests.smtp import Inbox

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str) -> Any:
    return client.post("/login/", {"username": email, "password": password})


def test_login_and_logout(tenant: Tenant) -> None:
    client = Client()
    response = _login(client, tenant.employee.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_pages_need_a_login(db: Any) -> None:
    for path in ("/", "/customers/", "/teams/", "/settings/tokens/", "/jobs/"):
        response = Client().get(path)
        assert response.status_code == 302 and "/login/" in response["Location"], path


def test_login_attempts_are_rate_limited(tenant: Tenant, settings: Any) -> None:
    settings.LOGIN_RATE_LIMIT = 3
    client = Client()
    for _ in range(3):
        assert _login(client, tenant.admin.email, "wrong").status_code == 200
    refused = _login(client, tenant.admin.email, TEST_PASSWORD)
    assert refused.status_code == 429
    assert b"Too many failed attempts" in refused.content
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_account_counter(tenant: Tenant, settings: Any) -> None:
    settings.LOGIN_RATE_LIMIT = 3
    client = Client()
    _login(client, tenant.admin.email, "wrong")
    _login(client, tenant.admin.email, "wrong")
    assert _login(client, tenant.admin.email, TEST_PASSWORD).status_code == 302
    client.post("/logout/")
    _login(client, tenant.admin.email, "wrong")
    _login(client, tenant.admin.email, "wrong")
    assert _login(client, tenant.admin.email, TEST_PASSWORD).status_code == 302


def test_password_reset_by_email(tenant: Tenant, smtp_inbox: Inbox) -> None:
    client = Client()
    response = client.post("/password/reset/", {"email": tenant.employee.email})
    assert response.status_code == 302
    assert len(smtp_inbox.messages) == 1
    assert smtp_inbox.messages[0]["To"] == tenant.employee.email
    link = re.search(r"https?://[^\s]+/password/reset/[^\s]+/", smtp_inbox.body()).group(0)
    path = "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new_password = "a-new-long-passphrase-2026"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert _login(Client(), tenant.employee.email, new_password).status_code == 302
    # the link works once
    assert b"no longer works" in client.get(path, follow=True).content


def test_password_reset_for_unknown_address_sends_nothing(db: Any, smtp_inbox: Inbox) -> None:
    response = Client().post("/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert smtp_inbox.messages == []


def test_invite_a_colleague_who_sets_their_own_password(
    tenant: Tenant,
    smtp_inbox: Inbox,
) -> None:
    admin = tenant.client_for(tenant.admin)
    response = admin.post(
        "/people/invite/",
        {
            "name": "Fleur Visser",
            "email": "fleur@acme.test",
            "role": "employee",
            "team": tenant.manager.team_id,
            "language": "nl",
        },
    )
    assert response.status_code == 302, response.content
    invited = Person.objects.get(email="fleur@acme.test")
    assert invited.organisation == tenant.organisation
    assert not invited.user.has_usable_password()
    assert len(smtp_inbox.messages) == 1
    body = smtp_inbox.body()
    assert "Fleur Visser" in body
    link = re.search(r"https?://\S+/invitation/\S+/", body).group(0)
    path = "/" + link.split("/", 3)[3]
    client = Client()
    assert client.get(path).status_code == 200
    mismatch = client.post(path, {"password1": "one-long-passphrase", "password2": "another"})
    assert mismatch.status_code == 200
    assert b"differ" in mismatch.content
    accepted = client.post(
        path, {"password1": "her-own-passphrase-99", "password2": "her-own-passphrase-99"}
    )
    assert accepted.status_code == 302
    assert client.get("/").status_code == 200
    # The link works only once.
    assert Client().get(path).status_code == 400
    assert _login(Client(), "fleur@acme.test", "her-own-passphrase-99").status_code == 302


def test_invitation_link_that_was_tampered_with_is_refused(tenant: Tenant) -> None:
    person = services.create_person(tenant.organisation, name="X", email="x@acme.test")
    services.attach_login(person, password=None)
    token = services.make_invitation_token(person.user)
    assert services.user_for_invitation(token) == person.user
    assert services.user_for_invitation(token[:-2] + "xx") is None


def test_employee_cannot_invite(tenant: Tenant) -> None:
    response = tenant.client_for(tenant.employee).post(
        "/people/invite/",
        {"name": "Y", "email": "y@acme.test", "role": "employee", "language": "nl"},
    )
    assert response.status_code == 403
    assert not Person.objects.filter(email="y@acme.test").exists()


def test_invite_with_an_address_already_in_use_names_the_field(tenant: Tenant) -> None:
    response = tenant.client_for(tenant.admin).post(
        "/people/invite/",
        {"name": "Twin", "email": tenant.employee.email, "role": "employee", "language": "nl"},
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_password_change(tenant: Tenant) -> None:
    client = tenant.client_for(tenant.employee)
    response = client.post(
        "/password/change/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "changed-passphrase-77",
            "new_password2": "changed-passphrase-77",
        },
    )
    assert response.status_code == 302
    assert _login(Client(), tenant.employee.email, "changed-passphrase-77").status_code == 302
