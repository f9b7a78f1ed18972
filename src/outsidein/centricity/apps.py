from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentricityConfig(AppConfig):
    name = "outsidein.centricity"
    label = "centricity"
    verbose_name = _("Customer-centricity")
