"""The GST of an invoice's lines: each line's tax class, HSN/SAC and rate, split by the place of supply.

- A **piece line** takes the goods class of its stock category's HSN (:func:`modules.stock.masters.category_hsn`:
  a coin category is 7118, COIN; jewellery 7113, JEWELLERY), in effect on the invoice's date.
- A **service line** takes the class chosen for it (REPAIR for repairs and polishing, JOB_WORK for a piece
  made from the customer's own metal, or a goods class for a made-to-order piece without stock).
- The **rate** is the class's rate for a registered buyer when the invoice carries a GSTIN, else for an
  unregistered one (:func:`modules.billing.tax_classes.rate_for`).
- The **split** follows the invoice's place of supply (:func:`modules.billing.supply.place_of_supply`): CGST and
  SGST of half the rate each, or IGST, each rounded to the paisa on the line (:func:`modules.billing.pricing.taxed`).

Each line stores its class, HSN/SAC and rate with its tax, so the invoice and the GST summary read them from
the line. :func:`retax` applies the rules again to every sale line of a draft: when its customer details
change and when it is issued (the rate in effect on the day of issue is the one charged).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from jewelerp.money import ZERO
from modules.billing.models import Invoice, InvoiceLine, TaxClass
from modules.billing.pricing import PriceBreakdown, PriceLine, taxed
from modules.billing.supply import is_inter_state, place_of_supply, registered
from modules.billing.tax_classes import REPAIR, class_on, goods_class_for, rate_for
from modules.stock.api import Piece, category_hsn, piece_hsn


def supply_of(invoice: Invoice, store_state_code: str) -> bool:
    """Fix the invoice's place of supply from its recipient details; True when the supply is inter-state (IGST)."""
    invoice.place_of_supply = place_of_supply(store_state_code, invoice)
    return is_inter_state(store_state_code, invoice.place_of_supply)


def piece_class(session: Session, piece: Piece, on: date) -> TaxClass:
    """The goods class of a piece: the one of its category's HSN in effect on ``on``."""
    return goods_class_for(session, category_hsn(session, piece.category_id), on)


def line_rate(invoice: Invoice, tax_class: TaxClass) -> Decimal:
    """The total GST % a line of ``tax_class`` is charged on this invoice (registered buyer or not)."""
    return rate_for(tax_class, registered(invoice))


def write_line(line: InvoiceLine, breakdown: PriceBreakdown, tax_class: TaxClass, rate: Decimal) -> None:
    """Put a taxed breakdown on a line: taxable value, CGST/SGST or IGST, amount, rows, class, HSN/SAC and rate."""
    line.taxable = breakdown.taxable
    line.cgst, line.sgst, line.igst = (breakdown.amount(key) for key in ("cgst", "sgst", "igst"))
    line.amount = breakdown.taxable + breakdown.tax
    line.breakdown = json.dumps(
        [{"key": x.key, "label": x.label, "basis": x.basis, "amount": str(x.amount)} for x in breakdown.lines]
    )
    line.tax_class, line.hsn_sac, line.tax_rate = tax_class.code, tax_class.hsn_sac, rate


def service_breakdown(taxable: Decimal, rate: Decimal, inter_state: bool) -> PriceBreakdown:
    """A service's rows: its taxable value, the GST, round-off and total."""
    return taxed([PriceLine("taxable", "Taxable value", "Service charge", taxable)], rate, inter_state)


def _untaxed_rows(line: InvoiceLine) -> list[PriceLine]:
    """The stored rows of a line up to its taxable value (what the GST is worked out on)."""
    rows: list[PriceLine] = []
    for row in json.loads(line.breakdown or "[]"):
        key = str(row.get("key", ""))
        rows.append(PriceLine(key, str(row.get("label", "")), str(row.get("basis", "")), Decimal(row["amount"])))
        if key == "taxable":
            return rows
    return [PriceLine("taxable", "Taxable value", "Service charge", line.taxable or ZERO)]


def retax(session: Session, invoice: Invoice, lines: list[InvoiceLine], store_state_code: str, on: date) -> None:
    """Tax every sale line again at the classes in effect on ``on`` and the invoice's place of supply."""
    inter_state = supply_of(invoice, store_state_code)
    for line in lines:
        if line.kind == "old_gold":
            continue
        if line.kind == "piece":
            tax_class = goods_class_for(session, piece_hsn(session, line.piece_id), on)
        else:
            tax_class = class_on(session, line.tax_class or REPAIR, on)
        rate = line_rate(invoice, tax_class)
        write_line(line, taxed(_untaxed_rows(line), rate, inter_state), tax_class, rate)
        session.add(line)
    session.add(invoice)
    session.flush()
