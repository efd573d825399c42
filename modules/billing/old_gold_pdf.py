"""The old-gold purchase voucher as an A5 PDF, in the look of the billing documents (:mod:`modules.billing.pdf`).

It carries the particulars of a payment voucher (CGST Rules 2017, Rule 52): the voucher number (at most 16
characters, its own series) and date; the store's name, address, state with its code and GSTIN; the seller's
name and address (and PAN, identity document: masked unless the staff member printing may see customers'
personal details); the goods (metal, tested fineness, gross and net weight, rate, value, deduction); the
amount; the tax (nil: a purchase from an individual is not a supply, so no reverse charge); how it was
settled (adjusted against the invoice, or paid out by which method); and the signatures.

Permission: as :func:`modules.billing.old_gold.get_voucher`.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A5
from reportlab.platypus import Flowable, Spacer
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.models import Store
from jewelerp.errors import JewelError
from jewelerp.gst import state_name
from jewelerp.pdf_fonts import document_fonts
from modules.billing.models import Invoice, OldGoldVoucher
from modules.billing.old_gold import get_voucher, voucher_view
from modules.billing.pdf import _date, _letterhead, _Look, _Paper, _render, _slug
from modules.billing.words import amount_in_words

TITLE = "PURCHASE VOUCHER"
NO_TAX = (
    "Tax: nil. Reverse charge: not applicable. Old jewellery sold by an individual is not a supply in the "
    "course of business (CGST Act s.7); s.9(4) applies only to notified recipients (Notification 07/2019-CT(R))."
)


def _store_facts(store: Store) -> str:
    state = state_name(store.state_code) or store.state
    code = f" (state code {store.state_code})" if store.state_code else ""
    gstin = f", GSTIN {store.gstin}" if store.gstin else ""
    return f"{store.name}, {store.address}, {state}{code}{gstin}".replace(" ,", ",")


def voucher_pdf(session: Session, actor: Actor, voucher_id: int) -> bytes:
    """An issued voucher of the actor's store as an A5 PDF (a draft has no number yet and is refused)."""
    voucher = get_voucher(session, actor, voucher_id)  # checks the permission and the store
    if voucher.number is None:
        raise JewelError("This voucher is a draft: it is numbered when its invoice is issued.")
    store = session.get(Store, voucher.store_id)
    invoice = session.get(Invoice, voucher.invoice_id) if voucher.invoice_id else None
    shown = voucher_view(actor, voucher)
    look = _Look(document_fonts())
    watermark = "CANCELLED" if voucher.status == "cancelled" else ""
    paper = _Paper(A5, f"{TITLE} {voucher.number}", f"{store.name} · {TITLE} {voucher.number}", watermark)
    width = paper.width
    issued = actor.local(voucher.issued_at) if voucher.issued_at else None
    facts = [("Voucher no.", voucher.number), ("Date", _date(issued)), ("Kind", shown["kind"])]
    seller = [
        ("Bought from", shown["seller"]),
        ("Customer no.", shown["customer_number"]),
        ("Address", shown["address"]),
        ("PAN", shown["pan"]),
        ("Identity document", shown["id_proof"]),
        ("Bought by", _store_facts(store)),
    ]
    goods = [
        ("Goods", shown["description"]),
        ("Metal", shown["metal"]),
        ("Gross weight", shown["gross"]),
        ("Net weight", shown["net"]),
        ("Rate", shown["rate"]),
        ("Valued at the rates of", _date(voucher.voucher_date)),
        ("Value", look.money(voucher.value)),
        ("Deduction", shown["deduction"]),
        ("Amount", look.money(voucher.amount)),
    ]
    if invoice is not None:
        settled = [("Settled", f"Adjusted against invoice {invoice.number or 'draft'}, after its tax")]
        words = amount_in_words(voucher.amount)
    else:
        settled = [
            ("Round-off", look.money(voucher.round_off)),
            ("Paid", look.money(voucher.paid)),
            ("Paid by", shown["payout"]),
            ("Reference", voucher.payout_reference),
        ]
        words = amount_in_words(voucher.paid)
    widths = (width * 0.3, width * 0.68)
    story: list[Flowable] = [
        _letterhead(look, store, TITLE, facts, width),
        Spacer(1, 8),
        look.facts(seller, widths),
        Spacer(1, 6),
        look.facts(goods + settled, widths, "bold"),
        Spacer(1, 6),
        look.p(f"Amount in words: {words}", "bold"),
        Spacer(1, 4),
        look.p(NO_TAX, "small"),
        Spacer(1, 26),
        look.facts(
            [("Seller's signature", "______________________"), (f"For {store.name}", "Authorised signatory")], widths
        ),
    ]
    return _render(look, paper, story, store.name)


def voucher_file_name(voucher: OldGoldVoucher) -> str:
    """``voucher-MUM-G2627-00001.pdf``."""
    return f"voucher-{_slug(voucher.number or str(voucher.id))}.pdf"
