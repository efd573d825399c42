"""Customer RFM segments and lifetime value, from the purchases other modules report (:class:`Purchase`).

- **Window**: the report's period (the last 365 days by default), in the actor's store dates. Only purchases
  made in the covered branches count, and a purchase taken back (its invoice cancelled) never counts.
- **Recency**: days from the customer's last purchase in the window to the period's last day; **frequency**:
  purchases in the window; **monetary**: their value before tax.
- **Quintile scores** 1–5 (5 best: most recent, most often, most spent) among the customers who bought in
  the window: a customer's score is ``1 + 5 × (customers strictly worse) ÷ (customers)``, rounded down, so
  equal figures get equal scores (:func:`quintile_scores`).
- **Segments**, the first rule that fits (:data:`RULES`): Champions (R ≥ 4 and F ≥ 4), At risk (R ≤ 2 and
  F ≥ 3 or M ≥ 4: good customers gone quiet), Loyal (F ≥ 4), Recent (R ≥ 4), Lost (R ≤ 2), else Needs
  attention.
- **Lifetime value**: every purchase of the customer in the covered branches up to the period's last day.

Permission ``clienteling.report.view``; with "every store" each active branch where the user holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.columns import Column, Kind
from jewelerp.db import PAISA
from jewelerp.money import ZERO
from jewelerp.reports import (
    Chart,
    ReportFilter,
    ReportKind,
    ReportRequest,
    ReportTable,
    midnight_utc,
    period_filename,
    period_text,
    report_stores,
)
from modules.clienteling.models import Customer, Purchase

VIEW = "clienteling.report.view"
RULES: tuple[tuple[str, Callable[[int, int, int], bool]], ...] = (
    ("Champions", lambda r, f, m: r >= 4 and f >= 4),
    ("At risk", lambda r, f, m: r <= 2 and (f >= 3 or m >= 4)),
    ("Loyal", lambda r, f, m: f >= 4),
    ("Recent", lambda r, f, m: r >= 4),
    ("Lost", lambda r, f, m: r <= 2),
    ("Needs attention", lambda r, f, m: True),
)
SEGMENT_ORDER = [name for name, _rule in RULES]


def quintile_scores(values: dict[int, Any]) -> dict[int, int]:
    """Scores 1–5 by quintile of ``values`` (higher is better): 1 + 5 × (how many are strictly lower) ÷ n."""
    ordered = sorted(values.values())
    n = len(ordered)
    scores = {}
    lower: dict[Any, int] = {}
    for position, value in enumerate(ordered):
        lower.setdefault(value, position)
    for key, value in values.items():
        scores[key] = 1 + 5 * lower[value] // n
    return scores


def segment_of(recency: int, frequency: int, monetary: int) -> str:
    """The segment of a customer's three scores (the first of :data:`RULES` that fits)."""
    return next(name for name, rule in RULES if rule(recency, frequency, monetary))


def last_365_days(actor: Actor) -> tuple[date, date]:
    """The default window: the 365 days up to today."""
    today = actor.today()
    return today - timedelta(days=364), today


@dataclass(frozen=True)
class CustomerRfm:
    """One customer's figures, scores, segment and lifetime value."""

    customer_id: int
    name: str
    last_purchase: date
    recency_days: int
    purchases: int
    spend: Decimal
    r: int
    f: int
    m: int
    segment: str
    lifetime_value: Decimal

    @property
    def code(self) -> str:
        """The three scores as one code, e.g. 543."""
        return f"{self.r}{self.f}{self.m}"


def rfm(session: Session, actor: Actor, start: date, end: date, every_store: bool = False) -> list[CustomerRfm]:
    """Every customer who bought in ``start``–``end`` (the actor's dates), best segment first, then by
    lifetime value."""
    stores = [s.id for s in report_stores(session, actor, VIEW, every_store)]
    zone = ZoneInfo(actor.time_zone)
    since, until = midnight_utc(actor.time_zone, start), midnight_utc(actor.time_zone, end + timedelta(days=1))
    counted = (Purchase.store_id.in_(stores), Purchase.reversed_at.is_(None))
    window = session.execute(
        select(Purchase.customer_id, func.count(), func.sum(Purchase.amount), func.max(Purchase.at))
        .where(*counted, Purchase.at >= since, Purchase.at < until)
        .group_by(Purchase.customer_id)
    ).all()
    if not window:
        return []
    ids = [row[0] for row in window]
    lifetime = dict(
        session.execute(
            select(Purchase.customer_id, func.sum(Purchase.amount))
            .where(*counted, Purchase.at < until, Purchase.customer_id.in_(ids))
            .group_by(Purchase.customer_id)
        ).all()
    )
    names = dict(session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids))).all())
    last = {cid: _local_date(at, zone) for cid, _count, _spend, at in window}
    recency = {cid: (end - day).days for cid, day in last.items()}
    r = quintile_scores({cid: -days for cid, days in recency.items()})
    f = quintile_scores({cid: count for cid, count, _spend, _at in window})
    m = quintile_scores({cid: Decimal(spend) for cid, _count, spend, _at in window})
    rows = [
        CustomerRfm(
            cid,
            names.get(cid, f"#{cid}"),
            last[cid],
            recency[cid],
            count,
            Decimal(spend),
            r[cid],
            f[cid],
            m[cid],
            segment_of(r[cid], f[cid], m[cid]),
            Decimal(lifetime.get(cid) or ZERO),
        )
        for cid, count, spend, _at in window
    ]
    return sorted(rows, key=lambda c: (SEGMENT_ORDER.index(c.segment), -c.lifetime_value, c.customer_id))


def _local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(zone).date()


def _segments(_session: Session, _actor: Actor) -> list[tuple[str, str]]:
    return [(name, name) for name in SEGMENT_ORDER]


SEGMENT = ReportFilter("segment", "Segment", _segments, all_label="All segments")


def rfm_table(session: Session, actor: Actor, request: ReportRequest) -> ReportTable:
    """The RFM report as a table of customers (of one segment when chosen), with customers per segment
    charted."""
    everyone = rfm(session, actor, request.start, request.end, request.every_store)
    chosen = request.choices.get("segment", "")
    customers = [c for c in everyone if c.segment == chosen] if chosen in SEGMENT_ORDER else everyone
    spend = sum((c.spend for c in customers), ZERO)
    lifetime = sum((c.lifetime_value for c in customers), ZERO)
    average = (lifetime / len(customers)).quantize(PAISA, ROUND_HALF_UP) if customers else ZERO
    return ReportTable(
        title="Customer RFM",
        filename=period_filename("customer-rfm", request.start, request.end),
        period=period_text(request.start, request.end),
        columns=(
            Column("customer_id", "Customer no.", kind=Kind.INTEGER),
            Column("name", "Customer"),
            Column("segment", "Segment"),
            Column("code", "RFM"),
            Column("last_purchase", "Last purchase", kind=Kind.DATE),
            Column("recency_days", "Days since", kind=Kind.INTEGER),
            Column("purchases", "Purchases", kind=Kind.INTEGER),
            Column("spend", "Spend in period (₹)", kind=Kind.MONEY),
            Column("lifetime_value", "Lifetime value (₹)", kind=Kind.MONEY),
        ),
        rows=[
            {k: getattr(c, k) for k in ("customer_id", "name", "segment", "code", "last_purchase", "recency_days")}
            | {"purchases": c.purchases, "spend": c.spend, "lifetime_value": c.lifetime_value}
            for c in customers
        ],
        footer=[
            {"customer_id": "Total", "purchases": sum(c.purchases for c in customers)}
            | {"spend": spend, "lifetime_value": lifetime}
        ],
        numeric=frozenset({"customer_id", "recency_days", "purchases", "spend", "lifetime_value"}),
        summary=(
            ("Customers", len(customers)),
            ("Spend in period", spend),
            ("Lifetime value", lifetime),
            ("Average lifetime value", average),
        ),
        notes=(
            "Scores 1–5 by quintile among the customers who bought in the period (5: most recent, most often, "
            "most spent). Amounts before tax; cancelled sales are left out.",
        ),
        chart_rows=[
            {"segment": name, "customers": sum(1 for c in everyone if c.segment == name)} for name in SEGMENT_ORDER
        ],
    )


RFM = ReportKind(
    rfm_table,
    VIEW,
    default_period=last_365_days,
    filters=(SEGMENT,),
    chart=Chart("segment", (("customers", "Customers"),)),
)
