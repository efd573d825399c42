"""Customer import: reading .csv and .xlsx, the preview, the all-or-nothing import, the error report."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied
from modules.clienteling import importer
from modules.clienteling.importer import ROW_KEY, error_report_xlsx, import_rows, preview, read_rows
from modules.clienteling.models import Customer
from modules.clienteling.services import CustomerInput, create_customer

CSV = (
    "Name,Mobile,Email,DOB,Ring size,Favourite colour\n"
    "Asha Rao,98200 33333,asha@example.in,23-04-1990,12,red\n"
    "Bad Phone,12345,,,,\n"
    ",,,,,\n"
    "Chetan Shah,,chetan@example.in,1985-01-02,,blue\n"
)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _count() -> int:
    with read_session() as session:
        return session.execute(select(func.count()).select_from(Customer)).scalar_one()


def _preview(actor, rows):
    with read_session() as session:
        return preview(session, actor, rows)


def _import(actor, rows):
    with unit_of_work(actor) as session:
        return import_rows(session, actor, rows)


def _by_row(report) -> dict[int, importer.RowReport]:
    return {r.row: r for r in report.rows}


def test_csv_with_friendly_headers_is_read_with_sheet_row_numbers():
    rows = read_rows("customers.csv", CSV.encode("utf-8-sig"))
    assert [r[ROW_KEY] for r in rows] == ["2", "3", "5"]  # the blank line 4 is skipped, numbers are kept
    first = rows[0]
    assert (first["name"], first["phone"], first["email"]) == ("Asha Rao", "98200 33333", "asha@example.in")
    assert (first["date_of_birth"], first["ring_size_in"]) == ("1990-04-23", "12")  # DD-MM-YYYY -> ISO
    assert rows.ignored_columns == ["Favourite colour"]


def test_excel_csv_in_cp1252_and_semicolons_is_read():
    content = "Customer name;Phone;Notes\nJosé Müller;+49 30 901820;café\n".encode("cp1252")
    rows = read_rows("export.CSV", content)
    assert (rows[0]["name"], rows[0]["notes"]) == ("José Müller", "café")


def test_xlsx_cells_become_text_and_dates_become_iso():
    content = _xlsx(
        [
            ["NAME", "Phone Number", "Alternate phone", "Date of birth", "Anniversary", "Min price (₹)", "Tags"],
            ["Deepa Nair", 9820044444, None, datetime(1991, 5, 6), "07/08/2015", 50000.0, "bridal"],
        ]
    )
    (row,) = read_rows("book.xlsx", content)
    assert row["name"] == "Deepa Nair" and row["phone"] == "9820044444" and row["alt_phone"] == ""
    assert (row["date_of_birth"], row["anniversary"], row["price_min"]) == ("1991-05-06", "2015-08-07", "50000")
    assert row[ROW_KEY] == "2"


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("customers.xls", b"anything", "Only .csv and .xlsx"),
        ("customers.csv", b"", "empty"),
        ("customers.csv", b"Name,Phone\n", "no customer rows"),
        ("customers.csv", b"Phone,Email\n9820012345,a@b.in\n", "No Name column"),
        ("customers.csv", b"x" * (importer.LIMITS.max_bytes + 1), "larger than 10 MB"),
        ("customers.xlsx", b"not a zip file", "could not be read as an Excel workbook"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(filename, content, message):
    with pytest.raises(JewelError, match=message):
        read_rows(filename, content)


def test_more_than_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr(importer, "LIMITS", replace(importer.LIMITS, max_rows=3))
    content = "Name\n" + "".join(f"Person {i}\n" for i in range(4))
    with pytest.raises(JewelError, match="more than 3 rows"):
        read_rows("big.csv", content.encode())
    assert len(read_rows("ok.csv", b"Name\nA\nB\nC\n")) == 3


def test_preview_reports_each_row_and_writes_nothing(world):
    report = _preview(world.actor("manager"), read_rows("customers.csv", CSV.encode()))
    assert (report.total, report.good, report.errors, report.imported) == (3, 2, 1, 0)
    bad = _by_row(report)[3]
    assert (bad.name, bad.status) == ("Bad Phone", "error")
    assert bad.message == "Phone: This is not a valid phone number; include the country code if it is not Indian."
    assert _by_row(report)[2].status == _by_row(report)[5].status == "ok"
    assert report.ignored_columns == ["Favourite colour"]
    assert _count() == 0


def test_duplicates_of_a_customer_and_within_the_file_are_reported(world):
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        existing = create_customer(session, manager, CustomerInput(name="Esha Old", phone="+91 98200 55555"))
    rows = read_rows(
        "dupes.csv",
        (
            b"Name,Phone,Email\n"
            b"Esha New,098200-55555,\n"  # the existing customer's phone typed another way
            b"Farah Ali,,farah@example.in\n"
            b"Farah A.,,FARAH@example.in\n"  # same email as row 3
            b"Gita Sen,9820066666,\n"
        ),
    )
    report = _preview(manager, rows)
    rows_by_number = _by_row(report)
    assert rows_by_number[2].status == "duplicate"
    assert rows_by_number[2].message == f"Esha Old (customer #{existing.id}) already has this phone."
    assert (rows_by_number[4].status, rows_by_number[4].message) == (
        "duplicate",
        "Row 3 of this file has the same email.",
    )
    assert (report.good, report.duplicates) == (2, 2)
    result = _import(manager, rows)
    assert (result.imported, _count()) == (2, 3)


def test_import_inserts_only_the_good_rows_in_the_actors_store(world):
    manager = world.actor("manager")
    report = _import(manager, read_rows("customers.csv", CSV.encode()))
    assert (report.total, report.imported, report.errors) == (3, 2, 1)
    with read_session() as session:
        customers = {c.name: c for c in session.scalars(select(Customer))}
    assert set(customers) == {"Asha Rao", "Chetan Shah"}
    asha = customers["Asha Rao"]
    assert (asha.phone, asha.date_of_birth, asha.ring_size_in) == ("+919820033333", date(1990, 4, 23), 12)
    assert (asha.store_id, asha.birth_month, asha.birth_day) == (world.mum, 4, 23)


def test_consent_columns_set_the_consent_and_its_time(world):
    manager = world.actor("manager")
    rows = read_rows(
        "c.csv", b"Name,Phone,SMS consent,WhatsApp consent\nHari Om,9820077777,yes,no\nIla,9820088888,maybe,\n"
    )
    report = _import(manager, rows)
    assert _by_row(report)[3].message == "SMS consent: write yes or no."
    with read_session() as session:
        hari = session.scalars(select(Customer)).one()
    assert (hari.consent_sms, hari.consent_whatsapp) == (True, False) and hari.consent_sms_at is not None


def test_a_failure_part_way_leaves_nothing_written(world, monkeypatch):
    manager = world.actor("manager")
    rows = read_rows(
        "four.csv", b"Name,Phone\nA One,9820010001\nB Two,9820010002\nC Three,9820010003\nD Four,9820010004\n"
    )
    real, calls = importer._insert, []

    def failing_insert(session, actor, values, data):
        calls.append(values["name"])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(session, actor, values, data)

    monkeypatch.setattr(importer, "_insert", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        _import(manager, rows)
    assert calls == ["A One", "B Two", "C Three"] and _count() == 0


def test_too_long_text_is_a_row_error_not_a_failed_import(world):
    rows = read_rows("long.csv", f"Name,Phone\n{'N' * 130},9820012121\nOk Name,9820012122\n".encode())
    report = _import(world.actor("manager"), rows)
    assert _by_row(report)[2].message == "Name: keep it to 120 characters (this has 130)."
    assert (report.imported, _count()) == (1, 1)


def test_only_holders_of_the_import_permission_may_preview_or_import(world):
    rows = read_rows("customers.csv", CSV.encode())
    sales = world.actor("sales")
    with pytest.raises(PermissionDenied):
        _preview(sales, rows)
    with pytest.raises(PermissionDenied):
        _import(sales, rows)
    assert _count() == 0


def test_the_error_report_lists_the_bad_rows_under_importable_headings(world, tmp_path):
    report = _preview(world.actor("manager"), read_rows("customers.csv", CSV.encode()))
    path = tmp_path / "errors.xlsx"
    assert error_report_xlsx(path, report) == 1
    sheet = list(load_workbook(path).active.values)
    assert sheet[0] == ("Row", "Status", "Problem", "Name", "Phone")
    assert sheet[1][:2] == ("3", "error") and sheet[1][3:] == ("Bad Phone", "12345")
    assert "not a valid phone number" in sheet[1][2]
    again = read_rows("errors.xlsx", path.read_bytes())  # the fixed sheet can go straight back in
    assert (again[0]["name"], again.ignored_columns) == ("Bad Phone", ["Row", "Status", "Problem"])
