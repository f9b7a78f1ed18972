"""Re-evaluating the segment rules for every customer, as a background job with progress."""

from __future__ import annotations

from typing import Any

from outsidein.core.models import Person
from outsidein.jobs.models import Job
from outsidein.jobs.services import Reporter, job_handler

KIND = "strategy.segments"


@job_handler(KIND)
def reevaluate_segments(job: Job, report: Reporter) -> dict[str, Any]:
    from outsidein.strategy.services import apply_rules

    by = Person.objects.filter(pk=job.created_by_id).first() if job.created_by_id else None
    return apply_rules(job.organisation, by=by, report=report)
