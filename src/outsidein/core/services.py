"""Domain operations of the core app: the one place its business rules live.

Views and API handlers parse input, check the caller's permission, and call these functions.
Every function validates fully before writing, raises ``ValidationError`` naming the field and
the reason, and writes inside one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from outsidein import audit
from outsidein.core.models import (
    ApiToken,
    Customer,
    CustomerContactPerson,
    Organisation,
    Person,
    PersonState,
    Role,
    Segment,
    Team,
    User,
)
from outsidein.core.periods import month_starts

# --- generic create / update ----------------------------------------------------------------


def _save_validated(obj: models.Model) -> None:
    # Uniqueness is checked in each model's clean() with a message naming the field; the
    # database constraints remain as the guard against races.
    obj.full_clean(validate_constraints=False)
    obj.save()


def _update_validated(obj: models.Model, changes: dict[str, Any], allowed: Iterable[str]) -> None:
    """Apply and save changes; on bad input the object is left as it was in the database."""
    try:
        apply_changes(obj, changes, allowed)
        _save_validated(obj)
    except ValidationError:
        if obj.pk:
            obj.refresh_from_db()
        raise


def apply_changes(obj: models.Model, changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Set ``changes`` on ``obj``; a field outside ``allowed`` is refused, naming it."""
    allowed = set(allowed)
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    for name, value in changes.items():
        setattr(obj, name, value)


# --- organisation ---------------------------------------------------------------------------


@transaction.atomic
def create_organisation(*, name: str, slug: str, language: str = "nl") -> Organisation:
    organisation = Organisation(name=name, slug=slug, language=language)
    _save_validated(organisation)
    return organisation


# What an organisation's administrators change themselves (the short name is the platform's).
ORGANISATION_FIELDS = ("name", "language", "survey_interval_days")


@transaction.atomic
def update_organisation(organisation: Organisation, **changes: Any) -> Organisation:
    """Change the organisation's own settings (any of ``ORGANISATION_FIELDS``), validated and
    audited; an unknown field is a programming error."""
    unknown = set(changes) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Not an organisation setting: {', '.join(sorted(unknown))}")
    before = audit.snapshot(organisation, ORGANISATION_FIELDS)
    for name, value in changes.items():
        setattr(organisation, name, value)
    organisation.full_clean(exclude=["slug"])
    if changes:
        organisation.save(update_fields=list(changes))
    after = audit.snapshot(organisation, ORGANISATION_FIELDS)
    if audit.diff(before, after):
        audit.record(organisation, "change", organisation, before=before, after=after)
    return organisation


# --- segments --------------------------------------------------------------------------------

SEGMENT_FIELDS = ("name", "description")


@transaction.atomic
def create_segment(organisation: Organisation, **fields: Any) -> Segment:
    segment = Segment(organisation=organisation)
    apply_changes(segment, fields, SEGMENT_FIELDS)
    _save_validated(segment)
    audit.created(segment, SEGMENT_FIELDS)
    return segment


@transaction.atomic
def update_segment(segment: Segment, **changes: Any) -> Segment:
    before = audit.snapshot(segment, SEGMENT_FIELDS)
    _update_validated(segment, changes, SEGMENT_FIELDS)
    audit.changed(segment, before, SEGMENT_FIELDS)
    return segment


@transaction.atomic
def delete_segment(segment: Segment) -> None:
    """Customers of a deleted segment stay, without a segment."""
    audit.deleted(segment, SEGMENT_FIELDS)
    segment.delete()


# --- teams -----------------------------------------------------------------------------------

TEAM_FIELDS = ("name", "slug", "kind", "parent", "description")


@transaction.atomic
def create_team(organisation: Organisation, **fields: Any) -> Team:
    team = Team(organisation=organisation)
    apply_changes(team, fields, TEAM_FIELDS)
    _save_validated(team)
    audit.created(team, TEAM_FIELDS)
    return team


@transaction.atomic
def update_team(team: Team, **changes: Any) -> Team:
    before = audit.snapshot(team, TEAM_FIELDS)
    _update_validated(team, changes, TEAM_FIELDS)
    audit.changed(team, before, TEAM_FIELDS)
    return team


@transaction.atomic
def delete_team(team: Team) -> None:
    if team.children.exists():
        raise ValidationError(
            _("%(team)s still has teams under it; move or delete those first.") % {"team": team}
        )
    audit.deleted(team, TEAM_FIELDS)
    team.delete()  # its members stay, without a team


def team_tree(organisation: Organisation) -> list[tuple[Team, int]]:
    """Teams in display order with their depth: each department followed by its teams."""
    teams = list(
        Team.objects.filter(organisation=organisation).annotate(
            member_count=Count("members", filter=Q(members__is_active=True))
        )
    )
    children: dict[int | None, list[Team]] = {}
    for team in teams:
        children.setdefault(team.parent_id, []).append(team)
    ordered: list[tuple[Team, int]] = []

    def walk(parent_id: int | None, depth: int) -> int:
        """Append the subtree in order; return the number of people in it."""
        subtree_total = 0
        for team in sorted(children.get(parent_id, []), key=lambda t: t.name.lower()):
            ordered.append((team, depth))
            team.total_members = team.member_count + walk(team.pk, depth + 1)  # type: ignore[attr-defined]
            subtree_total += team.total_members  # type: ignore[attr-defined]
        return subtree_total

    walk(None, 0)
    return ordered


# --- customers -------------------------------------------------------------------------------

CUSTOMER_FIELDS = (
    "external_id",
    "kind",
    "name",
    "email",
    "phone",
    "language",
    "city",
    "segment",
    "consent_surveys",
    "consent_marketing",
)


@transaction.atomic
def create_customer(organisation: Organisation, **fields: Any) -> Customer:
    customer = Customer(organisation=organisation)
    apply_changes(customer, fields, CUSTOMER_FIELDS)
    if "consent_surveys" in fields or "consent_marketing" in fields:
        customer.consent_updated_at = timezone.now()
    _save_validated(customer)
    audit.created(customer, CUSTOMER_FIELDS)
    _consent_changed(customer, None, source=None)
    return customer


def _consent_changed(customer: Customer, before: Any, *, source: str | None) -> None:
    """The consent history (privacy.ConsentEvent): each change with its source and time."""
    from outsidein.privacy.services import record_consent

    record_consent(customer, before, source=source)


@transaction.atomic
def update_customer(
    customer: Customer, *, consent_source: str | None = None, **changes: Any
) -> Customer:
    """``consent_source``: where a change of consent came from (e.g. "unsubscribe"); by
    default the employee's page or the API."""
    consent_fields = ("consent_surveys", "consent_marketing")
    if any(f in changes and changes[f] != getattr(customer, f) for f in consent_fields):
        changes = {**changes, "consent_updated_at": timezone.now()}
    before = audit.snapshot(customer, CUSTOMER_FIELDS)
    consent_before = {f: getattr(customer, f) for f in (*consent_fields, "consent_updates")}
    _update_validated(customer, changes, (*CUSTOMER_FIELDS, "consent_updated_at"))
    audit.changed(customer, before, CUSTOMER_FIELDS)
    _consent_changed(customer, consent_before, source=consent_source)
    return customer


@transaction.atomic
def delete_customer(customer: Customer) -> None:
    audit.deleted(customer, ("external_id", "name"))
    customer.delete()


CONTACT_PERSON_FIELDS = ("name", "email", "phone", "job_title", "language", "is_primary")


@transaction.atomic
def add_contact_person(customer: Customer, **fields: Any) -> CustomerContactPerson:
    if customer.kind != "business":
        raise ValidationError({"customer": _("Only business customers have contact people.")})
    contact = CustomerContactPerson(organisation_id=customer.organisation_id, customer=customer)
    apply_changes(contact, fields, CONTACT_PERSON_FIELDS)
    _save_validated(contact)
    audit.created(contact, CONTACT_PERSON_FIELDS, details={"customer_id": customer.pk})
    if contact.is_primary:
        customer.contact_people.exclude(pk=contact.pk).update(is_primary=False)
    return contact


@transaction.atomic
def delete_contact_person(contact: CustomerContactPerson) -> None:
    audit.deleted(contact, ("name",), details={"customer_id": contact.customer_id})
    contact.delete()


def search_customers(
    queryset: models.QuerySet[Customer],
    *,
    query: str = "",
    segment_id: int | None = None,
    kind: str = "",
    language: str = "",
) -> models.QuerySet[Customer]:
    """Customers matching a free-text query (name, email, external id, city, contact people)."""
    query = query.strip()
    if query:
        text = (
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(external_id__iexact=query)
            | Q(city__icontains=query)
            | Q(phone__icontains=query)
        )
        contact_matches = CustomerContactPerson.objects.filter(
            Q(name__icontains=query) | Q(email__icontains=query)
        ).values("customer_id")
        queryset = queryset.filter(text | Q(pk__in=contact_matches))
    if segment_id:
        queryset = queryset.filter(segment_id=segment_id)
    if kind:
        queryset = queryset.filter(kind=kind)
    if language:
        queryset = queryset.filter(language=language)
    return queryset


# --- people and accounts ----------------------------------------------------------------------

PERSON_FIELDS = ("name", "email", "role", "team", "job_title", "customer_facing", "language")
# Set by administrators only (the views and the API check): see core.permissions.may_import.
PERSON_GRANT_FIELDS = ("may_import", "may_export")


INVITATION_SALT = "outsidein.core.invitation"


def _login_state(user: User) -> str:
    """Changes once the password is set or the user logs in, so a link works only once."""
    return hashlib.sha256(f"{user.password}|{user.last_login}".encode()).hexdigest()[:20]


def make_invitation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "s": _login_state(user)}, salt=INVITATION_SALT)


def user_for_invitation(token: str) -> User | None:
    """The invited user behind a signed link, or None if it is forged, expired or used."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_TIMEOUT)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u")).first()
    if user is None or not secrets.compare_digest(_login_state(user), str(data.get("s"))):
        return None
    return user


@transaction.atomic
def create_person(organisation: Organisation, **fields: Any) -> Person:
    """An employee record without a login (yet)."""
    person = Person(organisation=organisation)
    apply_changes(person, fields, PERSON_FIELDS)
    person.email = (person.email or "").strip().lower()
    _save_validated(person)
    record_person_state(person)
    audit.created(person, AUDITED_PERSON_FIELDS)
    return person


AUDITED_PERSON_FIELDS = (
    "name",
    "email",
    "role",
    "team",
    "job_title",
    "customer_facing",
    "is_active",
    "may_import",
    "may_export",
)


STATE_FIELDS = ("team_id", "customer_facing", "is_active")


def record_person_state(
    person: Person, since: datetime | None = None, state: tuple[Any, ...] | None = None
) -> PersonState:
    """Note the person's team, role type and being here (``state``, in STATE_FIELDS order;
    by default as they are now) from ``since`` on (default: now). See PersonState."""
    values = state if state is not None else tuple(getattr(person, f) for f in STATE_FIELDS)
    return PersonState.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        since=since or timezone.now(),
        **dict(zip(STATE_FIELDS, values, strict=True)),
    )


@transaction.atomic
def update_person(person: Person, **changes: Any) -> Person:
    is_last_admin = person.role == Role.ADMIN and _admin_count(person.organisation_id) == 1
    stays_admin = changes.get("role", person.role) == Role.ADMIN and changes.get(
        "is_active", person.is_active
    )
    if is_last_admin and not stays_admin:
        raise ValidationError({"role": _("An organisation needs at least one administrator.")})
    if "email" in changes:
        changes = {**changes, "email": (changes["email"] or "").strip().lower()}
        if person.user_id and changes["email"] != person.email.lower():
            # The login's address is one across organisations: changing it here would tell
            # whether the new one has a login elsewhere (and used to fail with a server error).
            raise ValidationError(
                {
                    "email": _(
                        "This person has a login, so their email address cannot be changed "
                        "here. Remove them and invite the new address instead."
                    )
                }
            )
    before = tuple(getattr(person, field) for field in STATE_FIELDS)
    audited = audit.snapshot(person, AUDITED_PERSON_FIELDS)
    _update_validated(person, changes, (*PERSON_FIELDS, "is_active", *PERSON_GRANT_FIELDS))
    now = audit.snapshot(person, ("role", "team"))
    role_changed = (now["role"], now["team"]) != (audited["role"], audited["team"])
    audit.changed(
        person, audited, AUDITED_PERSON_FIELDS, action="role" if role_changed else "change"
    )
    if tuple(getattr(person, field) for field in STATE_FIELDS) != before:
        if not person.states.exists():
            # The first change of someone without history: keep what they were until now.
            record_person_state(person, since=person.created_at, state=before)
        record_person_state(person)
    if person.user_id and "email" in changes:
        User.objects.filter(pk=person.user_id).update(email=person.email)
    if person.user_id and "is_active" in changes:
        User.objects.filter(pk=person.user_id).update(is_active=person.is_active)
    return person


def _admin_count(organisation_id: int) -> int:
    return Person.objects.filter(
        organisation_id=organisation_id, role=Role.ADMIN, is_active=True
    ).count()


@transaction.atomic
def delete_person(person: Person) -> None:
    if person.role == Role.ADMIN and _admin_count(person.organisation_id) == 1:
        raise ValidationError(_("An organisation needs at least one administrator."))
    audit.deleted(person, AUDITED_PERSON_FIELDS)
    user = person.user
    person.delete()
    if user is not None:
        user.delete()


@transaction.atomic
def attach_login(person: Person, password: str | None) -> User:
    """Give a person a login (an unusable password until they accept an invitation)."""
    if person.user_id:
        raise ValidationError({"email": _("This person already has a login.")})
    if User.objects.filter(email__iexact=person.email).exists():
        raise ValidationError({"email": _("This email address is already used by another login.")})
    user = User.objects.create_user(email=person.email, password=password)
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    return user


def invitation_link(person: Person, base_url: str) -> str:
    assert person.user is not None
    token = make_invitation_token(person.user)
    return base_url.rstrip("/") + reverse("accept-invitation", args=[token])


def invite_person(
    organisation: Organisation, *, invited_by: Person, base_url: str, **fields: Any
) -> Person:
    """Create a colleague with a login and email them a link to set their own password."""
    with transaction.atomic():
        person = create_person(organisation, **fields)
        # A login is one email address across all organisations. Whether the address already
        # has one (elsewhere) is not ours to tell: the answer is the same either way, and the
        # address's owner is told by email instead of getting a second login.
        taken = User.objects.filter(email__iexact=person.email).exists()
        if not taken:
            attach_login(person, password=None)
        person.invited_at = timezone.now()
        person.save(update_fields=["invited_at", "updated_at"])
        audit.record(organisation, "invite", person, actor=invited_by)
    if taken:
        send_mail(
            _("You were invited to outsidein for %(organisation)s")
            % {"organisation": organisation.name},
            _(
                "%(name)s added you to outsidein for %(organisation)s, but this address already "
                "has an outsidein login. Ask %(name)s to use another address for you."
            )
            % {"name": invited_by.name, "organisation": organisation.name},
            None,
            [person.email],
        )
    else:
        send_invitation(person, invited_by=invited_by, base_url=base_url)
    return person


def send_invitation(person: Person, *, invited_by: Person, base_url: str) -> None:
    link = invitation_link(person, base_url)
    with translation.override(person.language):
        context = {
            "person": person,
            "invited_by": invited_by,
            "organisation": person.organisation,
            "link": link,
            "valid_until": formats.date_format(
                timezone.localtime() + timedelta(seconds=settings.INVITATION_TIMEOUT),
                "DATE_FORMAT",
            ),
        }
        subject = _("%(name)s invites you to outsidein for %(organisation)s") % {
            "name": invited_by.name,
            "organisation": person.organisation.name,
        }
        body = render_to_string("core/email/invitation.txt", context)
    send_mail(subject, body, None, [person.email])


@transaction.atomic
def accept_invitation(user: User, password: str) -> None:
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])


@transaction.atomic
def create_administrator(
    *, org_slug: str, org_name: str | None, name: str, email: str, password: str
) -> Person:
    """The first administrator of an organisation (created when new), with a login."""
    organisation = Organisation.objects.filter(slug=org_slug).first()
    if organisation is None:
        organisation = create_organisation(name=org_name or org_slug, slug=org_slug)
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    person = create_person(
        organisation,
        name=name or email.split("@")[0],
        email=email,
        role=Role.ADMIN,
        customer_facing=False,
        language=organisation.language,
    )
    attach_login(person, password=password)
    return person


# --- API tokens ------------------------------------------------------------------------------

TOKEN_PREFIX = "oi_"  # noqa: S105  (a public marker, not a secret)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    plaintext: str  # shown to the user once, never stored


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(person: Person, *, name: str) -> NewToken:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the script that uses it.")})
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=person.organisation_id,
        person=person,
        name=name[:100],
        prefix=prefix,
        key_hash=_hash_secret(secret),
    )
    token.save()
    audit.created(token, ("name", "prefix", "person"))
    return NewToken(token=token, plaintext=f"{TOKEN_PREFIX}{prefix}_{secret}")


def authenticate_api_token(plaintext: str) -> ApiToken | None:
    """The active token for this plaintext, or None. Constant-time comparison of the hash."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    prefix, _sep, secret = plaintext[len(TOKEN_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    token = (
        ApiToken.objects.select_related("person__organisation", "person__team")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.key_hash, _hash_secret(secret)):
        return None
    if not token.person.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(token.organisation_id, "revoke", token, details={"person": str(token.person)})


# --- the home page -----------------------------------------------------------------------------


def team_managers(organisation_id: int, team_id: int | None) -> list[Person]:
    """Who is told about a team's business: the active managers of the team and of the
    departments above it; the administrators when there are none."""
    people = Person.objects.filter(organisation_id=organisation_id, is_active=True)
    chain: list[int] = []
    if team_id is not None:
        parents = dict(
            Team.objects.filter(organisation_id=organisation_id).values_list("pk", "parent_id")
        )
        current: int | None = team_id
        while current is not None and current in parents and current not in chain:
            chain.append(current)
            current = parents[current]
    managers = list(people.filter(role=Role.MANAGER, team_id__in=chain)) if chain else []
    return managers or list(people.filter(role=Role.ADMIN))


def _new_customers_per_month(
    customers: models.QuerySet[Customer], *, months: int
) -> list[tuple[str, int]]:
    """New customers per calendar month, months without any shown as 0, labels localised."""
    from django.db.models.functions import TruncMonth

    starts = month_starts(timezone.localdate(), months)
    first = timezone.make_aware(datetime.combine(starts[0], datetime.min.time()))
    counts = {
        row["month"].date() if isinstance(row["month"], datetime) else row["month"]: row["n"]
        for row in customers.filter(created_at__gte=first)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
        if row["month"] is not None
    }
    from outsidein.core.dates import month_year

    return [(month_year(start), counts.get(start, 0)) for start in starts]


@dataclass(frozen=True)
class OrganisationOverview:
    customers: int
    business_customers: int
    consumers: int
    customers_without_segment: int
    new_customers_30d: int
    survey_consent_share: float | None
    people: int
    customer_facing_people: int
    teams: int
    people_with_login: int
    customers_per_segment: list[tuple[str, int]]
    customers_per_language: list[tuple[str, int]]
    new_customers_per_month: list[tuple[str, int]]


def organisation_overview(organisation: Organisation) -> OrganisationOverview:
    """The real figures the home page shows, in a handful of aggregate queries."""
    customers = Customer.objects.filter(organisation=organisation)
    month_ago = timezone.now() - timedelta(days=30)
    totals = customers.aggregate(
        total=Count("id"),
        business=Count("id", filter=Q(kind="business")),
        consumers=Count("id", filter=Q(kind="consumer")),
        no_segment=Count("id", filter=Q(segment__isnull=True)),
        new=Count("id", filter=Q(created_at__gte=month_ago)),
        consent=Count("id", filter=Q(consent_surveys=True)),
    )
    people = Person.objects.filter(organisation=organisation, is_active=True)
    people_totals = people.aggregate(
        total=Count("id"),
        facing=Count("id", filter=Q(customer_facing=True)),
        with_login=Count("id", filter=Q(user__isnull=False)),
    )
    per_segment = [
        (row["segment__name"] or _("No segment"), row["n"])
        for row in customers.values("segment__name").annotate(n=Count("id")).order_by("-n")
    ]
    language_names = {"nl": _("Dutch"), "en": _("English")}
    per_language = [
        (language_names.get(row["language"], row["language"]), row["n"])
        for row in customers.values("language").annotate(n=Count("id")).order_by("-n")
    ]
    per_month = _new_customers_per_month(customers, months=12)
    total = totals["total"]
    return OrganisationOverview(
        customers=total,
        business_customers=totals["business"],
        consumers=totals["consumers"],
        customers_without_segment=totals["no_segment"],
        new_customers_30d=totals["new"],
        survey_consent_share=(totals["consent"] / total) if total else None,
        people=people_totals["total"],
        customer_facing_people=people_totals["facing"],
        teams=Team.objects.filter(organisation=organisation).count(),
        people_with_login=people_totals["with_login"],
        customers_per_segment=per_segment,
        customers_per_language=per_language,
        new_customers_per_month=per_month,
    )
