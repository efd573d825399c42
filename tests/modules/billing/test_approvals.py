"""High-value approval: a discount above the store's limit or a total above its approval amount blocks the
issue until a manager of the same store approves; changing the lines clears the approval; a rejected draft
stays unissued."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from jewelerp.core.settings import set_setting
from jewelerp.db import unit_of_work
from jewelerp.errors import JewelError, NotFound, PermissionDenied, ValidationError
from modules.billing.approvals import approval_of, approve, needs_approval, reject, request_approval
from modules.billing.invoices import add_piece_line, add_service_line, create_draft, issue_invoice, remove_line
from modules.billing.models import Invoice
from modules.billing.pricing import Discount
from tests.modules.billing.test_estimates import do, fetch, gold_22k, ring


def _draft(world, discount: str | None = None, who: str = "sales") -> int:
    """A draft with one ring, optionally discounted by ``discount`` % overall."""
    metal = gold_22k(world)
    piece = ring(world, metal)
    actor = world.actor(who)
    invoice = do(actor, create_draft, customer_name="Kavya Iyer").id
    do(actor, add_piece_line, invoice, piece, Discount("percent", D(discount)) if discount else None)
    return invoice


def _setting(world, key: str, value: str) -> None:
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        set_setting(session, manager, world.mum, key, value)


def _reason(world, invoice_id: int) -> str:
    return do(world.actor("sales"), lambda s, a: needs_approval(s, a, fetch(Invoice, invoice_id)))


def test_a_discount_within_the_limit_needs_no_approval(world):
    invoice = _draft(world, "5")  # exactly the 5% limit
    assert _reason(world, invoice) == ""
    with pytest.raises(JewelError, match="needs no approval"):
        do(world.actor("sales"), request_approval, invoice)
    assert do(world.actor("sales"), issue_invoice, invoice).status == "issued"


def test_a_discount_above_the_limit_blocks_the_issue_until_a_manager_approves(world):
    invoice = _draft(world, "10")
    sales, manager = world.actor("sales"), world.actor("manager")
    reason = _reason(world, invoice)
    assert "is discounted 10% (" in reason and "above the 5% limit" in reason
    with pytest.raises(JewelError, match="waits for a manager's approval: .*discounted 10%"):
        do(sales, issue_invoice, invoice)
    assert fetch(Invoice, invoice).status == "draft"

    with pytest.raises(JewelError, match="Nobody has asked"):  # not the manager's own draft, not requested
        do(manager, approve, invoice, "ok")
    pending = do(sales, request_approval, invoice)
    assert (pending.approval, pending.approval_reason) == ("pending", reason)
    with pytest.raises(JewelError, match="already waits"):
        do(sales, request_approval, invoice)
    with pytest.raises(JewelError, match="waits for a manager's approval"):
        do(sales, issue_invoice, invoice)

    approved = do(manager, approve, invoice, "  Loyal   customer ")
    assert (approved.approval, approved.approval_by, approved.approval_note) == (
        "approved",
        "Manager",
        "Loyal customer",
    )
    assert approved.approval_at is not None
    assert do(sales, issue_invoice, invoice).status == "issued"
    assert fetch(Invoice, invoice).approval == "approved"  # the record of the approval stays on the invoice


def test_a_total_above_the_approval_amount_blocks_the_issue(world):
    _setting(world, "billing.approval_amount", "50000")
    invoice = _draft(world)
    assert "the total ₹" in _reason(world, invoice) and "is above ₹50,000" in _reason(world, invoice)
    with pytest.raises(JewelError, match="waits for a manager's approval"):
        do(world.actor("sales"), issue_invoice, invoice)
    do(world.actor("sales"), request_approval, invoice)
    do(world.actor("manager"), approve, invoice)
    assert do(world.actor("sales"), issue_invoice, invoice).status == "issued"


def test_a_salesperson_cannot_approve_or_reject(world):
    invoice = _draft(world, "10")
    sales = world.actor("sales")
    do(sales, request_approval, invoice)
    with pytest.raises(PermissionDenied):
        do(sales, approve, invoice)
    with pytest.raises(PermissionDenied):
        do(sales, reject, invoice, "no")
    assert fetch(Invoice, invoice).approval == "pending"


def test_a_manager_of_another_store_cannot_approve(world):
    invoice = _draft(world, "10")
    do(world.actor("sales"), request_approval, invoice)
    delhi = world.actor("manager", world.dl)
    for attempt in (lambda: do(delhi, approve, invoice), lambda: do(delhi, approval_of, invoice)):
        with pytest.raises(NotFound):
            attempt()
    assert fetch(Invoice, invoice).approval == "pending"


def test_changing_the_lines_after_approval_clears_it(world):
    invoice = _draft(world, "10")
    sales = world.actor("sales")
    do(sales, request_approval, invoice)
    do(world.actor("manager"), approve, invoice, "ok")
    line = do(sales, add_service_line, invoice, "Polishing", "300")
    cleared = fetch(Invoice, invoice)
    assert (cleared.approval, cleared.approval_by, cleared.approval_at) == ("", "", None)
    with pytest.raises(JewelError, match="waits for a manager's approval"):
        do(sales, issue_invoice, invoice)

    do(sales, request_approval, invoice)
    do(world.actor("manager"), approve, invoice)
    do(sales, remove_line, line.id)  # taking a line off clears it too
    assert fetch(Invoice, invoice).approval == ""


def test_a_rejected_draft_stays_unissued(world):
    invoice = _draft(world, "10")
    sales, manager = world.actor("sales"), world.actor("manager")
    do(sales, request_approval, invoice)
    with pytest.raises(ValidationError) as refused:
        do(manager, reject, invoice, "   ")
    assert "note" in refused.value.fields
    rejected = do(manager, reject, invoice, "Discount too large")
    assert (rejected.approval, rejected.approval_note, rejected.approval_by) == (
        "rejected",
        "Discount too large",
        "Manager",
    )
    with pytest.raises(JewelError, match="rejected this draft"):
        do(sales, issue_invoice, invoice)
    with pytest.raises(JewelError, match="change its lines before asking again"):
        do(sales, request_approval, invoice)
    with pytest.raises(JewelError, match="rejected this draft"):
        do(manager, approve, invoice)
    assert fetch(Invoice, invoice).status == "draft"


def test_a_manager_approves_their_own_draft_explicitly(world):
    invoice = _draft(world, "10", who="manager")
    manager = world.actor("manager")
    with pytest.raises(JewelError, match="waits for a manager's approval"):
        do(manager, issue_invoice, invoice)
    do(manager, approve, invoice, "Festival offer")
    issued = do(manager, issue_invoice, invoice)
    assert (issued.status, issued.approval, issued.approval_by) == ("issued", "approved", "Manager")


def test_an_issued_invoice_cannot_be_approved_or_asked_for(world):
    invoice = _draft(world)
    do(world.actor("sales"), issue_invoice, invoice)
    with pytest.raises(JewelError, match="only a draft waits for approval"):
        do(world.actor("sales"), request_approval, invoice)
    assert do(world.actor("sales"), approval_of, invoice)[1] == ""
