"""Helpers every API handler uses: who is calling, and may they do this."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Status

from outsidein.core.models import Person
from outsidein.core.permissions import Action, can
from outsidein.core.tenancy import get_scoped_or_404, scoped

M = TypeVar("M", bound=models.Model)


def caller(request: HttpRequest) -> Person:
    person: Person = request.auth  # type: ignore[attr-defined]
    return person


def require(person: Person, action: str, model_or_obj: Any) -> None:
    if not can(person, action, model_or_obj):
        raise PermissionDenied(_("Your role does not allow this."))


def related_or_422(person: Person, model: type[M], pk: int | None, field: str) -> M | None:
    """A referenced record of the caller's organisation; a foreign or unknown id is bad input."""
    if pk is None:
        return None
    found = scoped(person, model).filter(pk=pk).first()
    if found is None:
        raise ValidationError(
            {
                field: _("There is no %(model)s with id %(id)s.")
                % {"model": model._meta.verbose_name, "id": pk}
            }
        )
    return found


def delete_scoped(
    request: HttpRequest, model: type[M], pk: Any, delete: Callable[[M], None]
) -> Status:
    """The whole of a DELETE endpoint: find in the caller's organisation, check, delete, 204."""
    person = caller(request)
    obj = get_scoped_or_404(person, model, pk)
    require(person, Action.DELETE, obj)
    delete(obj)
    return Status(204, None)


__all__ = ["caller", "delete_scoped", "get_scoped_or_404", "related_or_422", "require", "scoped"]
