"""Importing historical responses, complaints and reviews from CSV and XLSX.

The real path for the page, the background job and the CLI: read the file (any encoding
problem or malformed file becomes a readable error), map its columns to ours, validate every
row, and insert every accepted row in one transaction, or nothing. Re-importing the same file
adds nothing: rows carry a ``submission_id`` that becomes the feedback's ``external_id``.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import operator
import pickle
import queue
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from outsidein import audit
from outsidein.analytics import rollups
from outsidein.core.models import Customer, Organisation
from outsidein.voice import import_write
from outsidein.voice.models import (
    Channel,
    Feedback,
    FeedbackKind,
    QuestionKind,
    Survey,
    SurveyStatus,
)

# Our fields, in the documented default column order.
FIELDS = (
    "submission_id",
    "customer_external_id",
    "email",
    "customer_name",
    "submitted_at",
    "channel",
    "nps",
    "csat",
    "ces",
    "comment",
    "language",
    "kind",
    "subject",
    "rating",
)
REQUIRED = ("submission_id", "submitted_at")
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "rating": (1, 5)}
CHANNELS = {value for value, _label in Channel.choices}
KINDS = {value for value, _label in FeedbackKind.choices} - {FeedbackKind.NOTE}
MAX_ERRORS_KEPT = 1000
PROGRESS_EVERY = 20_000


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing was imported."""


class Reason(ValueError):
    """A value's problem as an untranslated message and its parameters: the report is read in
    whichever language the reader has chosen, not the one the import ran in."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return translate_reason(self.message, self.params)


def translate_reason(message: str, params: Mapping[str, Any] | None) -> str:
    """A stored reason (``gettext_noop`` message and parameters) in the active language."""
    text = _(message)
    return text % dict(params) if params else text


@dataclass
class RowError:
    row: int  # 1-based line number in the file, the header being row 1
    column: str
    message: str  # untranslated (gettext_noop), see ``reason``
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return translate_reason(self.message, self.params)

    def __str__(self) -> str:
        return _("row %(row)s, %(column)s: %(reason)s") % {
            "row": self.row,
            "column": self.column or "–",
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    rows: int = 0
    accepted: int = 0
    already_imported: int = 0
    rejected: int = 0
    customers_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    survey_id: int | None = None
    dry_run: bool = False

    def reject(self, error: RowError) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "accepted": self.accepted,
            "already_imported": self.already_imported,
            "rejected": self.rejected,
            "customers_created": self.customers_created,
            "errors": [
                {
                    "row": e.row,
                    "column": e.column,
                    "reason": e.reason,
                    "message": e.message,
                    "params": e.params,
                }
                for e in self.errors
            ],
            "errors_truncated": self.rejected > len(self.errors),
            "warnings": self.warnings,
            "survey_id": self.survey_id,
            "dry_run": self.dry_run,
        }


# --- reading files --------------------------------------------------------------------------------


def _utf16(raw: bytes) -> str | None:
    """``utf-16`` for a file with a UTF-16 byte-order mark (Excel's "Unicode text"), or the
    byte order of one without a mark whose every other byte is NUL; None otherwise."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = raw[:4096]
    if len(head) >= 8:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
    return None


def _encoding(raw: bytes, report: ImportReport) -> str:
    """The file's text encoding, checked over the whole file (nothing of it is kept)."""
    utf16 = _utf16(raw)
    if utf16:
        try:
            raw.decode(utf16)
        except UnicodeDecodeError:
            raise ImportFileError(
                _("The file looks like UTF-16 (Unicode text) but cannot be read as such.")
            ) from None
        return utf16
    if b"\x00" in raw[:65536]:
        raise ImportFileError(
            _("This is not a text file (it contains binary data). Upload a CSV or XLSX file.")
        )
    try:
        raw.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file's text encoding is not UTF-8 or Windows-1252. Save it as “CSV UTF-8”.")
        ) from None
    report.warnings.append(
        _("The file was not UTF-8; it was read as Windows-1252 (Excel). Check accented letters.")
    )
    return "cp1252"


CELL_LIMIT = 1_000_000  # characters in one cell; a longer one is refused, saying so
SPAN_WARNINGS_KEPT = 20  # line-spanning cells described one by one; the rest are counted


def _swallowed_lines(record: list[str], first: int, delimiter: str, columns: int) -> list[int]:
    """The lines inside ``record``'s cells that look like rows of their own (as many
    delimiters as a row has): what an unclosed quote swallows."""
    swallowed = []
    line = first
    for cell in record:
        for part in cell.splitlines()[1:]:
            line += 1
            if columns > 1 and part.count(delimiter) >= columns - 1:
                swallowed.append(line)
    return swallowed


def _lines(numbers: list[int]) -> str:
    if len(numbers) > 6:
        return ", ".join(str(n) for n in numbers[:5]) + ", …"
    return ", ".join(str(n) for n in numbers)


def _span_warning(first: int, last: int, swallowed: list[int]) -> str:
    if swallowed:
        return _(
            "Lines %(first)s–%(last)s were read as one row: a quote opened on line %(first)s is "
            "not closed until line %(last)s, so lines %(lines)s, which look like rows of their "
            "own, became part of one cell. Check that quote."
        ) % {"first": first, "last": last, "lines": _lines(swallowed)}
    return _(
        "Lines %(first)s–%(last)s were read as one row: a quoted cell runs over several lines "
        "(a comment with line breaks). If that is not meant, a quote on line %(first)s is not "
        "closed."
    ) % {"first": first, "last": last}


def _csv_rows(raw: bytes, report: ImportReport) -> Iterator[list[str]]:
    encoding = _encoding(raw, report)
    # Decoded as it is read: a whole decoded copy of a big file (and StringIO's own copy at
    # four bytes a character) would be most of an import's memory.
    sample = raw[:65536].decode(encoding, errors="ignore").lstrip("\ufeff")
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = "excel-tab" if sample.split("\n", 1)[0].count("\t") else csv.excel
    text = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="")
    reader = csv.reader(text, dialect)
    delimiter = reader.dialect.delimiter
    # Every cell is read whole and judged here, so a long cell and an unclosed quote each get
    # their own message. The limit is process-wide: set it for the read and put back what was.
    previous = csv.field_size_limit(max(CELL_LIMIT, len(raw)) + 1)
    columns = 0
    line = 0
    spans = 0
    try:
        for record in reader:
            first, line = line + 1, reader.line_num
            columns = columns or len(record)
            if line > first:
                swallowed = _swallowed_lines(record, first, delimiter, columns)
                spans += 1
                if spans <= SPAN_WARNINGS_KEPT:
                    report.warnings.append(_span_warning(first, line, swallowed))
                too_long = max(len(cell) for cell in record) > CELL_LIMIT
                if too_long and swallowed:
                    raise ImportFileError(
                        _(
                            "A quote opened on line %(first)s is not closed: it swallows the "
                            "rest of the file (lines %(lines)s look like rows of their own)."
                        )
                        % {"first": first, "lines": _lines(swallowed)}
                    )
            for index, cell in enumerate(record):
                if len(cell) > CELL_LIMIT:
                    raise ImportFileError(
                        _(
                            "Line %(line)s, column %(column)s: the cell is too large "
                            "(%(size)s characters; the limit is %(limit)s). Shorten it or "
                            "leave it out."
                        )
                        % {
                            "line": first,
                            "column": index + 1,
                            "size": f"{len(cell):,}",
                            "limit": f"{CELL_LIMIT:,}",
                        }
                    )
            yield record
    except csv.Error:
        raise ImportFileError(
            _("The CSV file is malformed near line %(line)s (for example an unclosed quote).")
            % {"line": reader.line_num}
        ) from None
    finally:
        csv.field_size_limit(previous)
    if spans > SPAN_WARNINGS_KEPT:
        report.warnings.append(
            ngettext(
                "%(count)s more row runs over several lines.",
                "%(count)s more rows run over several lines.",
                spans - SPAN_WARNINGS_KEPT,
            )
            % {"count": spans - SPAN_WARNINGS_KEPT}
        )


def _xlsx_rows(raw: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportFileError(_("This is not a readable Excel (XLSX) file.")) from None
    sheet = workbook.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield ["" if v is None else v for v in values]


def read_rows(raw: bytes, filename: str, report: ImportReport) -> Iterator[list[Any]]:
    """All rows of the file, header first, whichever of CSV or XLSX it is."""
    if not raw.strip():
        raise ImportFileError(_("The file is empty."))
    is_zip = raw[:4] == b"PK\x03\x04"
    if filename.lower().endswith((".xlsx", ".xlsm")) or is_zip:
        return _xlsx_rows(raw)
    return _csv_rows(raw, report)


# --- columns ------------------------------------------------------------------------------------


def resolve_columns(header: list[Any], mapping: Mapping[str, str] | None) -> dict[str, int]:
    """Our field → column index. Without a mapping, columns named like our fields are used."""
    names = [str(h).strip() for h in header]
    lowered = {name.lower(): index for index, name in enumerate(names)}
    mapping = dict(mapping or {})
    unknown_targets = sorted(set(mapping.values()) - set(FIELDS))
    if unknown_targets:
        raise ImportFileError(
            _("The mapping names fields outsidein does not know: %(fields)s. Known: %(known)s.")
            % {"fields": ", ".join(unknown_targets), "known": ", ".join(FIELDS)}
        )
    missing_sources = sorted(s for s in mapping if s.strip().lower() not in lowered)
    if missing_sources:
        raise ImportFileError(
            _("The mapping names columns the file does not have: %(cols)s. The file has: %(have)s.")
            % {"cols": ", ".join(missing_sources), "have": ", ".join(names[:30])}
        )
    columns: dict[str, int] = {}
    for source, target in mapping.items():
        columns[target] = lowered[source.strip().lower()]
    for name in FIELDS:
        if name not in columns and name in lowered and name not in mapping:
            columns[name] = lowered[name]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(missing)s. The file's first row has: %(have)s.")
            % {"missing": ", ".join(missing), "have": ", ".join(names[:30]) or _("nothing")}
        )
    if not any(name in columns for name in ("nps", "csat", "ces", "comment", "rating")):
        raise ImportFileError(
            _("There is nothing to import: no nps, csat, ces, rating or comment column.")
        )
    return columns


# --- values ---------------------------------------------------------------------------------------


def parse_datetime(value: Any, latest: datetime | None = None) -> datetime:
    """ISO 8601 (date, or date and time, with or without zone) or the Dutch dd-mm-yyyy."""
    if isinstance(value, datetime):
        return value if value.tzinfo else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, dtime(12)))
    text = str(value).strip()
    if not text:
        raise Reason(gettext_noop("is empty"))
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = _parse_date_text(text)
    if parsed is None:
        raise Reason(
            gettext_noop("“%(value)s” is not a date; use ISO 8601 like 2026-03-01T14:30:00+01:00"),
            value=text[:40],
        )
    if parsed.tzinfo is None:
        parsed = timezone.make_aware(parsed)
    latest = latest or timezone.now() + timedelta(days=1)
    if parsed.year < 1990 or parsed > latest:
        raise Reason(gettext_noop("%(value)s lies outside the plausible range"), value=text[:40])
    return parsed.astimezone(UTC)


def _parse_date_text(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in ("%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def parse_score(value: Any, name: str) -> int | None:
    if value in ("", None):
        return None
    low, high = SCORE_RANGES[name]
    if type(value) is str and value.isdigit() and value.isascii():  # the common case
        whole = int(value)
        if low <= whole <= high:
            return whole
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise Reason(gettext_noop("“%(value)s” is not a number"), value=str(value)[:40]) from None
    if number != int(number) or not low <= number <= high:
        raise Reason(
            gettext_noop("%(value)s is outside %(low)s–%(high)s"),
            value=str(value)[:40],
            low=low,
            high=high,
        )
    return int(number)


# --- the import ---------------------------------------------------------------------------


@dataclass
class NewCustomer:
    """A customer the import creates: a customer number no customer has yet."""

    external_id: str
    email: str
    name: str
    language: str


@dataclass
class CustomerIndex:
    by_external_id: dict[str, tuple[int, int | None, str]]
    by_email: dict[str, tuple[int, int | None, str]]
    # How an unknown customer number is met: a new customer (default), else a rejected row;
    # ``match_email``: first an existing customer with the row's email address.
    new_customers: bool = True
    match_email: bool = False
    # The customers to create, in order; a row refers to the n-th (0-based) by the id -(n+1).
    new: list[NewCustomer] = field(default_factory=list)

    def for_number(
        self, number: str, email: str, name: str, language: str
    ) -> tuple[int, int | None, str]:
        """The customer of a row with customer number ``number`` (raises ``_RowProblem``)."""
        known = self.by_external_id.get(number)
        if known is not None:
            return known
        if self.match_email and email and email in self.by_email:
            return self.by_email[email]
        if not self.new_customers:
            raise _RowProblem(
                "customer_external_id", gettext_noop("no customer has number %(n)s"), n=number[:40]
            )
        if len(number) > 100:
            raise _RowProblem("customer_external_id", gettext_noop("is longer than 100 characters"))
        if email and not _plausible_email(email):
            raise _RowProblem(
                "email", gettext_noop("“%(value)s” is not an email address"), value=email[:60]
            )
        self.new.append(NewCustomer(number, email[:254], name[:200], language))
        entry = (-len(self.new), None, language)
        self.by_external_id[number] = entry  # later rows of the same customer
        return entry

    @classmethod
    def load(
        cls, organisation: Organisation, *, new_customers: bool = True, match_email: bool = False
    ) -> CustomerIndex:
        by_external_id: dict[str, tuple[int, int | None, str]] = {}
        by_email: dict[str, tuple[int, int | None, str]] = {}
        rows = Customer.objects.filter(organisation=organisation).values_list(
            "id", "segment_id", "language", "external_id", "email"
        )
        for pk, segment_id, language, external_id, email in rows.iterator(chunk_size=5000):
            entry = (pk, segment_id, language)
            if external_id:
                by_external_id[external_id] = entry
            if email:
                by_email.setdefault(email.lower(), entry)
        return cls(by_external_id, by_email, new_customers=new_customers, match_email=match_email)


def _plausible_email(value: str) -> bool:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def create_customers(organisation: Organisation, new: list[NewCustomer]) -> tuple[list[int], int]:
    """Create the import's new customers (in the caller's transaction): their ids in order and
    how many were created.
    A customer number another writer created meanwhile is used, not duplicated."""
    from outsidein.privacy.models import ConsentEvent, ConsentKind, ConsentSource

    ids: dict[str, int] = {}
    count = 0
    now = timezone.now()
    for start in range(0, len(new), 5000):
        batch = new[start : start + 5000]
        Customer.objects.bulk_create(
            [
                Customer(
                    organisation=organisation,
                    external_id=item.external_id,
                    email=item.email,
                    name=item.name or item.email or item.external_id,
                    language=item.language,
                )
                for item in batch
            ],
            ignore_conflicts=True,
        )
        numbers = [item.external_id for item in batch]
        created = dict(
            Customer.objects.filter(
                organisation=organisation, external_id__in=numbers, created_at__gte=now
            ).values_list("external_id", "id")
        )
        ConsentEvent.objects.bulk_create(
            ConsentEvent(
                organisation_id=organisation.pk,
                customer_id=pk,
                kind=ConsentKind.SURVEYS,
                given=True,
                source=ConsentSource.IMPORT,
                at=now,
            )
            for pk in created.values()
        )
        count += len(created)
        ids.update(
            Customer.objects.filter(organisation=organisation, external_id__in=numbers).values_list(
                "external_id", "id"
            )
        )
    return [ids[item.external_id] for item in new], count


def import_survey(organisation: Organisation, filename: str, columns: Mapping[str, int]) -> Survey:
    """A closed survey to hold imported responses, with questions for the columns present."""
    from outsidein.voice import services

    stamp = timezone.localdate().isoformat()
    survey = services.create_survey(
        organisation,
        template="blank",
        name=_("Import %(file)s (%(date)s)") % {"file": Path(filename).name[:120], "date": stamp},
    )
    Survey.objects.filter(pk=survey.pk).update(created_for_import=True, status=SurveyStatus.CLOSED)
    texts = {
        "nps": (
            "Hoe waarschijnlijk is het dat je ons aanbeveelt?",
            "How likely are you to recommend us?",
        ),
        "csat": ("Hoe tevreden ben je?", "How satisfied are you?"),
        "ces": ("Hoeveel moeite kostte het?", "How much effort did it take?"),
        "comment": ("Toelichting", "Comment"),
    }
    kinds = {
        "nps": QuestionKind.NPS,
        "csat": QuestionKind.CSAT,
        "ces": QuestionKind.CES,
        "comment": QuestionKind.TEXT,
    }
    for name in ("nps", "csat", "ces", "comment"):
        if name in columns:
            services.add_question(
                survey, key=name, kind=kinds[name], text_nl=texts[name][0], text_en=texts[name][1]
            )
    survey.refresh_from_db()
    return survey


CHUNK_ROWS = 20_000
# SQLite lets one transaction write at a time: an import there writes this many rows per
# transaction, so that a customer's submission waits for one step (a fraction of a second),
# never for the whole file.
WRITE_STEP_ROWS = 5_000


def run_import(
    organisation: Organisation,
    raw: bytes,
    *,
    filename: str,
    survey: Survey | None = None,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    new_customers: bool = True,
    match_email: bool = False,
    progress: Callable[[int, str], None] | None = None,
    saving: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Validate every row; insert every accepted row in one transaction (or, dry run, none).

    SQLite: the whole file is read and checked first, outside any transaction, its accepted
    rows spooled to a temporary file a chunk at a time (so a big file never sits in memory as a
    million objects); only then are they inserted, in steps (``_Importer.run_in_steps``), so
    that the database's write lock is held for the inserts only, not for the reading.
    PostgreSQL: the rows are inserted in one transaction while the rest of the file is read
    (``_ReadAhead``): the database inserts and checks one chunk while Python reads the next.
    Either way a file that turns out unreadable half way imports nothing, as does any failure
    while inserting.

    ``progress(rows, message)`` is told the rows read and checked so far, every
    ``PROGRESS_EVERY`` rows, and once more when all are saved; ``saving(saved, total)`` the
    accepted rows saved so far after every chunk.

    A customer number no customer has yet creates that customer (with the row's email address
    and ``customer_name``), unless ``new_customers`` is off: then the row is rejected.
    ``match_email``: an unknown number whose email address a customer has is that customer."""
    report = ImportReport(dry_run=dry_run)
    rows = read_rows(raw, filename, report)
    try:
        header = next(rows)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    columns = resolve_columns(header, mapping)
    customers = CustomerIndex.load(
        organisation, new_customers=new_customers, match_email=match_email
    )
    if dry_run:
        return _dry_run(organisation, rows, columns, customers, survey, report, progress)
    importer = _Importer(organisation, filename, columns, survey, report, progress)

    def record() -> None:
        audit.record(
            organisation,
            "import",
            object_type="voice.feedback",
            label=filename[:300],
            details={
                "rows": report.rows,
                "accepted": report.accepted,
                "already_imported": report.already_imported,
                "rejected": report.rejected,
                "customers_created": report.customers_created,
                "survey_id": report.survey_id,
            },
        )

    if connection.vendor == "postgresql":
        # One transaction, written while the file is still being read (``_ReadAhead``):
        # other writers do not wait for it, and a file unreadable half way rolls it back.
        checked = _checked_rows(organisation, rows, columns, customers, report, None)
        with transaction.atomic():
            importer.run_streamed(
                _ReadAhead(_chunks(checked, CHUNK_ROWS), customers, report), customers
            )
            record()
        _refresh_statistics(report.accepted)
        return report
    with _Spool() as spool:
        checked = _checked_rows(organisation, rows, columns, customers, report, progress)
        for chunk in _chunks(checked, CHUNK_ROWS):
            spool.write(chunk)
        if progress and report.rows % PROGRESS_EVERY:
            progress(report.rows, _rows_read(report.rows))
        importer.new_customers = customers.new
        importer.saving, importer.to_save = saving, spool.rows
        if not connection.in_atomic_block:
            importer.run_in_steps(spool.read(), finish=record)
        else:
            with transaction.atomic():
                importer.run(spool.read())
                record()
    _refresh_statistics(report.accepted)
    return report


logger = logging.getLogger(__name__)

ANALYZE_AFTER_ROWS = 10_000
ANALYZED_TABLES = ("voice_feedback", "analytics_dailyrollup", "analytics_monthlyrollup")


def _refresh_statistics(accepted: int) -> None:
    """After a large import on PostgreSQL, the planner's statistics of the tables it filled are
    refreshed at once (``ANALYZE`` samples a fixed number of rows: a fraction of a second).
    Until autovacuum gets there on its own, a planner that still believes the table small
    picks plans that read every new row: a themes page took 0.9 s instead of 0.08 s right
    after a million rows came in."""
    if accepted < ANALYZE_AFTER_ROWS or connection.vendor != "postgresql":
        return
    if connection.in_atomic_block:
        return  # the caller's transaction is not committed yet: autovacuum will do it
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(ANALYZED_TABLES)}")
    except DatabaseError:  # not the tables' owner: autovacuum still gets there
        logger.warning("ANALYZE after the import failed", exc_info=True)


# A checked row, compact (``import_write`` turns it into the database's values when it is
# inserted): external id, kind, channel, customer id, segment id, language, submitted at, nps,
# csat, ces, rating, subject, comment (whole; the answers keep it so).
Checked = tuple[
    str, str, str, int | None, int | None, str, datetime,
    int | None, int | None, int | None, int | None, str, str,
]  # fmt: skip


class _Spool:
    """The checked rows of a file between reading and inserting, pickled to a temporary file a
    chunk at a time (a file of a million rows would be a million objects in memory)."""

    def __enter__(self) -> _Spool:
        self.file = tempfile.TemporaryFile()  # closed by __exit__
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    rows = 0

    def write(self, chunk: list[Checked]) -> None:
        self.rows += len(chunk)
        pickle.dump(chunk, self.file, pickle.HIGHEST_PROTOCOL)

    def read(self) -> Iterator[list[Checked]]:
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)  # noqa: S301 - our own file, written above
            except EOFError:
                return


def _checked_rows(
    organisation: Organisation,
    rows: Iterator[list[Any]],
    columns: Mapping[str, int],
    customers: CustomerIndex,
    report: ImportReport,
    progress: Callable[[int, str], None] | None,
) -> Iterator[Checked]:
    """The accepted rows of the file, in order; every rejected row goes into the report."""
    first_seen: dict[str, int] = {}
    latest = timezone.now() + timedelta(days=1)  # nothing submitted in the future
    default_language = organisation.language
    get = dict(columns)
    width = max(get.values()) + 1
    cells = _cells(get)
    for line, row in enumerate(rows, start=2):
        first = row[0] if row else ""
        if not (type(first) is str and first.strip()) and not any(str(c).strip() for c in row):
            continue  # blank lines are not rows
        report.rows += 1
        if progress and report.rows % PROGRESS_EVERY == 0:
            progress(report.rows, _rows_read(report.rows))
        if len(row) < width:
            row = [*row, *[""] * (width - len(row))]
        row.append("")  # the empty cell every field the file lacks reads (index -1)
        try:
            item = _row_to_feedback(cells(row), customers, default_language, latest)
        except _RowProblem as problem:
            report.reject(RowError(line, problem.column, problem.message, problem.params))
            continue
        external_id = item[0]
        seen = first_seen.setdefault(external_id, line)
        if seen != line:
            report.reject(
                RowError(
                    line,
                    "submission_id",
                    gettext_noop("repeats the id of row %(row)s"),
                    {"row": seen},
                )
            )
            continue
        yield item


def _rows_read(rows: int) -> str:
    """The progress message while a file is read."""
    return _("%(rows)s rows read") % {"rows": rows}


def _chunks(items: Iterator[Checked], size: int) -> Iterator[list[Checked]]:
    chunk: list[Checked] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _dry_run(
    organisation: Organisation,
    rows: Iterator[list[Any]],
    columns: Mapping[str, int],
    customers: CustomerIndex,
    survey: Survey | None,
    report: ImportReport,
    progress: Callable[[int, str], None] | None,
) -> ImportReport:
    checked = _checked_rows(organisation, rows, columns, customers, report, progress)
    for chunk in _chunks(checked, CHUNK_ROWS):
        stored = _stored_ids(organisation, [item[0] for item in chunk])
        report.already_imported += len(stored)
        report.accepted += len(chunk) - len(stored)
    report.customers_created = len(customers.new)  # would be created
    report.survey_id = survey.pk if survey else None
    return report


_DONE = object()


class _ReadAhead:
    """The file's chunks, read and checked in a thread of their own while the caller writes
    the ones before (PostgreSQL). Reading is Python; inserting a chunk is mostly the
    database's work, during which the writing thread waits without holding the interpreter:
    side by side an import takes about the longer of the two instead of their sum. At most
    ``DEPTH`` chunks wait in memory. Each chunk comes with the number of new customers the file
    had named by then (``CustomerIndex.new`` only grows), which the writer creates before the
    chunk, and the rows read by then (the progress the writer reports).

    The reading thread touches no database (progress is reported by the writer) and reads in
    the caller's language (its errors are messages for the user). An error while reading
    reaches the writer, whose transaction it rolls back; an error while writing stops the
    reading."""

    DEPTH = 2

    def __init__(
        self, chunks: Iterator[list[Checked]], customers: CustomerIndex, report: ImportReport
    ) -> None:
        self._chunks = chunks
        self._customers = customers
        self._report = report
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=self.DEPTH)
        self._stop = threading.Event()
        self._language = translation.get_language()

    def _read(self) -> None:
        try:
            with translation.override(self._language):
                for chunk in self._chunks:
                    item = (chunk, len(self._customers.new), self._report.rows)
                    if not self._put(item):
                        return
            self._put(_DONE)
        except BaseException as exc:  # handed to the writer, raised there
            self._put(exc)

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[tuple[list[Checked], int, int]]:
        reader = threading.Thread(target=self._read, name="import-reader", daemon=True)
        reader.start()
        try:
            while True:
                item = self._queue.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._stop.set()
            reader.join()


class _Importer:
    """Inserts the checked rows chunk by chunk, inside the caller's transaction."""

    def __init__(
        self,
        organisation: Organisation,
        filename: str,
        columns: Mapping[str, int],
        survey: Survey | None,
        report: ImportReport,
        progress: Callable[[int, str], None] | None,
    ) -> None:
        self.organisation = organisation
        self.filename = filename
        self.columns = columns
        self.survey = survey
        self.created_survey = False
        self.report = report
        self.progress = progress
        self.saving: Callable[[int, int], None] | None = None  # (rows saved, rows to save)
        self.started = timezone.now()
        self.to_save = 0

        self.responses = 0
        self.saved = 0
        self.new_customers: list[NewCustomer] = []
        self.customer_ids: list[int] = []
        # An organisation without any stored external id (a first import) cannot hold a row
        # of this file already: no per-chunk lookups then. Repeats within the file are caught
        # while reading; the database's unique constraint stays the last guard.
        self.check_stored = True

    def run(self, chunks: Iterator[list[Checked]]) -> None:
        """Every chunk in the caller's transaction (PostgreSQL: other writers do not wait)."""
        self.check_stored = _has_external_ids(self.organisation)
        self._create_customers()
        # The rollup changes of all chunks, written once at the end: chunks of a file in no
        # particular order touch the same rollup rows over and over.
        pending: dict[Any, dict[str, int]] = {}
        for chunk in chunks:
            self._write(chunk, pending)
        self._finish(pending)

    def run_streamed(
        self, chunks: Iterable[tuple[list[Checked], int, int]], customers: CustomerIndex
    ) -> None:
        """PostgreSQL: the chunks as they are read (``_ReadAhead``), in the caller's
        transaction, each after the new customers it names. The foreign keys are checked as
        each chunk is inserted rather than all at the commit, so that the database checks while
        the next chunk is read (Django's constraints are deferred to the commit by default;
        the default is restored at the end)."""
        self.check_stored = _has_external_ids(self.organisation)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        pending: dict[Any, dict[str, int]] = {}
        for chunk, new_customers, rows_read in chunks:
            if self.progress:
                self.progress(rows_read, _rows_read(rows_read))
            if new_customers > len(self.customer_ids):
                self._create_customers(customers.new[len(self.customer_ids) : new_customers])
            self._write(chunk, pending)
        self._finish(pending)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def run_in_steps(self, chunks: Iterator[list[Checked]], finish: Callable[[], None]) -> None:
        """SQLite: a transaction per ``WRITE_STEP_ROWS`` rows, each with its rollup changes
        (at every commit the rollups equal the rows), so that the write lock is never held for
        longer than a step. Still all or nothing: the ids each step wrote are kept (SQLite
        gives the rows of one writer consecutive ids above the largest before it), and on any
        failure those rows are deleted again, with their rollups, a step at a time. Rows of an
        import in progress show in the inbox as they are written. A process killed half way
        leaves whole steps behind, counted in the rollups; the same file imported again adds
        the rest (rows already stored are recognised by their submission id)."""
        self.check_stored = _has_external_ids(self.organisation)
        written: list[tuple[int, int]] = []
        try:
            with transaction.atomic():
                self._create_customers()
            for chunk in chunks:
                for start in range(0, len(chunk), WRITE_STEP_ROWS):
                    with transaction.atomic():
                        low = _largest_feedback_id()
                        self._write(chunk[start : start + WRITE_STEP_ROWS], None)
                        high = _largest_feedback_id()
                    if high > low:
                        written.append((low, high))
            with transaction.atomic():
                self._finish({})
                finish()
        except BaseException:
            self._undo(written)
            raise

    def _create_customers(self, new: list[NewCustomer] | None = None) -> None:
        """Create ``new`` (default: all the file's new customers); their ids follow those of
        the customers created before them, in order."""
        new = self.new_customers if new is None else new
        if new:
            ids, created = create_customers(self.organisation, new)
            self.customer_ids.extend(ids)
            self.report.customers_created += created

    def _undo(self, written: list[tuple[int, int]]) -> None:
        from outsidein.voice import services

        for low, high in reversed(written):
            for start in range(low, high, WRITE_STEP_ROWS):
                with transaction.atomic():
                    rows = list(
                        Feedback.objects.filter(
                            organisation=self.organisation,
                            pk__gt=start,
                            pk__lte=min(high, start + WRITE_STEP_ROWS),
                        )
                    )
                    rollups.remove(self.organisation.pk, rows)
                    Feedback.objects.filter(pk__in=[row.pk for row in rows]).delete()
        if self.created_survey and self.survey is not None:
            services.delete_survey(self.survey)
            self.survey = None
        if self.report.customers_created:
            with transaction.atomic():
                Customer.objects.filter(
                    organisation=self.organisation,
                    pk__in=self.customer_ids,
                    created_at__gte=self.started,
                ).delete()
            self.report.customers_created = 0

    def _write(self, chunk: list[Checked], pending: dict[Any, dict[str, int]] | None) -> None:
        """Insert one chunk; its rollup changes go into ``pending`` (or are written now).
        Rows whose submission id is stored already are skipped (``already_imported``)."""
        report = self.report
        if self.survey is None and any(item[1] == _RESPONSE for item in chunk):
            self.survey = import_survey(self.organisation, self.filename, self.columns)
            self.created_survey = True
        survey = self.survey
        fresh = chunk
        if self.check_stored:
            known = _stored_ids(self.organisation, [item[0] for item in chunk])
            fresh = []
            for item in chunk:
                if item[0] not in known:
                    known.add(item[0])
                    fresh.append(item)
        changes = import_write.write(
            self.organisation.pk,
            fresh,
            survey_id=survey.pk if survey else None,
            team_id=survey.team_id if survey else None,
            customer_ids=self.customer_ids,
        )
        if pending is None:
            rollups.apply(self.organisation.pk, changes)
        else:
            import_write.merge(pending, changes)
        report.accepted += len(fresh)
        report.already_imported += len(chunk) - len(fresh)
        self.responses += sum(1 for item in fresh if item[1] == _RESPONSE)
        self.saved += len(chunk)
        if self.saving:
            self.saving(self.saved, self.to_save)

    def _finish(self, pending: dict[Any, dict[str, int]]) -> None:
        report = self.report
        if self.progress:
            self.progress(
                report.rows,
                ngettext("Saving %(n)s row", "Saving %(n)s rows", report.accepted)
                % {"n": report.accepted},
            )
        _apply_rollups(self.organisation.pk, pending)
        if self.created_survey and self.survey is not None and not self.responses:
            self.survey.delete()  # every response was imported before: keep no empty survey
            self.survey = None
        report.survey_id = self.survey.pk if self.survey else None


def _apply_rollups(organisation_id: int, changes: dict[Any, dict[str, int]]) -> None:
    """``rollups.apply`` for an import's additions. On PostgreSQL the rows go in with COPY to a
    temporary table and one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` per grain (the row by
    row upsert costs a round trip per rollup row: tens of thousands for a big file)."""
    from django.db import connection

    from outsidein.analytics.models import COUNTERS, DIMENSIONS, DailyRollup, MonthlyRollup

    changes = {k: v for k, v in changes.items() if any(v.values())}
    if connection.vendor != "postgresql" or any(v["items"] < 0 for v in changes.values()):
        rollups.apply(organisation_id, changes)
        return
    monthly: dict[Any, dict[str, int]] = {}
    for key, counts in changes.items():
        target = monthly.setdefault((key[0].replace(day=1), *key[1:]), dict.fromkeys(COUNTERS, 0))
        for name, value in counts.items():
            target[name] += value
    dimensions = DIMENSIONS[1:]
    columns = ["period", *dimensions, *COUNTERS]
    keys_from_table = ["period", *dimensions]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE import_rollup (period date, survey_id integer, "
            "segment_id integer, team_id integer, channel text, language text, kind text, "
            + ", ".join(f"{c} bigint" for c in COUNTERS)
            + ") ON COMMIT DROP"
        )
        for model, period, rows in (
            (DailyRollup, "day", changes),
            (MonthlyRollup, "month", monthly),
        ):
            cursor.execute("TRUNCATE import_rollup")
            with cursor.cursor.copy(
                f"COPY import_rollup ({', '.join(columns)}) FROM STDIN"
            ) as copy:
                for key, counts in rows.items():
                    copy.write_row([*key, *(counts[c] for c in COUNTERS)])
            table = model._meta.db_table
            keys = [period, *dimensions]
            increments = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
            cursor.execute(
                f"INSERT INTO {table} (organisation_id, {', '.join(keys)}, stripe, "  # noqa: S608
                f"{', '.join(COUNTERS)}) "
                f"SELECT %s, {', '.join(keys_from_table)}, %s, {', '.join(COUNTERS)} "
                "FROM import_rollup "
                f"ON CONFLICT (organisation_id, {', '.join(keys)}, stripe) "
                f"DO UPDATE SET {increments}",
                [organisation_id, rollups.BULK_STRIPE],
            )
        cursor.execute("DROP TABLE import_rollup")


def _largest_feedback_id() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {Feedback._meta.db_table}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0] or 0)


def _has_external_ids(organisation: Organisation) -> bool:
    return Feedback.objects.filter(organisation=organisation).exclude(external_id="").exists()


def _stored_ids(organisation: Organisation, ids: list[str]) -> set[str]:
    from outsidein.voice.services import _stored_external_ids

    return _stored_external_ids(organisation.pk, ids)


class _RowProblem(Exception):
    def __init__(self, column: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.column = column
        self.message = message
        self.params = params


def _cells(get: Mapping[str, int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """A function giving a row's cells in the order of FIELDS; a field the file lacks reads
    the last cell, the empty one appended to every row after its own cells (a column of the
    file that is not ours, wherever it stands, is never read)."""
    return operator.itemgetter(*(get.get(name, -1) for name in FIELDS))


_RESPONSE = FeedbackKind.RESPONSE.value


def _row_to_feedback(
    cells: tuple[Any, ...],
    customers: CustomerIndex,
    default_language: str,
    latest: datetime,
) -> Checked:
    (
        raw_id,
        raw_customer,
        raw_email,
        raw_name,
        raw_submitted,
        raw_channel,
        raw_nps,
        raw_csat,
        raw_ces,
        raw_comment,
        raw_language,
        raw_kind,
        raw_subject,
        raw_rating,
    ) = cells
    external_id = str(raw_id).strip()
    if not external_id:
        raise _RowProblem("submission_id", gettext_noop("is empty; every row needs its own id"))
    if len(external_id) > 120:
        raise _RowProblem("submission_id", gettext_noop("is longer than 120 characters"))
    try:
        submitted_at = parse_datetime(raw_submitted, latest)
    except Reason as exc:
        raise _RowProblem("submitted_at", exc.message, **exc.params) from None
    scores: dict[str, int | None] = {}
    for name, value in (
        ("nps", raw_nps),
        ("csat", raw_csat),
        ("ces", raw_ces),
        ("rating", raw_rating),
    ):
        try:
            scores[name] = parse_score(value, name)
        except Reason as exc:
            raise _RowProblem(name, exc.message, **exc.params) from None
    kind = str(raw_kind).strip().lower() or _RESPONSE
    if kind not in KINDS:
        raise _RowProblem(
            "kind", gettext_noop("must be one of %(kinds)s"), kinds=", ".join(sorted(KINDS))
        )
    channel = str(raw_channel).strip().lower() or Channel.IMPORT
    if channel not in CHANNELS:
        channel = Channel.OTHER
    comment = str(raw_comment).strip()
    if kind == _RESPONSE and not comment and all(v is None for v in scores.values()):
        raise _RowProblem("", gettext_noop("has no score and no comment"))
    customer = None
    customer_number = str(raw_customer).strip()
    email = str(raw_email).strip().lower()
    language = str(raw_language).strip().lower()[:2]
    if language and language not in ("nl", "en"):
        raise _RowProblem("language", gettext_noop("must be nl or en"))
    if customer_number:
        customer = customers.for_number(
            customer_number, email, str(raw_name).strip(), language or default_language
        )
    elif email:
        customer = customers.by_email.get(email)
    if not language:
        language = customer[2] if customer else default_language
    return (
        external_id,
        kind,
        channel,
        customer[0] if customer else None,
        customer[1] if customer else None,
        language,
        submitted_at,
        scores["nps"],
        scores["csat"],
        scores["ces"],
        scores["rating"],
        str(raw_subject).strip()[:200],
        comment,
    )


def _register_job() -> None:
    from outsidein.jobs.services import job_handler

    @job_handler("voice.import")
    def import_job(job: Any, report: Callable[[int, str], None]) -> dict[str, Any]:
        params = job.params
        path = Path(params["path"])
        survey = None
        if params.get("survey_id"):
            survey = Survey.objects.filter(
                organisation_id=job.organisation_id, pk=params["survey_id"]
            ).first()
        raw = path.read_bytes()
        total_guess = max(1, raw.count(b"\n"))

        shown = 0

        def at(percent: int, message: str = "") -> None:
            nonlocal shown
            shown = max(shown, min(95, percent))
            report(shown, message)

        # Reading and checking up to 45 %, then saving; on PostgreSQL rows are saved as they
        # are read, and reading is all of it.
        reading_share = 95 if connection.vendor == "postgresql" else 45

        def progress(rows: int, message: str) -> None:
            at(int(reading_share * rows / total_guess), message)

        def saving(saved: int, total: int) -> None:
            at(45 + int(50 * saved / max(1, total)))  # saving: 45 to 95 %

        try:
            result = run_import(
                job.organisation,
                raw,
                filename=params.get("filename", path.name),
                survey=survey,
                mapping=params.get("mapping") or None,
                dry_run=bool(params.get("dry_run")),
                new_customers=params.get("new_customers", True),
                match_email=bool(params.get("match_email")),
                progress=progress,
                saving=saving,
            )
        except ImportFileError as exc:
            report(100, str(exc))
            return {"file_error": str(exc), "rows": 0, "accepted": 0, "rejected": 0}
        report(
            100,
            _("%(accepted)s accepted, %(already)s already imported, %(rejected)s rejected")
            % {
                "accepted": result.accepted,
                "already": result.already_imported,
                "rejected": result.rejected,
            },
        )
        return result.to_dict()


_register_job()
