"""The REST API object. Each app contributes a router from its own ``api.py``.

Authentication: a personal API token (``Authorization: Bearer oi_…``) for scripts, or the browser
session (with CSRF) for the pages' own calls. Errors share one shape with ninja's own validation
errors: ``{"detail": [{"loc": [...], "msg": "..."}]}``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from outsidein.core.models import Person
from outsidein.core.services import authenticate_api_token
from outsidein.core.tenancy import person_for_user


class ApiTokenAuth(HttpBearer):
    openapi_description = (
        "A personal API token: `Authorization: Bearer oi_…` (Settings → API tokens)."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        api_token = authenticate_api_token(token)
        if api_token is None:
            return None
        request.person = api_token.person  # type: ignore[attr-defined]
        request.organisation = api_token.person.organisation  # type: ignore[attr-defined]
        return api_token.person


class EmployeeSessionAuth(SessionAuth):
    """The logged-in employee of the browser session (CSRF checked for writes)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Person | None:
        person = person_for_user(request.user)
        if person is None:
            return None
        request.person = person  # type: ignore[attr-defined]
        request.organisation = person.organisation  # type: ignore[attr-defined]
        return person


class OutsideinAPI(NinjaAPI):
    """Documents the error responses every operation can give, so the schema is complete."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        }
        components["ValidationError"] = {
            "type": "object",
            "properties": {
                "detail": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "loc": {
                                "type": "array",
                                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                            },
                            "msg": {"type": "string"},
                            "type": {"type": "string"},
                        },
                        "required": ["loc", "msg"],
                    },
                }
            },
            "required": ["detail"],
        }
        errors = {
            "400": ("Error", "The body is not valid JSON"),
            "401": ("Error", "No valid API token"),
            "403": ("Error", "Your role does not allow this"),
            "404": ("Error", "No such object in your organisation"),
            "422": ("ValidationError", "Bad input: each error names the field and the reason"),
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, (component, description) in errors.items():
                    responses.setdefault(
                        code,
                        {
                            "description": description,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": f"#/components/schemas/{component}"}
                                }
                            },
                        },
                    )
        return schema


def _docs_for_callers(view: Any) -> Any:
    """The schema and its docs page are for people who may call the API: a logged-in employee
    or a valid API token. Others get a login (the page) or a 401 (the schema)."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login
    from django.http import JsonResponse

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if person_for_user(request.user) is not None or (
            token and authenticate_api_token(token) is not None
        ):
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse(
                {"detail": "Authentication required: log in or send an API token."}, status=401
            )
        return redirect_to_login(request.get_full_path())

    return wrapped


api = OutsideinAPI(
    title="outsidein API",
    version="1",
    description=(
        "Customers, teams, people and segments of your organisation, and everything the "
        "customer tells you. Every object belongs to the token owner's organisation; objects of "
        "other organisations answer 404."
    ),
    auth=[ApiTokenAuth(), EmployeeSessionAuth()],
    urls_namespace="api-v1",
    docs_url="/docs",
    docs_decorator=_docs_for_callers,
)


def _field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", field], "msg": " ".join(_messages(errors)), "type": "value_error"}
            for field, errors in exc.error_dict.items()
        ]
    return [{"loc": ["body"], "msg": " ".join(exc.messages), "type": "value_error"}]


def _messages(errors: list[ValidationError]) -> list[str]:
    out: list[str] = []
    for error in errors:
        out.extend(str(message) for message in error.messages)
    return out


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": _field_errors(exc)}, status=422)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) / 1_000_000
    message = f"The request body is too large (at most {limit:.1f} MB); send less at a time."
    return api.create_response(
        request, {"detail": [{"loc": ["body"], "msg": message, "type": "too_large"}]}, status=422
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or "Your role does not allow this."
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Authentication required: send `Authorization: Bearer <your API token>`."},
        status=401,
    )


def _register_routers() -> None:
    from outsidein.analytics.api import router as metrics_router
    from outsidein.audit.api import router as audit_router
    from outsidein.centricity.api import router as centricity_router
    from outsidein.core.api import router as core_router
    from outsidein.core.customer_sync_api import router as customer_sync_router
    from outsidein.ideas.api import router as ideas_router
    from outsidein.jobs.api import router as jobs_router
    from outsidein.mystery.api import router as mystery_router
    from outsidein.practice.api import router as practice_router
    from outsidein.privacy.api import router as privacy_router
    from outsidein.strategy.api import router as strategy_router
    from outsidein.text.api import router as text_router
    from outsidein.voice.api import router as voice_router
    from outsidein.voice.hook_api import router as webhooks_router

    api.add_router("/", customer_sync_router)  # before core's /customers/{id}
    api.add_router("/", core_router)
    api.add_router("/", voice_router)
    api.add_router("/metrics", metrics_router)
    api.add_router("/jobs", jobs_router)
    api.add_router("/", practice_router)
    api.add_router("/", ideas_router)
    api.add_router("/", mystery_router)
    api.add_router("/", centricity_router)
    api.add_router("/", strategy_router)
    api.add_router("/", text_router)
    api.add_router("/", audit_router)
    api.add_router("/", privacy_router)
    api.add_router("/", webhooks_router)


_register_routers()
