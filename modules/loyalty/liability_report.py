"""Loyalty liability as of today, per branch: what the store owes its scheme members and its points holders.

- **Schemes**, per branch and scheme: the open (active and matured) enrolments, what their instalments paid
  in, the bonus accrued, what redemptions released, the grams held for grams schemes, the liability at what
  was paid and at today's rate of the scheme's metal (:func:`modules.loyalty.schemes.scheme_liability`, the
  same figures as the scheme liability page; "no rate" when a grams scheme's metal has none today).
- **Points**, per branch: the points earned there still redeemable (what is left of credits not yet expired,
  the branch's today) and their value at the point value of the program in effect there.

Permission ``loyalty.report.view``; with "every store" each active branch where the user holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.money import ZERO
from jewelerp.reports import (
    Chart,
    ReportKind,
    ReportRequest,
    ReportTable,
    as_of_today,
    report_stores,
    store_column,
    store_today,
)
from modules.billing.api import rate_on
from modules.loyalty.models import Enrolment, PointEntry, Program, SchemeTemplate
from modules.loyalty.schemes import NOTHING_OWED, OPEN, Liability, scheme_liability

VIEW = "loyalty.report.view"
NO_RATE = "No rate today"


@dataclass(frozen=True)
class SchemeLiability:
    """One branch's open enrolments in one scheme, summed."""

    store: str
    scheme: str
    owed: Liability


@dataclass(frozen=True)
class PointsLiability:
    """One branch's redeemable points and their value."""

    store: str
    program: str
    points: int
    value: Decimal


def scheme_liabilities(session: Session, actor: Actor, every_store: bool = False) -> list[SchemeLiability]:
    """Per branch and scheme (by name): what the open enrolments are owed."""
    rows: list[SchemeLiability] = []
    for store in report_stores(session, actor, VIEW, every_store):
        found = session.execute(
            select(Enrolment, SchemeTemplate)
            .join(SchemeTemplate, SchemeTemplate.id == Enrolment.template_id)
            .where(Enrolment.store_id == store.id, Enrolment.status.in_(OPEN))
        )
        rates: dict[int, Decimal | None] = {}
        owed: dict[int, tuple[str, Liability]] = {}
        for enrolment, template in found:
            if template.id not in rates:
                metal = template.metal_id if template.unit == "grams" else None
                rates[template.id] = rate_on(session, store.id, metal, store_today(store)) if metal else None
            name, sums = owed.get(template.id, (template.name, NOTHING_OWED))
            owed[template.id] = (name, sums + scheme_liability(template, enrolment, rates[template.id]))
        rows += [SchemeLiability(store.code, name, sums) for name, sums in sorted(owed.values(), key=lambda o: o[0])]
    return rows


def _program(session: Session, store_id: int) -> Program | None:
    own = session.scalars(select(Program).where(Program.store_id == store_id)).first()
    return own or session.scalars(select(Program).where(Program.store_id.is_(None))).first()


def points_liabilities(session: Session, actor: Actor, every_store: bool = False) -> list[PointsLiability]:
    """Per branch: the points earned there that can still be redeemed, valued at the program's point value."""
    rows: list[PointsLiability] = []
    for store in report_stores(session, actor, VIEW, every_store):
        points = session.scalar(
            select(func.sum(PointEntry.remaining)).where(
                PointEntry.store_id == store.id, PointEntry.remaining > 0, PointEntry.expires_on >= store_today(store)
            )
        )
        program = _program(session, store.id)
        if points and program is not None:
            rows.append(PointsLiability(store.code, program.name, int(points), int(points) * program.point_value))
    return rows


def liability_table(session: Session, actor: Actor, request: ReportRequest) -> ReportTable:
    """Scheme and points liability as one table (schemes first), with a chart of each row's liability today."""
    stores = report_stores(session, actor, VIEW, request.every_store)
    schemes = scheme_liabilities(session, actor, request.every_store)
    points = points_liabilities(session, actor, request.every_store)
    rows = [
        {"store": s.store, "kind": "Scheme", "name": s.scheme, "count": s.owed.schemes}
        | {"paid": s.owed.paid, "bonus": s.owed.bonus, "redeemed": s.owed.redeemed, "grams": s.owed.grams}
        | {"owed": s.owed.total, "at_today": s.owed.at_today if s.owed.at_today is not None else NO_RATE}
        for s in schemes
    ] + [
        {"store": p.store, "kind": "Points", "name": p.program, "count": p.points, "owed": p.value, "at_today": p.value}
        for p in points
    ]
    owed = sum((s.owed for s in schemes), NOTHING_OWED)
    points_value = sum((p.value for p in points), ZERO)
    at_today = owed.at_today + points_value if owed.at_today is not None else NO_RATE
    return ReportTable(
        title="Loyalty liability",
        filename=f"loyalty-liability-{actor.today().isoformat()}.xlsx",
        columns=(
            *store_column(stores),
            Column("kind", "Kind"),
            Column("name", "Scheme or program"),
            Column("count", "Open schemes / points", kind=Kind.INTEGER),
            Column("paid", "Paid in (₹)", kind=Kind.MONEY),
            Column("bonus", "Bonus accrued (₹)", kind=Kind.MONEY),
            Column("redeemed", "Redeemed (₹)", kind=Kind.MONEY),
            Column("grams", "Grams held", kind=Kind.WEIGHT),
            Column("owed", "Liability (₹)", kind=Kind.MONEY),
            Column("at_today", "At today's rate (₹)", kind=Kind.MONEY),
        ),
        rows=rows,
        footer=[
            {"kind": "Total", "paid": owed.paid, "bonus": owed.bonus, "redeemed": owed.redeemed, "grams": owed.grams}
            | {"owed": owed.total + points_value, "at_today": at_today}
        ],
        numeric=frozenset({"count", "paid", "bonus", "redeemed", "grams", "owed", "at_today"}),
        summary=(
            ("Scheme liability", owed.total),
            ("Points liability", points_value),
            ("Total", owed.total + points_value),
            ("Gold held (g)", f"{owed.grams:,.3f}"),
        ),
        notes=(
            "Schemes: paid in plus bonus accrued less redeemed (grams schemes also at today's rate of their metal). "
            "Points: unexpired points earned in the branch, at the program's point value.",
        ),
        chart_rows=[{"name": f"{r['store']} {r['name']}", "owed": r["owed"]} for r in rows],
    )


LIABILITY = ReportKind(
    liability_table,
    VIEW,
    default_period=as_of_today,
    chart=Chart("name", (("owed", "Liability (₹)"),)),
    period=False,
)
