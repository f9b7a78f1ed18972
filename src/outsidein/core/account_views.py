"""Logging in and out, password reset and change, accepting an invitation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outsidein.core import ratelimit, services
from outsidein.core.forms import AcceptInvitationForm


class RateLimitedLoginView(auth_views.LoginView):
    """Django's login, refusing further attempts after too many failures for an account or from
    one address within the window (a brute-force guard)."""

    template_name = "core/accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = request.POST.get("username", "").strip().lower()
        if ratelimit.login_refused(request, account):
            form = self.get_form()
            form.errors.clear()
            minutes = max(1, settings.LOGIN_RATE_WINDOW // 60)
            context = self.get_context_data(
                form=form,
                rate_limited=ngettext(
                    "Too many failed attempts. Wait %(minutes)s minute, or reset your password.",
                    "Too many failed attempts. Wait %(minutes)s minutes, or reset your password.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        ratelimit.login_failed(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        ratelimit.login_succeeded(self.request, self.request.POST.get("username", ""))
        response = super().form_valid(form)
        person = getattr(form.get_user(), "person", None)
        if person is not None:
            # Show the product in the employee's own language from the first page on.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                person.language,
                samesite="Lax",
                secure=settings.SECURE_COOKIES,
            )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "core/accounts/password_reset.html"
    email_template_name = "core/email/password_reset.txt"
    subject_template_name = "core/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        address = ratelimit.client_address(request)
        if ratelimit.hit("password-reset", address, window=3600) > 10:
            messages.error(
                request, _("Too many reset requests from your address; try again later.")
            )
            return redirect("password_reset")
        return super().post(request, *args, **kwargs)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    user = services.user_for_invitation(token)
    if user is None:
        return render(request, "core/accounts/invitation_invalid.html", status=400)
    form = AcceptInvitationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.accept_invitation(user, form.cleaned_data["password1"])
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your password is set."))
        return redirect("home")
    person = getattr(user, "person", None)
    return render(request, "core/accounts/accept_invitation.html", {"form": form, "person": person})
