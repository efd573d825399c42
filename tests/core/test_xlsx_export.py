"""The one Excel writer: typed cells, formats, the title and header rows, text never a formula, no half files."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jewelerp.columns import Column, Kind, shown_row
from jewelerp.xlsx_export import INR_FORMAT, write_table

COLUMNS = (
    Column("name", "Customer"),
    Column("total", "Total", kind=Kind.MONEY),
    Column("net", "Net weight", kind=Kind.WEIGHT),
    Column("pieces", "Pieces", kind=Kind.INTEGER),
    Column("wastage", "Wastage", kind=Kind.PERCENT),
    Column("on", "Date", kind=Kind.DATE),
    Column("at", "Entered at", kind=Kind.DATETIME),
    Column("purity", "Fineness", kind=Kind.DECIMAL),
)
ROW = {
    "name": "Asha Rao",
    "total": D("210000.50"),
    "net": D("5.120"),
    "pieces": 3,
    "wastage": D("12.5"),
    "on": date(2026, 12, 6),
    "at": datetime(2026, 12, 6, 14, 5),
    "purity": D("91.6"),
}


def _write(tmp_path: Path, rows: list[dict], **kwargs) -> Path:
    path = tmp_path / "out.xlsx"
    write_table(path, COLUMNS, rows, "Invoices", **kwargs)
    return path


def test_numbers_are_numbers_and_dates_are_dates_with_their_formats(tmp_path):
    sheet = load_workbook(_write(tmp_path, [ROW])).active
    cells = {c.column_letter: c for c in sheet[3]}
    assert cells["A"].value == "Asha Rao"
    assert (cells["B"].value, cells["B"].number_format) == (210000.5, INR_FORMAT)
    assert (cells["C"].value, cells["C"].number_format) == (5.12, "0.000")
    assert cells["D"].value == 3 and isinstance(cells["D"].value, int)
    assert (cells["E"].value, cells["E"].number_format) == (0.125, "0.00%")  # 12.5 % is 0.125 in Excel
    assert cells["F"].value == datetime(2026, 12, 6) and cells["F"].is_date
    assert cells["F"].number_format == "dd mmm yyyy"
    assert cells["G"].value == datetime(2026, 12, 6, 14, 5) and cells["G"].number_format == "dd mmm yyyy hh:mm"
    assert cells["H"].value == 91.6


def test_the_title_names_the_filters_the_header_is_frozen_and_filtered(tmp_path):
    rows = [ROW, {**ROW, "name": "Bina"}, {**ROW, "name": "Chitra"}]
    sheet = load_workbook(_write(tmp_path, rows, filters=[("Status", "Issued"), ("Search", "gold")])).active
    assert sheet["A1"].value == "Invoices — Status: Issued; Search: gold"
    assert [c.value for c in sheet[2]] == [c.label for c in COLUMNS]
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:H5"  # the header and the three rows
    assert sheet.column_dimensions["A"].width >= len("Customer") + 2
    assert sheet.max_row == 5


def test_without_filters_the_title_says_every_record_and_an_empty_list_still_has_its_header(tmp_path):
    sheet = load_workbook(_write(tmp_path, [])).active
    assert sheet["A1"].value == "Invoices — every record"
    assert sheet["A2"].value == "Customer" and sheet.max_row == 2


def test_an_untitled_sheet_starts_with_its_header(tmp_path):
    sheet = load_workbook(_write(tmp_path, [ROW], titled=False)).active
    assert sheet["A1"].value == "Customer" and sheet["A2"].value == "Asha Rao" and sheet.freeze_panes == "A2"


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil")', "+91 98200 11111", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_looking_text_stays_text(tmp_path, text):
    sheet = load_workbook(_write(tmp_path, [{**ROW, "name": text}])).active
    cell = sheet["A3"]
    # xlsxwriter escapes a carriage return as _x000D_ (Excel reads it back as one; openpyxl leaves it as is)
    assert (cell.value.replace("_x000D_", "\r"), cell.data_type) == (text, "s")


def test_a_note_in_a_typed_column_is_text_and_blanks_stay_blank(tmp_path):
    sheet = load_workbook(_write(tmp_path, [{**ROW, "total": "hidden", "net": None, "pieces": ""}])).active
    assert (sheet["B3"].value, sheet["B3"].data_type) == ("hidden", "s")
    assert sheet["C3"].value is None and sheet["D3"].value is None


def test_numbers_in_a_text_column_are_still_numbers(tmp_path):
    path = tmp_path / "plain.xlsx"
    write_table(path, (Column("a", "A"), Column("b", "B")), [{"a": D("93622.25"), "b": date(2026, 11, 1)}], "Plain")
    sheet = load_workbook(path).active
    assert sheet["A3"].value == 93622.25 and sheet["B3"].value == datetime(2026, 11, 1)


def test_negative_amounts_get_a_format_for_their_size(tmp_path):
    rows = [{**ROW, "total": D(v)} for v in ("-0.40", "-150000", "-21000000")]
    sheet = load_workbook(_write(tmp_path, rows)).active
    formats = [sheet[f"B{r}"].number_format for r in (3, 4, 5)]
    assert sheet["B3"].value == -0.4
    assert formats == [
        '"₹"#,##0.00;-"₹"#,##0.00',
        '"₹"##\\,##\\,##0.00;-"₹"##\\,##\\,##0.00',
        '"₹"##\\,##\\,##\\,##0.00;-"₹"##\\,##\\,##\\,##0.00',
    ]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (Debian libreoffice-calc-nogui) not installed")
def test_libreoffice_shows_amounts_in_lakhs_and_crores(tmp_path):
    amounts = ("150000.50", "21000000", "99999", "0", "-0.40", "-150000", "-21000000")
    path = tmp_path / "amounts.xlsx"
    rows = [{"total": D(v), "pieces": int(D(v))} for v in amounts]
    write_table(path, (COLUMNS[1], COLUMNS[3]), rows, "Amounts")
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    shown = list(csv.reader((tmp_path / "amounts.csv").open(encoding="utf-8")))[2:]
    assert [row[0] for row in shown] == [
        "₹1,50,000.50",
        "₹2,10,00,000.00",
        "₹99,999.00",
        "₹0.00",
        "-₹0.40",
        "-₹1,50,000.00",
        "-₹2,10,00,000.00",
    ]
    assert [row[1] for row in shown] == ["1,50,000", "2,10,00,000", "99,999", "0", "0", "-1,50,000", "-2,10,00,000"]


def test_progress_is_told_every_thousand_rows_and_at_the_end(tmp_path):
    seen: list[int] = []
    assert write_table(tmp_path / "p.xlsx", COLUMNS, [ROW] * 2500, "Invoices", progress=seen.append) == 2500
    assert seen == [1000, 2000, 2500]


def test_a_failure_leaves_no_file(tmp_path):
    folder = tmp_path / "token"
    folder.mkdir()
    path = folder / "out.xlsx"
    path.touch()  # as new_export leaves it

    def rows():
        yield ROW
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        write_table(path, COLUMNS, rows(), "Invoices")
    assert list(folder.iterdir()) == []  # neither the half file nor the writer's scratch files


def test_the_page_shows_typed_values_as_before():
    shown = shown_row(COLUMNS, {**ROW, "id": 7, "_link": "/x/7", "pieces": 12345})
    assert shown == {
        "name": "Asha Rao",
        "total": "₹2,10,000.50",
        "net": "5.120 g",
        "pieces": "12,345",
        "wastage": "12.5%",
        "on": "06 Dec 2026",
        "at": "06 Dec 2026 14:05",
        "purity": "91.6",
        "id": "7",
        "_link": "/x/7",
    }
    assert Column("total", "Total", kind=Kind.MONEY, shown=lambda v: f"{v:.0f}").text(D("5.5")) == "6"
