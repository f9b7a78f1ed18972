"""The GDPR side of the API: one customer's data exported or erased, their consent history,
and the retention policy. Exports, erasures and the policy are for administrators."""

from datetime import datetime
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from outsidein.api.access import caller, get_scoped_or_404, scoped
from outsidein.api.schemas import Flag, InputSchema, Pagination, PatchSchema
from outsidein.core.models import Customer, Person
from outsidein.privacy import gdpr, retention, services
from outsidein.privacy.models import ConsentEvent

router = Router()


def _admin(person: Person) -> None:
    if not person.is_admin:
        raise PermissionDenied(gettext("Only an administrator can do this."))


@router.get(
    "/customers/{customer_id}/gdpr-export",
    tags=["privacy"],
    summary="Everything about one customer as a zip (JSON + CSV), administrators",
    response={200: None},
    openapi_extra={
        "responses": {
            "200": {
                "description": "A zip: customer.json, one CSV per section, README.txt",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def gdpr_export(request: HttpRequest, customer_id: int) -> Any:
    person = caller(request)
    _admin(person)
    customer = get_scoped_or_404(person, Customer, customer_id)
    response = HttpResponse(gdpr.export_zip(customer, by=person), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{gdpr.export_filename(customer)}"'
    return response


class EraseIn(InputSchema):
    confirm: Flag = Field(description="Must be true: erasure cannot be undone")
    reason: str = Field("", max_length=500, description="Kept in the audit trail")


class EraseOut(Schema):
    customer_id: int
    erased: dict[str, int] = Field(description="What changed, per kind (counts only)")


@router.post(
    "/customers/{customer_id}/erase",
    response=EraseOut,
    tags=["privacy"],
    summary="Erase one customer's personal data and words (scores kept anonymously)",
)
def gdpr_erase(request: HttpRequest, customer_id: int, payload: EraseIn) -> Any:
    person = caller(request)
    _admin(person)
    customer = get_scoped_or_404(person, Customer, customer_id)
    if not payload.confirm:
        raise ValidationError(
            {"confirm": gettext("Send true to confirm: erasure cannot be undone.")}
        )
    counts = gdpr.erase_customer(customer, by=person, reason=payload.reason)
    return {"customer_id": customer.pk, "erased": counts}


class ConsentOut(Schema):
    at: datetime
    kind: str = Field(description="surveys, marketing or updates")
    given: bool
    source: str


@router.get(
    "/customers/{customer_id}/consent",
    response=list[ConsentOut],
    tags=["privacy"],
    summary="A customer's consent history",
)
@paginate(Pagination)
def consent_history(request: HttpRequest, customer_id: int) -> Any:
    person = caller(request)
    customer = get_scoped_or_404(person, Customer, customer_id)
    return scoped(person, ConsentEvent).filter(customer=customer)


class PrivacySettingsOut(Schema):
    free_text_months: int | None
    contact_details_months: int | None
    purge_expired_after_days: int
    last_run_at: datetime | None


class PrivacySettingsPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"free_text_months", "contact_details_months"})

    free_text_months: int | None = Field(None, ge=1, le=600)
    contact_details_months: int | None = Field(None, ge=1, le=600)
    purge_expired_after_days: int | None = Field(None, ge=1, le=3650)


@router.get("/privacy/settings", response=PrivacySettingsOut, tags=["privacy"])
def get_privacy_settings(request: HttpRequest) -> Any:
    person = caller(request)
    _admin(person)
    return retention.settings_for(person.organisation)


@router.patch("/privacy/settings", response=PrivacySettingsOut, tags=["privacy"])
def update_privacy_settings(request: HttpRequest, payload: PrivacySettingsPatch) -> Any:
    person = caller(request)
    _admin(person)
    return services.update_settings(person.organisation, **payload.changes())
