"""Billing reports: sales by local day, salesperson and category; the GST summary with credit notes and the
intra/inter-state split; totals to the paisa; permissions; the Excel export; the customer 360 section."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import PermissionDenied, ValidationError
from jewelerp.xlsx_export import INR_FORMAT
from modules.billing.customer import purchases
from modules.billing.invoices import add_piece_line, add_service_line, cancel_invoice, create_draft, issue_invoice
from modules.billing.models import Invoice, InvoiceLine
from modules.billing.rates import set_rate
from modules.billing.reports import (
    daily_sales,
    gst_summary,
    gst_table,
    parse_period,
    report_stores,
    sales_table,
    write_report,
)
from modules.billing.supply import NO_RECIPIENT, Recipient
from modules.clienteling.extension import contributed_sections
from modules.clienteling.services import CustomerInput, create_customer
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.stock.huids import new_huid

NOV_1, NOV_2, NOV_3 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)
KARNATAKA_BUYER = Recipient("12 MG Road, Bengaluru", "29", "29AAPFU0939F1ZR")  # a registered buyer: IGST


def _utc(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def stock(world) -> dict[str, int]:
    """Metals gold 22K and silver 925 with today's Mumbai rates, and the RING category."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        metals = {f"{m.metal}{m.fineness}": m.id for m in session.scalars(select(Metal))}
        set_rate(session, manager, metals["gold916"], "12000")
        set_rate(session, manager, metals["silver925"], "153")
        ring = session.scalars(select(Category.id).where(Category.code == "RING")).one()
    return {"gold": metals["gold916"], "silver": metals["silver925"], "RING": ring}


def _piece(world, stock, metal: str, grams: str) -> int:
    manager = world.actor("manager")
    huid = new_huid() if metal == "gold" else ""
    data = PieceInput(str(stock["RING"]), str(stock[metal]), grams, making_rule="percent", making_value="12", huid=huid)
    with unit_of_work(manager) as session:
        return receive_piece(session, manager, data).id


def _sell(actor, at: datetime, *, pieces=(), services=(), recipient=NO_RECIPIENT, customer_id=None) -> int:
    """Issue an invoice with the pieces and services (description, amount: repairs), then date it ``at`` (UTC)."""
    with unit_of_work(actor) as session:
        invoice = create_draft(session, actor, recipient=recipient, customer_id=customer_id)
        for piece in pieces:
            add_piece_line(session, actor, invoice.id, piece)
        for text, amount in services:
            add_service_line(session, actor, invoice.id, text, amount)
        issue_invoice(session, actor, invoice.id)
        invoice.issued_at = at
        session.add(invoice)
        return invoice.id


def _cancel(actor, invoice_id: int, at: datetime) -> None:
    """Cancel with a credit note dated ``at`` (UTC)."""
    with unit_of_work(actor) as session:
        note = cancel_invoice(session, actor, invoice_id, "Returned")
        note.created_at = at
        session.add(note)


def _sums(ids: list[int]) -> dict[str, D]:
    with read_session() as session:
        invoices = [session.get(Invoice, i) for i in ids]
    return {k: sum((getattr(x, k) for x in invoices), D("0")) for k in ("taxable", "cgst", "sgst", "igst", "total")}


@pytest.fixture
def november(world, stock) -> dict[str, int]:
    """Sales around local midnight in Mumbai (UTC+5:30), one cancelled, one to a registered buyer in Karnataka,
    one before the period."""
    sales, manager = world.actor("sales"), world.actor("manager")
    ids = {
        # 23:30 IST on 1 Nov is 18:00 UTC on 1 Nov; 00:30 IST on 2 Nov is still 1 Nov (19:00) in UTC.
        "late": _sell(sales, _utc(1, 18, 0), pieces=[_piece(world, stock, "gold", "5.120")]),
        "after_midnight": _sell(
            sales, _utc(1, 19, 0), pieces=[_piece(world, stock, "gold", "3.333")], services=[("Engraving", "250")]
        ),
        "manager": _sell(manager, _utc(2, 6, 0), pieces=[_piece(world, stock, "silver", "41.7")]),
        "interstate": _sell(
            sales, _utc(2, 9, 0), pieces=[_piece(world, stock, "gold", "2.051")], recipient=KARNATAKA_BUYER
        ),
        "cancelled": _sell(sales, _utc(2, 10, 0), pieces=[_piece(world, stock, "gold", "4.000")]),
        # 23:59 IST on 31 Oct and 00:00 IST on 4 Nov fall outside 1-3 Nov.
        "before": _sell(sales, datetime(2026, 10, 31, 18, 29, tzinfo=UTC), services=[("Cleaning", "100")]),
        "after": _sell(sales, _utc(3, 18, 30), services=[("Cleaning", "100")]),
    }
    _cancel(manager, ids["cancelled"], at=_utc(3, 5, 0))
    return ids


def _rows(report) -> list[tuple]:
    return [(r.day, r.salesperson, r.category, r.invoices) for r in report.rows]


def test_sales_are_grouped_by_the_stores_local_day_salesperson_and_category(world, november):
    manager = world.actor("manager")
    with read_session() as session:
        report = daily_sales(session, manager, NOV_1, NOV_3)
    assert _rows(report) == [
        (NOV_1, "Sales", "Gold", 1),  # 23:30 IST stays on 1 Nov
        (NOV_2, "Manager", "Silver", 1),
        (NOV_2, "Sales", "Gold", 2),  # 00:30 IST on 2 Nov (still 1 Nov in UTC) and the Karnataka sale
        (NOV_2, "Sales", "Services", 1),
    ]
    assert report.invoices == 4  # the cancelled invoice and the one at 23:59 IST on 31 Oct are left out
    assert (report.cancelled, report.cancelled_total) == (1, _sums([november["cancelled"]])["total"])


def test_sales_totals_equal_the_invoices_to_the_paisa(world, november):
    manager = world.actor("manager")
    with read_session() as session:
        report = daily_sales(session, manager, NOV_1, NOV_3)
    sold = _sums([november[k] for k in ("late", "after_midnight", "manager", "interstate")])
    assert report.taxable == sold["taxable"] == sum((r.taxable for r in report.rows), D("0"))
    assert report.gst == sold["cgst"] + sold["sgst"] + sold["igst"] == sum((r.gst for r in report.rows), D("0"))
    assert report.total == sold["total"] == sum((r.total for r in report.rows), D("0")) + report.round_off
    assert report.total == report.total.quantize(D("1"))  # invoice totals are whole rupees


def test_a_piece_line_without_a_category_is_unclassified(world, november):
    with unit_of_work() as session:
        line = session.scalars(
            select(InvoiceLine).where(InvoiceLine.invoice_id == november["manager"], InvoiceLine.kind == "piece")
        ).one()
        line.category = ""
        session.add(line)
    with read_session() as session:
        report = daily_sales(session, world.actor("manager"), NOV_2, NOV_2)
    assert ("Manager", "Unclassified") in {(r.salesperson, r.category) for r in report.rows}


def test_gst_summary_splits_intra_and_inter_state_and_reduces_credit_notes(world, november):
    manager = world.actor("manager")
    with read_session() as session:
        report = gst_summary(session, manager, NOV_1, NOV_3)
    summary = [(r.section, r.supply, r.buyers, r.place, r.hsn, r.rate, r.document) for r in report.rows]
    assert summary == [
        ("Invoices", "Intra-state", "B2C", "27 · Maharashtra", "7113", D("3"), "4 invoices"),  # one cancelled since
        ("Invoices", "Intra-state", "B2C", "27 · Maharashtra", "9987", D("18"), "1 invoice"),  # the engraving
        ("Invoices", "Inter-state", "B2B", "29 · Karnataka", "7113", D("3"), "1 invoice"),
        ("Credit notes", "Intra-state", "B2C", "27 · Maharashtra", "7113", D("3"), report.rows[3].document),
    ]
    assert report.rows[3].document.startswith("MUM/C") and "/00001 against MUM/" in report.rows[3].document
    engraving = report.rows[1]
    assert (engraving.taxable, engraving.cgst, engraving.sgst) == (D("250.00"), D("22.50"), D("22.50"))  # 9% each

    inter = report.rows[2]
    karnataka = _sums([november["interstate"]])
    assert (inter.cgst, inter.sgst, inter.igst) == (D("0"), D("0"), karnataka["igst"]) and inter.igst > 0
    issued = _sums([november[k] for k in ("late", "after_midnight", "manager", "interstate", "cancelled")])
    invoice_rows = [r for r in report.rows if r.section == "Invoices"]
    for key in ("taxable", "cgst", "sgst", "igst"):
        assert sum((getattr(r, key) for r in invoice_rows), D("0")) == issued[key]
    cancelled = _sums([november["cancelled"]])
    assert (report.rows[3].taxable, report.rows[3].cgst) == (-cancelled["taxable"], -cancelled["cgst"])
    kept = _sums([november[k] for k in ("late", "after_midnight", "manager", "interstate")])
    assert [report.net(k) for k in ("taxable", "cgst", "sgst", "igst")] == [
        kept[k] for k in ("taxable", "cgst", "sgst", "igst")
    ]
    assert (report.invoices, report.credit_notes) == (5, 1)


def test_a_credit_note_counts_in_the_period_it_was_written(world, november):
    with read_session() as session:
        before = gst_summary(session, world.actor("manager"), NOV_1, NOV_2)
        written = gst_summary(session, world.actor("manager"), NOV_3, NOV_3)
    assert (before.invoices, before.credit_notes) == (5, 0)
    assert [r.section for r in written.rows] == ["Credit notes"] and written.net("taxable") < 0


def test_only_those_who_may_see_reports_get_them(world, november):
    with read_session() as session:
        for who in ("sales", "designer"):
            with pytest.raises(PermissionDenied):
                daily_sales(session, world.actor(who), NOV_1, NOV_3)
            with pytest.raises(PermissionDenied):
                gst_summary(session, world.actor(who), NOV_1, NOV_3)


def test_every_store_covers_the_stores_where_the_manager_may_report(world, november):
    delhi = world.actor("manager", world.dl)
    _sell(delhi, _utc(2, 12, 0), services=[("Polishing", "800")])
    with read_session() as session:
        assert [s.code for s in report_stores(session, world.actor("manager"), every_store=True)] == ["DEL", "MUM"]
        one = daily_sales(session, world.actor("manager"), NOV_1, NOV_3)
        both = daily_sales(session, world.actor("manager"), NOV_1, NOV_3, every_store=True)
        gst = gst_table(gst_summary(session, delhi, NOV_1, NOV_3))
    assert {r.store for r in one.rows} == {"MUM"}
    assert {r.store for r in both.rows} == {"DEL", "MUM"} and both.invoices == one.invoices + 1
    assert "store" in [c.key for c in sales_table(both).columns]
    assert "store" not in [c.key for c in gst.columns]
    assert [(r["supply"], r["buyers"], r["place"], r["hsn"], r["rate"], r["taxable"]) for r in gst.rows] == [
        ("Intra-state", "B2C", "07 · Delhi", "9987", "18%", D("800.00"))
    ]


def test_a_bad_period_names_its_field():
    assert parse_period(" 2026-11-01", "2026-11-30 ") == (date(2026, 11, 1), date(2026, 11, 30))
    with pytest.raises(ValidationError) as err:
        parse_period("1 Nov", "")
    assert set(err.value.fields) == {"date_from", "date_to"}
    with pytest.raises(ValidationError) as err:
        parse_period("2026-11-30", "2026-11-01")
    assert "before the first day" in err.value.fields["date_to"]
    with pytest.raises(ValidationError) as err:
        parse_period("2026-01-01", "2027-01-02")
    assert "at most 366 days" in err.value.fields["date_to"]


def test_the_export_holds_the_reports_cells_and_never_a_formula(world, november, tmp_path):
    with unit_of_work() as session:
        invoice = session.get(Invoice, november["manager"])
        invoice.created_by = "=HYPERLINK(1)"
        session.add(invoice)
    with read_session() as session:
        table = sales_table(daily_sales(session, world.actor("manager"), NOV_1, NOV_3))
    path = tmp_path / table.filename
    write_report(path, table)
    sheet = load_workbook(path).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert sheet["E3"].number_format == sheet["G3"].number_format == INR_FORMAT  # rupees in lakhs and crores
    assert sheet["A3"].number_format == "dd mmm yyyy" and sheet["D3"].data_type == "n"
    assert cells[1] == ["Date", "Salesperson", "Category", "Invoices", "Taxable value", "GST", "Total"]
    first = table.rows[0]
    assert cells[2][:4] == [datetime(2026, 11, 1), "Sales", "Gold", 1]
    assert D(str(cells[2][4])) == first["taxable"] and D(str(cells[2][6])) == first["total"]
    formula = sheet.cell(row=4, column=2)
    assert (formula.value, formula.data_type) == ("=HYPERLINK(1)", "s")
    total = next(row for row in cells if row[0] == "Total")
    assert total[3] == 4 and D(str(total[6])) == table.footer[-1]["total"]
    assert cells[-1][0].startswith("Not counted: 1 invoice issued in the period and cancelled since (total ₹")
    assert table.filename == "sales-2026-11-01-to-2026-11-03.xlsx"


def _customer(actor, name: str, phone: str) -> int:
    with unit_of_work(actor) as session:
        return create_customer(session, actor, CustomerInput(name=name, phone=phone)).id


def test_the_customer_360_lists_the_customers_invoices_newest_first(world, stock):
    sales = world.actor("sales")
    meera, anil = _customer(sales, "Meera Shah", "9820012345"), _customer(sales, "Anil Rao", "9820054321")
    first = _sell(sales, _utc(1, 10, 0), services=[("Polishing", "500")], customer_id=meera)
    second = _sell(sales, _utc(2, 10, 0), pieces=[_piece(world, stock, "gold", "2.000")], customer_id=meera)
    _sell(sales, _utc(3, 10, 0), services=[("Polishing", "100")], customer_id=anil)
    _cancel(world.actor("manager"), first, _utc(3, 10, 0))
    with read_session() as session:
        section = purchases(session, sales, meera)
        assert purchases(session, world.actor("designer"), meera) is None  # may not see invoices
        assert purchases(session, world.actor("manager", world.dl), meera) is None  # another store's invoices
        assert purchases(session, sales, _customer(sales, "Ira Kapoor", "9820011111")) is None
        assert "Invoices" in [s["title"] for s in contributed_sections(session, sales, meera)]  # the manifest hook
        issued = session.get(Invoice, second)
    assert section["title"] == "Invoices"
    assert [key for key, _label in section["columns"]] == ["number", "date", "total", "paid", "balance", "status"]
    assert [(r["number"], r["date"], r["status"]) for r in section["rows"]] == [
        (issued.number, "02 Nov 2026", "Issued"),
        (section["rows"][1]["number"], "01 Nov 2026", "Cancelled"),
    ]
    assert section["rows"][0]["total"] == section["rows"][0]["balance"] != "₹0.00"
    assert (section["rows"][0]["paid"], section["rows"][1]["balance"]) == ("₹0.00", "—")


def test_the_customer_360_shows_at_most_twenty_invoices(world):
    sales = world.actor("sales")
    customer = _customer(sales, "Meera Shah", "9820012345")
    for day in range(1, 23):
        _sell(sales, _utc(day, 6, 0), services=[("Cleaning", "100")], customer_id=customer)
    with read_session() as session:
        rows = purchases(session, sales, customer)["rows"]
    assert len(rows) == 20 and rows[0]["date"] == "22 Nov 2026" and rows[-1]["date"] == "03 Nov 2026"
