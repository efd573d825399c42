"""Document numbers within CGST Rule 46(b): at most 16 characters of letters, digits and "/", unique per
financial year; the count continues across the change from the old ``MUM/2026-27/000123`` format; a store code
too long for 16 characters and a series that has used all its numbers are refused and write nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from jewelerp.core.models import Store
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError
from modules.billing import numbering
from modules.billing.invoices import add_service_line, cancel_invoice, create_draft, issue_invoice
from modules.billing.models import CreditNote, Invoice, NumberCounter
from modules.billing.numbering import (
    BOOKING,
    CREDIT_NOTE,
    ESTIMATE,
    INVOICE,
    RECEIPT,
    declare_series,
    financial_year,
    format_number,
    next_number,
)
from modules.loyalty.schemes import RECEIPT_SERIES, SCHEME_SERIES

RULE_46_CHARACTERS = re.compile(r"^[A-Za-z0-9/-]{1,16}$")


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _counter(store_id: int, key: str) -> int | None:
    with read_session() as session:
        return session.scalars(
            select(NumberCounter.last).where(NumberCounter.store_id == store_id, NumberCounter.series == key)
        ).first()


def _issued_service_invoice(world) -> Invoice:
    sales = world.actor("sales")
    draft = _do(sales, create_draft, customer_name="Asha Rao").id
    _do(sales, add_service_line, draft, "Polishing", "1000")
    return _do(sales, issue_invoice, draft)


def test_the_format_is_store_mark_year_and_count():
    # 2026-27 is written 2627; invoices: no mark, 6 digits; other series: one letter, 5 digits.
    assert format_number("MUM", "2026-27", INVOICE, 123) == "MUM/2627/000123"
    assert format_number("MUM", "2026-27", CREDIT_NOTE, 4) == "MUM/C2627/00004"
    assert format_number("MUM", "2026-27", RECEIPT, 12) == "MUM/R2627/00012"
    assert format_number("DEL", "2099-00", ESTIMATE, 1) == "DEL/E9900/00001"
    assert format_number("MUM", "2026-27", BOOKING, 7) == "MUM/A2627/00007"
    assert format_number("MUM", "2026-27", SCHEME_SERIES, 3) == "MUM/S2627/00003"
    assert format_number("MUM", "2026-27", RECEIPT_SERIES, 9) == "MUM/P2627/00009"


@pytest.mark.parametrize("series", [INVOICE, CREDIT_NOTE, RECEIPT, ESTIMATE, BOOKING, SCHEME_SERIES, RECEIPT_SERIES])
def test_every_series_fits_16_characters_with_a_four_character_store_code_up_to_its_last_number(series):
    # "ABCD" (4) + "/" (1) + mark and year (4 or 5) + "/" (1) + count (6 or 5) = 16 either way.
    last = format_number("ABCD", "2026-27", series, 10**series.digits - 1)
    assert len(last) == 16 and RULE_46_CHARACTERS.match(last)
    with pytest.raises(JewelError, match="would exceed 16 characters"):
        format_number("ABCD", "2026-27", series, 10**series.digits)


def test_series_may_not_share_a_mark_or_a_key():
    assert declare_series("CN", "C", "credit note") == CREDIT_NOTE  # declaring the same series again is harmless
    with pytest.raises(ValueError, match="clashes"):
        declare_series("XYZ", "C", "another")  # its numbers would be MUM/C2627/..., the credit notes'
    with pytest.raises(ValueError, match="clashes"):
        declare_series("CN", "X", "another")  # two formats on one counter
    with pytest.raises(ValueError, match="one capital letter"):
        declare_series("XYZ", "XY", "another")  # a two-letter mark would push the number past 16
    assert "XYZ" not in numbering._DECLARED


def test_the_count_continues_from_old_format_numbers_issued_earlier_in_the_year(world):
    """Three invoices and one credit note issued this year in the old format: the next ones are 4 and 2."""
    manager = world.actor("manager")
    fy = financial_year(manager.today())
    year = fy[2:4] + fy[5:7]  # "2026-27" -> "2627"
    with unit_of_work(manager) as session:
        for n in (1, 2, 3):
            session.add(Invoice(store_id=world.mum, number=f"MUM/{fy}/{n:06d}", status="issued", financial_year=fy))
        session.add(NumberCounter(store_id=world.mum, financial_year=fy, series=INVOICE.key, last=3))
        session.add(NumberCounter(store_id=world.mum, financial_year=fy, series=CREDIT_NOTE.key, last=1))

    invoice = _issued_service_invoice(world)
    assert invoice.number == f"MUM/{year}/000004" and invoice.financial_year == fy
    note = _do(manager, cancel_invoice, invoice.id, "Wrong customer")
    assert note.number == f"MUM/C{year}/00002"
    assert (_counter(world.mum, "INV"), _counter(world.mum, "CN")) == (4, 2)
    with read_session() as session:
        numbers = list(session.scalars(select(Invoice.number).where(Invoice.store_id == world.mum)))
    serials = sorted(int(n.rsplit("/", 1)[1]) for n in numbers)
    assert serials == [1, 2, 3, 4]  # no serial issued twice in the year, whatever its format


def test_a_store_code_longer_than_four_characters_is_refused_and_nothing_is_written(world):
    sales = world.actor("sales")
    with unit_of_work() as session:
        session.get(Store, world.mum).code = "MUMBA"  # an older store saved when codes of 8 were allowed
    draft = _do(sales, create_draft, customer_name="Asha Rao").id
    _do(sales, add_service_line, draft, "Polishing", "1000")
    with pytest.raises(JewelError, match=r"Store code MUMBA is longer than 4 characters.*Rule 46\(b\)"):
        _do(sales, issue_invoice, draft)
    with read_session() as session:
        invoice = session.get(Invoice, draft)
        assert (invoice.status, invoice.number) == ("draft", None)
    assert _counter(world.mum, "INV") is None  # the counter row went back with the refusal

    with unit_of_work() as session:
        session.get(Store, world.mum).code = "MUMB"  # shortened under Settings → Stores: the same draft issues
    assert _do(sales, issue_invoice, draft).number.startswith("MUMB/")


def test_a_series_that_has_used_all_its_numbers_this_year_refuses_the_next(world):
    manager = world.actor("manager")
    invoice = _issued_service_invoice(world)
    fy = invoice.financial_year
    with unit_of_work() as session:
        counter = session.get(NumberCounter, (world.mum, fy, CREDIT_NOTE.key))
        assert counter is None
        session.add(NumberCounter(store_id=world.mum, financial_year=fy, series=CREDIT_NOTE.key, last=99_999))
    with pytest.raises(JewelError, match="used all 99,999 credit note numbers"):
        _do(manager, cancel_invoice, invoice.id, "Wrong customer")
    with read_session() as session:
        assert session.get(Invoice, invoice.id).status == "issued"
        assert session.scalar(select(func.count()).select_from(CreditNote)) == 0
    assert _counter(world.mum, "CN") == 99_999


def test_numbers_restart_each_financial_year_and_stay_unique_by_their_year(world):
    def take(on: date) -> str:
        with unit_of_work() as session:
            return next_number(session, world.mum, "MUM", RECEIPT, on)

    # 31 March 2027 is the last day of 2026-27; 1 April 2027 starts 2027-28 at 1 again.
    assert [take(date(2027, 3, 31)), take(date(2027, 4, 1)), take(date(2027, 3, 31))] == [
        "MUM/R2627/00001",
        "MUM/R2728/00001",
        "MUM/R2627/00002",
    ]
