"""One row per thing someone did that an organisation may have to account for later: who, when,
what, to which object, and the values before and after (secrets masked, never stored)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Organisation, Person


class Source(models.TextChoices):
    WEB = "web", _("Web page")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    SYSTEM = "system", _("Automatic (scheduled round or job)")


class AuditEntry(models.Model):
    """Written only through ``audit.services.record``; never changed afterwards (an erasure
    only removes the erased person's data from ``changes`` and the labels)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=False)
    actor = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
        db_index=False,
    )
    # Kept as text as well, so the entry still says who it was after the person is deleted.
    actor_label = models.CharField(_("who"), max_length=200, blank=True)
    source = models.CharField(_("through"), max_length=10, choices=Source.choices)
    action = models.CharField(_("what"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=60, blank=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    # {"field": [before, after]}; a secret's values are "••••".
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="audit_org_recent"),
            models.Index(fields=["organisation", "action", "-created_at"], name="audit_org_action"),
            models.Index(
                fields=["organisation", "object_type", "object_id"], name="audit_org_object"
            ),
            models.Index(fields=["organisation", "actor", "-created_at"], name="audit_org_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
