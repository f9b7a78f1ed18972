"""The import's own writer stores what ``services.bulk_record`` stores for the same rows, value
for value, and the same rollup changes as ``rollups.deltas``."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from outsidein.analytics import rollups
from outsidein.voice import import_write, services
from outsidein.voice.imports import run_import
from outsidein.voice.models import Feedback
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory

pytestmark = pytest.mark.django_db

scores = st.none() | st.integers(0, 10)


@given(scores, scores, scores, st.text())
def test_answers_text_is_what_json_dumps_writes(
    nps: int | None, csat: int | None, ces: int | None, comment: str
) -> None:
    answers: dict[str, Any] = {}
    for name, value in (("nps", nps), ("csat", csat), ("ces", ces)):
        if value is not None:
            answers[name] = value
    if comment:
        answers["comment"] = comment
    assert import_write.answers_json(nps, csat, ces, comment) == json.dumps(answers)
    assert import_write._Answers()(nps, csat, ces, comment) == json.dumps(answers)


def test_the_written_columns_are_the_models_columns() -> None:
    fields = {f.attname for f in Feedback._meta.concrete_fields if not f.primary_key}
    assert set(import_write.COLUMNS) == fields
    assert len(import_write.COLUMNS) == len(fields)


def test_grouped_changes_equal_the_rollup_deltas() -> None:
    rows = [
        services.FeedbackRow(
            kind=kind,
            channel=channel,
            language="nl",
            submitted_at=datetime(2026, 3, day, hour, tzinfo=UTC),
            survey_id=survey,
            segment_id=segment,
            nps=nps,
            csat=csat,
            ces=ces,
        )
        for day, hour, kind, channel, survey, segment, nps, csat, ces in [
            (1, 23, "response", "email", 4, None, 9, None, None),  # the next day in Amsterdam
            (1, 10, "response", "email", 4, None, 9, None, None),
            (1, 10, "response", "email", 4, None, 3, 4, 2),
            (2, 10, "review", "web", None, 7, None, None, None),
            (2, 11, "response", "email", 4, 7, None, 5, 7),
        ]
    ]
    counted: Counter[tuple[Any, ...]] = Counter()
    for row in rows:
        [key] = rollups.deltas([row], +1)
        counted[(*key, row.nps, row.csat, row.ces)] += 1
    assert import_write.grouped_changes(counted) == rollups.deltas(rows, +1)


TRICKY = [
    ["t1", "K-1", "", "2026-03-01T10:00:00+01:00", "email", "9", "", "", "Prima\tservice", "nl"],
    ["t2", "", "", "2026-03-02", "link", "3", "2", "6", 'Te "duur"\nen traag', "en"],
    ["t3", "NEW-7", "nieuw@example.org", "2026-03-03 09:15", "", "", "4", "", "", ""],
    ["t4\\x", "", "", "2026-03-04T08:00:00.123456Z", "phone", "", "", "3", "Één ☃ 𝄞", "nl"],
    ["t5", "K-1", "", "2026-03-05T23:30:00Z", "widget", "10", "5", "7", "x" * 20_050, ""],
]


def _tricky_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "submission_id",
            "customer_external_id",
            "email",
            "submitted_at",
            "channel",
            "nps",
            "csat",
            "ces",
            "comment",
            "language",
        ]
    )
    writer.writerows(TRICKY)
    return out.getvalue().encode()


def _stored(organisation_id: int) -> dict[str, tuple[Any, ...]]:
    """The rows as the database holds them (``answers`` as text), by submission id."""
    answers = "answers::text" if connection.vendor == "postgresql" else "answers"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT external_id, kind, channel, language, submitted_at, nps, csat, ces, rating, "  # noqa: S608  (a fixed column expression)
            f"subject, comment, {answers}, is_complete, invitation_id, author_id, segment_id "
            "FROM voice_feedback WHERE organisation_id = %s",
            [organisation_id],
        )
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def test_an_import_stores_what_bulk_record_stores(tenant: Tenant, other_tenant: Tenant) -> None:
    segment = SegmentFactory(organisation=tenant.organisation)
    CustomerFactory(organisation=tenant.organisation, external_id="K-1", segment=segment)
    report = run_import(tenant.organisation, _tricky_csv(), filename="tricky.csv")
    assert (report.accepted, report.rejected) == (len(TRICKY), 0)
    imported = _stored(tenant.organisation.pk)

    # The same rows through the general bulk path, built from what the import stored.
    rows = []
    for feedback in Feedback.objects.filter(organisation=tenant.organisation):
        row = services.FeedbackRow(
            kind=feedback.kind,
            channel=feedback.channel,
            language=feedback.language,
            submitted_at=feedback.submitted_at,
            external_id=feedback.external_id,
            nps=feedback.nps,
            csat=feedback.csat,
            ces=feedback.ces,
            rating=feedback.rating,
            subject=feedback.subject,
            comment=feedback.comment,
            answers=feedback.answers,
            segment_id=feedback.segment_id,
        )
        rows.append(row)
    services.bulk_record(other_tenant.organisation, rows)
    # (The customer, survey and team ids are each tenant's own: not compared.)
    assert imported == _stored(other_tenant.organisation.pk)
    assert imported["t5"][9] == "x" * 20_000  # the column keeps 20,000 characters
    assert json.loads(imported["t5"][10])["comment"] == "x" * 20_050  # the answers all

    org = tenant.organisation.pk
    daily, monthly = rollups.snapshot(org), rollups.snapshot(org, monthly=True)
    rollups.rebuild(org)
    assert (rollups.snapshot(org), rollups.snapshot(org, monthly=True)) == (daily, monthly)
