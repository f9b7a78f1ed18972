from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from outsidein.core.models import Organisation, Person
from outsidein.core.services import create_api_token
from tests.factories import OrganisationFactory, PersonFactory, TeamFactory

pytest_plugins = ["tests.smtp"]


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    # Every test starts in the default language: the locale middleware leaves the language of
    # the last request active in the thread, which would leak Dutch into the next test.
    with translation.override(settings.LANGUAGE_CODE):
        yield
    cache.clear()


@dataclass
class Tenant:
    """One organisation with a person of each role, logged-in clients and API tokens."""

    organisation: Organisation
    admin: Person
    manager: Person
    employee: Person

    def client_for(self, person: Person) -> Client:
        client = Client()
        client.force_login(person.user)
        return client

    def api_headers(self, person: Person) -> dict[str, str]:
        token = create_api_token(person, name="tests").plaintext
        return {"Authorization": f"Bearer {token}"}


def make_tenant(slug: str) -> Tenant:
    organisation = OrganisationFactory(slug=slug, name=slug.title())
    department = TeamFactory(
        organisation=organisation, name="Service", slug="service", kind="department"
    )
    team = TeamFactory(
        organisation=organisation, name="Helpdesk", slug="helpdesk", parent=department
    )
    return Tenant(
        organisation=organisation,
        admin=PersonFactory(organisation=organisation, role="admin", email=f"admin@{slug}.test"),
        manager=PersonFactory(
            organisation=organisation, role="manager", team=team, email=f"manager@{slug}.test"
        ),
        employee=PersonFactory(
            organisation=organisation, role="employee", team=team, email=f"employee@{slug}.test"
        ),
    )


@pytest.fixture
def tenant(db: Any) -> Tenant:
    return make_tenant("acme")


@pytest.fixture
def other_tenant(db: Any) -> Tenant:
    return make_tenant("globex")
