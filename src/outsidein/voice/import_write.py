"""Writing an import's checked rows: the database values and the rollup changes of a chunk in
one pass over its compact tuples, inserted with one ``executemany`` per batch (SQLite) or one
``COPY`` in text format (PostgreSQL).

What ``services.bulk_record`` stores for the same rows, value for value (``answers`` is the text
``json.dumps`` writes), without its general machinery: building an object per row, reading its
attributes back, encoding each ``answers`` document and each datetime through the generic
adapters, and psycopg adapting every cell of a ``COPY`` row cost more than the insert itself at
a million rows. The rollup changes are ``rollups.deltas(rows, +1)`` of the same rows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date
from json.encoder import encode_basestring_ascii
from typing import Any

from django.db import connection
from django.utils import timezone

from outsidein.analytics.models import COUNTERS
from outsidein.analytics.rollups import contribution
from outsidein.voice.models import Feedback, FeedbackKind

# The columns written, in the order of each row's values. Every other column of the table
# must have a database default (``test_import_write`` checks this against the model).
COLUMNS = (
    "created_at",
    "updated_at",
    "organisation_id",
    "kind",
    "channel",
    "survey_id",
    "invitation_id",
    "customer_id",
    "segment_id",
    "team_id",
    "author_id",
    "language",
    "submitted_at",
    "nps",
    "csat",
    "ces",
    "rating",
    "subject",
    "comment",
    "answers",
    "is_complete",
    "external_id",
)
BATCH_ROWS = 5000  # rows per executemany / per write to the COPY stream
COMMENT_LIMIT = 20_000  # the column keeps this much of a comment; ``answers`` keeps it whole

_RESPONSE = FeedbackKind.RESPONSE.value
RollupKey = tuple[date, int, int, int, str, str, str]
Changes = dict[Any, dict[str, int]]


def answers_json(nps: int | None, csat: int | None, ces: int | None, comment: str) -> str:
    """``json.dumps`` of a response's answers (the keys present in this order), as text."""
    parts = []
    if nps is not None:
        parts.append(f'"nps": {nps}')
    if csat is not None:
        parts.append(f'"csat": {csat}')
    if ces is not None:
        parts.append(f'"ces": {ces}')
    if comment:
        parts.append(f'"comment": {encode_basestring_ascii(comment)}')
    return "{" + ", ".join(parts) + "}"


class _Answers:
    """``answers_json`` with the score part worked out once per combination of scores."""

    def __init__(self) -> None:
        self.heads: dict[tuple[int | None, int | None, int | None], str] = {}

    def __call__(self, nps: int | None, csat: int | None, ces: int | None, comment: str) -> str:
        head = self.heads.get((nps, csat, ces))
        if head is None:
            head = self.heads[(nps, csat, ces)] = answers_json(nps, csat, ces, "")[:-1]
        if not comment:
            return head + "}"
        return (
            head
            + (", " if len(head) > 1 else "")
            + '"comment": '
            + encode_basestring_ascii(comment)
            + "}"
        )


def grouped_changes(combinations: Counter[tuple[Any, ...]]) -> Changes:
    """``rollups.deltas(rows, +1)`` from the rows counted per (rollup key, nps, csat, ces)."""
    grouped: Changes = {}
    contributions: dict[tuple[Any, ...], list[tuple[str, int]]] = {}
    for (*key, nps, csat, ces), times in combinations.items():
        scores = (nps, csat, ces)
        counts = contributions.get(scores)
        if counts is None:
            counts = contributions[scores] = [
                (name, value) for name, value in contribution(nps, csat, ces).items() if value
            ]
        target = grouped.get(tuple(key))
        if target is None:
            target = grouped[tuple(key)] = dict.fromkeys(COUNTERS, 0)
        for name, value in counts:
            target[name] += value * times
    return grouped


def write(
    organisation_id: int,
    chunk: Sequence[tuple[Any, ...]],
    *,
    survey_id: int | None,
    team_id: int | None,
    customer_ids: Sequence[int],
) -> Changes:
    """Insert the checked rows of ``chunk`` (``imports.Checked`` tuples; a negative customer
    id -(n+1) is the n-th of ``customer_ids``; responses belong to ``survey_id`` and its
    ``team_id``) in the caller's transaction; return their rollup changes."""
    if connection.vendor == "postgresql":
        return _copy(organisation_id, chunk, survey_id, team_id, customer_ids)
    return _executemany(organisation_id, chunk, survey_id, team_id, customer_ids)


def _executemany(
    organisation_id: int,
    chunk: Sequence[tuple[Any, ...]],
    survey_id: int | None,
    team_id: int | None,
    customer_ids: Sequence[int],
) -> Changes:
    # What Django's SQLite backend stores for a datetime: naive UTC text.
    stamp = str(timezone.now().astimezone(UTC).replace(tzinfo=None))
    tz = timezone.get_current_timezone()
    answers = _Answers()
    combinations: Counter[tuple[Any, ...]] = Counter()
    sql = (
        f"INSERT INTO {Feedback._meta.db_table} ({', '.join(map(_quote, COLUMNS))}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(chunk), BATCH_ROWS):
            rows = []
            for (
                external_id,
                kind,
                channel,
                customer_id,
                segment_id,
                language,
                submitted_at,
                nps,
                csat,
                ces,
                rating,
                subject,
                comment,
            ) in chunk[start : start + BATCH_ROWS]:
                if customer_id is not None and customer_id < 0:
                    customer_id = customer_ids[-customer_id - 1]
                if kind == _RESPONSE:
                    survey, team = survey_id, team_id
                    document = answers(nps, csat, ces, comment)
                else:
                    survey = team = None
                    document = "{}"
                moment = (
                    submitted_at if submitted_at.tzinfo is UTC else submitted_at.astimezone(UTC)
                )
                rows.append(
                    (
                        stamp,
                        stamp,
                        organisation_id,
                        kind,
                        channel,
                        survey,
                        None,
                        customer_id,
                        segment_id,
                        team,
                        None,
                        language,
                        str(moment.replace(tzinfo=None)),
                        nps,
                        csat,
                        ces,
                        rating,
                        subject,
                        comment[:COMMENT_LIMIT],
                        document,
                        True,
                        external_id,
                    )
                )
                combinations[
                    (
                        submitted_at.astimezone(tz).date(),
                        survey or 0,
                        segment_id or 0,
                        team or 0,
                        channel,
                        language,
                        kind,
                        nps,
                        csat,
                        ces,
                    )
                ] += 1
            cursor.executemany(sql, rows)
    return grouped_changes(combinations)


# COPY's text format: a backslash, tab, newline and carriage return in a value are escaped.
_SPECIAL = re.compile(r"[\\\t\n\r]").search
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    return value.translate(_ESCAPES) if _SPECIAL(value) else value


def _copy(
    organisation_id: int,
    chunk: Sequence[tuple[Any, ...]],
    survey_id: int | None,
    team_id: int | None,
    customer_ids: Sequence[int],
) -> Changes:
    stamp = timezone.now().isoformat()
    tz = timezone.get_current_timezone()
    answers = _Answers()
    combinations: Counter[tuple[Any, ...]] = Counter()
    null = "\\N"
    survey_text = null if survey_id is None else str(survey_id)
    team_text = null if team_id is None else str(team_id)
    head = f"{stamp}\t{stamp}\t{organisation_id}\t"
    copy_sql = f"COPY {Feedback._meta.db_table} ({', '.join(map(_quote, COLUMNS))}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for start in range(0, len(chunk), BATCH_ROWS):
            lines = []
            for (
                external_id,
                kind,
                channel,
                customer_id,
                segment_id,
                language,
                submitted_at,
                nps,
                csat,
                ces,
                rating,
                subject,
                comment,
            ) in chunk[start : start + BATCH_ROWS]:
                if customer_id is not None and customer_id < 0:
                    customer_id = customer_ids[-customer_id - 1]
                if kind == _RESPONSE:
                    survey, team = survey_id, team_id
                    survey_cell, team_cell = survey_text, team_text
                    document = answers(nps, csat, ces, comment).replace("\\", "\\\\")
                else:
                    survey = team = None
                    survey_cell = team_cell = null
                    document = "{}"
                lines.append(
                    f"{head}{_text(kind)}\t{_text(channel)}\t{survey_cell}\t\\N\t"
                    f"{null if customer_id is None else customer_id}\t"
                    f"{null if segment_id is None else segment_id}\t{team_cell}\t\\N\t"
                    f"{_text(language)}\t{submitted_at.isoformat()}\t"
                    f"{null if nps is None else nps}\t{null if csat is None else csat}\t"
                    f"{null if ces is None else ces}\t{null if rating is None else rating}\t"
                    f"{_text(subject)}\t{_text(comment[:COMMENT_LIMIT])}\t{document}\tt\t"
                    f"{_text(external_id)}\n"
                )
                combinations[
                    (
                        submitted_at.astimezone(tz).date(),
                        survey or 0,
                        segment_id or 0,
                        team or 0,
                        channel,
                        language,
                        kind,
                        nps,
                        csat,
                        ces,
                    )
                ] += 1
            copy.write("".join(lines))
    return grouped_changes(combinations)


def _quote(name: str) -> str:
    return str(connection.ops.quote_name(name))


def merge(into: Changes, changes: Changes) -> None:
    """Add ``changes`` to ``into`` (both: rollup key → counters)."""
    for key, counts in changes.items():
        target = into.get(key)
        if target is None:
            into[key] = dict(counts)
            continue
        for name, value in counts.items():
            target[name] += value
