from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "outsidein.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from outsidein.audit.permissions import register_audit_policy

        register_audit_policy()
