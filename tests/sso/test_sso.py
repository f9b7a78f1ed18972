"""Single sign-on against a real OpenID Connect provider running on 127.0.0.1 (provider.py)."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from outsidein.core.models import Person, User
from outsidein.sso import services
from outsidein.sso.models import SSOConfiguration
from tests.conftest import Tenant
from tests.factories import TEST_PASSWORD
from tests.sso.provider import Provider


@pytest.fixture(scope="module")
def running_provider() -> Iterator[Provider]:
    provider = Provider().start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(running_provider: Provider, settings: Any) -> Provider:
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.1"]  # the operator's allow-list, as in production
    running_provider.clients = {"acme-app": "acme-secret-1234", "globex-app": "globex-secret-9876"}
    running_provider.claim_overrides = {}
    running_provider.sign_with_foreign_key = False
    running_provider.user = {}
    return running_provider


def configure(
    tenant: Tenant, provider: Provider, client_id: str, domain: str, **extra: Any
) -> SSOConfiguration:
    fields: dict[str, Any] = {
        "enabled": True,
        "issuer": provider.issuer,
        "client_id": client_id,
        "client_secret": provider.clients[client_id],
        "allowed_domains": [domain],
        "auto_create": False,
        "default_team": None,
        "password_login": True,
        "break_glass_admin": None,
    }
    fields.update(extra)
    return services.save_configuration(tenant.organisation, **fields)


def sign_in_as(provider: Provider, email: str, **claims: Any) -> None:
    provider.user = {
        "sub": "sub-" + email,
        "email": email,
        "email_verified": True,
        "name": "Test Person",
        **claims,
    }


def start(client: Client, email: str) -> str:
    answer = client.post("/sso/start/", {"email": email})
    assert answer.status_code == 200, answer
    url = answer.context["authorize_url"]
    assert f'content="0;url={url.replace("&", "&amp;")}"' in answer.content.decode()
    return url


def authorize(location: str) -> str:
    """The browser's visit to the provider (real HTTP): the callback path with code and state."""
    url = urlsplit(location)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    connection.request("GET", url.path + "?" + url.query)
    answer = connection.getresponse()
    assert answer.status == 302, answer.read()
    back = urlsplit(answer.getheader("location"))
    connection.close()
    return back.path + "?" + back.query


def full_sign_in(client: Client, provider: Provider, email: str) -> Any:
    return client.get(authorize(start(client, email)), follow=True)


def error_text(answer: Any) -> str:
    return " ".join(str(m) for m in answer.context["messages"])


@pytest.fixture
def acme(tenant: Tenant, provider: Provider) -> SSOConfiguration:
    return configure(tenant, provider, "acme-app", "acme.test")


def test_invited_person_signs_in(
    client: Client, tenant: Tenant, provider: Provider, acme: Any
) -> None:
    sign_in_as(provider, tenant.employee.email)
    location = start(client, tenant.employee.email)
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    answer = client.get(authorize(location), follow=True)
    assert answer.redirect_chain[-1][0] == "/"
    assert answer.wsgi_request.user == tenant.employee.user
    assert answer.wsgi_request.person.role == "employee"  # roles stay the product's


def test_invited_person_without_login_gets_one(
    client: Client, tenant: Tenant, provider: Provider, acme: Any
) -> None:
    person = Person.objects.create(
        organisation=tenant.organisation, name="New", email="new@acme.test"
    )
    sign_in_as(provider, "NEW@acme.test", role="admin")
    answer = full_sign_in(client, provider, "new@acme.test")
    person.refresh_from_db()
    assert answer.wsgi_request.user == person.user
    assert person.role == "employee" and not person.user.has_usable_password()


@pytest.mark.parametrize(
    ("bend", "message"),
    [
        ({"aud": "someone-else"}, "another application"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, "expired"),
        ({"nonce": "not-this-one"}, "nonce"),
        ({"iss": "https://evil.example"}, "another issuer"),
        ({"email_verified": False}, "not verified"),
    ],
)
def test_bad_id_token_refused(
    client: Client,
    tenant: Tenant,
    provider: Provider,
    acme: Any,
    bend: dict[str, Any],
    message: str,
) -> None:
    sign_in_as(provider, tenant.employee.email)
    provider.claim_overrides = bend
    answer = full_sign_in(client, provider, tenant.employee.email)
    assert answer.status_code == 200
    assert not answer.wsgi_request.user.is_authenticated
    assert message in error_text(answer)


def test_foreign_signature_refused(
    client: Client, tenant: Tenant, provider: Provider, acme: Any
) -> None:
    sign_in_as(provider, tenant.employee.email)
    provider.sign_with_foreign_key = True
    answer = full_sign_in(client, provider, tenant.employee.email)
    assert not answer.wsgi_request.user.is_authenticated
    assert "signature" in error_text(answer)


def test_foreign_domain_refused(
    client: Client, tenant: Tenant, provider: Provider, acme: Any
) -> None:
    sign_in_as(provider, "mallory@elsewhere.test")
    answer = client.get(authorize(start(client, tenant.employee.email)), follow=True)
    assert not answer.wsgi_request.user.is_authenticated
    assert "elsewhere.test may not sign in" in error_text(answer)


def test_unknown_domain_at_start(
    client: Client, tenant: Tenant, provider: Provider, acme: Any
) -> None:
    answer = client.post("/sso/start/", {"email": "x@nowhere.test"}, follow=True)
    assert "no company sign-in" in error_text(answer)


def test_replayed_and_unknown_state_refused(
    client: Client, tenant: Tenant, provider: Provider, acme: Any
) -> None:
    sign_in_as(provider, tenant.employee.email)
    callback = authorize(start(client, tenant.employee.email))
    assert client.get(callback).status_code == 302
    client.logout()
    tokens_before = provider.token_requests
    answer = client.get(callback, follow=True)  # the same state a second time
    assert not answer.wsgi_request.user.is_authenticated
    assert "already used" in error_text(answer)
    assert provider.token_requests == tokens_before  # refused before the code is spent
    other = Client()  # a state started in another browser
    answer = other.get(callback, follow=True)
    assert "already used" in error_text(answer)
    answer = client.get("/sso/callback/?state=made-up&code=x", follow=True)
    assert answer.status_code == 200 and "already used" in error_text(answer)


def test_unknown_person_refused_unless_auto_create(
    client: Client, tenant: Tenant, provider: Provider, acme: Any
) -> None:
    sign_in_as(provider, "stranger@acme.test", name="Sam Stranger")
    answer = full_sign_in(client, provider, "stranger@acme.test")
    assert not answer.wsgi_request.user.is_authenticated
    assert "not a colleague" in error_text(answer)
    assert not Person.objects.filter(email="stranger@acme.test").exists()

    team = tenant.employee.team
    configure(tenant, provider, "acme-app", "acme.test", auto_create=True, default_team=team)
    answer = full_sign_in(client, provider, "stranger@acme.test")
    person = Person.objects.get(email="stranger@acme.test")
    assert answer.wsgi_request.user == person.user
    assert (person.organisation, person.team, person.role, person.name) == (
        tenant.organisation,
        team,
        "employee",
        "Sam Stranger",
    )


def test_password_login_off_keeps_break_glass(tenant: Tenant, provider: Provider) -> None:
    configure(
        tenant,
        provider,
        "acme-app",
        "acme.test",
        password_login=False,
        break_glass_admin=tenant.admin,
    )
    client = Client()
    answer = client.post("/login/", {"username": tenant.employee.email, "password": TEST_PASSWORD})
    assert answer.status_code == 200
    assert b'data-testid="sso-password-off"' in answer.content
    assert not answer.wsgi_request.user.is_authenticated
    wrong = client.post("/login/", {"username": tenant.employee.email, "password": "wrong"})
    assert b"sso-password-off" not in wrong.content  # a wrong password tells nothing more
    assert b"Sign in with your company account" in answer.content
    answer = Client().post("/login/", {"username": tenant.admin.email, "password": TEST_PASSWORD})
    assert answer.status_code == 302  # the break-glass administrator
    answer = Client().post("/login/", {"username": tenant.manager.email, "password": TEST_PASSWORD})
    assert answer.status_code == 200


def test_password_off_needs_break_glass_admin(tenant: Tenant, provider: Provider) -> None:
    with pytest.raises(ValidationError) as error:
        configure(tenant, provider, "acme-app", "acme.test", password_login=False)
    assert "break_glass_admin" in error.value.message_dict
    with pytest.raises(ValidationError):
        configure(
            tenant,
            provider,
            "acme-app",
            "acme.test",
            password_login=False,
            break_glass_admin=tenant.employee,
        )


def test_tenant_isolation(
    client: Client, tenant: Tenant, other_tenant: Tenant, provider: Provider, acme: Any
) -> None:
    # globex's issuer client (another audience) cannot finish acme's sign-in ...
    configure(other_tenant, provider, "globex-app", "globex.test")
    with pytest.raises(ValidationError):
        configure(
            other_tenant, provider, "globex-app", "acme.test"
        )  # a domain has one organisation
    # ... and acme's issuer never logs anyone into a globex person, even with an acme address.
    Person.objects.filter(pk=other_tenant.employee.pk).update(email="carol@acme.test")
    User.objects.filter(pk=other_tenant.employee.user_id).update(email="carol@acme.test")
    sign_in_as(provider, "carol@acme.test")
    answer = full_sign_in(client, provider, "carol@acme.test")
    assert not answer.wsgi_request.user.is_authenticated
    configure(
        tenant,
        provider,
        "acme-app",
        "acme.test",
        auto_create=True,
        default_team=tenant.employee.team,
    )
    answer = full_sign_in(client, provider, "carol@acme.test")
    assert not answer.wsgi_request.user.is_authenticated
    assert "already has a login" in error_text(answer)
    # a token minted for globex's client is refused by acme's flow (audience)
    sign_in_as(provider, tenant.employee.email)
    provider.claim_overrides = {"aud": "globex-app"}
    answer = full_sign_in(client, provider, tenant.employee.email)
    assert not answer.wsgi_request.user.is_authenticated


def test_secret_encrypted_and_shown_as_last4(tenant: Tenant, provider: Provider, acme: Any) -> None:
    acme.refresh_from_db()
    assert "acme-secret" not in acme.client_secret_encrypted
    assert acme.client_secret_last4 == "…1234"
    page = tenant.client_for(tenant.admin).get("/settings/sso/")
    assert page.status_code == 200
    assert b"acme-secret-1234" not in page.content and "…1234" in page.content.decode()
    # saving without a secret keeps the stored one
    configure(tenant, provider, "acme-app", "acme.test", client_secret="")
    acme.refresh_from_db()
    assert acme.client_secret_last4 == "…1234"


def test_settings_page_admin_only_and_saves(tenant: Tenant, provider: Provider) -> None:
    assert tenant.client_for(tenant.manager).get("/settings/sso/").status_code == 403
    admin = tenant.client_for(tenant.admin)
    answer = admin.post(
        "/settings/sso/",
        {
            "action": "save",
            "enabled": "on",
            "issuer": provider.issuer,
            "client_id": "acme-app",
            "client_secret": "acme-secret-1234",
            "allowed_domains": "acme.test, @ACME.example",
            "password_login": "on",
        },
    )
    assert answer.status_code == 302, answer.context["form"].errors
    configuration = SSOConfiguration.objects.get(organisation=tenant.organisation)
    assert configuration.domains == ["acme.example", "acme.test"]
    answer = admin.post("/settings/sso/", {"action": "save", "issuer": "ftp://x", "client_id": "a"})
    assert answer.status_code == 200
    assert "issuer" in answer.context["form"].errors
    answer = admin.post(
        "/settings/sso/",
        {"action": "save", "issuer": provider.issuer, "client_id": "a", "allowed_domains": "nodot"},
    )
    assert answer.status_code == 200
    assert "“nodot” is not an email domain." in answer.context["form"].errors["allowed_domains"]


def test_discovery_button(tenant: Tenant, provider: Provider) -> None:
    admin = tenant.client_for(tenant.admin)

    def test(issuer: str) -> str:
        answer = admin.post("/settings/sso/", {"action": "test", "issuer": issuer})
        assert answer.status_code == 200
        return answer.context["discovery"].message

    assert "Discovery works" in test(provider.issuer)
    assert "not JSON" in test(provider.issuer + "/html")
    assert "names the issuer" in test(provider.issuer + "/other")
    assert "could not be reached" in test("http://127.0.0.1:1")


def test_provider_private_address_refused_without_allow_list(
    client: Client, tenant: Tenant, provider: Provider, acme: Any, settings: Any
) -> None:
    settings.OUTGOING_ALLOW_HOSTS = []
    answer = client.post("/sso/start/", {"email": tenant.employee.email}, follow=True)
    assert "could not be reached" in error_text(answer)


def test_provider_error_and_dutch_message(
    client: Client, tenant: Tenant, provider: Provider, acme: Any
) -> None:
    sign_in_as(provider, tenant.employee.email)
    state = parse_qs(urlsplit(start(client, tenant.employee.email)).query)["state"][0]
    answer = client.get(
        f"/sso/callback/?state={state}&error=access_denied", follow=True, HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert answer.status_code == 200
    assert "De identiteitsprovider heeft je niet ingelogd (access_denied)." in error_text(answer)


def test_secret_unreadable_after_key_change(
    client: Client, tenant: Tenant, provider: Provider, acme: Any, settings: Any
) -> None:
    from outsidein.core import crypto

    sign_in_as(provider, tenant.employee.email)
    location = start(client, tenant.employee.email)
    real_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40  # as if stored under an older key
    stale = crypto.encrypt("acme-secret-1234", purpose=services.SECRET_PURPOSE)
    settings.SECRET_KEY = real_key
    SSOConfiguration.objects.filter(pk=acme.pk).update(client_secret_encrypted=stale)
    answer = client.get(authorize(location), follow=True)
    assert not answer.wsgi_request.user.is_authenticated
    assert "enter it again" in error_text(answer)
