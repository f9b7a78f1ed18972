"""An organisation's OpenID Connect sign-in: its identity provider, the email domains it vouches
for, and whether passwords still work."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Person, Team, TenantModel


class SSOConfiguration(TenantModel):
    """One per organisation. The client secret is stored encrypted (see ``crypto``) and shown
    again only as its last four characters."""

    enabled = models.BooleanField(_("company sign-in on"), default=False)
    issuer = models.URLField(
        _("issuer URL"),
        max_length=500,
        help_text=_(
            "The identity provider's issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0 "
            "or https://accounts.google.com. Its discovery document is read from "
            "<issuer>/.well-known/openid-configuration."
        ),
    )
    client_id = models.CharField(_("client ID"), max_length=255)
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    client_secret_last4 = models.CharField(max_length=8, blank=True, editable=False)
    auto_create = models.BooleanField(
        _("create unknown colleagues"),
        default=False,
        help_text=_(
            "A first sign-in of someone with an allowed email address who is not yet an employee "
            "here creates them as an employee in the default team. Off: only invited or existing "
            "colleagues may sign in."
        ),
    )
    default_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default team"),
    )
    password_login = models.BooleanField(
        _("password login allowed"),
        default=True,
        help_text=_(
            "Off: colleagues sign in only with their company account; the break-glass "
            "administrator keeps their password for when the identity provider is down."
        ),
    )
    break_glass_admin = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("break-glass administrator"),
    )

    class Meta:
        verbose_name = _("single sign-on configuration")
        verbose_name_plural = _("single sign-on configurations")
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="sso_one_configuration_per_org")
        ]

    def __str__(self) -> str:
        return self.issuer

    @property
    def domains(self) -> list[str]:
        return sorted(d.domain for d in self.allowed_domains.all())


class SSODomain(TenantModel):
    """An email domain whose people sign in with this organisation's identity provider. A domain
    belongs to at most one organisation, so an address leads to exactly one provider."""

    configuration = models.ForeignKey(
        SSOConfiguration, on_delete=models.CASCADE, related_name="allowed_domains"
    )
    domain = models.CharField(_("email domain"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("allowed email domain")
        verbose_name_plural = _("allowed email domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
