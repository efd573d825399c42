"""Karigar metal balance: each karigar's fine metal statement for a period (the store's dates).

From the karigar ledger (:class:`KarigarEntry`, grams of fine metal, + issued, − received back), per karigar:

- **Opening**: the balance before the period's first day;
- **Issued**, **returned** (finished pieces and scrap) and **adjusted** during the period;
- **Closing** = opening + issued − returned + adjusted: the fine metal the karigar held at the period's end;
- of the closing, **lost** on the jobs whose piece had come back by then (what those jobs were issued less
  what came back: the making loss, still owed unless adjusted) and **in work** on jobs still with them.

Every karigar of the branch with a ledger row before the period's end is listed. Permission
``repairs.report.view``; with "every store" each active branch where the user holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.reports import (
    Chart,
    ReportKind,
    ReportRequest,
    ReportTable,
    midnight_utc,
    period_filename,
    period_text,
    report_stores,
    store_column,
)
from modules.repairs.models import Karigar, KarigarEntry

VIEW = "repairs.report.view"
ZERO_G = Decimal("0.000")
FIGURES = ("opening", "issued", "returned", "adjusted", "closing", "lost", "in_work")


@dataclass(frozen=True)
class MetalBalance:
    """One karigar's fine metal statement for the period, in grams."""

    store: str
    karigar: str
    opening: Decimal
    issued: Decimal
    returned: Decimal
    adjusted: Decimal
    lost: Decimal

    @property
    def closing(self) -> Decimal:
        """Opening + issued − returned + adjusted."""
        return self.opening + self.issued - self.returned + self.adjusted

    @property
    def in_work(self) -> Decimal:
        """The closing balance less the loss on closed jobs: metal on jobs still with the karigar."""
        return self.closing - self.lost


def _grams(value: Decimal | None) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.001"))


def metal_balances(session: Session, actor: Actor, request: ReportRequest) -> list[MetalBalance]:
    """The statement of every karigar with ledger rows before the period's end, by branch and name."""
    rows: list[MetalBalance] = []
    for store in report_stores(session, actor, VIEW, request.every_store):
        start = midnight_utc(store.time_zone, request.start)
        end = midnight_utc(store.time_zone, request.end + timedelta(days=1))
        fine, kind, during = KarigarEntry.fine_weight, KarigarEntry.kind, KarigarEntry.at >= start
        sums = (
            select(
                KarigarEntry.karigar_id,
                func.sum(case((~during, fine), else_=0)),
                func.sum(case((and_(during, kind == "issue"), fine), else_=0)),
                func.sum(case((and_(during, kind.in_(("piece", "scrap"))), -fine), else_=0)),
                func.sum(case((and_(during, kind == "adjust"), fine), else_=0)),
            )
            .where(KarigarEntry.store_id == store.id, KarigarEntry.at < end)
            .group_by(KarigarEntry.karigar_id)
        )
        closed = (
            select(KarigarEntry.karigar_id, KarigarEntry.job_id)
            .where(KarigarEntry.store_id == store.id, KarigarEntry.kind == "piece", KarigarEntry.at < end)
            .distinct()
            .subquery()
        )
        lost = dict(
            session.execute(
                select(KarigarEntry.karigar_id, func.sum(fine))
                .join(
                    closed,
                    and_(closed.c.karigar_id == KarigarEntry.karigar_id, closed.c.job_id == KarigarEntry.job_id),
                )
                .where(KarigarEntry.at < end, kind != "adjust")
                .group_by(KarigarEntry.karigar_id)
            ).all()
        )
        names = dict(session.execute(select(Karigar.id, Karigar.name).where(Karigar.store_id == store.id)).all())
        for karigar_id, *figures in session.execute(sums):
            opening, issued, returned, adjusted = (_grams(f) for f in figures)
            name = names.get(karigar_id, f"#{karigar_id}")
            rows.append(
                MetalBalance(store.code, name, opening, issued, returned, adjusted, _grams(lost.get(karigar_id)))
            )
    return sorted(rows, key=lambda r: (r.store, r.karigar.lower()))


def metal_balance_table(session: Session, actor: Actor, request: ReportRequest) -> ReportTable:
    """The karigar metal balance as a table, with each karigar's issued and returned charted."""
    stores = report_stores(session, actor, VIEW, request.every_store)
    rows = metal_balances(session, actor, request)
    totals = {key: sum((getattr(r, key) for r in rows), ZERO_G) for key in FIGURES}
    return ReportTable(
        title="Karigar metal balance",
        filename=period_filename("karigar-metal", request.start, request.end),
        period=period_text(request.start, request.end),
        columns=(
            *store_column(stores),
            Column("karigar", "Karigar"),
            Column("opening", "Opening (g)", kind=Kind.WEIGHT),
            Column("issued", "Issued (g)", kind=Kind.WEIGHT),
            Column("returned", "Returned (g)", kind=Kind.WEIGHT),
            Column("adjusted", "Adjusted (g)", kind=Kind.WEIGHT),
            Column("closing", "Closing (g)", kind=Kind.WEIGHT),
            Column("lost", "Lost on closed jobs (g)", kind=Kind.WEIGHT),
            Column("in_work", "In work (g)", kind=Kind.WEIGHT),
        ),
        rows=[{"store": r.store, "karigar": r.karigar} | {key: getattr(r, key) for key in FIGURES} for r in rows],
        footer=[{"karigar": "Total"} | totals],
        numeric=frozenset(FIGURES),
        summary=tuple(
            (label, f"{totals[key]:,.3f} g")
            for key, label in (("issued", "Issued"), ("returned", "Returned"), ("closing", "Held"), ("lost", "Lost"))
        ),
        notes=(
            "Grams of fine metal. Closing = opening + issued − returned + adjusted; of it, the loss on jobs whose "
            "piece came back and the metal still in work.",
        ),
    )


METAL_BALANCE = ReportKind(
    metal_balance_table,
    VIEW,
    chart=Chart("karigar", (("issued", "Issued (g)"), ("returned", "Returned (g)"))),
)
