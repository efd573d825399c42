"""Tax classes per line (issue 13, items 2 and 10): each line's HSN/SAC and GST rate from its class in effect on
the invoice date, against figures worked out by hand; job work at 5% for a registered buyer and 18% otherwise;
coins at 7118 earning under loyalty's coin rule; a rate change from a later date; the admin's changes refused
on bad input with nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from jewelerp.core.models import AuditLog
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from modules.billing.invoices import (
    add_piece_line,
    add_service_line,
    create_draft,
    issue_invoice,
    sale_summary,
    set_recipient,
)
from modules.billing.models import Invoice, InvoiceLine, TaxClass
from modules.billing.rates import set_rate
from modules.billing.supply import NO_RECIPIENT, Recipient
from modules.billing.tax_classes import (
    DEFAULT_CLASSES,
    TaxClassInput,
    class_on,
    classes_on,
    ensure_default_tax_classes,
    list_tax_classes,
    save_tax_class,
)
from modules.loyalty.models import EarnRule
from modules.loyalty.program import points_for
from modules.repairs.models import Job
from modules.repairs_billing.money import job_tax_class
from modules.stock.masters import CategoryInput, ensure_default_masters, save_category
from modules.stock.models import Category, Metal
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.stock.huids import new_huid

MUMBAI_FIRM = "27AABCU9603R1ZN"  # a valid GSTIN of Maharashtra (27), the Mumbai store's state
GUJARAT_FIRM = "24AAACR5055K1ZD"  # a valid GSTIN of Gujarat (24)


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _get(model, row_id):
    with read_session() as session:
        return session.get(model, row_id)


@pytest.fixture
def shop(world) -> dict[str, int]:
    """Gold 22K at ₹12,000/g and silver 999 at ₹165/g in Mumbai today; the RING and COIN categories."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        metals = {(m.metal, m.fineness): m.id for m in session.scalars(select(Metal))}
        set_rate(session, manager, metals[("gold", 916)], "12000")
        set_rate(session, manager, metals[("silver", 999)], "165")
        codes = {c.code: c.id for c in session.scalars(select(Category))}
    return {"gold": metals[("gold", 916)], "silver": metals[("silver", 999)], **codes}


def _ring(world, shop) -> int:
    """5.000 g of 22K gold with ₹1,000 flat making and its HUID: taxable 60,000 + 1,000 + ₹45 hallmark."""
    manager = world.actor("manager")
    data = PieceInput(
        str(shop["RING"]), str(shop["gold"]), "5.000", making_rule="flat", making_value="1000", huid=new_huid()
    )
    with unit_of_work(manager) as session:
        return receive_piece(session, manager, data).id


def _coin(world, shop) -> int:
    """A 10.000 g silver 999 coin with ₹100 flat making: taxable 10 × 165 + 100 = ₹1,750.00."""
    manager = world.actor("manager")
    data = PieceInput(str(shop["COIN"]), str(shop["silver"]), "10.000", making_rule="flat", making_value="100")
    with unit_of_work(manager) as session:
        return receive_piece(session, manager, data).id


def _lines(invoice_id: int) -> list[InvoiceLine]:
    with read_session() as session:
        return list(session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)))


def _taxes(line) -> tuple:
    return (line.tax_class, line.hsn_sac, line.tax_rate, line.taxable, line.cgst, line.sgst, line.igst)


def _draft(actor, recipient: Recipient = NO_RECIPIENT) -> int:
    return _do(actor, create_draft, customer_name="Asha Rao", recipient=recipient).id


# ---------------------------------------------------------------------------- the rate of each line


def test_a_repair_is_sac_9987_at_18_percent(world):
    sales = world.actor("sales")
    invoice = _draft(sales)
    line = _do(sales, add_service_line, invoice, "Polishing and rhodium", "1000", "REPAIR")
    # 9% of 1,000 = 90.00 CGST and 90.00 SGST
    assert _taxes(line) == ("REPAIR", "9987", D("18.00"), D("1000.00"), D("90.00"), D("90.00"), D("0.00"))
    assert line.amount == D("1180.00")
    issued = _do(sales, issue_invoice, invoice)
    assert (issued.taxable, issued.cgst, issued.sgst, issued.total) == (D("1000"), D("90"), D("90"), D("1180"))


def test_job_work_is_5_percent_for_a_registered_buyer_and_18_otherwise(world):
    sales = world.actor("sales")
    registered = _draft(sales, Recipient("Ring Road, Mumbai", "27", MUMBAI_FIRM))
    line = _do(sales, add_service_line, registered, "Making a chain from the customer's gold", "1000", "JOB_WORK")
    # 2.5% of 1,000 = 25.00 CGST and 25.00 SGST (Notification 11/2017-CT(Rate) item 26(i)(c))
    assert _taxes(line) == ("JOB_WORK", "9988", D("5.00"), D("1000.00"), D("25.00"), D("25.00"), D("0.00"))
    assert _do(sales, issue_invoice, registered).total == D("1050.00")

    walk_in = _draft(sales)
    line = _do(sales, add_service_line, walk_in, "Making a chain from the customer's gold", "1000", "job_work")
    # no GSTIN: other manufacturing services, 9% + 9% of 1,000
    assert _taxes(line) == ("JOB_WORK", "9988", D("18.00"), D("1000.00"), D("90.00"), D("90.00"), D("0.00"))


def test_job_work_for_a_registered_buyer_in_another_state_is_5_percent_igst(world):
    sales = world.actor("sales")
    invoice = _draft(sales, Recipient("CG Road, Ahmedabad", "24", GUJARAT_FIRM))
    line = _do(sales, add_service_line, invoice, "Making bangles from the customer's gold", "1000", "JOB_WORK")
    assert _taxes(line) == ("JOB_WORK", "9988", D("5.00"), D("1000.00"), D("0.00"), D("0.00"), D("50.00"))
    assert _get(Invoice, invoice).place_of_supply == "24"


def test_a_coin_is_hsn_7118_at_3_percent_and_earns_under_the_coin_rule(world, shop):
    sales = world.actor("sales")
    invoice = _draft(sales)
    line = _do(sales, add_piece_line, invoice, _coin(world, shop))
    # 10 g × ₹165 = 1,650 + ₹100 making = 1,750.00; 1.5% = 26.25 each
    assert _taxes(line) == ("COIN", "7118", D("3.00"), D("1750.00"), D("26.25"), D("26.25"), D("0.00"))
    issued = _do(sales, issue_invoice, invoice)
    assert (issued.total, issued.round_off) == (D("1803.00"), D("0.50"))  # 1,802.50 rounds half up
    with read_session() as session:
        summary = sale_summary(session, sales, issued.number)
    assert summary.lines == (("coin", D("1750.00")),)
    rules = {
        "coin": EarnRule(program_id=1, category="coin", points=2, per_amount=D("1000")),
        "silver": EarnRule(program_id=1, category="silver", points=1, per_amount=D("1000")),
    }
    assert points_for(rules, summary.lines, D("1")) == 3  # 1,750 × 2 / 1,000 = 3.5, not silver's 1


def test_a_mixed_invoice_taxes_each_line_at_its_own_rate(world, shop):
    sales = world.actor("sales")
    invoice = _draft(sales)
    _do(sales, add_piece_line, invoice, _ring(world, shop))
    _do(sales, add_piece_line, invoice, _coin(world, shop))
    _do(sales, add_service_line, invoice, "Resizing a ring", "1000")
    _do(sales, add_service_line, invoice, "Earrings from the customer's gold", "1000", "JOB_WORK")
    lines = {line.tax_class: line for line in _lines(invoice)}
    # the ring: 5 × 12,000 = 60,000 + 1,000 making + 45 hallmark = 61,045.00; 1.5% = 915.675 -> 915.68 each
    assert _taxes(lines["JEWELLERY"]) == (
        "JEWELLERY",
        "7113",
        D("3.00"),
        D("61045.00"),
        D("915.68"),
        D("915.68"),
        D("0.00"),
    )
    assert (lines["COIN"].hsn_sac, lines["COIN"].cgst) == ("7118", D("26.25"))
    assert (lines["REPAIR"].hsn_sac, lines["REPAIR"].cgst) == ("9987", D("90.00"))
    assert (lines["JOB_WORK"].tax_rate, lines["JOB_WORK"].cgst) == (D("18.00"), D("90.00"))  # no GSTIN
    issued = _do(sales, issue_invoice, invoice)
    # taxable 61,045 + 1,750 + 1,000 + 1,000 = 64,795.00; CGST = SGST = 915.68 + 26.25 + 90 + 90 = 1,121.93
    # 64,795 + 2,243.86 = 67,038.86 -> 67,039 (round-off +0.14)
    assert (issued.taxable, issued.cgst, issued.sgst, issued.igst) == (
        D("64795.00"),
        D("1121.93"),
        D("1121.93"),
        D("0.00"),
    )
    assert (issued.round_off, issued.total) == (D("0.14"), D("67039.00"))


def test_giving_a_gstin_on_the_draft_taxes_its_lines_again(world):
    sales = world.actor("sales")
    invoice = _draft(sales)
    _do(sales, add_service_line, invoice, "A pendant from the customer's gold", "1000", "JOB_WORK")
    assert _get(Invoice, invoice).cgst == D("90.00")
    _do(sales, set_recipient, invoice, Recipient("CG Road, Ahmedabad", "24", GUJARAT_FIRM))
    [line] = _lines(invoice)
    assert (line.tax_rate, line.cgst, line.igst, line.amount) == (D("5.00"), D("0.00"), D("50.00"), D("1050.00"))
    again = _get(Invoice, invoice)
    assert (again.place_of_supply, again.igst, again.total) == ("24", D("50.00"), D("1050.00"))


def test_a_service_of_an_unknown_class_is_refused_and_nothing_is_written(world):
    sales = world.actor("sales")
    invoice = _draft(sales)
    with pytest.raises(ValidationError) as err:
        _do(sales, add_service_line, invoice, "Polishing", "500", "MASSAGE")
    assert set(err.value.fields) == {"tax_class"}
    assert _lines(invoice) == []


# ---------------------------------------------------------------------------- rates over time


def _repair_rate(admin, rate: str, since: date) -> TaxClass:
    text = "Repair and polishing of jewellery"
    data = TaxClassInput("REPAIR", text, "9987", "service", rate, rate, since.isoformat())
    return _do(admin, save_tax_class, data)


def test_a_rate_from_a_later_date_applies_only_to_invoices_from_that_date(world):
    admin, sales = world.actor("admin"), world.actor("sales")
    today = sales.today()
    _repair_rate(admin, "12", today + timedelta(days=1))
    with read_session() as session:
        assert class_on(session, "REPAIR", today).rate_unregistered == D("18.00")
        assert class_on(session, "REPAIR", today + timedelta(days=1)).rate_unregistered == D("12.00")
        assert class_on(session, "REPAIR", today + timedelta(days=400)).rate_unregistered == D("12.00")
    before = _draft(sales)
    _do(sales, add_service_line, before, "Polishing", "1000")
    assert _do(sales, issue_invoice, before).cgst == D("90.00")  # today: still 18%

    waiting = _draft(sales)
    _do(sales, add_service_line, waiting, "Polishing", "1000")
    _repair_rate(admin, "12", today)  # the same rate from today instead: a new row of today
    after = _draft(sales)
    line = _do(sales, add_service_line, after, "Polishing", "1000")
    assert (line.tax_rate, line.cgst, line.sgst) == (D("12.00"), D("60.00"), D("60.00"))  # 6% of 1,000
    assert _do(sales, issue_invoice, waiting).cgst == D("60.00")  # a draft is charged the rate of its day of issue
    assert _get(Invoice, before).cgst == D("90.00")  # an issued invoice keeps what it charged
    with read_session() as session:
        rows = session.scalars(select(TaxClass).where(TaxClass.code == "REPAIR")).all()
    assert sorted((r.effective_from, r.rate_unregistered) for r in rows) == [
        (date(2017, 7, 1), D("18.00")),
        (today, D("12.00")),
        (today + timedelta(days=1), D("12.00")),
    ]


def test_the_same_code_and_date_corrects_that_row_and_every_change_is_audited(world):
    admin = world.actor("admin")
    today = admin.today()
    first = _repair_rate(admin, "12", today)
    second = _repair_rate(admin, "15", today)
    assert first.id == second.id and _get(TaxClass, first.id).rate_registered == D("15.00")
    with read_session() as session:
        audited = session.scalars(select(AuditLog).where(AuditLog.record_type == "billing_tax_class")).all()
    assert {a.action for a in audited} >= {"create", "update"}


def test_the_defaults_apply_before_any_row_is_written_and_install_once(world):
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(TaxClass)) == 0
        shown = {c.code: (c.hsn_sac, c.rate_unregistered, c.rate_registered) for c in classes_on(session, date.today())}
    assert shown == {code: (hsn, low, high) for code, _text, hsn, _kind, low, high in DEFAULT_CLASSES}
    for _ in range(2):
        with unit_of_work() as session:
            ensure_default_tax_classes(session)
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(TaxClass)) == len(DEFAULT_CLASSES)
    with read_session() as session:
        assert classes_on(session, date(2017, 6, 30)) == []  # before GST


def test_only_an_admin_changes_tax_classes(world):
    today = world.actor("manager").today()
    for who in ("manager", "sales"):
        with pytest.raises(PermissionDenied):
            _repair_rate(world.actor(who), "12", today)
        with pytest.raises(PermissionDenied), read_session() as session:
            list_tax_classes(session, world.actor(who))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "repair work"}, "code"),
        ({"description": "  "}, "description"),
        ({"description": "x" * 121}, "description"),
        ({"kind": "gift"}, "kind"),
        ({"kind": "goods"}, "kind"),  # REPAIR is a service: a new rate keeps its kind
        ({"hsn_sac": "7113"}, "hsn_sac"),  # a service's code is a SAC of 99..
        ({"hsn_sac": "99a7"}, "hsn_sac"),
        ({"rate_unregistered": "101"}, "rate_unregistered"),
        ({"rate_registered": "NaN"}, "rate_registered"),
        ({"rate_registered": "1e30"}, "rate_registered"),
        ({"effective_from": "2017-06-30"}, "effective_from"),
        ({"effective_from": "tomorrow"}, "effective_from"),
    ],
)
def test_a_bad_tax_class_names_its_field_and_writes_nothing(world, changes, field):
    admin = world.actor("admin")
    values = {
        "code": "REPAIR",
        "description": "Repairs",
        "hsn_sac": "9987",
        "kind": "service",
        "rate_unregistered": "12",
        "rate_registered": "12",
        "effective_from": admin.today().isoformat(),
    }
    with pytest.raises(ValidationError) as err:
        _do(admin, save_tax_class, TaxClassInput(**{**values, **changes}))
    assert field in err.value.fields
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(TaxClass)) == 0


# ---------------------------------------------------------------------------- where the class comes from


def test_a_category_carries_its_hsn_and_a_bad_one_is_refused(world, shop):
    with read_session() as session:
        assert {c.code: c.hsn for c in session.scalars(select(Category))}["COIN"] == "7118"
        assert session.get(Category, shop["RING"]).hsn == "7113"
    manager = world.actor("manager")
    bars = _do(manager, save_category, CategoryInput("BAR", "Bars", hsn="7108"))
    assert bars.hsn == "7108"
    for bad in ("71", "7113x", "711300000"):
        with pytest.raises(ValidationError) as err:
            _do(manager, save_category, CategoryInput("BAD", "Bad", hsn=bad))
        assert set(err.value.fields) == {"hsn"}


def test_a_piece_of_an_hsn_without_a_class_is_refused_with_a_message(world, shop):
    manager = world.actor("manager")
    bars = _do(manager, save_category, CategoryInput("BAR", "Bars", hsn="7108")).id
    data = PieceInput(str(bars), str(shop["silver"]), "100.000", making_rule="flat", making_value="0")
    with unit_of_work(manager) as session:
        piece = receive_piece(session, manager, data).id
    invoice = _draft(world.actor("sales"))
    with pytest.raises(JewelError, match="No tax class for HSN 7108"):
        _do(world.actor("sales"), add_piece_line, invoice, piece)
    assert _lines(invoice) == []


def test_the_repairs_bridge_bills_repairs_and_job_work_by_their_class():
    assert job_tax_class(Job(kind="repair", stage="", public_token="t")) == "REPAIR"
    with_metal = Job(kind="custom", stage="", public_token="t", weight_in=D("12.500"))
    assert job_tax_class(with_metal) == "JOB_WORK"  # made from the customer's metal
    assert job_tax_class(Job(kind="custom", stage="", public_token="t")) == "JEWELLERY"  # the store's metal
