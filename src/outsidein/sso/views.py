"""Company sign-in (start and callback) and its settings page. Thin: the rules are in services."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from outsidein.core import ratelimit
from outsidein.core.views import _form_errors_from, employee_required
from outsidein.sso import services
from outsidein.sso.forms import SSOConfigurationForm, SSOStartForm

log = logging.getLogger(__name__)


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    form = SSOStartForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Enter your work email address to sign in with your company account.")
        )
        return redirect("login")
    if ratelimit.hit("sso-start", ratelimit.client_address(request), window=60) > 30:
        messages.error(request, _("Too many sign-in attempts from your address; try again later."))
        return redirect("login")
    email = form.cleaned_data["email"]
    try:
        configuration = services.configuration_for_email(email)
        url = services.begin(request.session, configuration, login_hint=email)
    except services.SSOError as exc:
        messages.error(request, str(exc))
        return redirect("login")
    # Not a redirect: the login page's Content-Security-Policy (form-action 'self') stops a form
    # submission from being redirected to another site, so a page moves on with a meta refresh
    # (and a link, should the browser not follow it).
    response = render(request, "sso/continue.html", {"authorize_url": url})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    try:
        person = services.complete(
            request.session,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
        )
    except services.SSOError as exc:
        log.info("single sign-on refused: %s", exc)
        messages.error(request, str(exc))
        return redirect("login")
    assert person.user is not None
    auth_login(request, person.user, backend="django.contrib.auth.backends.ModelBackend")
    response = redirect(settings.LOGIN_REDIRECT_URL)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        person.language,
        samesite="Lax",
        secure=settings.SECURE_COOKIES,
    )
    return response


@employee_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    if not person.is_admin:
        raise PermissionDenied(_("Only administrators change the single sign-on settings."))
    organisation = person.organisation
    configuration = services.configuration_for(organisation)
    initial: dict[str, Any] = {"password_login": True}
    if configuration is not None:
        initial = {
            "enabled": configuration.enabled,
            "issuer": configuration.issuer,
            "client_id": configuration.client_id,
            "allowed_domains": ", ".join(configuration.domains),
            "auto_create": configuration.auto_create,
            "default_team": configuration.default_team,
            "password_login": configuration.password_login,
            "break_glass_admin": configuration.break_glass_admin,
        }
    hint = configuration.client_secret_last4 if configuration else ""
    form = SSOConfigurationForm(
        request.POST or None, initial=initial, organisation=organisation, secret_hint=hint
    )
    discovery = None
    if request.method == "POST" and request.POST.get("action") == "test":
        form = SSOConfigurationForm(initial=initial, organisation=organisation, secret_hint=hint)
        discovery = services.test_discovery(request.POST.get("issuer", ""))
    elif request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["allowed_domains"] = services.parse_domains(data["allowed_domains"])
        try:
            services.save_configuration(organisation, **data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Single sign-on settings saved."))
            return redirect("sso-settings")
    return render(
        request,
        "sso/settings.html",
        {
            "form": form,
            "configuration": configuration,
            "discovery": discovery,
            "redirect_uri": services.redirect_uri(),
            "issuer_value": request.POST.get("issuer", "") if discovery else "",
        },
    )
