"""Password login that honours an organisation's "password login off" (break-glass kept)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class PasswordBackend(ModelBackend):
    """Django's email + password check, then: a correct password of someone whose organisation
    signs in only with its identity provider is refused (except the break-glass administrator).

    It raises ``PermissionDenied`` for every refusal so that the plain ``ModelBackend`` after it in
    ``AUTHENTICATION_BACKENDS`` (kept there for sessions logged in through it) never checks the
    same password a second time. ``request.sso_password_refused`` tells the login page why."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if password is None:
            return None  # not a password login (another backend's credentials)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            raise PermissionDenied
        from outsidein.sso.services import password_login_refused

        if password_login_refused(user):
            if request is not None:
                request.sso_password_refused = True  # type: ignore[attr-defined]
            raise PermissionDenied
        return user
