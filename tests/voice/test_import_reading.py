"""Reading import files: a quoted cell that spans lines is named with the rows it swallowed, a
very large cell is called what it is, and UTF-16 (Excel's "Unicode text") is read."""

from __future__ import annotations

from typing import Any

import pytest

from outsidein.voice.imports import (
    CELL_LIMIT,
    ImportFileError,
    ImportReport,
    read_rows,
    run_import,
)
from tests.conftest import Tenant

HEADER = b"submission_id,submitted_at,nps,comment\n"


def _read(raw: bytes, name: str = "f.csv") -> tuple[list[list[Any]], ImportReport]:
    report = ImportReport()
    return list(read_rows(raw, name, report)), report


def test_an_unclosed_quote_names_the_rows_it_swallowed() -> None:
    raw = HEADER + (
        b'u1,2026-03-01,6,"Goed\n'
        b"u2,2026-03-02,9,Prima\n"
        b"u3,2026-03-03,3,Slecht\n"
        b"u4,2026-03-04,8,ok\n"
    )
    rows, report = _read(raw)
    assert len(rows) == 2  # the header and one merged row: said out loud below
    (warning,) = report.warnings
    assert "quote opened on line 2" in warning
    assert "lines 3, 4, 5" in warning


@pytest.mark.django_db
def test_the_import_report_carries_the_warning(tenant: Tenant) -> None:
    raw = HEADER + b'u1,2026-03-01,6,"Goed\nu2,2026-03-02,9,Prima\nu3,2026-03-03,3,Slecht\n'
    report = run_import(tenant.organisation, raw, filename="x.csv", dry_run=True)
    assert any("lines 3, 4" in warning for warning in report.warnings)


def test_a_comment_with_line_breaks_is_read_and_mentioned() -> None:
    rows, report = _read(
        HEADER + b'u1,2026-03-01,6,"Goed\nmet een tweede regel"\nu2,2026-03-02,9,x\n'
    )
    assert rows[1][3] == "Goed\nmet een tweede regel" and rows[2][0] == "u2"
    assert report.warnings and "several lines" in report.warnings[0]


@pytest.mark.parametrize("quoted", [True, False])
def test_a_ten_megabyte_cell_is_called_too_large_not_an_unclosed_quote(quoted: bool) -> None:
    cell = b"x" * 10_000_000
    value = b'"' + cell + b'"' if quoted else cell
    raw = HEADER + b"u1,2026-03-01,6," + value + b"\nu2,2026-03-02,9,Prima\n"
    with pytest.raises(ImportFileError) as caught:
        _read(raw)
    message = str(caught.value)
    assert "too large" in message and f"{CELL_LIMIT:,}" in message
    assert "quote" not in message


def test_a_large_cell_under_the_limit_is_accepted() -> None:
    rows, report = _read(HEADER + b'u1,2026-03-01,6,"' + b"y" * 500_000 + b'"\n')
    assert len(rows[1][3]) == 500_000 and not report.warnings


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_unicode_text_is_read(encoding: str) -> None:
    text = "submission_id\tsubmitted_at\tnps\tcomment\r\nu1\t2026-03-01\t6\tCafé, prima\r\n"
    rows, report = _read(text.encode(encoding), "export.txt")
    assert rows[0] == ["submission_id", "submitted_at", "nps", "comment"]
    assert rows[1] == ["u1", "2026-03-01", "6", "Café, prima"]
    assert not report.warnings


@pytest.mark.django_db
def test_an_excel_unicode_text_file_imports(tenant: Tenant) -> None:
    text = "submission_id\tsubmitted_at\tnps\tcomment\r\nu1\t2026-03-01\t6\tCafé\r\n"
    report = run_import(tenant.organisation, text.encode("utf-16"), filename="x.txt")
    assert (report.rows, report.accepted) == (1, 1)
