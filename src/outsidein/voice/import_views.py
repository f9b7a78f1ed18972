"""The import pages: upload, map columns with a preview, run as a background job."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outsidein.core.permissions import Action, may_import_into, require_import
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import employee_required, require
from outsidein.jobs.models import Job
from outsidein.jobs.services import start_job
from outsidein.voice.imports import FIELDS, ImportFileError, ImportReport, read_rows
from outsidein.voice.models import Feedback, Survey

MAX_IMPORT_BYTES = 100 * 1024 * 1024
DATA_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
# What an unknown customer number does: create the customer, match by email first, or reject.
CUSTOMER_CHOICES = ("create", "match_email", "reject")
FIELD_LABELS = {
    "submission_id": gettext_lazy("Submission id (required, unique per row)"),
    "customer_external_id": gettext_lazy("Customer number"),
    "email": gettext_lazy("Customer email"),
    "customer_name": gettext_lazy("Customer name (for new customers)"),
    "submitted_at": gettext_lazy("Date and time (required)"),
    "channel": gettext_lazy("Channel"),
    "nps": "NPS (0–10)",
    "csat": "CSAT (1–5)",
    "ces": "CES (1–7)",
    "comment": gettext_lazy("Comment"),
    "language": gettext_lazy("Language (nl/en)"),
    "kind": gettext_lazy("Kind (response, complaint, question, review)"),
    "subject": gettext_lazy("Subject"),
    "rating": gettext_lazy("Rating (1–5)"),
}


class UploadForm(forms.Form):
    label_suffix = ""
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel file"),
        help_text=gettext_lazy("Up to 100 MB. The first row holds the column names."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 100 MB; split it in parts."))
        if not upload.name.lower().endswith(DATA_SUFFIXES):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


def _upload_dir(organisation_id: int) -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports" / str(organisation_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored_upload(organisation_id: int, upload_id: str) -> Path:
    try:
        uuid.UUID(upload_id[:36])
    except ValueError:
        raise Http404 from None
    matches = [
        path
        for path in _upload_dir(organisation_id).glob(f"{upload_id[:36]}.*")
        if path.suffix in DATA_SUFFIXES
    ]
    if not matches:
        raise Http404
    return matches[0]


@employee_required
def import_start(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    require(request, Action.CREATE, Feedback)
    require_import(person)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        upload_id = str(uuid.uuid4())
        target = _upload_dir(person.organisation_id) / f"{upload_id}{suffix}"
        with target.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        (target.parent / f"{upload_id}.name").write_text(Path(upload.name).name[:200])
        return redirect("import-map", upload_id=upload_id)
    jobs = scoped(person, Job).filter(kind="voice.import")[:10]
    return render(
        request, "voice/imports/start.html", {"form": form, "jobs": jobs, "fields": FIELD_LABELS}
    )


@employee_required
def import_map(request: HttpRequest, upload_id: str) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    require(request, Action.CREATE, Feedback)
    require_import(person)
    path = _stored_upload(person.organisation_id, upload_id)
    name_file = path.parent / f"{upload_id}.name"
    filename = name_file.read_text() if name_file.exists() else path.name
    report = ImportReport()
    try:
        rows = read_rows(path.read_bytes(), filename, report)
        header = [str(h) for h in next(rows)]
        preview = [[str(cell) for cell in row] for _i, row in zip(range(5), rows, strict=False)]
    except (ImportFileError, StopIteration) as exc:
        return render(
            request,
            "voice/imports/start.html",
            {
                "form": UploadForm(),
                "file_error": str(exc) or _("The file is empty."),
                "fields": FIELD_LABELS,
                "jobs": [],
            },
            status=422,
        )
    surveys = scoped(person, Survey).order_by("name")
    if request.method == "POST":
        mapping = {
            column: request.POST.get(f"map_{index}", "")
            for index, column in enumerate(header)
            if request.POST.get(f"map_{index}") in FIELDS
        }
        targets = list(mapping.values())
        duplicates = sorted({t for t in targets if targets.count(t) > 1})
        customers = request.POST.get("customers", "create")
        if customers not in CUSTOMER_CHOICES:
            customers = "create"
        survey_id = request.POST.get("survey") or None
        survey = get_scoped_or_404(person, Survey, survey_id) if survey_id else None
        if survey is not None and not may_import_into(person, survey.team_id):
            raise PermissionDenied(_("You import into your own teams' surveys only."))
        if duplicates:
            error = _("Each field can come from one column only: %(f)s.") % {
                "f": ", ".join(duplicates)
            }
        else:
            job = start_job(
                person.organisation,
                kind="voice.import",
                title=_("Import of %(file)s") % {"file": filename},
                created_by=person,
                params={
                    "path": str(path),
                    "filename": filename,
                    "survey_id": survey.pk if survey else None,
                    "mapping": mapping,
                    "dry_run": request.POST.get("dry_run") == "1",
                    "new_customers": customers != "reject",
                    "match_email": customers == "match_email",
                },
            )
            return redirect("job-detail", job_id=job.pk)
    else:
        error = ""
        customers = "create"
    guesses = [h.strip().lower() if h.strip().lower() in FIELDS else "" for h in header]
    columns = [
        {
            "index": index,
            "name": name,
            "guess": guesses[index],
            "samples": [row[index] for row in preview if index < len(row)],
        }
        for index, name in enumerate(header)
    ]
    context = {
        "filename": filename,
        "columns": columns,
        "fields": FIELD_LABELS,
        "surveys": surveys,
        "error": error,
        "customers": customers,
        "mapping_json": json.dumps({c["name"]: c["guess"] for c in columns if c["guess"]}),
    }
    return render(request, "voice/imports/map.html", context)
