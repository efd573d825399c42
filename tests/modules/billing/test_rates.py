"""Daily metal rates: entry, corrections, validation, permissions, the missing-rate stop, the import,
and what stock gets from billing (valuation rates and tag prices)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from jewelerp.core.models import AuditLog
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.ui.table_query import TableQuery
from modules.billing.importer import import_rows, preview, read_rows
from modules.billing.models import BillingMetalRate
from modules.billing.rates import RATE_HISTORY, rate_on, require_rate, set_rate, todays_rates
from modules.billing.tag_price import piece_price, tag_price
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal
from modules.stock.pieces import PieceInput, receive_piece
from modules.stock.valuation import valuation
from tests.modules.stock.huids import new_huid


@pytest.fixture
def metals(world) -> dict[tuple[str, int], int]:
    with unit_of_work() as session:
        ensure_default_masters(session)
        return {(m.metal, m.fineness): m.id for m in session.scalars(select(Metal))}


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _rate(store_id: int, metal_id: int, on: date) -> Decimal | None:
    with read_session() as session:
        return rate_on(session, store_id, metal_id, on)


def test_a_rate_is_kept_per_store_metal_and_day_and_a_correction_replaces_it(world, metals):
    manager, gold = world.actor("manager"), metals[("gold", 916)]
    today = manager.today()
    row = _do(manager, set_rate, str(gold), "12,000.50")
    assert (row.rate, row.on, row.store_id, row.entered_by) == (Decimal("12000.50"), today, world.mum, "Manager")
    _do(manager, set_rate, gold, "11990", today - timedelta(days=1))
    _do(manager, set_rate, gold, "12010")  # today's correction
    _do(world.actor("manager", world.dl), set_rate, gold, "12100")
    assert _rate(world.mum, gold, today) == Decimal("12010.00")
    assert _rate(world.mum, gold, today - timedelta(days=1)) == Decimal("11990.00")
    assert _rate(world.mum, gold, today - timedelta(days=2)) is None  # exact day only, never an earlier rate
    assert _rate(world.dl, gold, today) == Decimal("12100.00")
    with read_session() as session:
        assert len(session.scalars(select(BillingMetalRate).where(BillingMetalRate.store_id == world.mum)).all()) == 2
        audit = session.scalars(
            select(AuditLog).where(AuditLog.record_type == "billing_metal_rate", AuditLog.record_id == str(row.id))
        ).all()
        assert len(audit) == 2 and "12010" in audit[-1].changes  # the correction is in the audit log
        rows = {r["metal"]: r for r in todays_rates(session, manager)}
        assert rows["Gold 22K (916)"]["rate"] == Decimal("12010.00") and rows["Gold 18K (750)"]["rate"] is None
        history, total = RATE_HISTORY.fetch(session, manager, TableQuery())
        assert total == 2 and history[0]["rate"] == "₹12,010.00/g" and history[0]["metal"] == "Gold 22K (916)"


def test_bad_rates_name_each_field_and_save_nothing(world, metals):
    manager, gold = world.actor("manager"), metals[("gold", 916)]
    tomorrow = manager.today() + timedelta(days=1)
    for bad in ("0", "-5", "12000.555", "twelve", ""):
        with pytest.raises(ValidationError) as err:
            _do(manager, set_rate, gold, bad)
        assert set(err.value.fields) == {"rate"}, bad
    with pytest.raises(ValidationError) as err:
        _do(manager, set_rate, "", "12000", tomorrow)
    assert set(err.value.fields) == {"metal_id", "on"}
    with read_session() as session:
        assert session.scalars(select(BillingMetalRate)).first() is None


def test_only_managers_enter_rates(world, metals):
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), set_rate, metals[("gold", 916)], "12000")
    with read_session() as session:
        assert len(todays_rates(session, world.actor("sales"))) == 9  # but everyone may see them


def test_a_missing_rate_stops_a_sale_with_a_clear_message(world, metals):
    manager, gold = world.actor("manager"), metals[("gold", 916)]
    with read_session() as session, pytest.raises(JewelError) as err:
        require_rate(session, manager, gold, date(2026, 11, 27))
    assert err.value.message == "No gold 22K rate entered for 27 Nov 2026 in MUM; enter today's rates first."
    _do(manager, set_rate, gold, "12000")
    with read_session() as session:
        assert require_rate(session, manager, gold) == Decimal("12000.00")
        with pytest.raises(JewelError, match="No silver 925 rate entered"):
            require_rate(session, manager, metals[("silver", 925)])


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_previews_row_by_row_then_saves_only_the_good_rows(world, metals):
    manager, gold = world.actor("manager"), metals[("gold", 916)]
    today = manager.today()
    yesterday = today - timedelta(days=1)
    _do(manager, set_rate, gold, "11900", yesterday)
    content = (
        "Date,Metal,Purity,Rate\n"
        f"{yesterday:%d-%m-%Y},Gold,22K,12000\n"  # corrects yesterday
        f'{today:%Y-%m-%d},gold,916,"12,050.50"\n'  # purity given as fineness
        f"{today:%d/%m/%Y},Silver,925,153\n"
        f"{today + timedelta(days=1):%d-%m-%Y},Gold,18K,9825\n"  # the future
        f"{today:%d-%m-%Y},Gold,21K,9000\n"  # unknown purity
        f"{today:%d-%m-%Y},Platinum,950,0\n"  # bad rate
        f"someday,Gold,14K,7665\n"  # bad date
        f"{today:%d %b %Y},Gold,22K,12060\n"  # same day and metal as row 3
    ).encode()
    rows = read_rows("rates.csv", content)
    with read_session() as session:
        report = preview(session, manager, rows)
    assert (report.total, report.good, report.errors) == (8, 3, 5)
    by_row = {r.row: r for r in report.rows}
    assert by_row[2].status == "ok" and by_row[2].message == "Replaces ₹11,900.00/g."
    assert "is after today" in by_row[5].message
    assert "Gold 21K is not a known metal" in by_row[6].message
    assert by_row[7].message.startswith("Rate: Enter rupees per gram")
    assert by_row[8].message.startswith("Date:")
    assert by_row[9].message == "Row 3 of this file has a rate for the same day and metal."
    assert _rate(world.mum, gold, yesterday) == Decimal("11900.00")  # the preview wrote nothing

    report = _do(manager, import_rows, rows)
    assert report.imported == 3
    assert _rate(world.mum, gold, yesterday) == Decimal("12000.00")
    assert _rate(world.mum, gold, today) == Decimal("12050.50")
    assert _rate(world.mum, metals[("silver", 925)], today) == Decimal("153.00")
    assert _rate(world.dl, gold, today) is None  # imported into the actor's store only


def test_import_reads_xlsx_with_fineness_and_date_cells_and_refuses_bad_files(world, metals):
    manager = world.actor("manager")
    today = manager.today()
    rows = read_rows("r.xlsx", _xlsx([["Date", "Metal", "Fineness", "Rate (₹/g)"], [today, "Platinum", 950, 4400.5]]))
    report = _do(manager, import_rows, rows)
    assert report.imported == 1 and _rate(world.mum, metals[("platinum", 950)], today) == Decimal("4400.50")
    with pytest.raises(JewelError, match="Only .csv and .xlsx"):
        read_rows("r.pdf", b"x")
    with pytest.raises(JewelError, match=r"Missing column\(s\): rate, purity \(or fineness\)"):
        read_rows("r.csv", b"Date,Metal\n01-01-2026,Gold\n")
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), import_rows, rows)


def test_an_import_that_fails_part_way_writes_nothing(world, metals, monkeypatch):
    manager, gold = world.actor("manager"), metals[("gold", 916)]
    today = manager.today()
    rows = read_rows(
        "r.csv", f"Date,Metal,Purity,Rate\n{today:%d-%m-%Y},Gold,22K,12000\n{today:%d-%m-%Y},Gold,18K,9800\n".encode()
    )
    from modules.billing import importer

    real, calls = importer.write_rate, []

    def second_fails(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args)

    monkeypatch.setattr(importer, "write_rate", second_fails)
    with pytest.raises(RuntimeError):
        _do(manager, import_rows, rows)
    assert _rate(world.mum, gold, today) is None


def _ring(world, metals, net: str = "5.120", metal=("gold", 916)) -> int:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        category = session.scalars(select(Category).where(Category.code == "RING")).one()
        data = PieceInput(
            str(category.id),
            str(metals[metal]),
            net,
            making_rule="percent",
            making_value="12",
            wastage_pct="10",
            huid=new_huid() if metal[0] == "gold" else "",
        )
        return receive_piece(session, manager, data).id


def test_stock_valuation_uses_billings_rate_of_the_day(world, metals):
    manager, gold = world.actor("manager"), metals[("gold", 916)]
    _ring(world, metals, "2.000")
    with read_session() as session:
        line = next(x for x in valuation(session, manager).lines if x.store_id == world.mum)
        assert line.rate is None  # no rate anywhere yet
    _do(manager, set_rate, gold, "12000")
    with read_session() as session:
        line = next(x for x in valuation(session, manager).lines if x.store_id == world.mum)
    assert (line.rate, line.source, line.value) == (Decimal("12000.00"), "Billing", Decimal("24000.00"))


def test_the_tag_price_is_todays_price_from_the_engine(world, metals):
    manager = world.actor("manager")
    piece_id = _ring(world, metals)
    with read_session() as session:
        assert tag_price(session, manager, piece_id) is None  # no rate today
    _do(manager, set_rate, metals[("gold", 916)], "12000")
    with read_session() as session:
        breakdown = piece_price(session, manager, piece_id)
        # 5.12 g × 12,000 = 61,440; wastage 6,144; making 12% = 7,372.80; hallmark 45 (gold 22K is hallmarked)
        assert breakdown.taxable == Decimal("75001.80")
        assert tag_price(session, manager, piece_id) == "₹77,252"
