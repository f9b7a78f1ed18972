from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import employee_required
from outsidein.jobs.models import Job, JobStatus
from outsidein.jobs.services import live


@employee_required
def job_list(request: HttpRequest) -> HttpResponse:
    found = scoped(request.person, Job).select_related("created_by")[:100]  # type: ignore[attr-defined]
    jobs = [live(job) for job in found]
    return render(request, "jobs/list.html", {"jobs": jobs})


@employee_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = live(get_scoped_or_404(request.person, Job, job_id))  # type: ignore[attr-defined]
    # htmx polls the progress fragment until the job has finished.
    template = "jobs/_progress.html" if request.htmx else "jobs/detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@employee_required
def job_download(request: HttpRequest, job_id: int) -> HttpResponseBase:
    job = get_scoped_or_404(request.person, Job, job_id)  # type: ignore[attr-defined]
    relative = job.result.get("file") if job.status == JobStatus.SUCCEEDED else None
    if not relative:
        raise Http404("This job has no file.")
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    if not path.is_file() or Path(settings.MEDIA_ROOT).resolve() not in path.parents:
        raise Http404("The file of this job is gone.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("filename"))
