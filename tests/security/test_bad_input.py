"""Finding 10: values out of any sensible range, text longer than its column and control characters in
search get a message beside the field (a ValidationError naming it) and write nothing; none raises an
unhandled exception (``1e30``, ``NaN`` and ``Infinity`` used to escape as decimal.InvalidOperation,
₹1e17 as an integer overflow on write, a NUL in search as a database error)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from jewelerp.core.tables import STAFF
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import ValidationError
from jewelerp.testing import World, disable_everywhere
from jewelerp.ui.table_query import TableQuery
from jewelerp.validation import SEARCH_MAX, clean_search
from modules.billing.bookings import monthly_plan
from modules.billing.invoices import add_old_gold, add_service_line, create_draft, issue_invoice
from modules.billing.models import Invoice, InvoiceLine, Payment
from modules.billing.old_gold import OldGoldEntry
from modules.billing.payments import take_payment
from modules.billing.rates import set_rate
from modules.billing.supply import Recipient
from modules.clienteling.models import Customer
from modules.clienteling.services import CustomerInput, create_customer
from modules.clienteling.tables import CUSTOMERS
from modules.repairs.models import Job
from modules.repairs.tables import JOBS
from modules.stock.masters import MetalInput, ensure_default_masters, save_metal
from modules.stock.models import Category, Metal, Piece
from modules.stock.pieces import PieceInput, StoneInput, receive_piece
from modules.stock.tables import PIECES
from tests.modules.repairs.intake import customer, intake

HUGE = ("1e30", "NaN", "Infinity", "-Infinity", "sNaN", "1e17")
LONG = "x" * 100_000


@pytest.fixture
def world(world: World) -> World:
    """Stores and staff; repairs takes its own money (the repairs × billing bridge is off)."""
    with unit_of_work() as session:
        ensure_default_masters(session)
    return disable_everywhere(world, "repairs_billing")


def _count(model) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _refused(actor, work, field: str) -> None:
    """``work(session, actor)`` raises a ValidationError naming ``field``."""
    with pytest.raises(ValidationError) as refused, unit_of_work(actor) as session:
        work(session, actor)
    assert field in refused.value.fields, refused.value.fields


def _metal(fineness: int = 916) -> int:
    with read_session() as session:
        return session.scalars(select(Metal.id).where(Metal.metal == "gold", Metal.fineness == fineness)).one()


def test_customer_text_past_its_column_dates_before_1900_and_huge_budgets_are_refused(world):
    sales = world.actor("sales")

    def add(**fields):
        return lambda s, a: create_customer(s, a, CustomerInput(**({"name": "Kavya", "phone": "9820012345"} | fields)))

    for field, value in (("name", LONG), ("address", LONG), ("email", f"{LONG}@example.in"), ("notes", LONG)):
        _refused(sales, add(**{field: value}), field)  # before: stored whole, past the declared length
    _refused(sales, add(date_of_birth="1800-01-01"), "date_of_birth")
    _refused(sales, add(anniversary="1850-06-01"), "anniversary")
    for value in (*HUGE, "100000000.01"):
        _refused(sales, add(price_max=value), "price_max")  # before: InvalidOperation, or an overflow on write
    assert _count(Customer) == 0


def test_search_with_control_characters_or_huge_filters_reaches_no_database_error(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    with unit_of_work(sales) as session:
        create_customer(session, sales, CustomerInput(name="Kavya Iyer", phone="9820012345"))
    for spec, actor in ((CUSTOMERS, sales), (CUSTOMERS, manager), (JOBS, sales), (PIECES, manager), (STAFF, manager)):
        for typed in ("kav\x00ya", "\x00", "a\x00b\x00c", "98200\x00", "\x1b[2J" * 50):
            with read_session() as session:
                spec.fetch(session, actor, TableQuery(search=typed))  # before: sqlite3 "unterminated string"
    with read_session() as session:
        assert CUSTOMERS.fetch(session, sales, TableQuery(search="Kavya\x00"))[1] == 1
        huge = {"salesperson": "9" * 30, "birth_month": "9" * 30, "anniversary_month": "²"}
        assert CUSTOMERS.fetch(session, sales, TableQuery(filters=huge))[1] == 1  # before: OverflowError
    assert clean_search("k\x00a\tv\n" + "y" * 500) == "k a v " + "y" * (SEARCH_MAX - 6)


def test_invoice_lines_past_their_range_are_refused_and_write_nothing(world):
    sales = world.actor("sales")
    with unit_of_work(sales) as session:
        invoice_id = create_draft(session, sales, customer_name="Ira Kapoor").id
    for value in (*HUGE, "1e16", "100000000.01", "0"):
        _refused(sales, lambda s, a, v=value: add_service_line(s, a, invoice_id, "Polishing", v), "amount")
    _refused(sales, lambda s, a: add_service_line(s, a, invoice_id, LONG, "500"), "description")

    def old_gold(**typed: str) -> OldGoldEntry:
        entry = OldGoldEntry("gold", "916", "5", "5", "0", "passport", "K1234567", "Ira Kapoor", "Colaba")
        return replace(entry, **typed)

    for weight in ("1000000000000000", "100000.001", *HUGE):
        _refused(sales, lambda s, a, w=weight: add_old_gold(s, a, invoice_id, old_gold(net_weight=w)), "net_weight")
    for pct in ("1e30", "NaN", "100.01"):
        _refused(sales, lambda s, a, p=pct: add_old_gold(s, a, invoice_id, old_gold(deduction_pct=p)), "deduction_pct")
    _refused(sales, lambda s, a: add_old_gold(s, a, invoice_id, old_gold(fineness="9" * 30)), "fineness")
    _refused(sales, lambda s, a: add_old_gold(s, a, invoice_id, old_gold(metal="9" * 30)), "metal")
    _refused(sales, lambda s, a: create_draft(s, a, customer_name=LONG), "customer_name")
    _refused(sales, lambda s, a: create_draft(s, a, recipient=Recipient(address=LONG)), "customer_address")
    _refused(sales, lambda s, a: create_draft(s, a, recipient=Recipient(state_code=LONG)), "customer_state_code")
    assert _count(InvoiceLine) == 0 and _count(Invoice) == 1


def test_payments_rates_and_plans_past_their_range_are_refused(world):
    sales, manager = world.actor("sales"), world.actor("manager")
    with unit_of_work(sales) as session:
        invoice_id = create_draft(session, sales, customer_name="Ira Kapoor").id
        add_service_line(session, sales, invoice_id, "Polishing", "500")
        issue_invoice(session, sales, invoice_id)
    for value in (*HUGE, "1e16"):
        _refused(sales, lambda s, a, v=value: take_payment(s, a, invoice_id, "card", v, "4821"), "amount")
    for value in (*HUGE, "100000000.01"):
        _refused(manager, lambda s, a, v=value: set_rate(s, a, _metal(750), v), "rate")
    for count in ("²", "9" * 5000):
        with pytest.raises(ValidationError) as refused:
            monthly_plan(sales.today(), count, "1000")  # before: ValueError from int()
        assert "instalments" in refused.value.fields
    with pytest.raises(ValidationError) as refused:
        monthly_plan(sales.today(), "3", "1e30")
    assert "instalment_amount" in refused.value.fields
    assert _count(Payment) == 0


def test_pieces_past_their_range_are_refused_and_write_nothing(world):
    manager = world.actor("manager")
    with read_session() as session:
        ring = str(session.scalars(select(Category.id).where(Category.code == "RING")).one())
    metal = str(_metal())

    def receive(**fields):
        return lambda s, a: receive_piece(s, a, PieceInput(**({"category_id": ring, "metal_id": metal} | fields)))

    for grams in ("1000000000000000", "100000.001", *HUGE):
        _refused(manager, receive(gross_weight=grams), "gross_weight")  # before: 10^15 g was received
    for field in ("cost_price", "making_value"):
        for value in (*HUGE, "100000000.01"):
            _refused(manager, receive(gross_weight="5", **{field: value}), field)
    _refused(manager, receive(gross_weight="5", wastage_pct="1e30"), "wastage_pct")
    _refused(manager, receive(gross_weight="5", making_rule="percent", making_value="250"), "making_value")
    _refused(manager, receive(gross_weight="5", description=LONG), "description")
    _refused(manager, receive(gross_weight="5", batch=LONG), "batch")
    _refused(manager, receive(gross_weight="5", metal_id="9" * 30), "metal_id")
    stones = [StoneInput("diamond", "1", "0.5", colour=LONG)]
    _refused(manager, receive(gross_weight="5", stones=stones), "stone_1")
    _refused(manager, receive(gross_weight="5", stones=[StoneInput("diamond", "²", "0.5")]), "stone_1")
    _refused(manager, receive(gross_weight="5", stones=[StoneInput("diamond", "1", "1e30")]), "stone_1")
    assert _count(Piece) == 0
    metals = _count(Metal)
    _refused(manager, lambda s, a: save_metal(s, a, MetalInput("gold", "22K", "²")), "fineness")
    assert _count(Metal) == metals


def test_repair_jobs_past_their_range_are_refused_and_write_nothing(world):
    sales = world.actor("sales")
    kavya = customer(sales)
    today = sales.today()

    def refused(field: str, who: int | str = kavya, **fields) -> None:
        with pytest.raises(ValidationError) as error:
            intake(sales, who, **fields)
        assert field in error.value.fields, error.value.fields

    refused("promised_on", promised_on="9999-12-31")  # before: accepted
    refused("promised_on", promised_on=today.replace(year=today.year + 6).isoformat())
    for value in (*HUGE, "100000000.01"):
        refused("estimate", estimate=value)
        refused("deposit", deposit=value)
    for grams in ("1000000000000000", *HUGE):
        refused("weight_in", weight_in=grams)
    refused("item_description", item_description=LONG)  # before: cut to 300 characters without a word
    refused("requested_work", requested_work=LONG)
    refused("customer_id", "9" * 30)  # before: OverflowError in the database driver
    refused("metal_fineness", metal_fineness="²")
    from modules.repairs.jobs import StoneInput as JobStone

    refused("stones", stones=[JobStone("Ruby", "1", "1e30")])
    refused("stones", stones=[JobStone("Ruby", "²", "0.5")])
    assert _count(Job) == 0
    assert intake(sales, kavya, promised_on=today.replace(year=today.year + 4).isoformat()).id
