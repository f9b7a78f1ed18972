from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy header; pages use no inline scripts or styles."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class RejectNulMiddleware:
    """Refuses query strings and form fields containing NUL characters with a 400, before they
    reach a database that cannot store them (PostgreSQL)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            message = "Requests may not contain NUL characters."
            if request.path.startswith("/api/"):
                # The API's one error shape, so clients parse every error the same way.
                from django.http import JsonResponse

                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for values in request.POST.lists():
                if any("\x00" in value for value in values[1]):
                    return HttpResponseBadRequest("Form fields may not contain NUL characters.")
        return self.get_response(request)
