"""Excel exports with typed cells, streamed: every list, report and error sheet is written here.

xlsxwriter in ``constant_memory`` mode writes each row to disk as it comes, so a 100,000-row export holds one
row in memory. The sheet has a title row naming the filters used, a frozen header row, column widths and an
autofilter. Amounts are numbers in an Indian-grouping rupee format, weights numbers with three decimals, dates
real dates. Text always goes in with ``write_string``: a customer called ``=HYPERLINK(...)`` stays text and never
runs as a formula (DESIGN.md, Exports).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from jewelerp.columns import Column, Kind

LAKH, CRORE = 100_000, 10_000_000


def indian_formats(symbol: str, decimals: int) -> tuple[str, tuple[str, str, str]]:
    """Number formats with Indian grouping (1,50,000.50 and 2,10,00,000.00): the one for values of zero and
    more, and those for negative values below a lakh, in lakhs and in crores.

    A format code holds at most two conditions, which go to crores and lakhs. Whatever meets neither falls into
    the last section, and there Excel puts a minus in front of a negative value while LibreOffice drops it, so
    a negative value gets a plain ``positive;negative`` format chosen by its size instead, shown alike by both.
    """
    tail = "." + "0" * decimals if decimals else ""
    prefix = f'"{symbol}"' if symbol else ""
    small, lakhs, crores = f"#,##0{tail}", f"##\\,##\\,##0{tail}", f"##\\,##\\,##\\,##0{tail}"
    positive = f"[>={CRORE}]{prefix}{crores};[>={LAKH}]{prefix}{lakhs};{prefix}{small}"
    negatives = tuple(f"{prefix}{code};-{prefix}{code}" for code in (small, lakhs, crores))
    return positive, negatives  # type: ignore[return-value]


INR_FORMAT, INR_NEGATIVE = indian_formats("₹", 2)
INTEGER_FORMAT, INTEGER_NEGATIVE = indian_formats("", 0)
NEGATIVE_FORMATS: dict[Kind, tuple[str, str, str]] = {Kind.MONEY: INR_NEGATIVE, Kind.INTEGER: INTEGER_NEGATIVE}
NUMBER_FORMATS: dict[Kind, str] = {
    Kind.MONEY: INR_FORMAT,
    Kind.WEIGHT: "0.000",
    Kind.INTEGER: INTEGER_FORMAT,
    Kind.DECIMAL: "0.00##",
    Kind.PERCENT: "0.00%",
    Kind.DATE: "dd mmm yyyy",
    Kind.DATETIME: "dd mmm yyyy hh:mm",
}
WIDTHS: dict[Kind, int] = {
    Kind.MONEY: 16,
    Kind.WEIGHT: 11,
    Kind.INTEGER: 10,
    Kind.DECIMAL: 11,
    Kind.PERCENT: 9,
    Kind.DATE: 12,
    Kind.DATETIME: 17,
}
MEASURED_ROWS = 500  # text columns are as wide as their longest value in the first rows
MAX_WIDTH = 60
PROGRESS_EVERY = 1_000
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def _percent(value: Any) -> float:
    return float(value) / 100


def _same(value: Any) -> Any:
    return value


def sheet_title(title: str, filters: Sequence[tuple[str, str]]) -> str:
    """The title row: ``Invoices — Status: Issued; Search: gold`` or ``Invoices — every record``."""
    used = "; ".join(f"{label}: {value}" for label, value in filters)
    return f"{title} — {used or 'every record'}"


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its name (also the title row's start), columns, rows (typed values per column
    key) and the (filter, value) pairs its title row names."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any]]
    filters: Sequence[tuple[str, str]] = ()


def write_table(
    path: Path,
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    title: str,
    *,
    filters: Sequence[tuple[str, str]] = (),
    progress: Callable[[int], None] | None = None,
    titled: bool = True,
) -> int:
    """Write ``rows`` (typed values per column key) to the workbook at ``path``; returns how many were written.

    ``filters`` are the (filter, value) pairs named in the title row; ``progress`` is called with the rows
    written so far every :data:`PROGRESS_EVERY` rows. Without ``titled`` the header is the first row (a sheet
    meant to be filled in and imported again). If anything fails the half-written file is removed and the
    error propagates.
    """
    return write_sheets(path, [Sheet(title, columns, rows, filters)], progress=progress, titled=titled)


def write_sheets(
    path: Path,
    sheets: Iterable[Sheet],
    *,
    progress: Callable[[int], None] | None = None,
    titled: bool = True,
) -> int:
    """Write each of ``sheets`` as a sheet of the workbook at ``path``, as :func:`write_table` writes one;
    returns the rows written in all (``progress`` hears the running total). If anything fails the
    half-written file is removed and the error propagates."""
    try:
        with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
            book = xlsxwriter.Workbook(
                str(path),
                {"constant_memory": True, "tmpdir": scratch, "remove_timezone": True, "strings_to_formulas": False},
            )
            formats = _formats(book)
            written = 0
            for sheet in sheets:
                heading = sheet_title(sheet.title, sheet.filters) if titled else None
                written += _write_sheet(book, formats, sheet, heading, written, progress)
            book.close()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(written)
    return written


@dataclass(frozen=True)
class _Formats:
    """The workbook's cell formats, made once: numbers per kind, negatives of Indian-grouped kinds, the title
    row and the header row."""

    styles: dict[Kind, Any]
    negatives: dict[Kind, list[Any]]
    title: Any
    header: Any


def _formats(book: xlsxwriter.Workbook) -> _Formats:
    return _Formats(
        styles={kind: book.add_format({"num_format": code}) for kind, code in NUMBER_FORMATS.items()},
        negatives={
            kind: [book.add_format({"num_format": c}) for c in codes] for kind, codes in NEGATIVE_FORMATS.items()
        },
        title=book.add_format({"bold": True, "font_size": 12}),
        header=book.add_format({"bold": True, "bottom": 1, "bg_color": "#F2F2F2"}),
    )


def _write_sheet(
    book: xlsxwriter.Workbook,
    formats: _Formats,
    source: Sheet,
    heading: str | None,
    before: int,
    progress: Callable[[int], None] | None,
) -> int:
    """Write one sheet; ``before`` rows were written in earlier sheets (for ``progress``)."""
    columns = list(source.columns)
    sheet = book.add_worksheet(SHEET_NAME_BAD.sub(" ", source.title)[:31].strip() or "Export")
    styles = formats.styles
    plans = _plans(sheet, columns, styles, formats.negatives)
    header_row = 0 if heading is None else 1
    if heading is not None:
        sheet.write_string(0, 0, heading, formats.title)
    for index, column in enumerate(columns):
        sheet.write_string(header_row, index, column.label, formats.header)
    sheet.freeze_panes(header_row + 1, 0)
    write_string = sheet.write_string
    widths = [width for *_, width in plans]
    cells = [plan[:-1] for plan in plans]
    written = 0
    for written, row in enumerate(source.rows, start=1):
        row_number = header_row + written
        measuring = written <= MEASURED_ROWS
        get = row.get
        for index, key, typed, write, convert, style, negatives in cells:
            value = get(key)
            if value is None:
                continue
            if value.__class__ is str:
                if value:
                    write_string(row_number, index, value)
                    if measuring and len(value) > widths[index]:
                        widths[index] = min(len(value), MAX_WIDTH)
            elif typed:
                value = convert(value)
                if negatives is not None and value < 0:
                    style = negatives[0 if value > -LAKH else 1 if value > -CRORE else 2]
                write(row_number, index, value, style)
            else:
                _write_untyped(sheet, row_number, index, value, styles)
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(before + written)
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width + 2)
    sheet.autofilter(header_row, 0, header_row + written, max(len(columns) - 1, 0))
    return written


Plan = tuple[int, str, bool, Callable[..., int], Callable[[Any], Any], Any, list[Any] | None, int]


def _plans(sheet: Any, columns: list[Column], styles: dict[Kind, Any], negatives: dict[Kind, list[Any]]) -> list[Plan]:
    """Per column: its index, key, whether it is typed, the write method, the conversion of a value, its number
    format, the formats of negative values (Indian-grouped columns) and its starting width."""
    plans: list[Plan] = []
    for index, column in enumerate(columns):
        kind = Kind(column.kind)
        if kind in (Kind.DATE, Kind.DATETIME):
            write, convert = sheet.write_datetime, _same
        else:
            write, convert = sheet.write_number, _percent if kind is Kind.PERCENT else float
        width = max(WIDTHS.get(kind, 8), len(column.label) + 2)  # room for the autofilter's arrow
        typed = kind is not Kind.TEXT
        plans.append((index, column.key, typed, write, convert, styles.get(kind), negatives.get(kind), width))
    return plans


def _write_untyped(sheet: Any, row: int, index: int, value: Any, styles: dict[Kind, Any]) -> None:
    """A value in a column declared as text: a number or date still goes in as one, anything else as text."""
    if isinstance(value, datetime):
        sheet.write_datetime(row, index, value, styles[Kind.DATETIME])
    elif isinstance(value, date):
        sheet.write_datetime(row, index, value, styles[Kind.DATE])
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        sheet.write_number(row, index, float(value))
    else:
        sheet.write_string(row, index, str(value))
