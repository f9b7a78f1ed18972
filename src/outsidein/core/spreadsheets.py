"""Writing CSV and XLSX files that a spreadsheet cannot turn into formulas.

Every export in the product goes through this module. Text written by customers, staff or an
import (comments, names, survey titles) can begin with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return, which Excel, LibreOffice and Google Sheets read as the start of a formula
(``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). So:

- in CSV such a cell is written with a leading single quote (``'=1+1``), which spreadsheets show
  as the text and never evaluate (OWASP's advice for CSV injection);
- in XLSX every text cell is typed as a string (``data_type 's'``), never a formula, and the
  characters XML cannot hold are dropped instead of failing the download.

Numbers, dates and empty cells pass unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read this text as a formula (also after leading blanks)."""
    return text.startswith(FORMULA_STARTS) or text.lstrip(" \n").startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]


class SafeWriter:
    """``csv.writer`` with every cell neutralised; same ``writerow``/``writerows``."""

    def __init__(self, handle: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(handle, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self._writer.writerow(csv_row(row))


def csv_writer(handle: Any, **kwargs: Any) -> SafeWriter:
    return SafeWriter(handle, **kwargs)


class SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """``csv.DictWriter`` with every value neutralised (the header too)."""

    def writeheader(self) -> Any:
        return self.writer.writerow(csv_row(self.fieldnames))

    def _dict_to_list(self, rowdict: Any) -> Any:
        return csv_row(super()._dict_to_list(rowdict))  # type: ignore[misc]


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Cells for ``sheet.append``: text typed as strings (never formulas), XML-safe."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cells = []
    for value in values:
        if isinstance(value, str):
            text = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(sheet, value=text)
            cell.data_type = "s"
        else:
            cell = WriteOnlyCell(sheet, value=value)
        cells.append(cell)
    return cells


def xlsx_append(sheet: Any, values: Iterable[Any]) -> None:
    sheet.append(xlsx_row(sheet, values))
