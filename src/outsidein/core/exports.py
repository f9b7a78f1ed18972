"""Exporting customers to CSV, as a background job with progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from outsidein import audit
from outsidein.core.models import Customer
from outsidein.core.spreadsheets import csv_writer
from outsidein.jobs.models import Job
from outsidein.jobs.services import Reporter, job_handler

EXPORT_COLUMNS = [
    "external_id",
    "kind",
    "name",
    "email",
    "phone",
    "language",
    "city",
    "segment",
    "consent_surveys",
    "consent_marketing",
    "created_at",
]
BATCH = 500


@job_handler("customers.export")
def export_customers(job: Job, report: Reporter) -> dict[str, Any]:
    customers = Customer.objects.filter(organisation_id=job.organisation_id).select_related(
        "segment"
    )
    total = customers.count()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    filename = f"customers-{stamp}.csv"
    relative = Path("exports") / str(job.organisation_id) / f"{job.uuid}.csv"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    report(0, _("Exporting %(total)s customers") % {"total": total})
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv_writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for customer in customers.order_by("pk").iterator(chunk_size=BATCH):
            writer.writerow(
                [
                    customer.external_id,
                    customer.kind,
                    customer.name,
                    customer.email,
                    customer.phone,
                    customer.language,
                    customer.city,
                    customer.segment.name if customer.segment else "",
                    int(customer.consent_surveys),
                    int(customer.consent_marketing),
                    customer.created_at.isoformat(),
                ]
            )
            written += 1
            if written % BATCH == 0:
                report(
                    int(100 * written / max(total, 1)),
                    _("%(written)s of %(total)s written") % {"written": written, "total": total},
                )
    report(100, _("%(written)s customers written") % {"written": written})
    audit.record(
        job.organisation_id,
        "export",
        object_type="core.customer",
        label=filename,
        details={"rows": written, "job": job.pk},
        actor=job.created_by,
    )
    return {"file": str(relative), "filename": filename, "rows": written}
