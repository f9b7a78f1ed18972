"""Who is acting, for the audit trail, without every service taking an ``actor`` argument.

The request's middleware (``AuditContextMiddleware``) makes the current request known; an API
token's owner is read from ``request.person`` when an entry is written (ninja authenticates
inside the view). Command-line commands and the daily round say who they are with
``acting(...)``. A service that knows its actor passes it to ``record`` explicitly instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from outsidein.core.models import Person


@dataclass(frozen=True)
class Acting:
    person: Person | None
    source: str
    label: str = ""
    request: HttpRequest | None = None


_current: ContextVar[Acting | None] = ContextVar("outsidein_audit_acting", default=None)


def current() -> Acting:
    """The actor of the moment: the request's employee, a command's person, or the system."""
    acting = _current.get()
    if acting is None:
        return Acting(person=None, source="system")
    if acting.request is not None:
        person = getattr(acting.request, "person", None) or acting.person
        source = "api" if acting.request.path.startswith("/api/") else "web"
        return Acting(person=person, source=source, label=acting.label)
    return acting


@contextmanager
def acting(
    person: Person | None = None, *, source: str = "system", label: str = ""
) -> Iterator[None]:
    token = _current.set(Acting(person=person, source=source, label=label))
    try:
        yield
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    """Makes the request known to the audit trail for the length of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        token = _current.set(Acting(person=None, source="web", request=request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
