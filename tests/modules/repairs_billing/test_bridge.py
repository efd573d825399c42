"""The repairs × billing bridge: the quoted estimate, deposits and payments as billing receipts against the
job's service invoice, delivery only once billing has the money, a supplementary invoice for a higher final
charge, a lower one refused until billing is put right, repairs on its own where billing is off, and the job's
status page told when billing's money for the job changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from jewelerp.core.module_states import disable_module, enabled_modules
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, ValidationError
from jewelerp.registry import get_registry
from modules.billing.invoices import cancel_invoice, lines_of
from modules.billing.models import Invoice
from modules.billing.payments import take_payment
from modules.repairs.delivery import DeliveryInput, deliver_job
from modules.repairs.extensions import job_links
from modules.repairs.jobs import StoneInput
from modules.repairs.payments import balance_due, record_payment, set_final_charge
from modules.repairs.public import routes
from modules.repairs.stages import move_job
from modules.repairs_billing.money import billing_view, documents_of, paid_towards, take_job_payment
from tests.modules.repairs.intake import customer, intake, job, run

TO_READY = ("estimated", "approved", "in workshop", "quality check", "ready")


def _ready(actor, taken):
    for stage in TO_READY:
        run(actor, lambda s, a, stage=stage: move_job(s, a, taken.id, stage))


def _deliver(actor, job_id, **fields):
    data = DeliveryInput(weight_out="10.000", stones_out=[StoneInput("Ruby", "2", "0.500")], **fields)
    return run(actor, lambda s, a: deliver_job(s, a, job_id, data))


def _pay(actor, job_id, method, amount, reference=""):
    return run(actor, lambda s, a: take_job_payment(s, a, job_id, method, amount, reference))


def _documents(job_id) -> list[Invoice]:
    with read_session() as session:
        return documents_of(session, job(job_id))


def _billing_off(store_id: int) -> None:
    """Disable billing in the store, and before it the modules that need it (loyalty, ...)."""
    with unit_of_work() as session:
        for name in [*reversed(get_registry().dependents("billing")), "billing"]:
            if name in enabled_modules(session, store_id):
                disable_module(session, None, name, store_id)


def _balance(actor, job_id) -> Decimal:
    with read_session() as session:
        return balance_due(session, actor, job(job_id))


def test_the_bridge_switches_on_with_repairs_and_billing(world):
    with read_session() as session:
        assert "repairs_billing" in enabled_modules(session, world.mum)
    _billing_off(world.dl)
    with read_session() as session:
        assert "repairs_billing" not in enabled_modules(session, world.dl)


def test_a_job_taken_in_with_an_estimate_gets_a_quoted_billing_estimate(world):
    sales = world.actor("sales")
    taken = intake(sales, customer(sales, "Kavya Iyer"))
    assert taken.paid == 0  # the deposit is taken through billing
    [estimate] = _documents(taken.id)
    assert (estimate.kind, estimate.status, estimate.customer_id) == ("estimate", "quoted", taken.customer_id)
    assert estimate.customer_name == "Kavya Iyer" and estimate.number.startswith("MUM/E")
    # A repair is SAC 9987 at 18%: 1,500 × 100 / 118 = 1,271.186 -> 1,271.19; 9% of it = 114.4071 -> 114.41 each
    taxes = (Decimal("1271.19"), Decimal("114.41"), Decimal("114.41"))
    assert (estimate.taxable, estimate.cgst, estimate.sgst) == taxes
    assert estimate.payable == Decimal("1500.00")  # the job's estimate includes GST: 1,500.01 to the rupee
    with read_session() as session:
        [line] = lines_of(session, sales, estimate.id)
    assert line.description == f"Repair {taken.number}: Resize from 12 to 14"


def test_no_estimate_document_without_an_estimate_or_for_staff_who_cannot_invoice(world):
    sales, designer = world.actor("sales"), world.actor("designer")
    assert _documents(intake(sales, customer(sales), estimate="", deposit="").id) == []
    by_designer = intake(designer, customer(sales))
    assert _documents(by_designer.id) == []
    with read_session() as session:
        assert billing_view(session, designer, by_designer.id)["on"] is False


def test_the_deposit_becomes_a_billing_receipt_and_counts_as_paid_for_delivery(world):
    sales = world.actor("sales")
    taken = intake(sales, customer(sales))
    [receipt] = _pay(sales, taken.id, "cash", "500")
    assert receipt.receipt_number.startswith("MUM/R") and receipt.amount == Decimal("500.00")
    estimate, invoice = _documents(taken.id)
    assert (invoice.kind, invoice.status, invoice.payable, invoice.paid) == (
        "invoice",
        "issued",
        Decimal("1500.00"),
        Decimal("500.00"),
    )
    assert receipt.invoice_id == invoice.id and estimate.kind == "estimate"
    with read_session() as session:
        assert paid_towards(session, sales, job(taken.id)) == Decimal("500.00")
    assert _balance(sales, taken.id) == Decimal("1000.00")
    _ready(sales, taken)
    with pytest.raises(JewelError, match="A balance of ₹1,000 is unpaid"):
        _deliver(sales, taken.id)
    with pytest.raises(JewelError, match="taken in billing"):
        run(sales, lambda s, a: record_payment(s, a, taken.id, "1000"))
    _pay(sales, taken.id, "upi", "1000", "412345678901")
    assert _balance(sales, taken.id) == 0
    assert _deliver(sales, taken.id).stage == "delivered"
    assert len(_documents(taken.id)) == 2  # fully billed: delivery adds nothing


def test_bad_payments_are_refused_and_change_nothing(world):
    sales = world.actor("sales")
    taken = intake(sales, customer(sales), estimate="300000", deposit="")
    with pytest.raises(ValidationError) as err:
        _pay(sales, taken.id, "cash", "200000")
    assert "section 269ST" in err.value.fields["amount"]
    with pytest.raises(ValidationError) as err:
        _pay(sales, taken.id, "card", "1000")
    assert set(err.value.fields) == {"reference"}
    with pytest.raises(ValidationError) as err:
        _pay(sales, taken.id, "card", "1000", "4821")  # ₹3,00,000 needs the customer's PAN
    assert set(err.value.fields) == {"customer_pan"}
    with pytest.raises(ValidationError, match="more than the ₹3,00,000.00 due"):
        run(sales, lambda s, a: take_job_payment(s, a, taken.id, "bank", "300001", "UTR1234567", "ABCDE1234F"))
    assert [d.kind for d in _documents(taken.id)] == ["estimate"]  # left a draft: quoting it needs the PAN
    free = intake(sales, customer(sales), estimate="", deposit="")
    with pytest.raises(JewelError, match="Set .* estimate or final charge"):
        _pay(sales, free.id, "cash", "100")


def test_a_higher_final_charge_gets_a_supplementary_invoice(world):
    sales = world.actor("sales")
    taken = intake(sales, customer(sales))
    _pay(sales, taken.id, "cash", "1500")
    run(sales, lambda s, a: set_final_charge(s, a, taken.id, "1800"))
    assert _balance(sales, taken.id) == Decimal("300.00")
    with read_session() as session:
        view = billing_view(session, sales, taken.id)
    assert view["summary"]["to_invoice"] == "₹300" and view["summary"]["suggest"] == "300.00"
    _pay(sales, taken.id, "card", "300", "4821")
    _estimate, first, extra = _documents(taken.id)
    assert (first.payable, first.paid, extra.payable, extra.paid) == (
        Decimal("1500.00"),
        Decimal("1500.00"),
        Decimal("300.00"),
        Decimal("300.00"),
    )
    with read_session() as session:
        [line] = lines_of(session, sales, extra.id)
    assert line.description == f"Repair {taken.number}: additional charge (final charge ₹1,800)"
    assert _balance(sales, taken.id) == 0


def test_a_lower_final_charge_waits_for_billing_to_be_put_right(world):
    sales = world.actor("sales")
    taken = intake(sales, customer(sales))
    _pay(sales, taken.id, "cash", "500")
    run(sales, lambda s, a: set_final_charge(s, a, taken.id, "1000"))
    with pytest.raises(JewelError, match="₹500 less than invoiced .*A manager cancels the invoice"):
        _pay(sales, taken.id, "cash", "500")
    with read_session() as session:
        assert billing_view(session, sales, taken.id)["summary"]["over"].startswith(f"{taken.number}'s charge")


def test_a_job_delivered_with_a_balance_signed_off_is_invoiced_for_billings_dues(world):
    manager = world.actor("manager")
    taken = intake(manager, customer(manager))
    _ready(manager, taken)
    _deliver(manager, taken.id, override=True, note="Pays on Friday")
    _estimate, invoice = _documents(taken.id)
    assert (invoice.status, invoice.payable, invoice.paid) == ("issued", Decimal("1500.00"), Decimal("0.00"))
    _pay(manager, taken.id, "cash", "1500")  # the money comes in after delivery
    assert _balance(manager, taken.id) == 0


def test_the_panel_lists_documents_with_links_and_receipts(world):
    sales = world.actor("sales")
    taken = intake(sales, customer(sales))
    with read_session() as session:
        before = billing_view(session, sales, taken.id)
    assert before["summary"]["suggest"] == "500.00"  # the deposit asked at intake
    _pay(sales, taken.id, "cash", "500")
    with read_session() as session:
        view = billing_view(session, sales, taken.id)
    estimate, invoice = view["documents"]
    assert (estimate["kind"], invoice["kind"], invoice["paid"], invoice["balance"]) == (
        "Estimate",
        "Invoice",
        "₹500",
        "₹1,000",
    )
    assert invoice["href"] == f"/billing/invoices/{invoice['id']}"
    [receipt] = view["receipts"]
    assert (receipt["invoice"], receipt["method"], receipt["amount"]) == (invoice["number"], "Cash", "₹500.00")
    assert view["summary"]["due"] == "₹1,000.00" and view["summary"]["suggest"] == "1000.00"


def test_with_billing_off_in_a_store_repairs_takes_its_own_money(world):
    _billing_off(world.dl)
    manager = world.actor("manager", world.dl)
    taken = intake(manager, customer(manager))
    assert taken.paid == Decimal("500.00") and _documents(taken.id) == []
    run(manager, lambda s, a: record_payment(s, a, taken.id, "1000"))
    _ready(manager, taken)
    assert _deliver(manager, taken.id).stage == "delivered"
    with read_session() as session:
        assert billing_view(session, manager, taken.id)["on"] is False


def test_the_job_page_links_to_the_billing_page_for_staff_who_take_payments(world):
    sales, designer = world.actor("sales"), world.actor("designer")
    taken = intake(sales, customer(sales))
    with read_session() as session:
        assert job_links(session, sales, job(taken.id)) == [
            {"label": "Billing and payments", "href": f"/repairs_billing/jobs/{taken.id}"}
        ]
        assert job_links(session, designer, job(taken.id)) == []  # a designer does not invoice
    _billing_off(world.dl)
    manager = world.actor("manager", world.dl)
    elsewhere = intake(manager, customer(manager))
    with read_session() as session:
        assert job_links(session, manager, job(elsewhere.id)) == []  # only enabled modules are asked


def test_money_taken_for_a_job_or_a_cancelled_invoice_changes_its_public_status_page(world, tmp_path):
    sales, manager = world.actor("sales"), world.actor("manager")
    taken = intake(sales, customer(sales))
    client, path = TestClient(Starlette(routes=routes(tmp_path))), f"/r/{taken.public_token}"
    etag = client.get(path).headers["etag"]

    def balance_shown(amount: str) -> None:
        nonlocal etag
        answer = client.get(path, headers={"If-None-Match": etag})
        assert answer.status_code == 200 and f"<dt>Balance to pay</dt><dd>{amount}</dd>" in answer.text, amount
        assert answer.headers["etag"] != etag
        etag = answer.headers["etag"]

    _pay(sales, taken.id, "cash", "500")  # the bridge's payment: an invoice for the job, then its receipt
    balance_shown("₹1,000")
    [_estimate, invoice] = _documents(taken.id)
    run(sales, lambda s, a: take_payment(s, a, invoice.id, "upi", "400", "412345678901"))  # taken in billing
    balance_shown("₹600")
    run(manager, lambda s, a: cancel_invoice(s, a, invoice.id, "Billed to the wrong customer"))
    balance_shown("₹1,500")
