"""The organisation's retention policy and the history of each customer's consent."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Customer, Organisation, TenantModel


class PrivacySettings(TenantModel):
    """How long the organisation keeps what identifies a customer. Scores are always kept
    (without the words and the person) so every figure stays as it was."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    free_text_months = models.PositiveSmallIntegerField(
        _("keep comments and notes for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_(
            "Older comments, answers in words and notes are replaced by “[removed]”; the scores "
            "stay. Empty: kept until the customer is erased."
        ),
    )
    contact_details_months = models.PositiveSmallIntegerField(
        _("keep contact details of customers without contact for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_(
            "Customers with no feedback, invitation or contact for this long lose their name, "
            "email address, phone and city. Empty: kept until the customer is erased."
        ),
    )
    purge_expired_after_days = models.PositiveSmallIntegerField(
        _("delete expired invitations and revoked tokens after (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Unanswered invitations past their expiry, and revoked API tokens."),
    )
    last_run_at = models.DateTimeField(_("last applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return str(_("Privacy settings"))


class ConsentKind(models.TextChoices):
    SURVEYS = "surveys", _("Surveys")
    MARKETING = "marketing", _("News and offers")
    UPDATES = "updates", _("What we did with their feedback")


class ConsentSource(models.TextChoices):
    STAFF = "staff", _("Changed by an employee")
    API = "api", _("Through the API")
    IMPORT = "import", _("Import")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
    PORTAL = "portal", _("Ideas portal")
    SURVEY = "survey", _("Survey")
    ERASURE = "erasure", _("Erasure")
    OTHER = "other", _("Other")


class ConsentEvent(TenantModel):
    """One change of one consent: given or withdrawn, when, and through what."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="consent_events",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("consent"), max_length=12, choices=ConsentKind.choices)
    given = models.BooleanField(_("given"))
    source = models.CharField(_("source"), max_length=12, choices=ConsentSource.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent history")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "customer", "-at"], name="consent_customer")
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.given} ({self.source})"
