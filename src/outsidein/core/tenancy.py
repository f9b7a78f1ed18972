"""The one way a request reaches tenant data.

Every view and API endpoint gets its querysets from ``scoped()`` and single objects from
``get_scoped_or_404()``. A record of another organisation is indistinguishable from a record that
does not exist: it answers 404, never 403 and never the object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from outsidein.core.permissions import visible_to

if TYPE_CHECKING:
    from outsidein.core.models import Person

M = TypeVar("M", bound=models.Model)


def person_for_user(user: Any) -> Person | None:
    """The active employee record behind a login, or None (anonymous, or a bare superuser)."""
    if user is None or not user.is_authenticated:
        return None
    from outsidein.core.models import Person

    try:
        person = Person.objects.select_related("organisation", "team").get(user=user)
    except Person.DoesNotExist:
        return None
    return person if person.is_active else None


class TenantMiddleware:
    """Attaches ``request.person`` and ``request.organisation`` for a logged-in employee."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        person = person_for_user(getattr(request, "user", None))
        request.person = person  # type: ignore[attr-defined]
        request.organisation = person.organisation if person else None  # type: ignore[attr-defined]
        return self.get_response(request)


def scoped(person: Person, model: type[M]) -> models.QuerySet[M]:
    """All records of ``model`` that ``person`` may see: their organisation's, narrowed by role."""
    queryset = model._default_manager.filter(organisation_id=person.organisation_id)
    return visible_to(person, queryset)


def get_scoped_or_404(person: Person, model: type[M], pk: Any, **lookup: Any) -> M:
    try:
        return scoped(person, model).get(pk=pk, **lookup)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404(
            _("There is no %(model)s with id %(id)s.")
            % {"model": model._meta.verbose_name, "id": pk}
        ) from None
