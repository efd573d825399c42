"""Estimates: EST numbers and validity, read-only once quoted, never touching stock, and conversion to an
invoice in one step at the quoted prices (refused after the validity date or when a piece was sold)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from jewelerp.auth import actor as actor_clock
from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work, utcnow
from jewelerp.errors import JewelError, NotFound, ValidationError
from modules.billing import rates
from modules.billing.estimates import convert_estimate, create_estimate, linked_document, quote_estimate
from modules.billing.invoices import (
    add_piece_line,
    add_service_line,
    create_draft,
    issue_invoice,
    remove_line,
    set_customer_pan,
)
from modules.billing.models import Invoice, InvoiceLine
from modules.billing.pricing import Discount
from modules.billing.rates import set_rate
from modules.billing.supply import Recipient
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Category, Metal, Piece
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.stock.huids import new_huid


def do(actor, fn, *args, **kwargs):
    """Run one service call in its own unit of work."""
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def gold_22k(world, rate: str = "12000") -> int:
    """Stock's default masters, and today's 22K gold rate in Mumbai; returns the metal's id."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        metal = session.scalars(select(Metal).where(Metal.metal == "gold", Metal.fineness == 916)).one().id
        set_rate(session, manager, metal, rate)
    return metal


def ring(world, metal: int, grams: str = "5.120") -> int:
    """A 22K ring received in Mumbai; returns its id."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        category = session.scalars(select(Category).where(Category.code == "RING")).one()
        data = PieceInput(
            str(category.id), str(metal), grams, making_rule="percent", making_value="12", wastage_pct="10"
        )
        data.huid = new_huid()  # a 22K ring is hallmarked
        return receive_piece(session, manager, data).id


def fetch(model, record_id: int):
    """A fresh copy of one row."""
    with read_session() as session:
        return session.get(model, record_id)


def count_invoices() -> int:
    """How many invoices (not estimates) exist."""
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(Invoice).where(Invoice.kind == "invoice"))


@pytest.fixture
def clock(monkeypatch) -> Callable[[int], None]:
    """``clock(2)`` moves the stores' today (``Actor.today()``) two days on."""
    real = utcnow()

    def move(days: int) -> None:
        monkeypatch.setattr(actor_clock, "utcnow", lambda: real + timedelta(days=days))

    return move


def _quoted(world, metal: int, piece: int, **customer) -> Invoice:
    sales = world.actor("sales")
    estimate = do(sales, create_estimate, customer_name="Meera Shah", **customer).id
    do(sales, add_piece_line, estimate, piece)
    return do(sales, quote_estimate, estimate)


# ---------------------------------------------------------------------------- quoting


def test_quoting_numbers_the_estimate_in_its_own_series_and_sets_the_validity(world):
    metal = gold_22k(world)
    sales = world.actor("sales")
    first = _quoted(world, metal, ring(world, metal))
    today = sales.today()
    assert first.status == "quoted" and first.kind == "estimate"
    assert first.number.startswith("MUM/E") and first.number.endswith("/00001")
    assert first.valid_until == today + timedelta(days=7)

    with unit_of_work(world.actor("manager")) as session:
        set_setting(session, world.actor("manager"), world.mum, "billing.estimate_validity_days", "3")
    second = _quoted(world, metal, ring(world, metal))
    assert second.number.startswith("MUM/E") and second.number.endswith("/00002")
    assert second.valid_until == today + timedelta(days=3)

    invoice = do(sales, create_draft).id  # invoices keep their own series
    do(sales, add_piece_line, invoice, ring(world, metal))
    year = first.number[5:9]  # MUM/E2627/00001: the first invoice is MUM/2627/000001
    assert do(sales, issue_invoice, invoice).number == f"MUM/{year}/000001"


def test_a_quoted_estimate_is_read_only_and_is_never_issued(world):
    metal = gold_22k(world)
    sales = world.actor("sales")
    draft = do(sales, create_estimate).id
    with pytest.raises(JewelError, match="Add a piece or a service"):
        do(sales, quote_estimate, draft)
    do(sales, add_service_line, draft, "Engraving", "500")
    with pytest.raises(JewelError, match="An estimate is not issued"):
        do(sales, issue_invoice, draft)
    quoted = _quoted(world, metal, ring(world, metal))
    line = do(sales, lambda s, a: s.scalars(select(InvoiceLine.id).where(InvoiceLine.invoice_id == quoted.id)).one())
    for attempt in (
        lambda: do(sales, add_service_line, quoted.id, "Polishing", "300"),
        lambda: do(sales, remove_line, line),
        lambda: do(sales, set_customer_pan, quoted.id, "ABCDE1234F"),
    ):
        with pytest.raises(JewelError, match=f"Estimate {quoted.number} is quoted: it cannot be changed"):
            attempt()
    with pytest.raises(JewelError, match="already quoted"):
        do(sales, quote_estimate, quoted.id)
    with pytest.raises(JewelError, match="cannot be changed"):
        do(sales, issue_invoice, quoted.id)
    assert fetch(Invoice, quoted.id).total == quoted.total


def test_a_large_estimate_needs_the_pan_before_it_is_quoted(world):
    sales = world.actor("sales")
    estimate = do(sales, create_estimate).id
    do(sales, add_service_line, estimate, "Custom necklace work", "250000")
    with pytest.raises(ValidationError) as refused:
        do(sales, quote_estimate, estimate)
    assert "customer_pan" in refused.value.fields
    do(sales, set_customer_pan, estimate, "abcde1234f")
    assert do(sales, quote_estimate, estimate).status == "quoted"


def test_estimates_never_reserve_or_sell_pieces(world):
    metal = gold_22k(world)
    piece = ring(world, metal)
    _quoted(world, metal, piece)
    assert fetch(Piece, piece).status == "in_stock"
    other = _quoted(world, metal, piece)  # the same piece may be quoted to two customers
    assert other.status == "quoted" and fetch(Piece, piece).status == "in_stock"


def test_estimates_of_another_store_are_not_found(world):
    metal = gold_22k(world)
    quoted = _quoted(world, metal, ring(world, metal))
    delhi = world.actor("manager", world.dl)
    for fn in (quote_estimate, convert_estimate, linked_document):
        with pytest.raises(NotFound):
            do(delhi, fn, quoted.id)


# ---------------------------------------------------------------------------- converting


def test_converting_within_validity_issues_an_invoice_at_the_quoted_rate(world, clock):
    metal = gold_22k(world, "12000")
    piece = ring(world, metal)
    quoted = _quoted(world, metal, piece, recipient=Recipient("4 Hill Road, Pune", "27"))
    quoted_on = quoted.invoice_date
    clock(2)
    manager = world.actor("manager")
    later = manager.today()
    assert later == quoted_on + timedelta(days=2)
    do(manager, set_rate, metal, "13000")  # the rate of the conversion day is higher
    assert do(manager, lambda s, a: rates.rate_on(s, a.store_id, metal, later)) == D("13000.00")

    sales = world.actor("sales")
    invoice = do(sales, convert_estimate, quoted.id)
    assert invoice.status == "issued" and invoice.kind == "invoice" and invoice.number.endswith("/000001")
    assert (invoice.priced_on, invoice.invoice_date) == (quoted_on, later)
    assert (invoice.total, invoice.taxable, invoice.cgst) == (quoted.total, quoted.taxable, quoted.cgst)
    assert invoice.customer_name == "Meera Shah"
    assert (invoice.customer_address, invoice.customer_state_code, invoice.place_of_supply) == (
        "4 Hill Road, Pune",
        "27",
        "27",
    )
    with read_session() as session:
        line = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)).one()
        quoted_line = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == quoted.id)).one()
        assert line.rate == D("12000.00") and line.piece_id == piece
        assert (line.amount, line.breakdown) == (quoted_line.amount, quoted_line.breakdown)
    estimate = fetch(Invoice, quoted.id)
    assert (estimate.status, estimate.converted_to_id) == ("converted", invoice.id)
    assert fetch(Piece, piece).status == "sold"
    assert do(sales, linked_document, quoted.id).id == invoice.id
    assert do(sales, linked_document, invoice.id).id == quoted.id
    with pytest.raises(JewelError, match="already converted"):
        do(sales, convert_estimate, quoted.id)


def test_converting_after_the_validity_date_is_refused(world, clock):
    metal = gold_22k(world)
    piece = ring(world, metal)
    quoted = _quoted(world, metal, piece)
    clock(8)
    with pytest.raises(JewelError, match=f"valid until {quoted.valid_until:%d %b %Y}"):
        do(world.actor("sales"), convert_estimate, quoted.id)
    assert fetch(Invoice, quoted.id).status == "quoted" and count_invoices() == 0
    assert fetch(Piece, piece).status == "in_stock"


def test_converting_on_the_last_valid_day_works(world, clock):
    metal = gold_22k(world)
    quoted = _quoted(world, metal, ring(world, metal))
    clock(7)
    assert do(world.actor("sales"), convert_estimate, quoted.id).status == "issued"


def test_converting_when_the_piece_was_sold_meanwhile_changes_nothing(world):
    metal = gold_22k(world)
    piece = ring(world, metal)
    quoted = _quoted(world, metal, piece)
    sales = world.actor("sales")
    other = do(sales, create_draft).id
    do(sales, add_piece_line, other, piece)
    do(sales, issue_invoice, other)
    with pytest.raises(JewelError, match="is not in stock"):
        do(sales, convert_estimate, quoted.id)
    estimate = fetch(Invoice, quoted.id)
    assert (estimate.status, estimate.converted_to_id) == ("quoted", None)
    assert count_invoices() == 1


def test_converting_draft_estimates_is_refused(world):
    sales = world.actor("sales")
    estimate = do(sales, create_estimate).id
    do(sales, add_service_line, estimate, "Engraving", "500")
    with pytest.raises(JewelError, match="Quote the estimate before converting"):
        do(sales, convert_estimate, estimate)


def test_a_conversion_that_needs_approval_leaves_a_draft_waiting_for_a_manager(world):
    metal = gold_22k(world)
    piece = ring(world, metal)
    sales = world.actor("sales")
    estimate = do(sales, create_estimate).id
    do(sales, add_piece_line, estimate, piece, Discount("percent", D("10")))
    quoted = do(sales, quote_estimate, estimate)
    invoice = do(sales, convert_estimate, quoted.id)
    assert (invoice.status, invoice.approval) == ("draft", "pending")
    assert "above the 5% limit" in invoice.approval_reason
    assert fetch(Invoice, quoted.id).status == "converted" and fetch(Piece, piece).status == "in_stock"
