"""A customer's own issued invoices: the list, the pieces sold, and a PDF only of their own invoice."""

from __future__ import annotations

import pytest

from jewelerp.db import unit_of_work
from jewelerp.errors import NotFound
from modules.billing.api import customer_invoice_pdf, customer_invoices, customer_piece_ids
from modules.billing.invoices import add_piece_line, create_draft, issue_invoice
from modules.stock.pieces import PieceInput, receive_piece
from tests.modules.repairs.intake import customer
from tests.modules.stock.huids import new_huid


def _sale(actor, gold, customer_id: int, issue: bool = True) -> tuple[int, int]:
    ring, metal = str(gold["ring"]), str(gold["metal"])
    data = PieceInput(ring, metal, "4.000", making_rule="percent", making_value="12", huid=new_huid())
    with unit_of_work(actor) as session:
        piece = receive_piece(session, actor, data).id
        invoice = create_draft(session, actor, customer_id=customer_id).id
        add_piece_line(session, actor, invoice, piece)
        if issue:
            issue_invoice(session, actor, invoice)
        return invoice, piece


def test_a_customer_gets_only_their_issued_invoices_and_pieces(world, gold):
    manager = world.actor("manager")
    asha, ravi = customer(manager, "Asha Rao"), customer(manager, "Ravi Menon")
    mine, piece = _sale(manager, gold, asha)
    _sale(manager, gold, asha, issue=False)  # a draft is no document of the customer's yet
    theirs, _ = _sale(manager, gold, ravi)
    delhi = world.actor("manager", world.dl)
    with unit_of_work(manager) as session:
        assert [i.id for i in customer_invoices(session, manager, (asha,))] == [mine]
        assert customer_piece_ids(session, manager, (asha,)) == [piece]
        name, pdf = customer_invoice_pdf(session, manager, (asha,), mine)
        assert pdf.startswith(b"%PDF") and name.startswith("invoice-")
        with pytest.raises(NotFound):
            customer_invoice_pdf(session, manager, (asha,), theirs)
        assert customer_invoices(session, delhi, (asha,)) == []
