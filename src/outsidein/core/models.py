"""The organisation (tenant), its people and teams, and its customers.

Every record a customer or employee can see belongs to one Organisation; the tenancy helpers in
``core.tenancy`` are the only way requests reach these tables.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A login. Employees log in; customers never do (they get signed links)."""

    username = None  # type: ignore[assignment,misc]
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[misc,assignment]

    def __str__(self) -> str:
        return self.email


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class Organisation(models.Model):
    """The tenant: one company using outsidein."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    survey_interval_days = models.PositiveSmallIntegerField(
        _("days between survey invitations"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "No customer is invited to a survey more often than once in this many days "
            "(1 to 365), whichever survey asks."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantModel(models.Model):
    """Base for every record that belongs to one organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def check_unique_in_organisation(self, field: str, message: Any, **lookup: Any) -> None:
        """A field-named error for a duplicate; the database constraint stays the last guard."""
        value = getattr(self, field)
        if value in ("", None):
            return
        duplicates = (
            type(self)
            ._default_manager.filter(
                organisation_id=self.organisation_id, **(lookup or {field: value})
            )
            .exclude(pk=self.pk)
        )
        if duplicates.exists():
            raise ValidationError({field: message})

    def check_same_organisation(self, **related: TenantModel | None) -> None:
        """Refuse links to records of another organisation (a cross-tenant leak)."""
        errors = {
            field: _("This belongs to another organisation.")
            for field, obj in related.items()
            if obj is not None and obj.organisation_id != self.organisation_id
        }
        if errors:
            raise ValidationError(errors)


class Segment(TenantModel):
    """A group of customers the organisation chooses to serve in a particular way."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="segment_unique_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_unique_in_organisation(
            "name", _("There is already a segment with this name."), name__iexact=self.name
        )


class TeamKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")


class Team(TenantModel):
    """A department or a team inside one; teams nest (department → team)."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=TeamKind.choices, default="team")
    parent = models.ForeignKey(
        "self",
        # RESTRICT: a department with teams cannot be deleted alone, but the whole organisation can.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="team_unique_slug_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(parent=self.parent)
        self.check_unique_in_organisation(
            "slug", _("There is already a team with this short name.")
        )
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A team cannot be part of itself.")})
            ancestor = ancestor.parent


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    EMPLOYEE = "employee", _("Employee")


class Person(TenantModel):
    """An employee of the organisation. Everyone is customer-facing in spirit; the flag records
    whose job is to face customers daily, so coverage can be shown apart for the others."""

    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("login"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EMPLOYEE)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("team"),
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    customer_facing = models.BooleanField(_("customer-facing role"), default=False)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    is_active = models.BooleanField(_("active"), default=True)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    # Permissions an administrator grants or withdraws; empty: what the role allows
    # (administrators and managers yes, employees no). See core.permissions.may_import.
    may_import = models.BooleanField(_("may import data"), null=True, blank=True)
    may_export = models.BooleanField(_("may export personal data"), null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("email"), name="person_unique_email_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(team=self.team)
        self.check_unique_in_organisation(
            "email",
            _("Someone in this organisation already has this email address."),
            email__iexact=self.email,
        )

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def can_import(self) -> bool:
        from outsidein.core.permissions import may_import

        return may_import(self)

    @property
    def can_export(self) -> bool:
        from outsidein.core.permissions import may_export

        return may_export(self)

    @property
    def has_login(self) -> bool:
        return (
            self.user_id is not None and self.user is not None and self.user.has_usable_password()
        )


class CustomerKind(models.TextChoices):
    BUSINESS = "business", _("Business")
    CONSUMER = "consumer", _("Consumer")


class Customer(TenantModel):
    """A customer: a business account or a consumer. Customers never log in."""

    external_id = models.CharField(
        _("customer number"),
        max_length=100,
        blank=True,
        help_text=_("The customer's number in your own systems (CRM, billing)."),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=CustomerKind.choices, default=CustomerKind.CONSUMER
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("segment"),
    )
    consent_surveys = models.BooleanField(
        _("may be invited to surveys"),
        default=True,
        help_text=_("Turned off when the customer unsubscribes."),
    )
    consent_marketing = models.BooleanField(_("may receive news and offers"), default=False)
    consent_updates = models.BooleanField(
        _("wants to hear what we did with their feedback"),
        default=False,
        help_text=_("Told by email when a decision cites their feedback or idea."),
    )
    consent_updated_at = models.DateTimeField(_("consent last changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="customer_unique_external_id_per_org",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "name"], name="customer_org_name"),
            models.Index(fields=["organisation", "segment"], name="customer_org_segment"),
            models.Index(fields=["organisation", "email"], name="customer_org_email"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(segment=self.segment)
        self.check_unique_in_organisation(
            "external_id", _("Another customer already has this external id.")
        )


class CustomerContactPerson(TenantModel):
    """A person at a business customer whom we speak with."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="contact_people",
        verbose_name=_("customer"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(customer=self.customer)


class ApiToken(TenantModel):
    """A personal API token. Only a hash is stored; the token is shown once when created."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("person")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PersonState(TenantModel):
    """What a person was from a moment on: their team, whether their role faces customers, and
    whether they worked here. Written whenever one of those changes, so monthly figures such as
    contact coverage count people as they were that month, not as they are now."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="states")
    since = models.DateTimeField(default=timezone.now)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer_facing = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("person history")
        verbose_name_plural = _("person history")
        ordering = ["person", "since", "pk"]
        indexes = [models.Index(fields=["organisation", "since"], name="person_state_org_since")]

    def __str__(self) -> str:
        return f"{self.person_id} since {self.since:%Y-%m-%d}"


class RateCounter(models.Model):
    """One fixed-window rate-limit counter (``rl:{scope}:{identity}:{window_start}``), kept in the
    database when no shared cache with an atomic increment (Redis) is configured."""

    key = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
