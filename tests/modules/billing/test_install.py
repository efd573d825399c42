"""Install data on a fresh database (no demo): a new store sells its first piece; running the install data
again adds nothing and keeps an admin's new GST rate; billing's data needs billing installed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from jewelerp import cli
from jewelerp.auth.actor import Actor
from jewelerp.auth.service import build_actor
from jewelerp.core.models import AuditLog, User
from jewelerp.core.stores import get_store_by_code
from jewelerp.db import get_engine, read_session, unit_of_work
from jewelerp.install_data import load_install_data
from jewelerp.registry import Registry, get_registry
from modules.billing.invoices import add_piece_line, create_draft, issue_invoice
from modules.billing.models import InvoiceLine, TaxClass
from modules.billing.rates import set_rate
from modules.billing.tax_classes import GST_START, TaxClassInput, save_tax_class
from modules.stock.masters import category_options, metal_options
from modules.stock.models import Category, Metal
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.stock.huids import new_huid

PUNE = ("PUN", "--name", "FC Road, Pune", "--address", "12 FC Road, Pune 411004", "--state-code", "27")


def _install(registry: Registry | None = None) -> list[str]:
    """What ``jewelerp db upgrade`` runs after the migrations (the ``db`` fixture made the tables and roles)."""
    with unit_of_work() as session:
        return load_install_data(session, registry)


def _open_store() -> int:
    """Pune, made by ``jewelerp stores create``, with billing (and what it needs) switched on by
    ``jewelerp modules enable``."""
    assert cli.main(["stores", "create", *PUNE]) == 0
    assert cli.main(["modules", "enable", "billing", "--store", "PUN"]) == 0
    with read_session() as session:
        return get_store_by_code(session, "PUN").id


def _staff(store_id: int, email: str, role: str) -> Actor:
    """An account made with ``jewelerp users create``, acting in the store."""
    name = email.split("@")[0].title()
    assert (
        cli.main(["users", "create", email, "--name", name, "--password", "first-sale-1", "--role", f"PUN:{role}"]) == 0
    )
    with unit_of_work() as session:
        return build_actor(session, session.scalars(select(User.id).where(User.email == email)).one(), store_id)


def _option(options: list[tuple[str, str]], label: str) -> str:
    return next(value for value, text in options if text == label)


def _counts() -> dict[str, int]:
    with read_session() as session:
        return {t.__name__: session.scalar(select(func.count()).select_from(t)) for t in (Metal, Category, TaxClass)}


def test_a_new_store_sells_its_first_hallmarked_piece_at_three_percent_gst(db):
    assert _install() == ["stock", "billing"]
    manager = _staff(_open_store(), "asha@shop.in", "manager")
    with unit_of_work(manager) as session:
        gold = _option(metal_options(session, manager), "Gold 22K (916)")  # a purity from stock's install data
        ring = _option(category_options(session, manager), "Ring")
        set_rate(session, manager, gold, "12000")  # the rate of the day, typed by the manager
        piece = receive_piece(session, manager, PieceInput(ring, gold, "5.000", huid=new_huid()))
        draft = create_draft(session, manager, customer_name="Walk-in")
        add_piece_line(session, manager, draft.id, piece.id)
        invoice = issue_invoice(session, manager, draft.id)
        line = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)).one()
    assert invoice.status == "issued" and invoice.number.startswith("PUN/")
    assert line.rate == Decimal("12000.00") and (line.tax_class, line.hsn_sac, line.tax_rate) == (
        "JEWELLERY",
        "7113",
        3,
    )
    half = (invoice.taxable * Decimal("0.015")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert invoice.taxable >= Decimal("60000.00") and (invoice.cgst, invoice.sgst, invoice.igst) == (half, half, 0)


def test_running_the_install_data_again_adds_and_rewrites_nothing(db):
    _install()
    before = _counts()
    with read_session() as session:
        audited = session.scalar(select(func.count()).select_from(AuditLog))
    assert before == {"Metal": 9, "Category": 7, "TaxClass": 7}
    assert _install() == ["stock", "billing"]
    assert _counts() == before
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(AuditLog)) == audited  # no row was touched


def test_an_admins_changed_gst_rate_survives_the_next_install(db):
    _install()
    admin = _staff(_open_store(), "ravi@shop.in", "admin")
    corrected = TaxClassInput("JEWELLERY", "Jewellery", "7113", "goods", "5", "5", GST_START.isoformat())
    with unit_of_work(admin) as session:
        save_tax_class(session, admin, corrected)
    _install()
    with read_session() as session:
        rows = session.scalars(select(TaxClass).where(TaxClass.code == "JEWELLERY")).all()
    assert [(r.description, r.rate_unregistered) for r in rows] == [("Jewellery", Decimal("5.00"))]


def test_billings_tax_classes_are_not_installed_without_billing(db):
    full = get_registry()
    stock_only = Registry([full.module("core"), *(full.module(name) for name in full.requirements("stock"))])
    assert _install(stock_only) == ["stock"]
    assert _counts() == {"Metal": 9, "Category": 7, "TaxClass": 0}


def test_jewelerp_db_upgrade_loads_the_install_data_into_a_fresh_database(empty_db):
    assert cli.main(["db", "upgrade"]) == 0
    with get_engine().connect() as conn:
        metals, classes = (
            conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in ("stock_metal", "billing_tax_class")
        )
        ring = tuple(conn.exec_driver_sql("SELECT name, hsn FROM stock_category WHERE code = 'RING'").one())
    assert (metals, classes, ring) == (9, 7, ("Ring", "7113"))
