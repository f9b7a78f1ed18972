from django import template

from outsidein.sso.models import SSOConfiguration

register = template.Library()


@register.simple_tag
def sso_available() -> bool:
    """Whether any organisation signs in with its identity provider (the login page's button)."""
    return SSOConfiguration.objects.filter(enabled=True).exists()
