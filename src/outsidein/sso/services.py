"""Single sign-on with OpenID Connect: the authorization code flow with PKCE (S256), one
identity provider per organisation.

Library: **authlib** (with **joserfc**, by the same maintainer, for JOSE). authlib is actively
maintained, implements the OAuth 2 / OpenID Connect specifications on both the client and the
server side (discovery URLs, the authorization request with PKCE, the ID token rules), and
joserfc verifies the ID token's signature against the provider's JWKS and its registered claims
(issuer, audience, expiry, nonce). We use their building blocks rather than a framework client so
every request to the identity provider goes through ``core.outgoing`` (no redirects, time limits,
only addresses outsidein may reach; a provider on a private network is allowed with
``OUTSIDEIN_OUTGOING_ALLOW_HOSTS`` like any other internal host).

Roles never come from the token: a sign-in matches an invited or existing person of the
organisation by verified email address, or (if the administrator allows it) creates an employee
in the default team.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.discovery import get_well_known_url
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from outsidein import audit
from outsidein.core import crypto, outgoing
from outsidein.core import services as core_services
from outsidein.core.models import Organisation, Person, Role, Team, User
from outsidein.sso.models import SSOConfiguration, SSODomain

SECRET_PURPOSE = "sso-client-secret"  # noqa: S105 (a key-derivation label, not a secret)
SESSION_KEY = "sso_pending"
PENDING_TTL = 10 * 60  # seconds a started sign-in may take
MAX_PENDING = 5
CLOCK_LEEWAY = 60
SCOPES = "openid email profile"
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
AUDITED_FIELDS = (
    "enabled",
    "issuer",
    "client_id",
    "client_secret_last4",
    "auto_create",
    "default_team",
    "password_login",
    "break_glass_admin",
)


class SSOError(Exception):
    """A sign-in or discovery that failed; the message is safe and meant for the person."""


# --- configuration -------------------------------------------------------------------------


def configuration_for(organisation: Organisation) -> SSOConfiguration | None:
    return SSOConfiguration.objects.filter(organisation=organisation).first()


def parse_domains(text: str) -> list[str]:
    """Domains from a comma/space/newline separated list, lower-case, "@" removed."""
    found: list[str] = []
    for raw in text.replace(",", " ").split():
        domain = raw.strip().lower().lstrip("@").rstrip(".")
        if domain and domain not in found:
            found.append(domain)
    return found


def _check_domain(domain: str) -> None:
    labels = domain.split(".")
    if len(labels) < 2 or not all(
        label and all(c.isalnum() or c == "-" for c in label) for label in labels
    ):
        raise ValidationError(
            {"allowed_domains": _("“%(domain)s” is not an email domain.") % {"domain": domain}}
        )


@transaction.atomic
def save_configuration(
    organisation: Organisation,
    *,
    enabled: bool,
    issuer: str,
    client_id: str,
    client_secret: str,
    allowed_domains: list[str],
    auto_create: bool,
    default_team: Team | None,
    password_login: bool,
    break_glass_admin: Person | None,
) -> SSOConfiguration:
    """Create or change the organisation's configuration. An empty ``client_secret`` keeps the
    stored one."""
    configuration = configuration_for(organisation) or SSOConfiguration(organisation=organisation)
    is_new = configuration.pk is None
    before = None if is_new else audit.snapshot(configuration, AUDITED_FIELDS)
    errors: dict[str, Any] = {}
    issuer = issuer.strip().rstrip("/")
    try:
        outgoing.parse(issuer)
    except outgoing.RefusedURL as exc:
        errors["issuer"] = exc.public
    if not client_secret and not configuration.client_secret_encrypted:
        errors["client_secret"] = _("Enter the client secret the identity provider gave you.")
    for domain in allowed_domains:
        try:
            _check_domain(domain)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    taken = (
        SSODomain.objects.filter(domain__in=allowed_domains)
        .exclude(organisation=organisation)
        .values_list("domain", flat=True)
    )
    if taken:
        errors["allowed_domains"] = _(
            "These domains already sign in with another organisation: %(domains)s."
        ) % {"domains": ", ".join(sorted(taken))}
    if enabled and not allowed_domains:
        errors.setdefault(
            "allowed_domains", _("Name at least one email domain whose people sign in here.")
        )
    for related, field in (
        (default_team, "default_team"),
        (break_glass_admin, "break_glass_admin"),
    ):
        if related is not None and related.organisation_id != organisation.id:
            errors[field] = _("This belongs to another organisation.")
    if auto_create and default_team is None:
        errors["default_team"] = _("Choose the team that new colleagues join.")
    if not password_login:
        if break_glass_admin is None:
            errors["break_glass_admin"] = _(
                "Name the administrator who keeps a password for when the identity provider is "
                "down."
            )
        elif not (break_glass_admin.is_admin and break_glass_admin.is_active):
            errors["break_glass_admin"] = _(
                "The break-glass person must be an active administrator."
            )
    if errors:
        raise ValidationError(errors)
    configuration.enabled = enabled
    configuration.issuer = issuer
    configuration.client_id = client_id.strip()
    if client_secret:
        configuration.client_secret_encrypted = crypto.encrypt(
            client_secret, purpose=SECRET_PURPOSE
        )
        configuration.client_secret_last4 = crypto.last4(client_secret)
    configuration.auto_create = auto_create
    configuration.default_team = default_team
    configuration.password_login = password_login
    configuration.break_glass_admin = break_glass_admin
    configuration.save()
    configuration.allowed_domains.exclude(domain__in=allowed_domains).delete()
    existing = set(configuration.allowed_domains.values_list("domain", flat=True))
    SSODomain.objects.bulk_create(
        SSODomain(organisation=organisation, configuration=configuration, domain=d)
        for d in allowed_domains
        if d not in existing
    )
    if is_new:
        audit.created(configuration, AUDITED_FIELDS)
    else:
        audit.changed(configuration, before, AUDITED_FIELDS)
    return configuration


def redirect_uri() -> str:
    """The one callback address every organisation registers at its identity provider."""
    return settings.BASE_URL + reverse("sso-callback")


# --- password login --------------------------------------------------------------------------


def password_login_refused(user: Any) -> bool:
    """Whether this login may not use its password: its organisation switched password login off
    and the person is not the named break-glass administrator."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        return False
    configuration = configuration_for(person.organisation)
    if configuration is None or configuration.password_login:
        return False
    return configuration.break_glass_admin_id != person.pk


# --- talking to the identity provider ------------------------------------------------------


def _get_json(url: str, what: str) -> dict[str, Any]:
    try:
        answer = outgoing.request("GET", url, headers={"accept": "application/json"})
    except outgoing.OutgoingError as exc:
        raise SSOError(
            _("The identity provider could not be reached for its %(what)s (%(reason)s).")
            % {"what": what, "reason": exc.public}
        ) from None
    try:
        data = json.loads(answer.body)
    except ValueError:
        raise SSOError(
            _("The identity provider's %(what)s at %(url)s is not JSON.")
            % {"what": what, "url": url}
        ) from None
    if not isinstance(data, dict):
        raise SSOError(
            _("The identity provider's %(what)s at %(url)s is not a JSON object.")
            % {"what": what, "url": url}
        )
    return data


DISCOVERY = gettext_lazy("discovery document")
KEYS = gettext_lazy("signing keys (JWKS)")


def discover(issuer: str) -> dict[str, Any]:
    """The issuer's discovery document, checked: its issuer is exactly the configured one and it
    names the endpoints this flow needs."""
    url = get_well_known_url(issuer, external=True)
    document = _get_json(url, str(DISCOVERY))
    if document.get("issuer") != issuer:
        raise SSOError(
            _(
                "The discovery document names the issuer “%(found)s”, not “%(expected)s”. Use "
                "exactly the issuer the provider states."
            )
            % {"found": document.get("issuer", ""), "expected": issuer}
        )
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(key), str) or not document[key]:
            raise SSOError(_("The discovery document has no %(key)s.") % {"key": key})
    methods = document.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise SSOError(_("The identity provider does not support PKCE with S256."))
    return document


@dataclass(frozen=True)
class DiscoveryResult:
    ok: bool
    message: str


def test_discovery(issuer: str) -> DiscoveryResult:
    try:
        document = discover(issuer.strip().rstrip("/"))
    except SSOError as exc:
        return DiscoveryResult(False, str(exc))
    return DiscoveryResult(
        True,
        _("Discovery works: %(issuer)s signs in at %(endpoint)s.")
        % {"issuer": document["issuer"], "endpoint": document["authorization_endpoint"]},
    )


# --- the sign-in ---------------------------------------------------------------------------


def configuration_for_email(email: str) -> SSOConfiguration:
    domain = email.strip().lower().rpartition("@")[2]
    entry = (
        SSODomain.objects.select_related("configuration")
        .filter(domain=domain, configuration__enabled=True)
        .first()
        if domain
        else None
    )
    if entry is None:
        raise SSOError(
            _("There is no company sign-in for this email address. Log in with your password.")
        )
    return entry.configuration


def begin(session: Any, configuration: SSOConfiguration, *, login_hint: str = "") -> str:
    """Remember a fresh state, nonce and PKCE verifier in the session and answer the address of
    the provider's sign-in page."""
    document = discover(configuration.issuer)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    now = time.time()
    pending = {
        key: value
        for key, value in (session.get(SESSION_KEY) or {}).items()
        if now - value.get("at", 0) < PENDING_TTL
    }
    while len(pending) >= MAX_PENDING:  # keep the newest few
        pending.pop(min(pending, key=lambda k: pending[k]["at"]))
    pending[state] = {"config": configuration.pk, "nonce": nonce, "verifier": verifier, "at": now}
    session[SESSION_KEY] = pending
    extra = {"login_hint": login_hint} if login_hint else {}
    return str(
        prepare_grant_uri(
            document["authorization_endpoint"],
            configuration.client_id,
            "code",
            redirect_uri=redirect_uri(),
            scope=SCOPES,
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
            **extra,
        )
    )


def _take_pending(session: Any, state: str) -> dict[str, Any]:
    pending = dict(session.get(SESSION_KEY) or {})
    entry = pending.pop(state, None) if state else None
    session[SESSION_KEY] = pending  # single use: gone whether or not the rest succeeds
    if entry is None or time.time() - entry.get("at", 0) >= PENDING_TTL:
        raise SSOError(
            _(
                "This sign-in link was already used, has expired or was not started here. "
                "Start again."
            )
        )
    return entry


def _exchange_code(
    configuration: SSOConfiguration, document: dict[str, Any], code: str, verifier: str
) -> dict[str, Any]:
    try:
        secret = crypto.decrypt(configuration.client_secret_encrypted, purpose=SECRET_PURPOSE)
    except crypto.SecretUnreadable:
        raise SSOError(
            _("The stored client secret cannot be read; an administrator must enter it again.")
        ) from None
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(),
        "code_verifier": verifier,
    }
    headers = {"content-type": "application/x-www-form-urlencoded", "accept": "application/json"}
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" in methods:
        pair = f"{_form(configuration.client_id)}:{_form(secret)}".encode()
        headers["authorization"] = "Basic " + base64.b64encode(pair).decode()
    else:
        form.update({"client_id": configuration.client_id, "client_secret": secret})
    try:
        answer = outgoing.request(
            "POST", document["token_endpoint"], body=urlencode(form).encode(), headers=headers
        )
        tokens = json.loads(answer.body)
    except outgoing.OutgoingError as exc:
        raise SSOError(
            _("The identity provider refused to complete the sign-in (%(reason)s).")
            % {"reason": exc.public}
        ) from None
    except ValueError:
        raise SSOError(
            _("The identity provider answered the sign-in with something not JSON.")
        ) from None
    if not isinstance(tokens, dict) or not isinstance(tokens.get("id_token"), str):
        raise SSOError(_("The identity provider sent no ID token."))
    return tokens


def _form(value: str) -> str:
    return quote(value, safe="")


def validate_id_token(
    raw: str, *, keys: dict[str, Any], issuer: str, client_id: str, nonce: str
) -> dict[str, Any]:
    """The ID token's claims, after checking signature, issuer, audience, expiry and nonce."""
    try:
        key_set = KeySet.import_key_set(keys)  # type: ignore[arg-type]
        token = jwt.decode(raw, key_set, algorithms=ID_TOKEN_ALGORITHMS)
    except (JoseError, ValueError, TypeError, KeyError):
        raise SSOError(
            _("The ID token's signature does not match the identity provider's keys.")
        ) from None
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        exp={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        claim = getattr(exc, "claim", "") or str(exc)
        messages = {
            "iss": _("The ID token comes from another issuer."),
            "aud": _("The ID token was issued for another application (audience)."),
            "exp": _("The ID token has expired. Start again."),
            "nonce": _("The ID token does not belong to this sign-in (nonce)."),
        }
        for name, message in messages.items():
            if name in claim:
                raise SSOError(message) from None
        raise SSOError(_("The ID token is not valid (%(claim)s).") % {"claim": claim}) from None
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise SSOError(_("The ID token was issued for another application (audience)."))
    return claims


def _verified_email(claims: dict[str, Any]) -> str:
    email = str(claims.get("email") or "").strip().lower()
    if not email or "@" not in email:
        raise SSOError(
            _(
                "Your company account sent no email address; ask your administrator to add the "
                "“email” scope/claim."
            )
        )
    verified = claims.get("email_verified")
    if (
        verified is not True
        and str(verified).lower() != "true"
        and claims.get("xms_edov") is not True
    ):
        raise SSOError(_("Your company account's email address is not verified."))
    return email


def complete(session: Any, *, state: str, code: str, error: str = "") -> Person:
    """Finish a sign-in the provider sent back: the person to log in, or ``SSOError``."""
    pending = _take_pending(session, state)
    configuration = (
        SSOConfiguration.objects.select_related("organisation", "default_team")
        .filter(pk=pending["config"], enabled=True)
        .first()
    )
    if configuration is None:
        raise SSOError(_("Company sign-in is switched off for this organisation."))
    if error:
        raise SSOError(
            _("The identity provider did not sign you in (%(error)s).") % {"error": error[:100]}
        )
    if not code:
        raise SSOError(_("The identity provider sent no sign-in code. Start again."))
    document = discover(configuration.issuer)
    tokens = _exchange_code(configuration, document, code, pending["verifier"])
    keys = _get_json(document["jwks_uri"], str(KEYS))
    claims = validate_id_token(
        tokens["id_token"],
        keys=keys,
        issuer=configuration.issuer,
        client_id=configuration.client_id,
        nonce=pending["nonce"],
    )
    email = _verified_email(claims)
    domain = email.rpartition("@")[2]
    if domain not in configuration.domains:
        raise SSOError(
            _("Email addresses at %(domain)s may not sign in to %(organisation)s.")
            % {"domain": domain, "organisation": configuration.organisation.name}
        )
    return _person_for(configuration, email, claims)


@transaction.atomic
def _person_for(configuration: SSOConfiguration, email: str, claims: dict[str, Any]) -> Person:
    organisation = configuration.organisation
    person = (
        Person.objects.select_for_update()
        .filter(organisation=organisation, email__iexact=email)
        .first()
    )
    if person is not None and not person.is_active:
        raise SSOError(
            _("Your account at %(organisation)s is switched off.")
            % {"organisation": organisation.name}
        )
    if person is None:
        if not configuration.auto_create:
            raise SSOError(
                _(
                    "%(email)s is not a colleague at %(organisation)s yet. Ask an administrator "
                    "to invite you."
                )
                % {"email": email, "organisation": organisation.name}
            )
        name = str(claims.get("name") or "").strip()[:200] or email.partition("@")[0]
        person = core_services.create_person(
            organisation,
            name=name,
            email=email,
            role=Role.EMPLOYEE,
            team=configuration.default_team,
            language=organisation.language,
        )
    if person.user_id is None:
        if User.objects.filter(email__iexact=email).exists():
            raise SSOError(
                _("This email address already has a login elsewhere; ask your administrator.")
            )
        core_services.attach_login(person, password=None)
    assert person.user is not None
    if not person.user.is_active:
        raise SSOError(_("Your login is switched off."))
    return person
