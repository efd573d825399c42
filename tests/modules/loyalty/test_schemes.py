"""Gold savings schemes: templates, enrolment with masked KYC, instalments at each day's rate with receipts,
the cash rule, late fees, missed and lapsed schemes, the bonus at maturity, foreclosure, and redemption
against an invoice through billing's "scheme" payment method."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from jewelerp.auth import actor as actor_clock
from jewelerp.core.settings import set_setting
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, PermissionDenied, ValidationError
from jewelerp.notifications.models import OutboxMessage
from modules.billing.invoices import add_service_line, create_draft, issue_invoice
from modules.billing.models import Invoice, Payment
from modules.billing.payments import take_payment
from modules.billing.rates import set_rate
from modules.clienteling.services import CustomerInput, create_customer
from modules.loyalty import scheme_jobs, schemes, schemes_demo
from modules.loyalty.models import Enrolment, SchemeInstalment
from modules.loyalty.schemes import EnrolInput, TemplateInput
from modules.stock.masters import ensure_default_masters
from modules.stock.models import Metal

AADHAAR = "2345 6789 0123"


def _do(actor, fn, *args, **kwargs):
    with unit_of_work(actor) as session:
        return fn(session, actor, *args, **kwargs)


def _get(model, row_id):
    with read_session() as session:
        return session.get(model, row_id)


@pytest.fixture
def gold(world) -> int:
    """Gold 22K, with today's rate at ₹12,000 in MUM."""
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        ensure_default_masters(session)
        metal = session.scalars(select(Metal).where(Metal.metal == "gold", Metal.fineness == 916)).one().id
        set_rate(session, manager, metal, "12000")
    return metal


@pytest.fixture
def customer(world) -> int:
    data = CustomerInput(name="Meena Pillai", phone="9820012345", email="meena@example.in", consent_email=True)
    return _do(world.actor("manager"), create_customer, data).id


def _template(world, **fields) -> int:
    values = {"name": "Swarna 11+1", "instalment": "5000", "months": "11"} | fields
    return _do(world.actor("manager"), schemes.save_template, TemplateInput(**values)).id


def _enrol(world, template_id: int, customer_id: int, start=None, **fields) -> Enrolment:
    values = {
        "template_id": str(template_id),
        "customer_id": str(customer_id),
        "nominee_name": "Ravi Pillai",
        "nominee_relation": "Son",
        "id_kind": "aadhaar",
        "id_number": AADHAAR,
    } | fields
    return _do(world.actor("sales"), schemes.enrol, EnrolInput(**values), start_on=start)


@pytest.fixture
def clock(monkeypatch):
    """Move the store's today: ``clock(days)`` sets it ``days`` from the real today."""
    real = actor_clock.utcnow()

    def move(days: int) -> None:
        monkeypatch.setattr(actor_clock, "utcnow", lambda: real + timedelta(days=days))

    return move


def _pay(actor, enrolment_id, method="cash", reference=""):
    return _do(actor, schemes.pay_instalment, enrolment_id, method, reference)


def _daily(world, when):
    return _do(world.actor("manager"), schemes.run_daily, when)


def test_enrolment_numbers_the_scheme_builds_its_schedule_and_masks_the_id(world, customer):
    template = _template(world)
    enrolment = _enrol(world, template, customer, pan="abcde1234f")
    today = world.actor("sales").today()
    assert enrolment.number.startswith("MUM/S") and enrolment.number.endswith("/00001")
    assert (enrolment.customer_name, enrolment.pan, enrolment.status) == ("Meena Pillai", "ABCDE1234F", "active")
    assert enrolment.id_number_masked == "XXXX-XXXX-0123"
    assert enrolment.maturity_on == schemes.add_months(today, 11)
    with read_session() as session:
        rows = schemes.instalments_of(session, enrolment.id)
        stored = session.get(Enrolment, enrolment.id).model_dump()
    assert [r.seq for r in rows] == list(range(1, 12)) and rows[0].due_on == today
    assert rows[1].due_on == schemes.add_months(today, 1) and {r.amount for r in rows} == {D("5000.00")}
    assert not any("234567890123" in str(value) for value in stored.values())  # never the full number


def test_bad_kyc_and_a_missing_nominee_are_refused_field_by_field(world, customer):
    template = _template(world, instalment="20000")  # 11 × ₹20,000 = ₹2,20,000: PAN needed
    with pytest.raises(ValidationError) as err:
        _enrol(world, template, customer, nominee_name=" ", pan="", id_number="1234")
    assert set(err.value.fields) == {"nominee_name", "pan", "id_number"}
    assert "PAN is needed" in err.value.fields["pan"]
    with pytest.raises(ValidationError) as err:
        _enrol(world, template, 9999, pan="ABCDE1234", id_kind="ration")
    assert set(err.value.fields) == {"customer_id", "pan", "id_kind"}
    with read_session() as session:
        assert session.scalars(select(Enrolment)).first() is None


def test_grams_accumulate_at_the_rate_of_each_instalment_day(world, gold, customer, clock):
    manager, sales = world.actor("manager"), world.actor("sales")
    today = manager.today()
    start = today - timedelta(days=62)
    days = [start, schemes.add_months(start, 1), schemes.add_months(start, 2)]
    for day, rate in zip(days, ("11000", "11500", "12500"), strict=True):
        _do(manager, set_rate, gold, rate, day)
    grams_scheme = _template(world, name="Gram Plus", unit="grams", instalment_grams="0.500", metal_id=str(gold))
    rupee_scheme = _template(world, name="Gold Saver", instalment="5000", metal_id=str(gold))
    by_grams, by_rupees = (_enrol(world, t, customer, start) for t in (grams_scheme, rupee_scheme))
    for day in days:
        clock((day - today).days)
        _pay(sales, by_grams.id)
        _pay(sales, by_rupees.id, "upi", "412345678901")
    with read_session() as session:
        grams_rows = schemes.instalments_of(session, by_grams.id)[:3]
        rupee_rows = schemes.instalments_of(session, by_rupees.id)[:3]
    assert [(r.paid_on, r.rate, r.amount, r.grams) for r in grams_rows] == [
        (days[0], D("11000.00"), D("5500.00"), D("0.500")),
        (days[1], D("11500.00"), D("5750.00"), D("0.500")),
        (days[2], D("12500.00"), D("6250.00"), D("0.500")),
    ]
    assert [r.grams for r in rupee_rows] == [D("0.454"), D("0.434"), D("0.400")]  # ₹5,000 ÷ rate, rounded down
    assert (_get(Enrolment, by_grams.id).grams, _get(Enrolment, by_grams.id).paid) == (D("1.500"), D("17500.00"))
    assert (_get(Enrolment, by_rupees.id).grams, _get(Enrolment, by_rupees.id).paid) == (D("1.288"), D("15000.00"))
    receipts = [r.receipt_number[-5:] for r in sorted(grams_rows + rupee_rows, key=lambda r: r.receipt_number)]
    assert receipts == [f"{n:05d}" for n in range(1, 7)] and grams_rows[0].receipt_number.startswith("MUM/P")


def test_a_day_without_a_rate_stops_the_instalment_with_a_clear_message(world, gold, customer, clock):
    scheme = _template(world, unit="grams", instalment_grams="1", metal_id=str(gold))
    enrolment = _enrol(world, scheme, customer)
    clock(1)  # tomorrow has no rate yet
    with pytest.raises(JewelError, match=r"No gold 22K rate entered for .* enter today's rates first"):
        _pay(world.actor("sales"), enrolment.id)
    assert _get(Enrolment, enrolment.id).paid == 0


def test_the_cash_rule_refuses_two_lakh_in_cash_and_references_are_checked(world, customer):
    big = _template(world, instalment="200000", months="2")
    enrolment = _enrol(world, big, customer, pan="ABCDE1234F")
    sales = world.actor("sales")
    with pytest.raises(ValidationError, match="269ST") as err:
        _pay(sales, enrolment.id, "cash")
    assert set(err.value.fields) == {"amount"}
    with pytest.raises(ValidationError) as err:
        _pay(sales, enrolment.id, "card", "12")
    assert set(err.value.fields) == {"reference"}
    paid = _pay(sales, enrolment.id, "card", "4821")
    assert (paid.seq, paid.method, paid.reference, paid.amount) == (1, "card", "4821", D("200000.00"))


def test_missed_instalments_are_marked_and_too_many_lapse_the_scheme(world, customer):
    template = _template(world, months="6", grace_days="5", max_missed="1")
    today = world.actor("manager").today()
    enrolment = _enrol(world, template, customer, today - timedelta(days=20))
    assert _daily(world, today) == {"missed": 1, "lapsed": 0, "matured": 0}  # the first, 20 days ago
    late = _pay(world.actor("sales"), enrolment.id)  # a missed instalment can still be paid, late
    assert (late.seq, late.status, late.late_fee) == (1, "paid", D("0.00"))
    assert schemes.is_late(late, 5)
    later = schemes.add_months(enrolment.start_on, 3)
    assert _daily(world, later) == {"missed": 2, "lapsed": 1, "matured": 0}
    assert _get(Enrolment, enrolment.id).status == "lapsed"
    with pytest.raises(JewelError, match="lapsed: it takes no instalments"):
        _pay(world.actor("sales"), enrolment.id)


def test_a_late_instalment_carries_the_stores_late_fee(world, customer):
    manager = world.actor("manager")
    _do(manager, lambda s, a: set_setting(s, a, a.store_id, schemes.LATE_FEE, "150"))
    template = _template(world, grace_days="3")
    enrolment = _enrol(world, template, customer, manager.today() - timedelta(days=4))
    paid = _pay(world.actor("sales"), enrolment.id)
    assert (paid.amount, paid.late_fee) == (D("5000.00"), D("150.00"))
    assert _get(Enrolment, enrolment.id).paid == D("5000.00")  # the fee is not savings


def _matured(world, customer, clock, **template_fields) -> Enrolment:
    """A 3-month scheme started 3 months ago, every instalment paid on its day, then matured."""
    template = _template(world, months="3", **template_fields)
    today = world.actor("manager").today()
    start = schemes.add_months(today, -3)
    enrolment = _enrol(world, template, customer, start)
    for n in range(3):
        clock((schemes.add_months(start, n) - today).days)
        _pay(world.actor("sales"), enrolment.id)
    clock(0)
    assert _daily(world, today)["matured"] == 1
    return _get(Enrolment, enrolment.id)


def test_at_maturity_the_bonus_is_one_instalment_when_all_were_paid(world, customer, clock):
    enrolment = _matured(world, customer, clock)
    assert (enrolment.status, enrolment.paid, enrolment.bonus) == ("matured", D("15000.00"), D("5000.00"))
    with read_session() as session:
        assert schemes.scheme_value(session, world.actor("manager"), enrolment) == D("20000.00")


def test_a_missed_instalment_forfeits_the_bonus_at_maturity(world, customer, clock):
    template = _template(world, months="3", max_missed="2")
    today = world.actor("manager").today()
    enrolment = _enrol(world, template, customer, schemes.add_months(today, -3))
    clock((enrolment.start_on - today).days)
    _pay(world.actor("sales"), enrolment.id)
    clock(0)
    counts = _daily(world, today)
    assert counts == {"missed": 2, "lapsed": 0, "matured": 1}
    matured = _get(Enrolment, enrolment.id)
    assert (matured.status, matured.paid, matured.bonus) == ("matured", D("5000.00"), D("0.00"))
    with pytest.raises(JewelError, match="matured: it takes no instalments"):
        _pay(world.actor("sales"), enrolment.id)


def test_the_liability_counts_paid_and_accrued_bonus_in_rupees_and_grams(world, gold, customer, clock):
    _matured(world, customer, clock)  # ₹15,000 paid + ₹5,000 bonus
    active = _enrol(world, _template(world, name="Gold Saver", metal_id=str(gold)), customer)
    _pay(world.actor("sales"), active.id)  # ₹5,000 at ₹12,000/g = 0.416 g, bonus accrued ₹5,000 ÷ 11
    with read_session() as session:
        owed = schemes.liability(session, world.actor("manager"))
    assert (owed.schemes, owed.paid, owed.bonus, owed.grams) == (2, D("20000.00"), D("5454.55"), D("0.416"))
    assert owed.total == D("25454.55")


def test_foreclosure_refunds_paid_less_the_deduction_with_a_receipt(world, customer):
    template = _template(world, foreclosure_deduction_pct="2.5")
    enrolment = _enrol(world, template, customer)
    _pay(world.actor("sales"), enrolment.id)
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), schemes.foreclose, enrolment.id, "cash")
    closed = _do(world.actor("manager"), schemes.foreclose, enrolment.id, "bank", "HDFCN52026050112345")
    assert (closed.status, closed.settled, closed.bonus) == ("foreclosed", D("4875.00"), D("0.00"))
    assert closed.settled_reference.startswith("MUM/P")
    assert closed.settled_reference.endswith("/00002 Bank transfer HDFCN52026050112345")
    with pytest.raises(JewelError, match="only an open scheme is foreclosed"):
        _do(world.actor("manager"), schemes.foreclose, enrolment.id, "cash")


def _invoice(world, customer_id: int, taxable: str = "50000") -> Invoice:
    sales = world.actor("sales")
    draft = _do(sales, create_draft, customer_name="Meena Pillai", customer_id=customer_id)
    _do(sales, add_service_line, draft.id, "Gold bangle making", taxable)
    return _do(sales, issue_invoice, draft.id)


def test_a_matured_scheme_pays_an_invoice_through_the_scheme_method(world, customer, clock):
    enrolment = _matured(world, customer, clock)
    invoice = _invoice(world, customer)  # ₹51,500 payable
    sales = world.actor("sales")
    with pytest.raises(ValidationError, match="is worth ₹20,000.00"):
        _do(sales, take_payment, invoice.id, "scheme", "20000.01", enrolment.number)
    with pytest.raises(ValidationError) as err:
        _do(sales, take_payment, invoice.id, "scheme", "100", "MUM/S2627/99999")
    assert set(err.value.fields) == {"reference"}
    receipt = _do(sales, take_payment, invoice.id, "scheme", "20000", enrolment.number.lower())
    assert (receipt.method, receipt.reference, receipt.amount) == ("scheme", enrolment.number, D("20000.00"))
    assert _get(Invoice, invoice.id).paid == D("20000.00")
    closed = _get(Enrolment, enrolment.id)
    assert (closed.status, closed.settled, closed.settled_reference) == ("redeemed", D("20000.00"), invoice.number)
    with pytest.raises(JewelError, match="is redeemed: only a matured scheme is redeemed"):
        _do(sales, take_payment, invoice.id, "scheme", "1", enrolment.number)
    with read_session() as session:
        assert len(session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)).all()) == 1


def test_a_scheme_pays_only_its_own_customers_invoice_and_only_once_matured(world, customer, clock):
    enrolment = _matured(world, customer, clock)
    other = _do(world.actor("manager"), create_customer, CustomerInput(name="Anil Rao", phone="9820098200")).id
    sales = world.actor("sales")
    with pytest.raises(JewelError, match="belongs to Meena Pillai"):
        _do(sales, take_payment, _invoice(world, other).id, "scheme", "1000", enrolment.number)
    active = _enrol(world, _template(world, name="Another"), customer)
    with pytest.raises(JewelError, match="has not matured yet"):
        _do(sales, take_payment, _invoice(world, customer).id, "scheme", "1000", active.number)
    assert _get(Enrolment, enrolment.id).status == "matured"


def test_a_grams_scheme_is_worth_its_grams_at_todays_rate_and_notes_a_making_discount(world, gold, customer, clock):
    today = world.actor("manager").today()
    start = schemes.add_months(today, -3)
    for n in range(3):
        _do(world.actor("manager"), set_rate, gold, "10000", schemes.add_months(start, n))
    enrolment = _matured(
        world,
        customer,
        clock,
        unit="grams",
        instalment_grams="1",
        metal_id=str(gold),
        bonus_kind="making_pct",
        bonus_value="50",
    )
    assert (enrolment.grams, enrolment.paid, enrolment.bonus) == (D("3.000"), D("30000.00"), D("0.00"))
    invoice = _invoice(world, customer)
    receipt = _do(world.actor("sales"), take_payment, invoice.id, "scheme", "36000", enrolment.number)
    assert receipt.reference == f"{enrolment.number}; 50% off making charges"  # 3 g × ₹12,000 today


def test_template_terms_are_fixed_once_a_customer_is_enrolled(world, customer):
    template = _template(world)
    with pytest.raises(PermissionDenied):
        _do(world.actor("sales"), schemes.save_template, TemplateInput(name="Mine", instalment="1000"))
    with pytest.raises(ValidationError) as err:
        _do(world.actor("manager"), schemes.save_template, TemplateInput(name="", unit="grams", months="0"))
    assert set(err.value.fields) == {"name", "metal_id", "instalment_grams", "months"}
    _enrol(world, template, customer)
    manager = world.actor("manager")
    renamed = _do(manager, schemes.save_template, TemplateInput(name="Swarna Plus", instalment="5000"), template)
    assert renamed.name == "Swarna Plus"
    with pytest.raises(JewelError, match="only its name and whether it is offered can change"):
        _do(manager, schemes.save_template, TemplateInput(name="Swarna Plus", instalment="6000"), template)
    assert _get(SchemeInstalment, 1).amount == D("5000.00")


def _outbox() -> list:
    with read_session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_reminders_go_only_on_consented_channels_and_statements_list_each_scheme(world, customer):
    manager = world.actor("manager")
    silent = _do(manager, create_customer, CustomerInput(name="Anil Rao", phone="9820098200")).id
    template = _template(world)
    start = manager.today() + timedelta(days=3)  # the first instalment falls due in 3 days
    first, _quiet = (_enrol(world, template, c, start) for c in (customer, silent))
    assert _do(manager, scheme_jobs.remind) == 1  # Anil gave no consent
    (reminder,) = _outbox()
    assert (reminder.channel, reminder.recipient) == ("email", "meena@example.in")
    assert first.number in reminder.body and "₹5,000" in reminder.body
    assert _do(manager, scheme_jobs.monthly_statement) == 1
    statement = _outbox()[-1]
    assert "0 of 11 instalments paid" in statement.body and first.number in statement.body


def test_the_demo_has_schemes_at_every_stage_and_runs_once(world, gold):
    admin = world.actor("admin")
    for n in range(6):
        _do(admin, create_customer, CustomerInput(name=f"Demo Customer {n}", phone=f"98200100{n:02d}"))
    _do(admin, schemes_demo.load)
    _do(admin, schemes_demo.load)
    with read_session() as session:
        enrolments = list(session.scalars(select(Enrolment).order_by(Enrolment.id)))
        missed = session.scalars(select(SchemeInstalment).where(SchemeInstalment.status == "missed")).all()
    assert [e.status for e in enrolments] == ["active", "active", "matured", "redeemed", "foreclosed", "lapsed"]
    assert {m.enrolment_id for m in missed} >= {enrolments[1].id, enrolments[5].id}
    assert enrolments[1].grams == D("3.000") and enrolments[2].bonus == D("10000.00")


def test_the_instalment_receipt_prints_rupees_in_indian_grouping(world, customer):
    import pypdfium2

    from modules.loyalty.scheme_pages import receipt_pdf

    enrolment = _enrol(world, _template(world, instalment="150000"), customer, pan="abcde1234f")
    paid = _pay(world.actor("sales"), enrolment.id, "upi", "412345678912")
    with read_session() as session:
        content = receipt_pdf(session, world.actor("sales"), enrolment.id, paid.receipt_number)
    text = " ".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(content))
    assert "₹1,50,000.00" in text and paid.receipt_number in text  # not "Rs. 150,000.00"
