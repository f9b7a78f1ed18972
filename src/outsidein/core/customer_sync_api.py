"""PUT /customers/bulk: the CRM's nightly customer sync. Thin: parse, check, call the service."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from outsidein.api.access import caller
from outsidein.api.schemas import InputSchema
from outsidein.core import customer_sync
from outsidein.core.permissions import require_import

router = Router(tags=["customers"])

ROW_HELP = (
    "Up to 1,000 customers, each an object: external_id (required, your number), name "
    "(required), kind (business|consumer), email, phone, city, language (nl|en), segment (a "
    "segment's name) or segment_id, attributes (an object of names and values; the complete "
    "set), contact_persons (a list of {name, email, phone, job_title, language, is_primary}; "
    "the complete set; business customers only), consent ({surveys, marketing, updates: "
    "true|false, source, at}). A field left out is left as it is. See docs/api-customer-sync.md."
)


class BulkCustomersIn(InputSchema):
    customers: list[Any] = Field(description=ROW_HELP)


class RowError(Schema):
    field: str
    reason: str


class RowOut(Schema):
    row: int = Field(description="The row's position in `customers`, from 0")
    external_id: str
    status: str = Field(description="created, updated, unchanged or rejected")
    id: int | None = Field(description="outsidein's id of the customer (not for rejected rows)")
    errors: list[RowError]


class BulkCustomersOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: int
    valid_rows_kept: bool = Field(
        description="Always true: rejected rows do not stop the valid rows from being saved"
    )
    message: str
    rows: list[RowOut]


class ProblemOut(Schema):
    detail: list[dict[str, Any]]


@router.put("/customers/bulk", response={200: BulkCustomersOut, 409: ProblemOut, 413: ProblemOut})
def sync_customers(request: HttpRequest, payload: BulkCustomersIn) -> Any:
    """Create or update up to 1,000 customers by their external number, in one call.
    Idempotent: the same body again reports every row "unchanged". Each rejected row names
    the field and the reason; all valid rows are kept. Needs the import permission."""
    person = caller(request)
    require_import(person)
    try:
        result = customer_sync.sync_customers(person.organisation, payload.customers)
    except customer_sync.TooManyRows as exc:
        return Status(
            413,
            {"detail": [{"loc": ["body", "customers"], "msg": str(exc), "type": "too_large"}]},
        )
    except customer_sync.Conflict as exc:
        return Status(
            409, {"detail": [{"loc": ["body", "customers"], "msg": str(exc), "type": "conflict"}]}
        )
    return {
        **result.counts,
        "valid_rows_kept": True,
        "message": customer_sync.response_message(result),
        "rows": [row.__dict__ for row in result.rows],
    }
