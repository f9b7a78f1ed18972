"""``GET /api/v1/audit``: the organisation's audit trail, for administrators."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from outsidein.api.access import caller, related_or_422, require, scoped
from outsidein.api.schemas import IsoDate, Pagination, QueryId
from outsidein.audit import services
from outsidein.audit.models import AuditEntry
from outsidein.core.models import Person
from outsidein.core.permissions import Action

router = Router()


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    actor: str = Field(description="Who, as they were named when it happened")
    source: str = Field(description="web, api, cli or system")
    action: str
    object_type: str = Field(description="app.model, e.g. voice.survey")
    object_id: str
    object: str
    changes: dict[str, Any] = Field(description="field → [before, after]; secrets as ••••")
    reason: str
    details: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: AuditEntry) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_object(obj: AuditEntry) -> str:
        return obj.object_label


class AuditFilter(Schema):
    actor_id: QueryId | None = Field(None, description="Person id of who did it")
    action: str | None = Field(None, max_length=60, description="e.g. change, delete, erase")
    object_type: str | None = Field(None, max_length=60, description="e.g. voice.survey")
    object_id: str | None = Field(None, max_length=60)
    source: Literal["web", "api", "cli", "system"] | None = None
    since: IsoDate | None = None
    until: IsoDate | None = None


@router.get("/audit", response=list[AuditOut], tags=["audit"], summary="The audit trail")
@paginate(Pagination)
def list_audit(request: HttpRequest, filters: Query[AuditFilter]) -> Any:
    person = caller(request)
    require(person, Action.VIEW, AuditEntry)
    data = filters.model_dump()
    data["actor"] = related_or_422(person, Person, data.pop("actor_id"), "actor_id")
    return services.filter_entries(scoped(person, AuditEntry), **data)
