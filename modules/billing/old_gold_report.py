"""Old gold bought in a period and where it went.

The purchase vouchers (exchanges against a sale and buy-backs) issued on the store's dates of the period,
per branch, metal and tested fineness: how many, the net weight bought and the amount credited or paid (before
the buy-back's round-off), and the disposition of their stock lots today (:func:`modules.stock.api.
lot_dispositions`): sent to a refiner, melted, returned to the seller, still held. A cancelled voucher's metal
went back to the seller: cancelled vouchers are counted in a note and not in the rows.

Permission ``billing.report.view``; with "every store" each active branch where the user holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.money import ZERO
from jewelerp.reports import (
    Chart,
    ReportFilter,
    ReportKind,
    ReportRequest,
    ReportTable,
    period_filename,
    period_text,
    plural,
    report_stores,
    store_column,
)
from modules.billing.models import OldGoldVoucher
from modules.billing.reports import VIEW
from modules.stock.api import lot_dispositions

ZERO_G = Decimal("0.000")
KINDS = [("exchange", "Exchanges against a sale"), ("buyback", "Buy-backs")]
DISPOSITIONS = (("sent", "Sent to refiner"), ("melted", "Melted"), ("returned", "Returned"), ("on_hand", "Held"))


@dataclass
class OldGoldRow:
    """One branch, metal and fineness: vouchers, weight and amount bought, and where the metal is now."""

    store: str
    metal: str
    vouchers: int = 0
    net_weight: Decimal = ZERO_G
    amount: Decimal = ZERO
    gone: dict[str, Decimal] = field(default_factory=lambda: {key: ZERO_G for key, _label in DISPOSITIONS})


def old_gold_bought(session: Session, actor: Actor, request: ReportRequest) -> tuple[list[OldGoldRow], int]:
    """The rows of the period's issued vouchers (of one kind when ``choices["kind"]`` names it) and how many
    vouchers of the period were cancelled."""
    kind = request.choices.get("kind", "")
    rows: list[OldGoldRow] = []
    cancelled = 0
    for store in report_stores(session, actor, VIEW, request.every_store):
        where = [
            OldGoldVoucher.store_id == store.id,
            OldGoldVoucher.voucher_date >= request.start,
            OldGoldVoucher.voucher_date <= request.end,
        ]
        if kind in dict(KINDS):
            where.append(OldGoldVoucher.kind == kind)
        vouchers = session.execute(
            select(
                OldGoldVoucher.metal,
                OldGoldVoucher.fineness,
                OldGoldVoucher.net_weight,
                OldGoldVoucher.amount,
                OldGoldVoucher.lot_id,
            )
            .where(*where, OldGoldVoucher.status == "issued")
            .order_by(OldGoldVoucher.metal, OldGoldVoucher.fineness.desc())
        ).all()
        cancelled += session.scalar(
            select(func.count()).select_from(OldGoldVoucher).where(*where, OldGoldVoucher.status == "cancelled")
        )
        lots = lot_dispositions(session, actor, [v.lot_id for v in vouchers if v.lot_id is not None])
        merged: dict[str, OldGoldRow] = {}
        for metal, fineness, net, amount, lot_id in vouchers:
            name = f"{metal.title()} {fineness}"
            row = merged.setdefault(name, OldGoldRow(store.code, name))
            row.vouchers += 1
            row.net_weight += net
            row.amount += amount
            if lot_id in lots:
                for key, _label in DISPOSITIONS:
                    row.gone[key] += getattr(lots[lot_id], key)
        rows += merged.values()
    return rows, cancelled


def old_gold_table(session: Session, actor: Actor, request: ReportRequest) -> ReportTable:
    """The old gold report as a table, with the grams of each disposition charted."""
    stores = report_stores(session, actor, VIEW, request.every_store)
    rows, cancelled = old_gold_bought(session, actor, request)
    gone = {key: sum((r.gone[key] for r in rows), ZERO_G) for key, _label in DISPOSITIONS}
    weight = sum((r.net_weight for r in rows), ZERO_G)
    amount = sum((r.amount for r in rows), ZERO)
    notes = ["Amount: what the vouchers credited against a sale or paid for a buy-back, before its round-off."]
    if cancelled:
        notes.append(f"Not counted: {plural(cancelled, 'voucher')} of the period cancelled since (metal returned).")
    return ReportTable(
        title="Old gold bought",
        filename=period_filename("old-gold", request.start, request.end),
        period=period_text(request.start, request.end),
        columns=(
            *store_column(stores),
            Column("metal", "Metal and fineness"),
            Column("vouchers", "Vouchers", kind=Kind.INTEGER),
            Column("net_weight", "Net weight bought (g)", kind=Kind.WEIGHT),
            Column("amount", "Amount (₹)", kind=Kind.MONEY),
            *(Column(key, f"{label} (g)", kind=Kind.WEIGHT) for key, label in DISPOSITIONS),
        ),
        rows=[
            {"store": r.store, "metal": r.metal, "vouchers": r.vouchers, "net_weight": r.net_weight}
            | {"amount": r.amount, **r.gone}
            for r in rows
        ],
        footer=[
            {"metal": "Total", "vouchers": sum(r.vouchers for r in rows), "net_weight": weight, "amount": amount} | gone
        ],
        numeric=frozenset({"vouchers", "net_weight", "amount", *(key for key, _label in DISPOSITIONS)}),
        summary=(("Vouchers", sum(r.vouchers for r in rows)), ("Net weight (g)", f"{weight:,.3f}"), ("Amount", amount)),
        notes=tuple(notes),
        chart_rows=[{"disposition": label, "grams": gone[key]} for key, label in DISPOSITIONS],
    )


OLD_GOLD = ReportKind(
    old_gold_table,
    VIEW,
    filters=(ReportFilter("kind", "Vouchers", lambda _session, _actor: KINDS, all_label="All vouchers"),),
    chart=Chart("disposition", (("grams", "Grams"),)),
)
