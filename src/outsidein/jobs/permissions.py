from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from outsidein.core.permissions import Action, Policy, register_policy

if TYPE_CHECKING:
    from outsidein.core.models import Person


def _jobs_visible(person: Person, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """Administrators follow all jobs of the organisation; others the jobs they started."""
    return queryset if person.is_admin else queryset.filter(created_by=person)


def register_job_policy() -> None:
    from outsidein.jobs.models import Job

    register_policy(
        Job,
        Policy(
            visible=_jobs_visible,
            rules={
                Action.VIEW: lambda person, job: (
                    job is None or person.is_admin or job.created_by_id == person.pk
                ),
                Action.CREATE: lambda person, job: True,
            },
        ),
    )
