from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from outsidein.api.access import caller, get_scoped_or_404, scoped
from outsidein.api.schemas import Pagination
from outsidein.jobs.models import Job
from outsidein.jobs.services import live

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    uuid: UUID
    kind: str
    title: str
    status: str
    progress: int
    log: str
    result: dict[str, Any]
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@router.get("", response=list[JobOut])
@paginate(Pagination)
def list_jobs(request: HttpRequest) -> Any:
    return scoped(caller(request), Job)


@router.get("/{job_id}", response=JobOut)
def get_job(request: HttpRequest, job_id: int) -> Any:
    return live(get_scoped_or_404(caller(request), Job, job_id))
