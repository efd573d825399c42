"""Reading an uploaded .csv or .xlsx safely: limits on size, unpacked size, rows, columns and cells.

Every spreadsheet import reads through :func:`read_records`. The checks come before any
parser sees the data wherever they can: the upload's size first, then, for a workbook,
the sizes its zip directory declares. Python's ``zipfile`` (which openpyxl uses) never
inflates a member past its declared size, so that check bounds everything openpyxl can
unpack, a huge ``sharedStrings.xml`` included. Rows, columns and cell lengths are
checked while the rows stream out (openpyxl in read-only mode, CSV line by line).

Each refusal is a :class:`~jewelerp.errors.JewelError` whose message says what to
change; :class:`UnsafeFile` marks those that only a crafted file (a zip bomb) triggers.
The work is CPU-bound: call it from a worker thread, never on the event loop.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from jewelerp.errors import JewelError

MB = 1024 * 1024
SUFFIXES = (".csv", ".xlsx")
CSV_DELIMITERS = (",", ";", "\t")
CSV_ENCODINGS = ("utf-8-sig", "cp1252")  # Excel on Windows saves CSV as cp1252; latin-1 reads anything else


@dataclass(frozen=True)
class SheetLimits:
    """How much one uploaded sheet may hold. ``max_rows`` counts the rows under one heading row."""

    max_bytes: int = 10 * MB
    max_rows: int = 20_000
    max_columns: int = 50
    max_cell_chars: int = 1_000
    max_unpacked: int = 50 * MB  # all members of a workbook's zip together
    max_ratio: int = 100  # unpacked size / file size; saved sheets stay far below

    @property
    def max_csv_record(self) -> int:
        """The longest CSV row text a sheet within the limits can need (every cell full of quotes)."""
        return self.max_columns * (2 * self.max_cell_chars + 3)


class UnsafeFile(JewelError):
    """The file is built to exhaust the server (a zip bomb), not a sheet someone saved."""


Record = tuple[int, list[Any]]  # the sheet row number (the first row is 1) and its cells


def read_records(filename: str, content: bytes, limits: SheetLimits) -> Generator[Record]:
    """The non-blank rows of a .csv or .xlsx file, each with its sheet row number.

    The type, size and (for a workbook) unpacked size are checked at once; rows, columns
    and cell lengths as the rows are read. Trailing empty cells are dropped. Raises
    :class:`JewelError` (:class:`UnsafeFile` for a zip bomb) with a message for the person.
    Close the generator when stopping early, so the workbook is closed.
    """
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise JewelError("Only .csv and .xlsx files can be imported. Save the sheet as .xlsx or .csv and try again.")
    if len(content) > limits.max_bytes:
        raise JewelError(f"The file is larger than {_megabytes(limits.max_bytes)} MB. Split it into smaller files.")
    if not content.strip():
        raise JewelError("The file is empty.")
    if suffix == ".csv":
        return _limited(_csv_rows(content, limits), limits)
    _check_unpacked_size(content, limits)
    return _limited(_xlsx_rows(content), limits)


def _megabytes(size: int) -> str:
    return f"{size / MB:,.0f}"


def _limited(rows: Generator[list[Any]], limits: SheetLimits) -> Generator[Record]:
    """Number the rows, skip blank ones and refuse the first one past a limit."""
    try:
        for number, raw in enumerate(rows, start=1):
            cells = _without_trailing_blanks(raw)
            if not cells:
                continue
            if number > limits.max_rows + 1:
                raise JewelError(f"The file has more than {limits.max_rows:,} rows. Split it into smaller files.")
            if len(cells) > limits.max_columns:
                raise JewelError(
                    f"Row {number} has more than {limits.max_columns} columns. Keep only the columns to import."
                )
            _check_cell_lengths(number, cells, limits.max_cell_chars)
            yield number, cells
    finally:
        rows.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _without_trailing_blanks(cells: list[Any]) -> list[Any]:
    end = len(cells)
    while end and _blank(cells[end - 1]):
        end -= 1
    return cells[:end]


def _check_cell_lengths(number: int, cells: list[Any], max_chars: int) -> None:
    for index, value in enumerate(cells):
        if isinstance(value, str) and len(value) > max_chars:
            raise JewelError(
                f"Cell {get_column_letter(index + 1)}{number} holds more than {max_chars:,} characters. Shorten it."
            )


# --- CSV --------------------------------------------------------------------------------------------


class _BoundedLines(Iterator[str]):
    """Feeds ``csv.reader`` one line at a time and refuses a row longer than the limits allow.

    ``used`` counts the characters of the row being read; the caller resets it after each row,
    so a row made of many quoted lines is bounded too.
    """

    def __init__(self, text: str, max_chars: int):
        self._lines = io.StringIO(text, newline="")
        self._max_chars = max_chars
        self.line_number = 0
        self.used = 0

    def __next__(self) -> str:
        line = self._lines.readline(self._max_chars + 1)
        if not line:
            raise StopIteration
        self.line_number += 1
        self.used += len(line)
        if self.used > self._max_chars:
            raise JewelError(
                f"Line {self.line_number} of the file is longer than a row may be. "
                "Check that it is a spreadsheet saved as .csv, and remove very long cells."
            )
        return line


def _decode(content: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def _csv_rows(content: bytes, limits: SheetLimits) -> Generator[list[Any]]:
    text = _decode(content)
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    lines = _BoundedLines(text, limits.max_csv_record)
    reader = csv.reader(lines, delimiter=max(CSV_DELIMITERS, key=first_line.count))
    try:
        for cells in reader:
            lines.used = 0
            yield cells
    except csv.Error as exc:
        raise JewelError(f"The CSV file could not be read (line {reader.line_num}: {exc}).") from None


# --- XLSX -------------------------------------------------------------------------------------------

NOT_A_WORKBOOK = "The file could not be read as an Excel workbook"


def _check_unpacked_size(content: bytes, limits: SheetLimits) -> None:
    """Refuse a workbook whose zip members declare more than the limits, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise JewelError(f"{NOT_A_WORKBOOK} ({exc}).") from None
    if unpacked > limits.max_unpacked:
        raise UnsafeFile(
            f"The workbook unpacks to more than {_megabytes(limits.max_unpacked)} MB, so it was not opened. "
            "Split it into smaller files, or save it as .csv."
        )
    if unpacked > limits.max_ratio * len(content):
        raise UnsafeFile(
            f"The workbook unpacks to more than {limits.max_ratio} times its size, which a saved sheet never does, "
            "so it was not opened. Save it again from your spreadsheet program, or as .csv."
        )


def _xlsx_rows(content: bytes) -> Generator[list[Any]]:
    """The first worksheet's rows as values (read-only openpyxl, so rows stream)."""
    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read every row there is
        for record in sheet.iter_rows(values_only=True):
            yield list(record)
    except Exception as exc:  # a damaged or crafted workbook makes openpyxl raise many kinds of error
        raise JewelError(f"{NOT_A_WORKBOOK} ({exc}).") from None
    finally:
        if workbook is not None:
            workbook.close()
